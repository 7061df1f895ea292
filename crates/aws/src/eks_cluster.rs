//! `EksCluster`: a managed Kubernetes control plane with private endpoint, encrypted secrets,
//! control-plane logs, managed node groups and add-ons, an OIDC provider for IAM roles for
//! service accounts, access entries, and the Cluster Autoscaler's IAM role.

mod access;
mod addons;
mod cluster_addon;
mod container_logs;
mod node_group;
mod prometheus_stack;

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{
    Address, Construct, Facts, KubernetesCluster, Lookup, Lower, Lowering, NameRule, Node,
    NodeKind, Path, Ref, Scope, Within, tf, tf_name,
};

use crate::common::{self, Peer, name_tag};
use crate::drawing::{join, tail_id, zones_line};
use crate::iam::{PolicyStatement, policy_document};
use crate::network::NetworkRef;
use crate::service_account_role::{ServiceAccountRole, oidc_provider};
use access::Access;
pub use access::{AccessPolicy, AccessScope};
pub use cluster_addon::ClusterAddon;
pub use node_group::{CapacityType, NodeGroup, NodeTaintEffect};
pub use prometheus_stack::PrometheusStack;

/// Kubernetes versions EKS supports in standard or extended support that stacksmith accepts,
/// with the last day of EKS standard support (EKS "Understand the Kubernetes version lifecycle";
/// 1.36's is not yet published and is left open).
const VERSIONS: &[(&str, Option<&str>)] = &[
    ("1.29", Some("2025-03-23")),
    ("1.30", Some("2025-07-23")),
    ("1.31", Some("2025-11-26")),
    ("1.32", Some("2026-03-23")),
    ("1.33", Some("2026-07-29")),
    ("1.34", Some("2026-12-02")),
    ("1.35", Some("2027-03-27")),
    ("1.36", None),
];

/// The day the calendar above was last checked: a version whose standard support ended before
/// it is warned about (SS0190), without reading the clock (synth's output and diagnostics stay
/// reproducible).
const CALENDAR_AS_OF: &str = "2026-12-03";

/// The default Kubernetes version: the newest in EKS standard support whose API the Kubernetes
/// constructs are typed against.
const DEFAULT_VERSION: &str = stacksmith_core::KUBERNETES_API_VERSION;

/// EKS cluster names: 1–100 characters, letters, digits, `-` and `_`, starting with a letter.
const CLUSTER_NAME: NameRule = NameRule {
    what: "EKS cluster name",
    max_len: 100,
    lowercase: false,
    extra: "-_",
    start_letter: true,
};

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
    addons: Vec<ClusterAddon>,
    platform_defaults: bool,
    api_access: Vec<String>,
}

/// A handle to an [`EksCluster`]: its name, the security group its nodes share, its OIDC
/// provider, and builders of IAM roles for its service accounts.
#[derive(Clone, Debug)]
pub struct EksClusterRef {
    path: Path,
    stack: String,
    autoscaler: bool,
    pod_identity_agent: bool,
}

impl EksCluster {
    /// A cluster in `network`'s private subnets.
    pub fn new(id: &str, network: &NetworkRef) -> Self {
        Self {
            id: id.to_owned(),
            network: network.clone(),
            version: DEFAULT_VERSION.into(),
            node_groups: Vec::new(),
            public_cidrs: Vec::new(),
            log_retention_days: 365,
            addon_versions: Vec::new(),
            pod_identity_agent: false,
            access: Vec::new(),
            autoscaler: false,
            addons: Vec::new(),
            platform_defaults: false,
            api_access: Vec::new(),
        }
    }

    /// Lets the listed networks reach the private API endpoint on 443: an ingress rule per CIDR
    /// on the cluster security group (the admin network of a VPN, a bastion's subnet, the
    /// subnets of in-VPC CI runners), the way `kubectl` and the `cluster/` root's providers reach
    /// a private-only cluster. Without it, or [`public_endpoint`](Self::public_endpoint), the
    /// endpoint admits only the cluster's own nodes, and synth warns (SS0191). Default: none.
    #[must_use]
    pub fn api_access_from<'a>(mut self, cidrs: impl IntoIterator<Item = &'a str>) -> Self {
        self.api_access.extend(cidrs.into_iter().map(str::to_owned));
        self
    }

    /// Installs a cluster add-on ([`ClusterAddon`]): an EKS managed add-on or a pinned Helm
    /// release in the `cluster/` root, with its IAM role. Objects that need an add-on nothing
    /// installs stop synth (SS0450) with the line to add. Default: none beyond the managed
    /// `vpc-cni`, `kube-proxy`, `coredns` and `aws-ebs-csi-driver`.
    #[must_use]
    pub fn addon(mut self, addon: ClusterAddon) -> Self {
        if addon == ClusterAddon::ClusterAutoscaler {
            self.autoscaler = true;
        }
        if !self.addons.contains(&addon) {
            self.addons.push(addon);
        }
        self
    }

    /// Installs what the stack's objects need, instead of failing synth (SS0450): metrics-server
    /// for HPAs, the AWS Load Balancer Controller for Ingress class `alb` and NLB Services,
    /// cert-manager for ClusterIssuers and `cert-manager.io/*` annotations, Prometheus
    /// ([`ClusterAddon::prometheus`], with the operator's CRDs) for ServiceMonitors and
    /// PrometheusRules, External Secrets for ExternalSecrets, and the Cluster Autoscaler when a node group's maximum
    /// exceeds its minimum. ExternalDNS (it needs the hosted zone) and KubeDB (it needs a
    /// license) are always explicit [`addon`](Self::addon)s. Default: off — every add-on is
    /// named in code.
    #[must_use]
    pub fn platform_defaults(mut self) -> Self {
        self.platform_defaults = true;
        self
    }

    /// Whether the Cluster Autoscaler (and its role) is installed.
    fn runs_autoscaler(&self) -> bool {
        self.autoscaler || (self.platform_defaults && self.groups().iter().any(|g| g.scales()))
    }

    /// The node groups (one `default` if none was added).
    fn groups(&self) -> Vec<NodeGroup> {
        if self.node_groups.is_empty() {
            vec![NodeGroup::new("default")]
        } else {
            self.node_groups.clone()
        }
    }

    /// The Kubernetes version (`"1.35"`). Default: 1.35, in EKS standard support until
    /// 2027-03-27; a version out of standard support is warned about (SS0190) and created with
    /// `support_type = EXTENDED` (EKS bills extended support at six times the standard rate).
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

    /// Installs the `eks-pod-identity-agent` add-on, which gives pods the IAM roles of EKS Pod
    /// Identity associations (the facade's `cluster.pod_identity(&service_account)`, the
    /// default way to give a workload an AWS identity). Default: off — a cluster whose pods
    /// call no AWS API runs no agent; a Pod Identity role on a cluster without it stops synth
    /// (SS0531) with this line as the fix.
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
    /// installed as a Helm release in the `cluster/` root ([`ClusterAddon::ClusterAutoscaler`]),
    /// discovering node groups by those tags. Shorthand for
    /// `.addon(ClusterAddon::ClusterAutoscaler)`.
    ///
    /// Default: off (on with [`platform_defaults`](Self::platform_defaults) when a node group
    /// can grow).
    #[must_use]
    pub fn cluster_autoscaler(self) -> Self {
        self.addon(ClusterAddon::ClusterAutoscaler)
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

    /// Whether the `eks-pod-identity-agent` add-on runs ([`EksCluster::pod_identity_agent`]).
    pub fn runs_pod_identity_agent(&self) -> bool {
        self.pod_identity_agent
    }

    /// An IAM role that only the service account `namespace/service_account` of this cluster
    /// can assume (IRSA); add it with `stack.add(...)`. For workloads, prefer the typed
    /// `cluster.pod_identity(&service_account)` (EKS Pod Identity): it takes the account from
    /// its handle, checks the stack creates it (SS0530) and writes nothing into the YAML; IRSA
    /// stays for the cluster add-ons' own roles and clusters without the Pod Identity agent. `id` names the construct (a child of
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
            autoscaler: self.runs_autoscaler(),
            pod_identity_agent: self.pod_identity_agent,
        }
    }
}

/// The part (and role name suffix) of the Cluster Autoscaler's IRSA role.
const AUTOSCALER_PART: &str = "irsa-cluster-autoscaler";

/// How a later root finds the cluster by name, and what it can read.
const LOOKUP: Lookup = Lookup::by(
    "aws_eks_cluster",
    "name",
    "name",
    &[
        ("name", "name"),
        ("arn", "arn"),
        ("endpoint", "endpoint"),
        (
            "certificate_authority[0].data",
            "certificate_authority[0].data",
        ),
    ],
);

/// How a later root's `kubernetes` provider reaches the cluster: its endpoint and CA, and a
/// short-lived token from `aws eks get-token` (no long-lived credentials in any state).
const KUBERNETES: KubernetesCluster = KubernetesCluster {
    host: "endpoint",
    ca_certificate: "certificate_authority[0].data",
    token_command: "aws",
    token_args: &[
        "eks",
        "get-token",
        "--cluster-name",
        "{name}",
        "--region",
        "{region}",
    ],
    kubeconfig: &[
        "aws",
        "eks",
        "update-kubeconfig",
        "--name",
        "{name}",
        "--region",
        "{region}",
    ],
};

/// The cluster: the workloads of the stack run on it, and a later root finds it by name.
const CLUSTER: Facts = Facts::new()
    .identity(&["name", "name_prefix"])
    .found_by(&LOOKUP)
    .kubernetes_cluster(&KUBERNETES);

impl Lower for EksCluster {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&CLUSTER_NAME, &name, "cluster name");
        let support = self.check_version(cx);
        cx.kubernetes_version(&self.version);

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
        let role_policy = cx.add_with(
            "aws_iam_role_policy",
            "cluster-encryption",
            tf! { "name" => "encrypt-secrets", "role" => role.attr::<String>("id"), "policy" => use_key },
            crate::common::IAM_ROLE_POLICY,
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
                "upgrade_policy" => tf! { "support_type" => support },
                "deletion_protection" => true,
                "tags" => name_tag(&name),
            },
        )
        .depends_on(&logs)
        .depends_on(&role_policy)
        .facts(CLUSTER);
        for a in &attachments {
            cluster = cluster.depends_on(a);
        }
        let cluster = cx.resource(cluster);

        // The cluster's OIDC issuer as an IAM identity provider: what IRSA roles trust. IAM
        // fetches and pins the issuer's certificate itself, so no thumbprint is given (and no
        // `tls` provider is needed).
        let oidc = cx.add_with(
            "aws_iam_openid_connect_provider",
            "oidc",
            tf! {
                "url" => cluster.attr::<String>("identity[0].oidc[0].issuer"),
                "client_id_list" => vec!["sts.amazonaws.com"],
                "tags" => name_tag(&cx.name("oidc")),
            },
            crate::common::IAM,
        );

        self.check_addon_versions(cx);
        let addons = self.addons();
        let mut before_nodes = Vec::new();
        for spec in addons.iter().filter(|a| a.before_nodes) {
            before_nodes.push(self.lower_addon(cx, spec, &cluster, &oidc, &[]));
        }

        let groups = self.groups();
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
        let mut drawn: Vec<&NodeGroup> = Vec::new();
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
            drawn.push(g);
            node_groups
                .push(self.lower_node_group(cx, g, &cluster, &node_role, &node_deps, &subnets));
        }

        for spec in addons.iter().filter(|a| !a.before_nodes) {
            self.lower_addon(cx, spec, &cluster, &oidc, &node_groups);
        }
        self.lower_access(cx, &cluster);
        self.lower_api_access(cx, &cluster);
        for g in &drawn {
            if g.scales() {
                cx.require(
                    format!("node group `{}` ({})", g.id, g.range()),
                    stacksmith_core::Capability::NodeAutoscaling,
                );
            }
        }
        let mut installed: Vec<ClusterAddon> = self.addons.clone();
        if self.runs_autoscaler() && !installed.contains(&ClusterAddon::ClusterAutoscaler) {
            installed.push(ClusterAddon::ClusterAutoscaler);
        }
        // The load balancer controller first: its webhook serves the Services other charts make.
        installed.sort_by_key(|a| *a != ClusterAddon::AwsLoadBalancerController);
        // Add-ons shaped by the rest of the stack are installed in `finish`.
        installed.retain(|a| !a.reads_the_stack());
        for addon in &installed {
            self.lower_cluster_addon(cx, addon, &cluster, &oidc, &node_groups);
        }
        for (addon, spelled) in ClusterAddon::offered() {
            for capability in addon.provides() {
                cx.offer(
                    capability,
                    format!("add `.addon({spelled})` to `EksCluster` `{}`", cx.path()),
                );
            }
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
        self.draw(cx, &name, &drawn);
    }

    fn finish(&self, cx: &mut Lowering<'_>) {
        self.install_required(cx);
        self.check_reachable(cx);
        self.warn_unread_monitors(cx);
    }
}

impl EksCluster {
    /// The cluster as the diagram draws it: a box in its network holding the control plane
    /// (version, endpoint, add-ons) and the node groups; the stack's namespaces go in it too.
    fn draw(&self, cx: &mut Lowering<'_>, name: &str, groups: &[&NodeGroup]) {
        let path = cx.path().clone();
        cx.node(
            Node::new(
                &path,
                &format!("eks_{}", tail_id(&path)),
                NodeKind::KubernetesGroup,
                path.to_string(),
            )
            .line(format!("EKS {name}"))
            .within(Within::Construct(self.network.path().clone())),
        );
        let version = format!("Kubernetes {}", self.version);
        let endpoint = if self.public_cidrs.is_empty() {
            "private API endpoint"
        } else {
            "public API endpoint"
        };
        let addons = self.addon_names();
        let addons = if addons.is_empty() {
            String::new()
        } else {
            format!("add-ons: {}", addons.join(", "))
        };
        cx.node(
            Node::new(
                &path,
                &format!("eks_{}_control_plane", cx.tf_name("")),
                NodeKind::Compute,
                "control plane",
            )
            .part("control-plane")
            .line(join([Some(version.as_str()), Some(endpoint)]))
            .line(addons)
            .within(Within::Part(String::new())),
        );
        let zones = zones_line(self.network.zones(), cx.region());
        for g in groups {
            let node = g.drawn(cx, &zones);
            cx.node(node);
        }
    }
}

/// The Cluster Autoscaler's least-privilege statements (its AWS documentation): describe calls
/// on `*`, `eks:DescribeNodegroup` on this cluster's node groups, and scaling only Auto Scaling
/// groups tagged as this cluster's and enabled for autoscaling.
fn autoscaler_statements(cx: &mut Lowering<'_>, cluster_name: &str) -> Vec<PolicyStatement> {
    let node_groups = common::arn(cx, "eks", true, &format!("nodegroup/{cluster_name}/*"));
    let groups = common::arn(
        cx,
        "autoscaling",
        true,
        "autoScalingGroup:*:autoScalingGroupName/eks-*",
    );
    vec![
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
    ]
}

impl EksCluster {
    /// The version must be one EKS runs (SS0109); one out of standard support is warned about
    /// with its date (SS0190) and gets extended support. Returns the `support_type`.
    fn check_version(&self, cx: &mut Lowering<'_>) -> &'static str {
        let Some((_, end)) = VERSIONS.iter().find(|(v, _)| *v == self.version) else {
            let known: Vec<&str> = VERSIONS.iter().map(|(v, _)| *v).collect();
            cx.error(
                "SS0109",
                format!(
                    "Kubernetes `version` `{}` is not one EKS supports",
                    self.version
                ),
                format!("use one of {}", known.join(", ")),
            );
            return "STANDARD";
        };
        match end {
            Some(end) if *end < CALENDAR_AS_OF => {
                cx.warning(
                    "SS0190",
                    format!(
                        "Kubernetes {} left EKS standard support on {end}; the cluster is created in extended support (`support_type = EXTENDED`), billed at six times the standard hourly rate",
                        self.version
                    ),
                    format!(
                        "use `.version(\"{DEFAULT_VERSION}\")` (the default), or upgrade soon after creating it"
                    ),
                );
                "EXTENDED"
            }
            _ => "STANDARD",
        }
    }
}

impl EksCluster {
    /// A warning (SS0191) when the stack has something to apply to the cluster but its endpoint
    /// is private and no network is declared to reach it (left out while the stack has errors:
    /// they are fixed first).
    fn check_reachable(&self, cx: &mut Lowering<'_>) {
        let unreachable = self.api_access.is_empty() && self.public_cidrs.is_empty();
        if unreachable && cx.has_kubernetes_work() && !cx.has_errors() {
            cx.warning(
                "SS0191",
                "the EKS API endpoint is private and no network is declared to reach it: `kubectl` and the `cluster/` root time out from anywhere but the cluster's own nodes",
                "declare the way in: `.api_access_from([\"<VPN, bastion or CI runner CIDR>\"])` (443 on the cluster security group), or `.public_endpoint([\"<office CIDR>\"])`",
            );
        }
    }

    /// The declared ways to the API endpoint: 443 from each admin CIDR on the cluster security
    /// group.
    fn lower_api_access(&self, cx: &mut Lowering<'_>, cluster: &Address) {
        for cidr in &self.api_access {
            if let Err(e) = stacksmith_core::Cidr::parse(cidr) {
                cx.error(
                    "SS0192",
                    format!("`api_access_from` value `{cidr}` is not an IPv4 network: {e}"),
                    "write a network such as `10.100.0.0/16`",
                );
                continue;
            }
            let label = cidr.replace(['.', '/'], "-");
            cx.add_with(
                "aws_vpc_security_group_ingress_rule",
                &format!("api-from-{label}"),
                tf! {
                    "security_group_id" => cluster.attr::<String>("vpc_config[0].cluster_security_group_id"),
                    "cidr_ipv4" => cidr.as_str(),
                    "ip_protocol" => "tcp",
                    "from_port" => 443_i64,
                    "to_port" => 443_i64,
                    "description" => format!("Kubernetes API (kubectl, Terraform) from {cidr}"),
                },
                crate::common::SECURITY,
            );
        }
    }
}

/// Runs after every construct of the stack lowered: with platform defaults, installs the add-ons
/// the stack's objects require that nothing installs yet.
impl EksCluster {
    fn install_required(&self, cx: &mut Lowering<'_>) {
        let cluster = cx.address("aws_eks_cluster", "");
        let oidc = cx.address("aws_iam_openid_connect_provider", "oidc");
        let nodes: Vec<Address> = self
            .groups()
            .iter()
            .map(|g| cx.address("aws_eks_node_group", &format!("nodes-{}", g.id)))
            .collect();
        let mut needed: Vec<ClusterAddon> = self
            .addons
            .iter()
            .filter(|a| a.reads_the_stack())
            .cloned()
            .collect();
        if !self.platform_defaults {
            for addon in &needed {
                self.lower_cluster_addon(cx, addon, &cluster, &oidc, &nodes);
            }
            return;
        }
        let requirements = cx.requirements();
        for r in requirements {
            if cx.provided(&r.capability) {
                continue;
            }
            let automatic = [
                ClusterAddon::MetricsServer,
                ClusterAddon::AwsLoadBalancerController,
                ClusterAddon::CertManager,
                ClusterAddon::prometheus(),
                ClusterAddon::ExternalSecrets,
                ClusterAddon::Reloader,
            ];
            if let Some(a) = automatic
                .into_iter()
                .find(|a| a.provides().contains(&r.capability))
            {
                if !needed.contains(&a) {
                    needed.push(a);
                }
            }
        }
        needed.sort_by_key(|a| *a != ClusterAddon::AwsLoadBalancerController);
        for addon in &needed {
            self.lower_cluster_addon(cx, addon, &cluster, &oidc, &nodes);
        }
    }
}

#[cfg(test)]
mod tests;
