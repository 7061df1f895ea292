//! `EcsCluster`: an Amazon ECS cluster for Fargate tasks, with Container Insights and
//! encrypted, logged ECS Exec sessions.

use stacksmith_core::{
    Address, Construct, Lower, Lowering, NameRule, Node, NodeKind, Path, Ref, Scope, Within, tf,
    tf_name,
};

use crate::common::{self, name_tag};
use crate::drawing::tail_id;

/// ECS cluster names: 1–255 letters, digits, `-` and `_`.
const CLUSTER_NAME: NameRule = NameRule {
    what: "ECS cluster name",
    max_len: 255,
    lowercase: false,
    extra: "-_",
    start_letter: false,
};

/// CloudWatch Container Insights for the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerInsights {
    /// Container Insights with enhanced observability: task- and container-level metrics
    /// and curated dashboards (AWS's recommended setting since December 2024).
    Enhanced,
    /// Classic Container Insights: cluster-, service- and task-level metrics; costs less.
    Enabled,
}

impl ContainerInsights {
    fn value(self) -> &'static str {
        match self {
            ContainerInsights::Enhanced => "enhanced",
            ContainerInsights::Enabled => "enabled",
        }
    }
}

/// An Amazon ECS cluster: the logical home of Fargate services.
///
/// Creates: a KMS key (rotation on) that encrypts ECS Exec sessions and their log group, the
/// log group for ECS Exec session logs, `aws_ecs_cluster` with Container Insights and the exec
/// configuration, and `aws_ecs_cluster_capacity_providers` with `FARGATE` and `FARGATE_SPOT`
/// (`FARGATE` the default).
///
/// Defaults: Container Insights [`ContainerInsights::Enhanced`]; ECS Exec sessions (off on
/// each service unless it turns them on) encrypted with the customer key and logged to
/// CloudWatch, logs kept 365 days.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::EcsCluster;
/// let mut stack = Stack::new("prod", "us-east-1");
/// let cluster = stack.add(EcsCluster::new("ecs"));
/// ```
#[derive(Clone, Debug)]
pub struct EcsCluster {
    id: String,
    insights: ContainerInsights,
    exec_log_days: u32,
}

/// A handle to an [`EcsCluster`]: its name and ARN.
#[derive(Clone, Debug)]
pub struct EcsClusterRef {
    path: Path,
    stack: String,
}

impl EcsCluster {
    /// A cluster for Fargate tasks.
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            insights: ContainerInsights::Enhanced,
            exec_log_days: 365,
        }
    }

    /// The Container Insights level. Default: [`ContainerInsights::Enhanced`].
    #[must_use]
    pub fn container_insights(mut self, insights: ContainerInsights) -> Self {
        self.insights = insights;
        self
    }

    /// Days ECS Exec session logs are kept (a CloudWatch retention value). Default: 365.
    #[must_use]
    pub fn exec_log_retention_days(mut self, days: u32) -> Self {
        self.exec_log_days = days;
        self
    }
}

impl EcsClusterRef {
    fn address(&self, kind: &str, part: &str) -> Address {
        Address::resource(&self.stack, kind, &tf_name(&self.path, part))
    }

    /// The cluster's ARN.
    pub fn arn(&self) -> Ref {
        self.address("aws_ecs_cluster", "").attr("arn")
    }

    /// The cluster's name.
    pub fn name(&self) -> Ref {
        self.address("aws_ecs_cluster", "").attr("name")
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key that encrypts ECS Exec sessions and their logs.
    pub(crate) fn exec_key_arn(&self) -> Ref {
        self.address("aws_kms_key", "key").attr("arn")
    }

    /// The ECS Exec session log group's ARN.
    pub(crate) fn exec_log_group_arn(&self) -> Ref {
        self.address("aws_cloudwatch_log_group", "exec-logs")
            .attr("arn")
    }

    /// The capacity-provider association services must wait for.
    pub(crate) fn capacity_providers(&self) -> Address {
        self.address("aws_ecs_cluster_capacity_providers", "")
    }
}

impl Construct for EcsCluster {
    type Handle = EcsClusterRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> EcsClusterRef {
        EcsClusterRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
        }
    }
}

impl Lower for EcsCluster {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&CLUSTER_NAME, &name, "cluster name");
        common::check_retention(cx, "SS0144", "exec_log_retention_days", self.exec_log_days);
        let group_name = format!("/stacksmith/{name}/execute-command");
        let logs_use_key = common::logs_may_use_key(cx, &group_name);
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts ECS Exec sessions and their logs in {name}"),
            &[logs_use_key],
        );
        let group = common::log_group(cx, "exec-logs", &group_name, self.exec_log_days, &key);
        let cluster = cx.add_with(
            "aws_ecs_cluster",
            "",
            tf! {
                "name" => name.as_str(),
                "setting" => vec![stacksmith_core::terraform::Value::Map(tf! {
                    "name" => "containerInsights",
                    "value" => self.insights.value(),
                })],
                "configuration" => tf! {
                    "execute_command_configuration" => tf! {
                        "kms_key_id" => key.attr::<String>("arn"),
                        "logging" => "OVERRIDE",
                        "log_configuration" => tf! {
                            "cloud_watch_encryption_enabled" => true,
                            "cloud_watch_log_group_name" => group.attr::<String>("name"),
                        },
                    },
                },
                "tags" => name_tag(&name),
            },
            crate::common::NAMED,
        );
        cx.node(
            Node::new(
                cx.path(),
                &format!("ecs_{}", tail_id(cx.path())),
                NodeKind::ClusterGroup,
                cx.path().to_string(),
            )
            .line(format!("ECS {name}"))
            .within(Within::Placed),
        );
        cx.add(
            "aws_ecs_cluster_capacity_providers",
            "",
            tf! {
                "cluster_name" => cluster.attr::<String>("name"),
                "capacity_providers" => vec!["FARGATE", "FARGATE_SPOT"],
                "default_capacity_provider_strategy" => vec![stacksmith_core::terraform::Value::Map(tf! {
                    "capacity_provider" => "FARGATE",
                    "base" => 0_i64,
                    "weight" => 1_i64,
                })],
            },
        );
        cx.output(
            "name",
            cluster.attr::<String>("name"),
            "The ECS cluster's name",
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::Value;

    fn lowered(c: EcsCluster) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(c);
        stack.lower()
    }

    fn json(g: &stacksmith_core::Graph, expr: &str) -> String {
        let r = g.resources.iter().find(|r| r.address.expression() == expr);
        serde_json::to_string_pretty(&r).unwrap_or_default()
    }

    #[test]
    fn insights_and_encrypted_exec_logging() {
        let g = lowered(EcsCluster::new("ecs"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let c = g
            .resources
            .iter()
            .find(|r| r.address.expression() == "aws_ecs_cluster.ecs")
            .map(|r| Value::Map(r.body.clone()));
        assert_eq!(
            c.as_ref().and_then(|c| c
                .get("configuration.execute_command_configuration.log_configuration.cloud_watch_encryption_enabled")),
            Some(&Value::Bool(true))
        );
        insta::assert_snapshot!(json(&g, "aws_ecs_cluster.ecs"));
    }

    #[test]
    fn fargate_is_the_default_capacity_provider() {
        let g = lowered(EcsCluster::new("ecs"));
        let cp = json(&g, "aws_ecs_cluster_capacity_providers.ecs");
        assert!(cp.contains("FARGATE_SPOT"));
        assert!(cp.contains(r#""capacity_provider": "FARGATE""#));
    }

    #[test]
    fn fails_unaccepted_retention() {
        let g = lowered(EcsCluster::new("ecs").exec_log_retention_days(100));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
