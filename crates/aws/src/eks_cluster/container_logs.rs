//! Container logs to CloudWatch Logs: the log group (KMS-encrypted, with retention) the
//! [`ClusterAddon::ContainerLogs`](super::ClusterAddon::ContainerLogs) add-on's Fluent Bit
//! writes, and the IAM statements that allow it to write exactly that group.

use serde_json::{Value, json};
use stacksmith_core::Lowering;

use crate::common;
use crate::iam::PolicyStatement;

/// The log group of a cluster's container logs.
pub(super) fn group_name(cluster_name: &str) -> String {
    format!("/aws/eks/{cluster_name}/containers")
}

/// Creates the log group (its own KMS key, which CloudWatch Logs may use for this group only)
/// kept `retention_days` (SS0144 when CloudWatch Logs does not accept the value).
pub(super) fn log_group(cx: &mut Lowering<'_>, cluster_name: &str, retention_days: u32) {
    common::check_retention(cx, "SS0144", "ContainerLogs retention_days", retention_days);
    let group = group_name(cluster_name);
    let logs_encrypt = common::logs_may_use_key(cx, &group);
    let key = common::kms_key(
        cx,
        "containers-key",
        &format!("Encrypts the container logs of {cluster_name}"),
        &[logs_encrypt],
    );
    common::log_group(
        cx,
        "containers",
        &group,
        common::accepted_retention(retention_days),
        &key,
    );
}

/// What Fluent Bit's `cloudwatch_logs` output needs, on that group only: streams are created
/// and written; the group itself is neither created nor changed (it is the stack's).
pub(super) fn statements(cx: &mut Lowering<'_>, cluster_name: &str) -> Vec<PolicyStatement> {
    let group = group_name(cluster_name);
    let streams = common::arn(cx, "logs", true, &format!("log-group:{group}:*"));
    vec![
        PolicyStatement::allow(
            "WriteContainerLogs",
            [
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
        )
        .resource(streams),
    ]
}

/// The aws-for-fluent-bit chart's values: container logs of every node (tainted ones too) to
/// the group, no other output, the group never auto-created.
pub(super) fn values(cluster_name: &str, region: &str) -> Value {
    json!({
        "cloudWatchLogs": {
            "enabled": true,
            "region": region,
            "logGroupName": group_name(cluster_name),
            "logStreamPrefix": "fluentbit-",
            "autoCreateGroup": false,
        },
        "cloudWatch": { "enabled": false },
        "firehose": { "enabled": false },
        "kinesis": { "enabled": false },
        "elasticsearch": { "enabled": false },
        "serviceAccount": { "create": true, "name": "aws-for-fluent-bit" },
        "tolerations": [{ "operator": "Exists" }],
    })
}

#[cfg(test)]
mod tests {
    use crate::{ClusterAddon, EksCluster, Network};
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::Value as Tf;

    fn lowered(addon: ClusterAddon) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        stack.add(EksCluster::new("eks", &net).addon(addon));
        stack.lower()
    }

    fn body(g: &stacksmith_core::Graph, expression: &str) -> serde_json::Value {
        g.resources
            .iter()
            .chain(g.cluster_resources.iter())
            .chain(g.data.iter())
            .find(|r| r.address.expression() == expression)
            .map(|r| serde_json::to_value(Tf::Map(r.body.clone())).unwrap_or_default())
            .unwrap_or_default()
    }

    #[test]
    fn container_logs_go_to_an_encrypted_group_only_fluent_bit_may_write() {
        let g = lowered(ClusterAddon::container_logs());
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let group = body(&g, "aws_cloudwatch_log_group.eks_containers");
        assert_eq!(group["name"], "/aws/eks/prod-eks/containers");
        assert_eq!(group["retention_in_days"], 365);
        assert_eq!(group["kms_key_id"], "${aws_kms_key.eks_containers_key.arn}");
        let release = body(&g, "helm_release.eks_aws_for_fluent_bit");
        assert_eq!(release["chart"], "aws-for-fluent-bit");
        assert_eq!(release["version"], "0.2.0");
        let values: serde_json::Value =
            serde_json::from_str(release["values"][0].as_str().unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(
            values["cloudWatchLogs"]["logGroupName"],
            "/aws/eks/prod-eks/containers"
        );
        assert_eq!(values["cloudWatchLogs"]["autoCreateGroup"], false);
        assert_eq!(values["elasticsearch"]["enabled"], false);
        let policy = serde_json::to_string(&body(
            &g,
            "data.aws_iam_policy_document.eks_irsa_aws_for_fluent_bit_policy",
        ))
        .unwrap_or_default();
        assert!(policy.contains("logs:PutLogEvents"), "{policy}");
        assert!(
            policy.contains("log-group:/aws/eks/prod-eks/containers:*"),
            "{policy}"
        );
        assert!(!policy.contains("logs:CreateLogGroup"), "{policy}");
    }

    #[test]
    fn fails_container_log_retention_cloudwatch_does_not_accept() {
        let g = lowered(ClusterAddon::ContainerLogs { retention_days: 42 });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
