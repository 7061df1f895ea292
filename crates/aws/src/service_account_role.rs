//! `ServiceAccountRole`: an IAM role that exactly one Kubernetes service account of an EKS
//! cluster assumes through the cluster's OIDC provider (IAM roles for service accounts, IRSA).

use stacksmith_core::{
    Address, Construct, Edge, EdgeKind, End, Label, Lower, Lowering, NameRule, Node, NodeKind,
    Path, Ref, Scope, Template, Within, cloud_name, tf, tf_name,
};

use crate::common::{self, ROLE_NAME, name_tag};
use crate::drawing::tail_id;
use crate::iam::{PolicyStatement, Principal, policy_document};

/// The audience EKS-projected service-account tokens carry for STS.
const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// An IAM role for one Kubernetes service account (IRSA), made by
/// [`EksClusterRef::service_account_role`](crate::EksClusterRef::service_account_role).
///
/// Creates: `aws_iam_role` whose trust policy lets only `system:serviceaccount:<ns>:<name>`
/// assume it, with `sts:AssumeRoleWithWebIdentity`, through this cluster's OIDC provider, for
/// the `sts.amazonaws.com` audience; an inline policy (`aws_iam_role_policy`) with the
/// statements given to [`allow`](Self::allow); one `aws_iam_role_policy_attachment` per
/// [`managed_policy`](Self::managed_policy); and an output with the role's ARN.
///
/// The role is named `<cluster path>-<id>-irsa` (e.g. `prod-eks-backup-irsa`, at most 64
/// characters). Annotate the Kubernetes service account with
/// `eks.amazonaws.com/role-arn: <arn>` to use it.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{EksCluster, Network, PolicyStatement};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(EksCluster::new("eks", &network));
/// let backup = stack.add(
///     cluster
///         .service_account_role("backup", "kubedb", "backup-sa")
///         .allow([PolicyStatement::allow("WriteBackups", ["s3:PutObject"])
///             .resource("arn:aws:s3:::kubedb-backups/*")])
///         .managed_policy("AmazonS3ReadOnlyAccess"),
/// );
/// let role_arn = backup.arn();
/// ```
#[derive(Clone, Debug)]
pub struct ServiceAccountRole {
    id: String,
    cluster: Path,
    namespace: String,
    service_account: String,
    statements: Vec<PolicyStatement>,
    managed: Vec<String>,
}

/// A handle to a [`ServiceAccountRole`]: the role's ARN and name.
#[derive(Clone, Debug)]
pub struct ServiceAccountRoleRef {
    path: Path,
    namespace: String,
    service_account: String,
}

impl ServiceAccountRole {
    pub(crate) fn new(cluster: &Path, id: &str, namespace: &str, service_account: &str) -> Self {
        Self {
            id: id.to_owned(),
            cluster: cluster.clone(),
            namespace: namespace.to_owned(),
            service_account: service_account.to_owned(),
            statements: Vec::new(),
            managed: Vec::new(),
        }
    }

    /// Adds permission statements to the role's inline policy (identity-policy statements:
    /// actions and resources, no principals). Default: no statements.
    #[must_use]
    pub fn allow(mut self, statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        self.statements.extend(statements);
        self
    }

    /// Attaches an AWS-managed policy by name, with its path if it has one
    /// (`"AmazonS3ReadOnlyAccess"`, `"service-role/AmazonEBSCSIDriverPolicy"`); the ARN is
    /// built for the stack's partition. Default: none.
    #[must_use]
    pub fn managed_policy(mut self, name: &str) -> Self {
        self.managed.push(name.to_owned());
        self
    }
}

impl ServiceAccountRoleRef {
    fn role(&self) -> Address {
        Address::resource(
            self.path.stack(),
            "aws_iam_role",
            &tf_name(&self.path, "irsa"),
        )
    }

    /// The role's ARN (for the `eks.amazonaws.com/role-arn` service-account annotation).
    pub fn arn(&self) -> Ref {
        self.role().attr("arn")
    }

    /// The role's name.
    pub fn name(&self) -> Ref {
        self.role().attr("name")
    }

    /// The Kubernetes namespace of the service account that may assume the role.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The name of the service account that may assume the role.
    pub fn service_account_name(&self) -> &str {
        &self.service_account
    }

    /// The construct's path (below the cluster's).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Construct for ServiceAccountRole {
    type Handle = ServiceAccountRoleRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.cluster)
    }

    fn handle(&self, scope: &Scope) -> ServiceAccountRoleRef {
        ServiceAccountRoleRef {
            path: scope.path.clone(),
            namespace: self.namespace.clone(),
            service_account: self.service_account.clone(),
        }
    }
}

impl Lower for ServiceAccountRole {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        check_namespace(cx, "namespace", &self.namespace);
        check_service_account(cx, &self.service_account);
        if self.statements.is_empty() && self.managed.is_empty() {
            cx.warning(
                "SS0165",
                format!(
                    "the role for service account `{}/{}` grants no permissions",
                    self.namespace, self.service_account
                ),
                "add statements with `.allow([...])` or a policy with `.managed_policy(name)`",
            );
        }
        let oidc = oidc_provider(&self.cluster);
        let managed: Vec<&str> = self.managed.iter().map(String::as_str).collect();
        let irsa = Irsa {
            cluster_name: &cloud_name(&self.cluster, ""),
            oidc: &oidc,
            namespace: &self.namespace,
            service_account: &self.service_account,
        };
        let (role, _) = irsa_role(cx, "irsa", &irsa, &managed, &self.statements);
        cx.output(
            "role-arn",
            role.attr::<String>("arn"),
            &format!(
                "IAM role for service account {}/{} (eks.amazonaws.com/role-arn)",
                self.namespace, self.service_account
            ),
            false,
        );
        self.draw(cx);
    }
}

impl ServiceAccountRole {
    /// The role as the diagram draws it: in its service account's namespace, with the
    /// workloads running as that service account pointing at it.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let subject = format!("{}/{}", self.namespace, self.service_account);
        cx.node(
            Node::new(
                &path,
                &format!("irsa_{}", tail_id(&path)),
                NodeKind::Identity,
                path.to_string(),
            )
            .line("IAM role (IRSA) for ServiceAccount")
            .line(subject)
            .within(Within::Namespace(self.namespace.clone())),
        );
        cx.edge(Edge::new(
            End::ServiceAccount(self.namespace.clone(), self.service_account.clone()),
            End::Construct(path),
            EdgeKind::RunsAs,
            Label::None,
        ));
    }
}

/// The OIDC provider the cluster at `cluster` creates.
pub(crate) fn oidc_provider(cluster: &Path) -> Address {
    Address::resource(
        cluster.stack(),
        "aws_iam_openid_connect_provider",
        &tf_name(cluster, "oidc"),
    )
}

/// Checks a Kubernetes namespace (a DNS-1123 label); `SS0162` if invalid.
pub(crate) fn check_namespace(cx: &mut Lowering<'_>, field: &str, namespace: &str) -> bool {
    check_k8s_name(cx, &NameRule::DNS_LABEL, field, namespace)
}

/// Checks a service-account name (a DNS-1123 subdomain); `SS0162` if invalid.
pub(crate) fn check_service_account(cx: &mut Lowering<'_>, name: &str) -> bool {
    check_k8s_name(cx, &NameRule::DNS_SUBDOMAIN, "service account name", name)
}

fn check_k8s_name(cx: &mut Lowering<'_>, rule: &NameRule, field: &str, value: &str) -> bool {
    match rule.check(value) {
        Ok(()) => true,
        Err(msg) => {
            cx.error(
                "SS0162",
                format!("{msg} ({field})"),
                format!(
                    "use the {field} as Kubernetes spells it: at most {} lowercase letters, digits and `{}`, starting and ending with a letter or digit",
                    rule.max_len, rule.extra
                ),
            );
            false
        }
    }
}

/// Who may assume an IRSA role: one service account of one cluster.
pub(crate) struct Irsa<'a> {
    /// The cluster's name (for the role description).
    pub(crate) cluster_name: &'a str,
    /// The cluster's `aws_iam_openid_connect_provider`.
    pub(crate) oidc: &'a Address,
    pub(crate) namespace: &'a str,
    pub(crate) service_account: &'a str,
}

/// An IAM role for a service account (`part` of the current construct): the scoped web-identity
/// trust policy, an inline policy with `statements` (if any), and `managed` policy attachments.
/// Returns the role and the resources that grant its permissions (for `depends_on`).
pub(crate) fn irsa_role(
    cx: &mut Lowering<'_>,
    part: &str,
    who: &Irsa<'_>,
    managed: &[&str],
    statements: &[PolicyStatement],
) -> (Address, Vec<Address>) {
    // IAM stores the provider URL without the scheme (`oidc.eks.<region>.amazonaws.com/id/<id>`),
    // which is the prefix of the token's condition keys.
    let issuer: Ref = who.oidc.attr("url");
    let provider: Ref = who.oidc.attr("arn");
    let subject = format!(
        "system:serviceaccount:{}:{}",
        who.namespace, who.service_account
    );
    let trust = policy_document(
        cx,
        &format!("{part}-trust"),
        &[PolicyStatement::allow(
            "ServiceAccountAssumesRole",
            ["sts:AssumeRoleWithWebIdentity"],
        )
        .principal(Principal::Federated(provider.into()))
        .condition(
            "StringEquals",
            Template::new().with(&issuer).lit(":sub"),
            vec![subject.into()],
        )
        .condition(
            "StringEquals",
            Template::new().with(&issuer).lit(":aud"),
            vec![STS_AUDIENCE.into()],
        )],
    );
    let name = cx.name(part);
    cx.check_name(&ROLE_NAME, &name, "role name");
    let role = cx.add_with(
        "aws_iam_role",
        part,
        tf! {
            "name" => name.as_str(),
            "description" => format!(
                "Assumed by service account {}/{} of EKS cluster {}",
                who.namespace, who.service_account, who.cluster_name
            ),
            "assume_role_policy" => trust,
            "tags" => name_tag(&name),
        },
        crate::iam::ROLE,
    );
    let mut grants = Vec::new();
    if !statements.is_empty() {
        let policy = policy_document(cx, &format!("{part}-policy"), statements);
        grants.push(cx.add_with(
            "aws_iam_role_policy",
            &format!("{part}-policy"),
            tf! { "name" => "permissions", "role" => role.attr::<String>("id"), "policy" => policy },
            crate::common::IAM_ROLE_POLICY,
        ));
    }
    for policy in managed {
        let arn = common::managed_policy(cx, policy);
        let short = policy.rsplit('/').next().unwrap_or(policy);
        grants.push(cx.add_with(
            "aws_iam_role_policy_attachment",
            &format!("{part}-{short}"),
            tf! { "role" => role.attr::<String>("name"), "policy_arn" => arn },
            crate::common::IAM,
        ));
    }
    (role, grants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EksCluster, Network};
    use stacksmith_core::terraform::Value;
    use stacksmith_core::{Graph, Stack};

    fn lowered(
        f: impl FnOnce(&crate::EksClusterRef) -> ServiceAccountRole,
    ) -> (Graph, ServiceAccountRoleRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = stack.add(EksCluster::new("eks", &net));
        let role = stack.add(f(&eks));
        (stack.lower(), role)
    }

    fn backup(c: &crate::EksClusterRef) -> ServiceAccountRole {
        c.service_account_role("backup", "kubedb", "backup-sa")
            .allow([PolicyStatement::allow("WriteBackups", ["s3:PutObject"])
                .resource("arn:aws:s3:::kubedb-backups/*")])
            .managed_policy("AmazonS3ReadOnlyAccess")
    }

    fn json(g: &Graph, expression: &str) -> String {
        g.resources
            .iter()
            .chain(&g.data)
            .find(|r| r.address.expression() == expression)
            .map(|r| serde_json::to_string_pretty(&r.to_value()).unwrap_or_default())
            .unwrap_or_default()
    }

    #[test]
    fn role_is_a_child_of_the_cluster_and_exposes_its_arn() {
        let (g, role) = lowered(backup);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(role.path().to_string(), "prod/eks/backup");
        assert_eq!(role.arn().expression(), "aws_iam_role.eks_backup_irsa.arn");
        assert_eq!(role.namespace(), "kubedb");
        assert_eq!(role.service_account_name(), "backup-sa");
        assert!(
            g.resources
                .iter()
                .any(|r| r.address.expression() == "aws_iam_role.eks_backup_irsa"
                    && r.body.get("name") == Some(&Value::from("prod-eks-backup-irsa")))
        );
        assert!(g.outputs.iter().any(|o| o.name == "eks_backup_role_arn"));
    }

    #[test]
    fn trust_is_scoped_to_one_service_account_of_this_cluster() {
        let (g, _) = lowered(backup);
        let trust = json(&g, "data.aws_iam_policy_document.eks_backup_irsa_trust");
        assert!(trust.contains(r#""type": "Federated""#));
        assert!(trust.contains("${aws_iam_openid_connect_provider.eks_oidc.arn}"));
        assert!(trust.contains("${aws_iam_openid_connect_provider.eks_oidc.url}:sub"));
        assert!(trust.contains("system:serviceaccount:kubedb:backup-sa"));
        assert!(trust.contains("${aws_iam_openid_connect_provider.eks_oidc.url}:aud"));
        assert!(!trust.contains('*'));
    }

    #[test]
    fn statements_are_inline_and_managed_policies_attached() {
        let (g, _) = lowered(backup);
        let lowered = [
            "data.aws_iam_policy_document.eks_backup_irsa_trust",
            "aws_iam_role.eks_backup_irsa",
            "data.aws_iam_policy_document.eks_backup_irsa_policy",
            "aws_iam_role_policy.eks_backup_irsa_policy",
            "aws_iam_role_policy_attachment.eks_backup_irsa_amazon_s3_read_only_access",
        ]
        .map(|e| format!("{e} = {}", json(&g, e)))
        .join("\n");
        insta::assert_snapshot!(lowered);
    }

    #[test]
    fn fails_invalid_service_account_namespace() {
        let (g, _) = lowered(|c| {
            c.service_account_role("backup", "KubeDB_System", "backup sa")
                .managed_policy("AmazonS3ReadOnlyAccess")
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_role_name_too_long() {
        let (g, _) = lowered(|c| {
            c.service_account_role(
                "kubedb-metrics-collector-for-the-dbaas-platform-api",
                "kubedb",
                "metrics",
            )
            .managed_policy("CloudWatchReadOnlyAccess")
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn warns_role_without_permissions() {
        let (g, _) = lowered(|c| c.service_account_role("idle", "kubedb", "idle"));
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn a_later_root_finds_the_role_by_name() -> Result<(), String> {
        use crate::common::lookup_check::readable;
        let (g, role) = lowered(backup);
        readable(&g, &role.arn())?;
        readable(&g, &role.name())
    }
}
