//! `EksCluster`: a managed Kubernetes control plane with private endpoint, encrypted secrets,
//! control-plane logs and managed node groups.

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{
    Address, Construct, Lower, Lowering, NameRule, Path, Ref, Scope, tf, tf_name,
};

use crate::common::{self, Peer, name_tag};
use crate::iam::{PolicyStatement, policy_document};
use crate::network::NetworkRef;

/// Kubernetes versions EKS supports in standard or extended support that stacksmith accepts.
const VERSIONS: &[&str] = &["1.29", "1.30", "1.31", "1.32", "1.33", "1.34"];

/// EKS cluster names: 1–100 characters, letters, digits, `-` and `_`, starting with a letter.
const CLUSTER_NAME: NameRule = NameRule {
    what: "EKS cluster name",
    max_len: 100,
    lowercase: false,
    extra: "-_",
    start_letter: true,
};
/// Node group names: up to 63 characters.
const NODE_GROUP_NAME: NameRule = NameRule {
    what: "EKS node group name",
    max_len: 63,
    lowercase: false,
    extra: "-_",
    start_letter: true,
};

/// On-demand or spot capacity for a node group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityType {
    /// Regular instances (the default).
    OnDemand,
    /// Spare capacity at a discount, reclaimable with two minutes' notice.
    Spot,
}

/// A managed node group: EC2 instances that join the cluster.
///
/// Defaults: `m6i.large`, on demand, Amazon Linux 2023, 3 nodes (min 3, max 6), one node
/// replaced at a time; the desired size is left to the cluster autoscaler after creation.
#[derive(Clone, Debug)]
pub struct NodeGroup {
    id: String,
    instance_types: Vec<String>,
    min: u32,
    desired: u32,
    max: u32,
    capacity: CapacityType,
    labels: Vec<(String, String)>,
}

impl NodeGroup {
    /// A node group with the given id (unique within the cluster).
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            instance_types: vec!["m6i.large".into()],
            min: 3,
            desired: 3,
            max: 6,
            capacity: CapacityType::OnDemand,
            labels: Vec::new(),
        }
    }

    /// Instance types, first preferred. Default: `m6i.large`.
    #[must_use]
    pub fn instance_types<'a>(mut self, types: impl IntoIterator<Item = &'a str>) -> Self {
        self.instance_types = types.into_iter().map(str::to_owned).collect();
        self
    }

    /// Minimum, desired and maximum node counts. Default: 3, 3, 6.
    #[must_use]
    pub fn scaling(mut self, min: u32, desired: u32, max: u32) -> Self {
        (self.min, self.desired, self.max) = (min, desired, max);
        self
    }

    /// Spot capacity: a named cost choice; nodes may be reclaimed.
    #[must_use]
    pub fn spot(mut self) -> Self {
        self.capacity = CapacityType::Spot;
        self
    }

    /// A Kubernetes label on every node of the group.
    #[must_use]
    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.push((key.to_owned(), value.to_owned()));
        self
    }
}

/// An Amazon EKS cluster: a managed Kubernetes control plane in the network's private subnets.
///
/// Creates: the cluster IAM role (`AmazonEKSClusterPolicy`), a KMS key (rotation on) that
/// encrypts Kubernetes Secrets, a CloudWatch log group for all five control-plane log types,
/// `aws_eks_cluster` with a private-only API endpoint and access entries (API authentication),
/// and per node group: the node IAM role with its standard policies and `aws_eks_node_group`.
///
/// Defaults: Kubernetes 1.33; endpoint private only (reach it through the VPC: a VPN,
/// a bastion or CI runners inside it; `.public_endpoint(cidrs)` opens it to listed networks);
/// control-plane logs kept 365 days; one node group `default` if none is added.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{EksCluster, Network, NodeGroup};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(
///     EksCluster::new("eks", &network)
///         .node_group(NodeGroup::new("general").instance_types(["m6i.xlarge"]).scaling(3, 6, 12)),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct EksCluster {
    id: String,
    network: NetworkRef,
    version: String,
    node_groups: Vec<NodeGroup>,
    public_cidrs: Vec<String>,
    log_retention_days: u32,
}

/// A handle to an [`EksCluster`]: its name, and the security group its nodes share.
#[derive(Clone, Debug)]
pub struct EksClusterRef {
    path: Path,
    stack: String,
}

impl EksCluster {
    /// A cluster in `network`'s private subnets.
    pub fn new(id: &str, network: &NetworkRef) -> Self {
        Self {
            id: id.to_owned(),
            network: network.clone(),
            version: "1.33".into(),
            node_groups: Vec::new(),
            public_cidrs: Vec::new(),
            log_retention_days: 365,
        }
    }

    /// The Kubernetes version (`"1.33"`). Default: 1.33.
    #[must_use]
    pub fn version(mut self, version: &str) -> Self {
        self.version = version.to_owned();
        self
    }

    /// Adds a managed node group.
    #[must_use]
    pub fn node_group(mut self, group: NodeGroup) -> Self {
        self.node_groups.push(group);
        self
    }

    /// Opens the API endpoint to the listed networks as well (a named security choice).
    /// Default: private endpoint only.
    #[must_use]
    pub fn public_endpoint<'a>(mut self, cidrs: impl IntoIterator<Item = &'a str>) -> Self {
        self.public_cidrs = cidrs.into_iter().map(str::to_owned).collect();
        self
    }

    /// How long control-plane logs are kept. Default: 365 days.
    #[must_use]
    pub fn log_retention_days(mut self, days: u32) -> Self {
        self.log_retention_days = days;
        self
    }
}

impl EksClusterRef {
    fn cluster(&self) -> Address {
        Address::resource(&self.stack, "aws_eks_cluster", &tf_name(&self.path, ""))
    }

    /// The cluster's name.
    pub fn name(&self) -> Ref {
        self.cluster().attr("name")
    }

    /// The API server endpoint.
    pub fn endpoint(&self) -> Ref {
        self.cluster().attr("endpoint")
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Peer for EksClusterRef {
    /// The EKS-created cluster security group, shared by the control plane and the managed
    /// nodes (and so by pods that use node networking).
    fn security_group_id(&self) -> Ref {
        self.cluster()
            .attr("vpc_config[0].cluster_security_group_id")
    }

    fn peer_path(&self) -> &Path {
        &self.path
    }
}

impl Construct for EksCluster {
    type Handle = EksClusterRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> EksClusterRef {
        EksClusterRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
        }
    }
}

impl Lower for EksCluster {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&CLUSTER_NAME, &name, "cluster name");
        if !VERSIONS.contains(&self.version.as_str()) {
            cx.error(
                "SS0109",
                format!(
                    "Kubernetes `version` `{}` is not one EKS supports",
                    self.version
                ),
                format!("use one of {}", VERSIONS.join(", ")),
            );
        }

        // Control-plane logs, encrypted; the log group must exist before the cluster or EKS
        // creates its own, unencrypted and kept forever.
        let group_name = format!("/aws/eks/{name}/cluster");
        let logs_use_key = common::logs_may_use_key(cx, &group_name);
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts Kubernetes Secrets and control-plane logs of {name}"),
            &[logs_use_key],
        );
        let logs = common::log_group(cx, "logs", &group_name, self.log_retention_days, &key);

        let (role, attachments) = common::service_role(
            cx,
            "cluster",
            "eks.amazonaws.com",
            &["AmazonEKSClusterPolicy"],
        );
        let key_arn: Ref = key.attr("arn");
        let use_key = policy_document(
            cx,
            "cluster-encryption",
            &[PolicyStatement::allow(
                "EncryptSecrets",
                [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ListGrants",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                ],
            )
            .resource(&key_arn)],
        );
        let role_policy = cx.add(
            "aws_iam_role_policy",
            "cluster-encryption",
            tf! { "name" => "encrypt-secrets", "role" => role.attr::<String>("id"), "policy" => use_key },
        );

        let subnets: Vec<Value> = self
            .network
            .private_subnet_ids()
            .into_iter()
            .map(Value::from)
            .collect();
        let mut vpc_config = tf! {
            "subnet_ids" => Value::List(subnets.clone()),
            "endpoint_private_access" => true,
            "endpoint_public_access" => !self.public_cidrs.is_empty(),
        };
        if !self.public_cidrs.is_empty() {
            vpc_config.insert(
                "public_access_cidrs".into(),
                self.public_cidrs.clone().into(),
            );
        }
        let mut cluster = Resource::new(
            cx.address("aws_eks_cluster", ""),
            cx.path().clone(),
            tf! {
                "name" => name.as_str(),
                "role_arn" => role.attr::<String>("arn"),
                "version" => self.version.as_str(),
                "enabled_cluster_log_types" => vec!["api", "audit", "authenticator", "controllerManager", "scheduler"],
                "vpc_config" => vpc_config,
                "encryption_config" => tf! { "resources" => vec!["secrets"], "provider" => tf! { "key_arn" => &key_arn } },
                "access_config" => tf! { "authentication_mode" => "API", "bootstrap_cluster_creator_admin_permissions" => true },
                "upgrade_policy" => tf! { "support_type" => "STANDARD" },
                "deletion_protection" => true,
                "tags" => name_tag(&name),
            },
        )
        .depends_on(&logs)
        .depends_on(&role_policy);
        for a in &attachments {
            cluster = cluster.depends_on(a);
        }
        let cluster = cx.resource(cluster);

        let groups = if self.node_groups.is_empty() {
            vec![NodeGroup::new("default")]
        } else {
            self.node_groups.clone()
        };
        let (node_role, node_attachments) = common::service_role(
            cx,
            "node",
            "ec2.amazonaws.com",
            &[
                "AmazonEKSWorkerNodePolicy",
                "AmazonEKS_CNI_Policy",
                "AmazonEC2ContainerRegistryPullOnly",
            ],
        );
        for g in &groups {
            self.lower_node_group(cx, g, &cluster, &node_role, &node_attachments, &subnets);
        }
        cx.output(
            "name",
            cluster.attr::<String>("name"),
            "The EKS cluster's name",
            false,
        );
        cx.output(
            "endpoint",
            cluster.attr::<String>("endpoint"),
            "The EKS API server endpoint (private)",
            false,
        );
    }
}

impl EksCluster {
    fn lower_node_group(
        &self,
        cx: &mut Lowering<'_>,
        g: &NodeGroup,
        cluster: &Address,
        role: &Address,
        attachments: &[Address],
        subnets: &[Value],
    ) {
        let part = format!("nodes-{}", g.id);
        let name = cx.name(&part);
        cx.check_name(&NODE_GROUP_NAME, &name, "node group name");
        if g.min > g.desired || g.desired > g.max || g.max == 0 {
            cx.error(
                "SS0106",
                format!(
                    "node group `{}` scaling is min {} / desired {} / max {}; it needs min ≤ desired ≤ max and max ≥ 1",
                    g.id, g.min, g.desired, g.max
                ),
                "fix `.scaling(min, desired, max)`",
            );
        }
        if g.instance_types.is_empty() {
            cx.error(
                "SS0106",
                format!("node group `{}` has no instance types", g.id),
                "set `.instance_types([...])`",
            );
        }
        let labels: stacksmith_core::terraform::Map = g
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v)))
            .collect();
        let mut body = tf! {
            "cluster_name" => cluster.attr::<String>("name"),
            "node_group_name" => name.as_str(),
            "node_role_arn" => role.attr::<String>("arn"),
            "subnet_ids" => Value::List(subnets.to_vec()),
            "instance_types" => g.instance_types.clone(),
            "capacity_type" => match g.capacity { CapacityType::OnDemand => "ON_DEMAND", CapacityType::Spot => "SPOT" },
            "ami_type" => "AL2023_x86_64_STANDARD",
            "scaling_config" => tf! { "min_size" => g.min, "desired_size" => g.desired, "max_size" => g.max },
            "update_config" => tf! { "max_unavailable" => 1_i64 },
            "node_repair_config" => tf! { "enabled" => true },
            "tags" => name_tag(&name),
        };
        if !labels.is_empty() {
            body.insert("labels".into(), Value::Map(labels));
        }
        let mut r = Resource::new(
            cx.address("aws_eks_node_group", &part),
            cx.path().clone(),
            body,
        )
        .ignore_changes("scaling_config[0].desired_size");
        for a in attachments {
            r = r.depends_on(a);
        }
        cx.resource(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Network;
    use stacksmith_core::Stack;

    fn lowered(f: impl FnOnce(EksCluster) -> EksCluster) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        stack.add(f(EksCluster::new("eks", &net)));
        stack.lower()
    }

    fn cluster(g: &stacksmith_core::Graph) -> Option<Value> {
        g.resources
            .iter()
            .find(|r| r.address.expression() == "aws_eks_cluster.eks")
            .map(|r| Value::Map(r.body.clone()))
    }

    #[test]
    fn endpoint_is_private_and_secrets_are_encrypted() {
        let g = lowered(|c| c);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let c = cluster(&g);
        assert_eq!(
            c.as_ref()
                .and_then(|c| c.get("vpc_config.endpoint_public_access")),
            Some(&Value::Bool(false))
        );
        assert_eq!(
            c.as_ref()
                .and_then(|c| c.get("vpc_config.endpoint_private_access")),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            c.as_ref()
                .and_then(|c| c.get("encryption_config.resources")),
            Some(&Value::from(vec!["secrets"]))
        );
    }

    #[test]
    fn node_group_leaves_desired_size_to_the_autoscaler() {
        let g = lowered(|c| c.node_group(NodeGroup::new("general").scaling(3, 6, 12)));
        let ng = g
            .resources
            .iter()
            .find(|r| r.address.expression() == "aws_eks_node_group.eks_nodes_general");
        assert_eq!(
            ng.map(|r| r.ignore_changes.clone()),
            Some(vec!["scaling_config[0].desired_size".to_owned()])
        );
    }

    #[test]
    fn fails_node_group_min_above_max() {
        let g = lowered(|c| c.node_group(NodeGroup::new("general").scaling(5, 5, 3)));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_unsupported_version() {
        let g = lowered(|c| c.version("1.19"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
