//! `EksCluster`: a managed Kubernetes control plane with private endpoint, encrypted secrets,
//! control-plane logs, managed node groups and add-ons, an OIDC provider for IAM roles for
//! service accounts, access entries, and the Cluster Autoscaler's IAM role.

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{
    Address, Construct, Lower, Lowering, NameRule, Path, Ref, Scope, Template, tf, tf_name,
};

use crate::common::{self, Peer, name_tag};
use crate::iam::{PolicyStatement, policy_document};
use crate::network::NetworkRef;
use crate::service_account_role::{
    Irsa, ServiceAccountRole, check_namespace, irsa_role, oidc_provider,
};

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
    /// A node group with the given id (unique within the cluster; part of the node group's name).
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

/// Kubernetes add-ons EKS manages for every cluster stacksmith makes, in install order.
///
/// `before_nodes`: DaemonSets that must be in place (with their IAM role) before the first node
/// joins; the others run Deployments that need nodes, so they wait for the node groups (an
/// add-on whose pods cannot schedule never becomes active and its creation times out).
struct AddonSpec {
    name: &'static str,
    before_nodes: bool,
    role: Option<AddonRole>,
}

/// The IRSA role an add-on's service account uses.
struct AddonRole {
    part: &'static str,
    namespace: &'static str,
    service_account: &'static str,
    managed_policy: &'static str,
}

const VPC_CNI: AddonSpec = AddonSpec {
    name: "vpc-cni",
    before_nodes: true,
    role: Some(AddonRole {
        part: "irsa-vpc-cni",
        namespace: "kube-system",
        service_account: "aws-node",
        managed_policy: "AmazonEKS_CNI_Policy",
    }),
};
const KUBE_PROXY: AddonSpec = AddonSpec {
    name: "kube-proxy",
    before_nodes: true,
    role: None,
};
const POD_IDENTITY_AGENT: AddonSpec = AddonSpec {
    name: "eks-pod-identity-agent",
    before_nodes: true,
    role: None,
};
const COREDNS: AddonSpec = AddonSpec {
    name: "coredns",
    before_nodes: false,
    role: None,
};
const EBS_CSI_DRIVER: AddonSpec = AddonSpec {
    name: "aws-ebs-csi-driver",
    before_nodes: false,
    role: Some(AddonRole {
        part: "irsa-ebs-csi",
        namespace: "kube-system",
        service_account: "ebs-csi-controller-sa",
        managed_policy: "service-role/AmazonEBSCSIDriverPolicy",
    }),
};

/// An EKS access policy: what a principal may do inside the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessPolicy {
    /// `AmazonEKSClusterAdminPolicy`: everything, like `cluster-admin`.
    ClusterAdmin,
    /// `AmazonEKSAdminPolicy`: most resources, including RBAC within its scope (like `admin`).
    Admin,
    /// `AmazonEKSEditPolicy`: read and write most workload resources (like `edit`).
    Edit,
    /// `AmazonEKSViewPolicy`: read most resources, not Secrets (like `view`).
    View,
}

impl AccessPolicy {
    fn policy_name(self) -> &'static str {
        match self {
            AccessPolicy::ClusterAdmin => "AmazonEKSClusterAdminPolicy",
            AccessPolicy::Admin => "AmazonEKSAdminPolicy",
            AccessPolicy::Edit => "AmazonEKSEditPolicy",
            AccessPolicy::View => "AmazonEKSViewPolicy",
        }
    }

    fn part(self) -> &'static str {
        match self {
            AccessPolicy::ClusterAdmin => "cluster-admin",
            AccessPolicy::Admin => "admin",
            AccessPolicy::Edit => "edit",
            AccessPolicy::View => "view",
        }
    }
}

/// Where an [`AccessPolicy`] applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessScope {
    /// The whole cluster.
    Cluster,
    /// Only these namespaces (at least one; a trailing `*` matches a prefix, e.g. `dev-*`).
    Namespaces(Vec<String>),
}

impl AccessScope {
    /// Only the listed namespaces.
    pub fn namespaces<'a>(namespaces: impl IntoIterator<Item = &'a str>) -> Self {
        AccessScope::Namespaces(namespaces.into_iter().map(str::to_owned).collect())
    }
}

/// One `access_entry` call: a principal, a policy and its scope.
#[derive(Clone, Debug)]
struct Access {
    principal: Value,
    policy: AccessPolicy,
    scope: AccessScope,
}

/// An Amazon EKS cluster: a managed Kubernetes control plane in the network's private subnets.
///
/// Creates:
/// - the cluster IAM role (`AmazonEKSClusterPolicy`), a KMS key (rotation on) that encrypts
///   Kubernetes Secrets, a CloudWatch log group for all five control-plane log types, and
///   `aws_eks_cluster` with a private-only API endpoint and access entries (API authentication);
/// - the cluster's IAM OIDC provider (`aws_iam_openid_connect_provider`, audience
///   `sts.amazonaws.com`), so service accounts can assume IAM roles (IRSA,
///   [`EksClusterRef::service_account_role`]);
/// - managed add-ons (`aws_eks_addon`): `vpc-cni` (with its own IRSA role holding
///   `AmazonEKS_CNI_Policy`) and `kube-proxy` before the nodes, `coredns` and
///   `aws-ebs-csi-driver` (IRSA role with `AmazonEBSCSIDriverPolicy`) after them;
/// - the node IAM role (`AmazonEKSWorkerNodePolicy`, `AmazonEC2ContainerRegistryPullOnly`;
///   the CNI policy is on the `vpc-cni` role, not on every node) and one `aws_eks_node_group`
///   per node group;
/// - per [`access_entry`](Self::access_entry) principal, `aws_eks_access_entry` and one
///   `aws_eks_access_policy_association` per policy;
/// - with [`cluster_autoscaler`](Self::cluster_autoscaler), the autoscaler's IRSA role.
///
/// Defaults: Kubernetes 1.33; endpoint private only (reach it through the VPC: a VPN,
/// a bastion or CI runners inside it; `.public_endpoint(cidrs)` opens it to listed networks);
/// control-plane logs kept 365 days; one node group `default` if none is added; add-on
/// versions chosen by EKS for the cluster version (the default version at creation; later
/// changes only when pinned with [`addon_version`](Self::addon_version)); the identity that
/// runs Terraform is the only cluster admin until access entries are added.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{AccessPolicy, AccessScope, EksCluster, Network, NodeGroup};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(
///     EksCluster::new("eks", &network)
///         .node_group(NodeGroup::new("general").instance_types(["m6i.xlarge"]).scaling(3, 6, 12))
///         .node_group(NodeGroup::new("batch").instance_types(["c6i.2xlarge"]).scaling(0, 0, 10))
///         .cluster_autoscaler()
///         .admin("arn:aws:iam::123456789012:role/platform-admins")
///         .access_entry(
///             "arn:aws:iam::123456789012:role/developers",
///             AccessPolicy::Edit,
///             AccessScope::namespaces(["apps"]),
///         ),
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
    addon_versions: Vec<(String, String)>,
    pod_identity_agent: bool,
    access: Vec<Access>,
    autoscaler: bool,
}

/// A handle to an [`EksCluster`]: its name, the security group its nodes share, its OIDC
/// provider, and builders of IAM roles for its service accounts.
#[derive(Clone, Debug)]
pub struct EksClusterRef {
    path: Path,
    stack: String,
    autoscaler: bool,
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
            addon_versions: Vec::new(),
            pod_identity_agent: false,
            access: Vec::new(),
            autoscaler: false,
        }
    }

    /// The Kubernetes version (`"1.33"`). Default: 1.33.
    #[must_use]
    pub fn version(mut self, version: &str) -> Self {
        self.version = version.to_owned();
        self
    }

    /// Adds a managed node group (ids unique within the cluster).
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

    /// Pins a managed add-on's version, e.g. `("coredns", "v1.11.4-eksbuild.2")`; the add-on
    /// must be one the cluster installs (`vpc-cni`, `kube-proxy`, `coredns`,
    /// `aws-ebs-csi-driver`, and `eks-pod-identity-agent` when enabled).
    ///
    /// Default: unpinned — `addon_version` is left out, EKS installs the default version for
    /// the cluster's Kubernetes version, and Terraform never upgrades it by itself (pin the
    /// new version, e.g. after a Kubernetes upgrade; `aws eks describe-addon-versions` lists
    /// them).
    #[must_use]
    pub fn addon_version(mut self, addon: &str, version: &str) -> Self {
        self.addon_versions
            .push((addon.to_owned(), version.to_owned()));
        self
    }

    /// Installs the `eks-pod-identity-agent` add-on too, for EKS Pod Identity associations
    /// made outside stacksmith. Default: off — stacksmith gives pods AWS permissions through
    /// IAM roles for service accounts ([`EksClusterRef::service_account_role`]), which need no
    /// agent on the nodes.
    #[must_use]
    pub fn pod_identity_agent(mut self) -> Self {
        self.pod_identity_agent = true;
        self
    }

    /// Makes an IAM role or user a cluster administrator (`AmazonEKSClusterAdminPolicy` on the
    /// whole cluster): shorthand for
    /// `.access_entry(principal_arn, AccessPolicy::ClusterAdmin, AccessScope::Cluster)`.
    ///
    /// Default: no entries; only the identity that created the cluster is an admin. Do not list
    /// that identity (the role Terraform runs as) here: EKS already made its entry, and a
    /// second one fails to create.
    #[must_use]
    pub fn admin(self, principal_arn: impl Into<Value>) -> Self {
        self.access_entry(
            principal_arn,
            AccessPolicy::ClusterAdmin,
            AccessScope::Cluster,
        )
    }

    /// Lets an IAM role or user (an ARN literal such as
    /// `"arn:aws:iam::123456789012:role/developers"`, or a reference to a role's `arn`) use
    /// the cluster with `policy` in `scope`. The same principal may be given several policies;
    /// it gets one access entry with one association per policy. Default: no entries.
    #[must_use]
    pub fn access_entry(
        mut self,
        principal_arn: impl Into<Value>,
        policy: AccessPolicy,
        scope: AccessScope,
    ) -> Self {
        self.access.push(Access {
            principal: principal_arn.into(),
            policy,
            scope,
        });
        self
    }

    /// Creates the IAM role for the Kubernetes Cluster Autoscaler (service account
    /// `kube-system/cluster-autoscaler`, IRSA) with the least-privilege policy from the
    /// autoscaler's AWS documentation: describe calls on `*`, `eks:DescribeNodegroup` on this
    /// cluster's node groups, and `SetDesiredCapacity`/`TerminateInstanceInAutoScalingGroup`
    /// only on Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster name> = owned`
    /// and `k8s.io/cluster-autoscaler/enabled = true`. Node groups carry those tags (EKS also
    /// puts them on the groups' Auto Scaling groups, which is what the autoscaler discovers).
    /// The role's ARN is [`EksClusterRef::autoscaler_role_arn`]; the autoscaler itself is
    /// installed in the cluster (Helm chart), with
    /// `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster name>`.
    ///
    /// Default: off.
    #[must_use]
    pub fn cluster_autoscaler(mut self) -> Self {
        self.autoscaler = true;
        self
    }

    fn addons(&self) -> Vec<&'static AddonSpec> {
        let mut addons = vec![&VPC_CNI, &KUBE_PROXY];
        if self.pod_identity_agent {
            addons.push(&POD_IDENTITY_AGENT);
        }
        addons.extend([&COREDNS, &EBS_CSI_DRIVER]);
        addons
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

    /// The ARN of the cluster's IAM OIDC provider (the federated principal of IRSA roles).
    pub fn oidc_provider_arn(&self) -> Ref {
        oidc_provider(&self.path).attr("arn")
    }

    /// The Cluster Autoscaler's IAM role ARN, if [`EksCluster::cluster_autoscaler`] was set:
    /// annotate `kube-system/cluster-autoscaler` with `eks.amazonaws.com/role-arn: <arn>`.
    pub fn autoscaler_role_arn(&self) -> Option<Ref> {
        self.autoscaler.then(|| {
            Address::resource(
                &self.stack,
                "aws_iam_role",
                &tf_name(&self.path, AUTOSCALER_PART),
            )
            .attr("arn")
        })
    }

    /// An IAM role that only the service account `namespace/service_account` of this cluster
    /// can assume (IRSA); add it with `stack.add(...)`. `id` names the construct (a child of
    /// the cluster) and the role (`<cluster path>-<id>-irsa`).
    pub fn service_account_role(
        &self,
        id: &str,
        namespace: &str,
        service_account: &str,
    ) -> ServiceAccountRole {
        ServiceAccountRole::new(&self.path, id, namespace, service_account)
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
            autoscaler: self.autoscaler,
        }
    }
}

/// The part (and role name suffix) of the Cluster Autoscaler's IRSA role.
const AUTOSCALER_PART: &str = "irsa-cluster-autoscaler";

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

        // The cluster's OIDC issuer as an IAM identity provider: what IRSA roles trust. IAM
        // fetches and pins the issuer's certificate itself, so no thumbprint is given (and no
        // `tls` provider is needed).
        let oidc = cx.add(
            "aws_iam_openid_connect_provider",
            "oidc",
            tf! {
                "url" => cluster.attr::<String>("identity[0].oidc[0].issuer"),
                "client_id_list" => vec!["sts.amazonaws.com"],
                "tags" => name_tag(&cx.name("oidc")),
            },
        );

        self.check_addon_versions(cx);
        let addons = self.addons();
        let mut before_nodes = Vec::new();
        for spec in addons.iter().filter(|a| a.before_nodes) {
            before_nodes.push(self.lower_addon(cx, spec, &cluster, &oidc, &[]));
        }

        let groups = if self.node_groups.is_empty() {
            vec![NodeGroup::new("default")]
        } else {
            self.node_groups.clone()
        };
        // No AmazonEKS_CNI_Policy here: the vpc-cni add-on has its own role (IRSA), so pods
        // that reach the node's instance role cannot manage the VPC's network interfaces.
        let (node_role, node_attachments) = common::service_role(
            cx,
            "node",
            "ec2.amazonaws.com",
            &[
                "AmazonEKSWorkerNodePolicy",
                "AmazonEC2ContainerRegistryPullOnly",
            ],
        );
        let mut node_deps = node_attachments;
        node_deps.extend(before_nodes);
        let mut seen: Vec<&str> = Vec::new();
        let mut node_groups = Vec::new();
        for g in &groups {
            if seen.contains(&g.id.as_str()) {
                cx.error(
                    "SS0160",
                    format!("node group id `{}` is used twice in this cluster", g.id),
                    "give each `NodeGroup::new(id)` of the cluster a distinct id",
                );
                continue;
            }
            seen.push(&g.id);
            node_groups
                .push(self.lower_node_group(cx, g, &cluster, &node_role, &node_deps, &subnets));
        }

        for spec in addons.iter().filter(|a| !a.before_nodes) {
            self.lower_addon(cx, spec, &cluster, &oidc, &node_groups);
        }
        self.lower_access(cx, &cluster);
        if self.autoscaler {
            self.lower_autoscaler(cx, &name, &oidc);
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
        cx.output(
            "oidc-provider-arn",
            oidc.attr::<String>("arn"),
            "The cluster's IAM OIDC provider (trusted by IAM roles for service accounts)",
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
        deps: &[Address],
        subnets: &[Value],
    ) -> Address {
        let cluster_name = cx.name("");
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
        let mut tags = name_tag(&name);
        if self.autoscaler {
            // Auto-discovery tags. EKS puts these same two tags on the group's Auto Scaling
            // group itself (node group tags do not propagate there); they are written here so
            // the intent shows in the output.
            tags.insert(
                "k8s.io/cluster-autoscaler/enabled".into(),
                Value::from("true"),
            );
            tags.insert(
                format!("k8s.io/cluster-autoscaler/{cluster_name}"),
                Value::from("owned"),
            );
        }
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
            "tags" => tags,
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
        for a in deps {
            r = r.depends_on(a);
        }
        cx.resource(r)
    }

    /// Add-on version pins must name an installed add-on, once, with an EKS version string.
    fn check_addon_versions(&self, cx: &mut Lowering<'_>) {
        let installed: Vec<&str> = self.addons().iter().map(|a| a.name).collect();
        for (i, (addon, version)) in self.addon_versions.iter().enumerate() {
            if !installed.contains(&addon.as_str()) {
                let hint = if addon == POD_IDENTITY_AGENT.name {
                    "install it with `.pod_identity_agent()` first".to_owned()
                } else {
                    format!("pin one of {}", installed.join(", "))
                };
                cx.error(
                    "SS0161",
                    format!("`addon_version` names add-on `{addon}`, which this cluster does not install"),
                    hint,
                );
            }
            if !(version.starts_with('v') && version.contains("-eksbuild.")) {
                cx.error(
                    "SS0161",
                    format!("`addon_version` of `{addon}` is `{version}`, not an EKS add-on version"),
                    "use a version such as `v1.11.4-eksbuild.2`, as `aws eks describe-addon-versions --addon-name <name>` lists them",
                );
            }
            if self.addon_versions[..i].iter().any(|(a, _)| a == addon) {
                cx.error(
                    "SS0161",
                    format!("`addon_version` pins add-on `{addon}` more than once"),
                    "keep one `.addon_version(...)` per add-on",
                );
            }
        }
    }

    /// One `aws_eks_addon` (with its IRSA role, if it has one), after `deps`.
    fn lower_addon(
        &self,
        cx: &mut Lowering<'_>,
        spec: &AddonSpec,
        cluster: &Address,
        oidc: &Address,
        deps: &[Address],
    ) -> Address {
        let mut body = tf! {
            "cluster_name" => cluster.attr::<String>("name"),
            "addon_name" => spec.name,
        };
        if let Some((_, version)) = self.addon_versions.iter().find(|(a, _)| a == spec.name) {
            body.insert("addon_version".into(), version.into());
        }
        // Adopt what EKS installed at creation (OVERWRITE); keep in-cluster changes to the
        // add-on's configuration on updates (PRESERVE).
        body.insert("resolve_conflicts_on_create".into(), "OVERWRITE".into());
        body.insert("resolve_conflicts_on_update".into(), "PRESERVE".into());
        let mut grants = Vec::new();
        if let Some(r) = &spec.role {
            let who = Irsa {
                cluster_name: &cx.name(""),
                oidc,
                namespace: r.namespace,
                service_account: r.service_account,
            };
            let (role, g) = irsa_role(cx, r.part, &who, &[r.managed_policy], &[]);
            body.insert(
                "service_account_role_arn".into(),
                role.attr::<String>("arn").into(),
            );
            grants = g;
        }
        let part = format!("addon-{}", spec.name);
        body.insert("tags".into(), Value::Map(name_tag(&cx.name(&part))));
        let mut r = Resource::new(cx.address("aws_eks_addon", &part), cx.path().clone(), body);
        for a in grants.iter().chain(deps) {
            r = r.depends_on(a);
        }
        cx.resource(r)
    }

    /// Access entries, one per principal, and one policy association per policy.
    fn lower_access(&self, cx: &mut Lowering<'_>, cluster: &Address) {
        // (key, principal, policies) in first-seen order.
        let mut entries: Vec<(String, &Value, Vec<&Access>)> = Vec::new();
        for access in &self.access {
            let key = match principal_key(&access.principal) {
                Ok(key) => key,
                Err(what) => {
                    cx.error(
                        "SS0163",
                        format!("access entry principal {what} is not an IAM role or user ARN"),
                        "pass a role or user ARN such as `arn:aws:iam::123456789012:role/platform-admins` (no wildcards, no assumed-role session ARNs), or a role's `arn` reference",
                    );
                    continue;
                }
            };
            match &access.scope {
                AccessScope::Cluster => {}
                AccessScope::Namespaces(list) if list.is_empty() => cx.error(
                    "SS0164",
                    format!(
                        "access entry for {} gives `{}` to an empty namespace list",
                        principal_label(&access.principal),
                        access.policy.policy_name()
                    ),
                    "list at least one namespace in `AccessScope::namespaces([...])`, or use `AccessScope::Cluster`",
                ),
                AccessScope::Namespaces(list) => {
                    for ns in list {
                        check_scope_namespace(cx, ns);
                    }
                }
            }
            match entries.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, policies)) => {
                    if policies.iter().any(|a| a.policy == access.policy) {
                        cx.error(
                            "SS0163",
                            format!(
                                "access entry for {} is given `{}` twice",
                                principal_label(&access.principal),
                                access.policy.policy_name()
                            ),
                            "give each policy once per principal; list all its namespaces in one `AccessScope::namespaces([...])`",
                        );
                    } else {
                        policies.push(access);
                    }
                }
                None => entries.push((key, &access.principal, vec![access])),
            }
        }
        for (key, principal, policies) in entries {
            let part = format!("access-{key}");
            let tags = name_tag(&cx.name(&part));
            let entry = cx.add(
                "aws_eks_access_entry",
                &part,
                tf! {
                    "cluster_name" => cluster.attr::<String>("name"),
                    "principal_arn" => principal.clone(),
                    "type" => "STANDARD",
                    "tags" => tags,
                },
            );
            for access in policies {
                let p = common::partition(cx);
                let policy_arn = Template::new().lit("arn:").with(&p).lit(format!(
                    ":eks::aws:cluster-access-policy/{}",
                    access.policy.policy_name()
                ));
                let scope = match &access.scope {
                    AccessScope::Cluster => tf! { "type" => "cluster" },
                    AccessScope::Namespaces(ns) => {
                        tf! { "type" => "namespace", "namespaces" => ns.clone() }
                    }
                };
                cx.add(
                    "aws_eks_access_policy_association",
                    &format!("{part}-{}", access.policy.part()),
                    tf! {
                        "cluster_name" => cluster.attr::<String>("name"),
                        "principal_arn" => entry.attr::<String>("principal_arn"),
                        "policy_arn" => policy_arn,
                        "access_scope" => scope,
                    },
                );
            }
        }
    }

    /// The Cluster Autoscaler's IRSA role with the least-privilege policy.
    fn lower_autoscaler(&self, cx: &mut Lowering<'_>, cluster_name: &str, oidc: &Address) {
        let node_groups = common::arn(cx, "eks", true, &format!("nodegroup/{cluster_name}/*"));
        let groups = common::arn(
            cx,
            "autoscaling",
            true,
            "autoScalingGroup:*:autoScalingGroupName/eks-*",
        );
        let statements = [
            PolicyStatement::allow(
                "DescribeScalingInputs",
                [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
            )
            .resource("*"),
            PolicyStatement::allow("DescribeNodeGroups", ["eks:DescribeNodegroup"])
                .resource(node_groups),
            PolicyStatement::allow(
                "ScaleOwnedNodeGroups",
                [
                    "autoscaling:SetDesiredCapacity",
                    "autoscaling:TerminateInstanceInAutoScalingGroup",
                ],
            )
            .resource(groups)
            .condition(
                "StringEquals",
                format!("aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}"),
                vec!["owned".into()],
            )
            .condition(
                "StringEquals",
                "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled",
                vec!["true".into()],
            ),
        ];
        let who = Irsa {
            cluster_name,
            oidc,
            namespace: "kube-system",
            service_account: "cluster-autoscaler",
        };
        let (role, _) = irsa_role(cx, AUTOSCALER_PART, &who, &[], &statements);
        cx.output(
            "cluster-autoscaler-role-arn",
            role.attr::<String>("arn"),
            "IAM role for kube-system/cluster-autoscaler (eks.amazonaws.com/role-arn)",
            false,
        );
    }
}

/// A stable key for an access-entry principal: `<account>-role-<name>` for an ARN literal, the
/// Terraform name for a reference. `Err` describes a value that is neither.
fn principal_key(principal: &Value) -> Result<String, String> {
    match principal {
        Value::String(arn) => {
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            let ok = matches!(
                parts.as_slice(),
                ["arn", partition, "iam", "", account, resource]
                    if partition.starts_with("aws")
                        && account.len() == 12
                        && account.chars().all(|c| c.is_ascii_digit())
                        && (resource.starts_with("role/") || resource.starts_with("user/"))
                        && resource.len() > 5
            ) && !arn.contains(['*', '?']);
            match parts.as_slice() {
                [_, _, _, _, account, resource] if ok => {
                    Ok(format!("{account}-{}", resource.replace('/', "-")))
                }
                _ => Err(format!("`{arn}`")),
            }
        }
        Value::Ref(r) => Ok(r.address().name().to_owned()),
        _ => Err("(a template or expression)".to_owned()),
    }
}

/// The principal as the user wrote it: the ARN, or the reference's expression.
fn principal_label(principal: &Value) -> String {
    match principal {
        Value::String(arn) => format!("`{arn}`"),
        Value::Ref(r) => format!("`{}`", r.expression()),
        _ => "a template".to_owned(),
    }
}

/// An access scope namespace: a DNS-1123 label, or a prefix of one followed by `*`.
fn check_scope_namespace(cx: &mut Lowering<'_>, ns: &str) {
    match ns.strip_suffix('*') {
        Some(prefix)
            if !prefix.is_empty()
                && prefix.len() < 63
                && prefix.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') => {}
        _ => {
            check_namespace(cx, "access scope namespace", ns);
        }
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

    fn body(g: &stacksmith_core::Graph, expression: &str) -> Option<Value> {
        g.resources
            .iter()
            .chain(&g.data)
            .find(|r| r.address.expression() == expression)
            .map(|r| Value::Map(r.body.clone()))
    }

    fn depends_on(g: &stacksmith_core::Graph, expression: &str) -> Vec<String> {
        g.resources
            .iter()
            .find(|r| r.address.expression() == expression)
            .map(|r| r.depends_on.iter().map(Address::expression).collect())
            .unwrap_or_default()
    }

    fn count(g: &stacksmith_core::Graph, kind: &str) -> usize {
        g.resources
            .iter()
            .filter(|r| r.address.kind() == kind)
            .count()
    }

    fn two_groups(c: EksCluster) -> EksCluster {
        c.node_group(
            NodeGroup::new("general")
                .instance_types(["t3.medium", "t3.large"])
                .scaling(1, 3, 10),
        )
        .node_group(NodeGroup::new("batch").scaling(0, 0, 10))
    }

    #[test]
    fn several_node_groups_share_the_node_role() {
        let g = lowered(two_groups);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(count(&g, "aws_eks_node_group"), 2);
        for group in ["general", "batch"] {
            let ng = body(&g, &format!("aws_eks_node_group.eks_nodes_{group}"));
            assert_eq!(
                ng.as_ref().and_then(|b| b.get("node_role_arn")),
                Some(&Value::from(
                    Address::resource("prod", "aws_iam_role", "eks_node").attr::<String>("arn")
                ))
            );
        }
    }

    #[test]
    fn fails_duplicate_node_group_ids() {
        let g = lowered(|c| {
            c.node_group(NodeGroup::new("general"))
                .node_group(NodeGroup::new("general").scaling(1, 1, 2))
        });
        assert_eq!(count(&g, "aws_eks_node_group"), 1);
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn default_addons_are_managed_and_unpinned() {
        let g = lowered(|c| c);
        let names: Vec<Option<Value>> = g
            .resources
            .iter()
            .filter(|r| r.address.kind() == "aws_eks_addon")
            .map(|r| r.body.get("addon_name").cloned())
            .collect();
        assert_eq!(
            names,
            ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"]
                .map(|n| Some(Value::from(n)))
                .to_vec()
        );
        for r in g
            .resources
            .iter()
            .filter(|r| r.address.kind() == "aws_eks_addon")
        {
            assert_eq!(r.body.get("addon_version"), None);
            assert_eq!(
                r.body.get("resolve_conflicts_on_create"),
                Some(&Value::from("OVERWRITE"))
            );
            assert_eq!(
                r.body.get("resolve_conflicts_on_update"),
                Some(&Value::from("PRESERVE"))
            );
        }
    }

    #[test]
    fn pinned_addon_version_is_written() {
        let g = lowered(|c| c.addon_version("coredns", "v1.11.4-eksbuild.2"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            body(&g, "aws_eks_addon.eks_addon_coredns")
                .as_ref()
                .and_then(|b| b.get("addon_version")),
            Some(&Value::from("v1.11.4-eksbuild.2"))
        );
    }

    #[test]
    fn pod_identity_agent_is_a_choice() {
        let g = lowered(|c| c);
        assert_eq!(
            body(&g, "aws_eks_addon.eks_addon_eks_pod_identity_agent"),
            None
        );
        let g = lowered(EksCluster::pod_identity_agent);
        assert!(body(&g, "aws_eks_addon.eks_addon_eks_pod_identity_agent").is_some());
    }

    #[test]
    fn fails_addon_version_for_an_addon_not_installed() {
        let g = lowered(|c| {
            c.addon_version("eks-pod-identity-agent", "v1.3.4-eksbuild.1")
                .addon_version("coredns", "1.11")
                .addon_version("coredns", "v1.11.4-eksbuild.2")
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn coredns_and_ebs_wait_for_nodes_and_nodes_wait_for_the_cni() {
        let g = lowered(two_groups);
        for addon in ["coredns", "aws_ebs_csi_driver"] {
            let deps = depends_on(&g, &format!("aws_eks_addon.eks_addon_{addon}"));
            assert!(deps.contains(&"aws_eks_node_group.eks_nodes_general".to_owned()));
            assert!(deps.contains(&"aws_eks_node_group.eks_nodes_batch".to_owned()));
        }
        let deps = depends_on(&g, "aws_eks_node_group.eks_nodes_batch");
        assert!(deps.contains(&"aws_eks_addon.eks_addon_vpc_cni".to_owned()));
        assert!(deps.contains(&"aws_eks_addon.eks_addon_kube_proxy".to_owned()));
    }

    #[test]
    fn cni_permissions_are_on_the_vpc_cni_role_not_on_nodes() {
        let g = lowered(|c| c);
        let policies = |role: &str| -> Vec<String> {
            g.resources
                .iter()
                .filter(|r| r.address.kind() == "aws_iam_role_policy_attachment")
                .filter(|r| {
                    r.body.get("role")
                        == Some(&Value::from(
                            Address::resource("prod", "aws_iam_role", role).attr::<String>("name"),
                        ))
                })
                .map(|r| serde_json::to_string(&Value::Map(r.body.clone())).unwrap_or_default())
                .collect()
        };
        let node = policies("eks_node");
        assert_eq!(node.len(), 2);
        assert!(node.iter().all(|p| !p.contains("CNI")));
        let cni = policies("eks_irsa_vpc_cni");
        assert!(matches!(cni.as_slice(), [p] if p.contains("policy/AmazonEKS_CNI_Policy")));
        let ebs = policies("eks_irsa_ebs_csi");
        assert!(
            matches!(ebs.as_slice(), [p] if p.contains("policy/service-role/AmazonEBSCSIDriverPolicy"))
        );
        assert_eq!(
            body(&g, "aws_eks_addon.eks_addon_vpc_cni")
                .as_ref()
                .and_then(|b| b.get("service_account_role_arn")),
            Some(&Value::from(
                Address::resource("prod", "aws_iam_role", "eks_irsa_vpc_cni").attr::<String>("arn")
            ))
        );
    }

    #[test]
    fn oidc_provider_trusts_the_cluster_issuer_without_thumbprint() {
        let g = lowered(|c| c);
        let oidc = body(&g, "aws_iam_openid_connect_provider.eks_oidc");
        assert_eq!(
            oidc.as_ref().and_then(|b| b.get("url")),
            Some(&Value::from(
                Address::resource("prod", "aws_eks_cluster", "eks")
                    .attr::<String>("identity[0].oidc[0].issuer")
            ))
        );
        assert_eq!(
            oidc.as_ref().and_then(|b| b.get("client_id_list")),
            Some(&Value::from(vec!["sts.amazonaws.com"]))
        );
        assert_eq!(oidc.as_ref().and_then(|b| b.get("thumbprint_list")), None);
        assert!(!g.providers.contains_key("tls"));
    }

    #[test]
    fn addon_oidc_and_irsa_resources() {
        let g = lowered(|c| c);
        let pick = [
            "aws_iam_openid_connect_provider.eks_oidc",
            "data.aws_iam_policy_document.eks_irsa_vpc_cni_trust",
            "aws_iam_role.eks_irsa_vpc_cni",
            "aws_iam_role_policy_attachment.eks_irsa_vpc_cni_amazon_eks_cni_policy",
            "aws_eks_addon.eks_addon_vpc_cni",
            "aws_eks_addon.eks_addon_coredns",
            "aws_eks_addon.eks_addon_aws_ebs_csi_driver",
        ];
        let lowered: stacksmith_core::terraform::Map = pick
            .iter()
            .filter_map(|e| {
                g.resources
                    .iter()
                    .chain(&g.data)
                    .find(|r| r.address.expression() == *e)
                    .map(|r| ((*e).to_owned(), r.to_value()))
            })
            .collect();
        assert_eq!(lowered.len(), pick.len());
        insta::assert_snapshot!(
            serde_json::to_string_pretty(&Value::Map(lowered)).unwrap_or_default()
        );
    }

    #[test]
    fn admin_gets_an_entry_and_cluster_admin_on_the_cluster() {
        let g = lowered(|c| c.admin("arn:aws:iam::123456789012:role/platform-admins"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let entry = body(
            &g,
            "aws_eks_access_entry.eks_access_123456789012_role_platform_admins",
        );
        assert_eq!(
            entry.as_ref().and_then(|b| b.get("principal_arn")),
            Some(&Value::from(
                "arn:aws:iam::123456789012:role/platform-admins"
            ))
        );
        let assoc = body(
            &g,
            "aws_eks_access_policy_association.eks_access_123456789012_role_platform_admins_cluster_admin",
        );
        assert_eq!(
            assoc.as_ref().and_then(|b| b.get("access_scope.type")),
            Some(&Value::from("cluster"))
        );
        let arn = assoc
            .as_ref()
            .and_then(|b| b.get("policy_arn"))
            .map(|v| serde_json::to_string(v).unwrap_or_default());
        assert_eq!(
            arn.as_deref(),
            Some(
                "\"arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\""
            )
        );
    }

    #[test]
    fn one_principal_several_policies_is_one_entry() {
        let dev = "arn:aws:iam::123456789012:role/developers";
        let g = lowered(|c| {
            c.access_entry(
                dev,
                AccessPolicy::Edit,
                AccessScope::namespaces(["kubedb", "dev-*"]),
            )
            .access_entry(dev, AccessPolicy::View, AccessScope::Cluster)
        });
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(count(&g, "aws_eks_access_entry"), 1);
        assert_eq!(count(&g, "aws_eks_access_policy_association"), 2);
        let edit = body(
            &g,
            "aws_eks_access_policy_association.eks_access_123456789012_role_developers_edit",
        );
        assert_eq!(
            edit.as_ref().and_then(|b| b.get("access_scope")),
            Some(&Value::Map(
                tf! { "type" => "namespace", "namespaces" => vec!["kubedb", "dev-*"] }
            ))
        );
    }

    #[test]
    fn access_entry_principal_may_be_a_reference() {
        let role: Ref = Address::resource("prod", "aws_iam_role", "eks_node").attr("arn");
        let g = lowered(|c| c.access_entry(role.clone(), AccessPolicy::View, AccessScope::Cluster));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            body(&g, "aws_eks_access_entry.eks_access_eks_node")
                .as_ref()
                .and_then(|b| b.get("principal_arn")),
            Some(&Value::from(role))
        );
    }

    #[test]
    fn fails_empty_access_entry_namespaces() {
        let g = lowered(|c| {
            c.access_entry(
                "arn:aws:iam::123456789012:role/developers",
                AccessPolicy::Edit,
                AccessScope::namespaces([]),
            )
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_invalid_access_entries() {
        let g = lowered(|c| {
            c.admin("arn:aws:iam::123456789012:role/*")
                .admin("arn:aws:sts::123456789012:assumed-role/admins/alice")
                .admin("platform-admins")
                .access_entry(
                    "arn:aws:iam::123456789012:user/alice",
                    AccessPolicy::View,
                    AccessScope::namespaces(["Kube_DB"]),
                )
                .access_entry(
                    "arn:aws:iam::123456789012:user/alice",
                    AccessPolicy::View,
                    AccessScope::Cluster,
                )
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn cluster_autoscaler_role_is_scoped_to_owned_groups() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = stack.add(two_groups(EksCluster::new("eks", &net)).cluster_autoscaler());
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            eks.autoscaler_role_arn().map(|r| r.expression()),
            Some("aws_iam_role.eks_irsa_cluster_autoscaler.arn".to_owned())
        );
        let policy = body(
            &g,
            "data.aws_iam_policy_document.eks_irsa_cluster_autoscaler_policy",
        )
        .map(|v| serde_json::to_string(&v).unwrap_or_default())
        .unwrap_or_default();
        assert!(policy.contains(
            r#""variable":"aws:ResourceTag/k8s.io/cluster-autoscaler/prod-eks","values":["owned"]"#
        ));
        assert!(policy.contains(
            r#""variable":"aws:ResourceTag/k8s.io/cluster-autoscaler/enabled","values":["true"]"#
        ));
        assert!(policy.contains(":nodegroup/prod-eks/*"));
        let trust = body(
            &g,
            "data.aws_iam_policy_document.eks_irsa_cluster_autoscaler_trust",
        )
        .map(|v| serde_json::to_string(&v).unwrap_or_default())
        .unwrap_or_default();
        assert!(trust.contains("system:serviceaccount:kube-system:cluster-autoscaler"));
        for group in ["general", "batch"] {
            let ng = body(&g, &format!("aws_eks_node_group.eks_nodes_{group}"));
            let Some(Value::Map(tags)) = ng.as_ref().and_then(|b| b.get("tags")) else {
                panic!("node group {group} has no tags");
            };
            assert_eq!(
                tags.get("k8s.io/cluster-autoscaler/enabled"),
                Some(&Value::from("true"))
            );
            assert_eq!(
                tags.get("k8s.io/cluster-autoscaler/prod-eks"),
                Some(&Value::from("owned"))
            );
        }
    }

    #[test]
    fn no_autoscaler_role_unless_asked() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = stack.add(EksCluster::new("eks", &net));
        let g = stack.lower();
        assert!(eks.autoscaler_role_arn().is_none());
        assert_eq!(body(&g, "aws_iam_role.eks_irsa_cluster_autoscaler"), None);
    }
}
