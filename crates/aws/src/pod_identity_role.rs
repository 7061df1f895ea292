//! `PodIdentityRole`: an IAM role that the pods of one Kubernetes service account of an EKS
//! cluster receive through an EKS Pod Identity association.

use stacksmith_core::{
    Address, Construct, Edge, EdgeKind, End, Facts, KubeNamed, Label, Lower, Lowering, Node,
    NodeKind, Path, Ref, Scope, Within, tf, tf_name,
};

use crate::common::{self, ROLE_NAME, name_tag};
use crate::drawing::tail_id;
use crate::iam::{PolicyStatement, Principal, policy_document};
use crate::service_account_role::{check_namespace, check_service_account};

/// The label the Kubernetes constructs put on pods whose ServiceAccount has an AWS identity
/// (`stacksmith_k8s::AWS_IDENTITY_LABEL`; the aws crate does not depend on the k8s one, and a
/// test in the facade keeps the two equal).
pub const AWS_IDENTITY_LABEL: &str = "stacksmith.dev/aws-identity";

/// The service principal EKS Pod Identity assumes roles as.
const POD_IDENTITY_PRINCIPAL: &str = "pods.eks.amazonaws.com";

/// An association is found by its cluster, namespace and service account: changing any of
/// them replaces it.
const ASSOCIATION: Facts =
    Facts::new()
        .security()
        .replaced_on(&["cluster_name", "namespace", "service_account"]);

/// An IAM role for the pods of one Kubernetes service account, through EKS Pod Identity. Made
/// by the facade's typed `cluster.pod_identity(&service_account)` (`stacksmith::PodIdentity`),
/// which names the account from its handle and checks that the stack creates it (SS0530).
///
/// Creates: `aws_iam_role` whose trust policy lets only the EKS Pod Identity service
/// (`pods.eks.amazonaws.com`) assume it, with `sts:AssumeRole` and `sts:TagSession` (the
/// session tags name the cluster, namespace and service account), limited to this account by
/// `aws:SourceAccount`; an inline policy with the statements given to [`allow`](Self::allow);
/// and `aws_eks_pod_identity_association` binding the role to `namespace/service_account` of
/// the cluster.
///
/// Why Pod Identity rather than IRSA: nothing is written into the Kubernetes objects (no
/// account id, no role ARN annotation, no OIDC provider in the trust policy), so the YAML is
/// the same in every account, and the association, like the role, is made and removed by
/// Terraform. It needs the `eks-pod-identity-agent` add-on on the cluster
/// (`EksCluster::pod_identity_agent`): without it synth stops (SS0531).
///
/// The role is named `<cluster path>-<id>-pod-identity` (at most 64 characters), `id` being
/// `<namespace>-<service account>`.
#[derive(Clone, Debug)]
pub struct PodIdentityRole {
    id: String,
    cluster: Path,
    agent: bool,
    namespace: String,
    service_account: String,
    statements: Vec<PolicyStatement>,
}

/// A handle to a [`PodIdentityRole`]: the role's ARN and name, and grants added later.
#[derive(Clone, Debug)]
pub struct PodIdentityRoleRef {
    path: Path,
    cluster: Path,
}

impl PodIdentityRole {
    /// The role for service account `namespace/service_account` of `cluster`, with id
    /// `<namespace>-<service account>` (so accounts of the same name in two namespaces get a
    /// role each). Prefer the facade's typed `cluster.pod_identity(&service_account)`, which takes
    /// both names from the account's handle.
    pub fn new(cluster: &crate::EksClusterRef, namespace: &str, service_account: &str) -> Self {
        Self {
            id: format!("{namespace}-{service_account}"),
            cluster: cluster.path().clone(),
            agent: cluster.runs_pod_identity_agent(),
            namespace: namespace.to_owned(),
            service_account: service_account.to_owned(),
            statements: Vec::new(),
        }
    }

    /// Adds permission statements to the role's inline policy (identity-policy statements:
    /// actions and resources, no principals). Default: none — the role can do nothing until
    /// statements are added here or by a connection (`kafka.allow_client(..)`).
    #[must_use]
    pub fn allow(mut self, statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        self.statements.extend(statements);
        self
    }
}

impl PodIdentityRoleRef {
    fn role(&self) -> Address {
        Address::resource(self.path.stack(), "aws_iam_role", &tf_name(&self.path, ""))
    }

    /// The role's ARN.
    pub fn arn(&self) -> Ref {
        self.role().attr("arn")
    }

    /// The role's name.
    pub fn name(&self) -> Ref {
        self.role().attr("name")
    }

    /// The construct's path (below the cluster's).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of the cluster whose pods receive the role.
    pub fn cluster_path(&self) -> &Path {
        &self.cluster
    }

    /// More statements on the role, declared after it exists (a connection's, e.g. Kafka's
    /// produce and consume statements): an inline policy `id` of its own, added with
    /// `stack.add(..)`.
    pub fn grant(
        &self,
        id: &str,
        statements: impl IntoIterator<Item = PolicyStatement>,
    ) -> RoleGrant {
        RoleGrant {
            id: id.to_owned(),
            parent: self.path.clone(),
            role: self.role(),
            statements: statements.into_iter().collect(),
        }
    }
}

impl Construct for PodIdentityRole {
    type Handle = PodIdentityRoleRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.cluster)
    }

    fn handle(&self, scope: &Scope) -> PodIdentityRoleRef {
        PodIdentityRoleRef {
            path: scope.path.clone(),
            cluster: self.cluster.clone(),
        }
    }
}

impl Lower for PodIdentityRole {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let account = common::account_id(cx);
        check_namespace(cx, "namespace", &self.namespace);
        check_service_account(cx, &self.service_account);
        cx.names_object(KubeNamed {
            owner: cx.path().clone(),
            what: "the EKS Pod Identity association".to_owned(),
            kind: "ServiceAccount".to_owned(),
            namespace: Some(self.namespace.clone()),
            name: self.service_account.clone(),
            pod_label: Some((
                AWS_IDENTITY_LABEL.to_owned(),
                "true".to_owned(),
                "a namespace's default deny lets only pods with it reach the Pod Identity agent and AWS APIs".to_owned(),
            )),
            run_by: None,
        });
        if !self.agent {
            cx.error(
                "SS0531",
                format!(
                    "service account `{}/{}` gets its IAM role through EKS Pod Identity, but cluster `{}` does not install the `eks-pod-identity-agent` add-on its pods get credentials from",
                    self.namespace, self.service_account, self.cluster
                ),
                "add `.pod_identity_agent()` to the EksCluster",
            );
        }
        let trust = policy_document(
            cx,
            "trust",
            &[PolicyStatement::allow(
                "PodIdentityAssumesRole",
                ["sts:AssumeRole", "sts:TagSession"],
            )
            .principal(Principal::Service(POD_IDENTITY_PRINCIPAL.to_owned()))
            .condition("StringEquals", "aws:SourceAccount", vec![account.into()])],
        );
        let name = cx.name("pod-identity");
        cx.check_name(&ROLE_NAME, &name, "role name");
        let role = cx.add_with(
            "aws_iam_role",
            "",
            tf! {
                "name" => name.as_str(),
                "description" => format!(
                    "Assumed through EKS Pod Identity by service account {}/{} of EKS cluster {}",
                    self.namespace, self.service_account, self.cluster
                ),
                "assume_role_policy" => trust,
                "tags" => name_tag(&name),
            },
            crate::iam::ROLE,
        );
        if !self.statements.is_empty() {
            let policy = policy_document(cx, "policy", &self.statements);
            cx.add_with(
                "aws_iam_role_policy",
                "policy",
                tf! { "name" => "permissions", "role" => role.attr::<String>("id"), "policy" => policy },
                common::IAM_ROLE_POLICY,
            );
        }
        let cluster: Ref = Address::resource(
            self.cluster.stack(),
            "aws_eks_cluster",
            &tf_name(&self.cluster, ""),
        )
        .attr("name");
        cx.add_with(
            "aws_eks_pod_identity_association",
            "association",
            tf! {
                "cluster_name" => cluster,
                "namespace" => self.namespace.as_str(),
                "service_account" => self.service_account.as_str(),
                "role_arn" => role.attr::<String>("arn"),
                "tags" => name_tag(&name),
            },
            ASSOCIATION,
        );
        self.draw(cx);
    }
}

impl PodIdentityRole {
    /// The role as the diagram draws it: in its service account's namespace, with the
    /// workloads running as that account pointing at it.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        cx.node(
            Node::new(
                &path,
                &format!("pod_identity_{}", tail_id(&path)),
                NodeKind::Identity,
                path.to_string(),
            )
            .line("IAM role (Pod Identity) for ServiceAccount")
            .line(format!("{}/{}", self.namespace, self.service_account))
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

/// Statements added to an existing role as an inline policy of their own, made by
/// [`PodIdentityRoleRef::grant`].
///
/// Creates: `aws_iam_role_policy` named after the grant's id, with the statements rendered
/// through `aws_iam_policy_document`.
#[derive(Clone, Debug)]
pub struct RoleGrant {
    id: String,
    parent: Path,
    role: Address,
    statements: Vec<PolicyStatement>,
}

/// A handle to a [`RoleGrant`].
#[derive(Clone, Debug)]
pub struct RoleGrantRef {
    path: Path,
}

impl RoleGrantRef {
    /// The construct's path (below the role's).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Construct for RoleGrant {
    type Handle = RoleGrantRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.parent)
    }

    fn handle(&self, scope: &Scope) -> RoleGrantRef {
        RoleGrantRef {
            path: scope.path.clone(),
        }
    }
}

impl Lower for RoleGrant {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let policy = policy_document(cx, "", &self.statements);
        let name = cx.name("");
        cx.add_with(
            "aws_iam_role_policy",
            "",
            tf! { "name" => name.as_str(), "role" => self.role.attr::<String>("id"), "policy" => policy },
            common::IAM_ROLE_POLICY,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EksCluster, Network};
    use stacksmith_core::{Graph, Stack};

    fn lowered(agent: bool) -> (Graph, PodIdentityRoleRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = if agent {
            EksCluster::new("eks", &net).pod_identity_agent()
        } else {
            EksCluster::new("eks", &net)
        };
        let eks = stack.add(eks);
        let role = stack.add(
            PodIdentityRole::new(&eks, "apps", "backup").allow([PolicyStatement::allow(
                "WriteBackups",
                ["s3:PutObject"],
            )
            .resource("arn:aws:s3:::backups/*")]),
        );
        (stack.lower(), role)
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
    fn role_trusts_pod_identity_and_is_associated_with_the_account() {
        let (g, role) = lowered(true);
        let errors: Vec<_> = g
            .diagnostics
            .iter()
            .filter(|d| d.code != "SS0530")
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(role.arn().expression(), "aws_iam_role.eks_apps_backup.arn");
        let trust = json(&g, "data.aws_iam_policy_document.eks_apps_backup_trust");
        assert!(trust.contains("pods.eks.amazonaws.com"), "{trust}");
        assert!(trust.contains("sts:AssumeRole"));
        assert!(trust.contains("sts:TagSession"));
        let association = json(
            &g,
            "aws_eks_pod_identity_association.eks_apps_backup_association",
        );
        assert!(
            association.contains(r#""namespace": "apps""#),
            "{association}"
        );
        assert!(association.contains(r#""service_account": "backup""#));
        assert!(association.contains("${aws_iam_role.eks_apps_backup.arn}"));
        assert!(association.contains("${aws_eks_cluster.eks.name}"));
        assert_eq!(g.named.len(), 1);
    }

    #[test]
    fn a_grant_adds_an_inline_policy_to_the_role() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = stack.add(EksCluster::new("eks", &net).pod_identity_agent());
        let role = stack.add(PodIdentityRole::new(&eks, "apps", "api"));
        stack.add(role.grant(
            "kafka",
            [PolicyStatement::allow("Connect", ["kafka-cluster:Connect"]).resource("*")],
        ));
        let g = stack.lower();
        let policy = json(&g, "aws_iam_role_policy.eks_apps_api_kafka");
        assert!(
            policy.contains("${aws_iam_role.eks_apps_api.id}"),
            "{policy}"
        );
        assert!(
            policy.contains(r#""name": "prod-eks-apps-api-kafka""#),
            "{policy}"
        );
    }
}
