//! Typed workload identities: `cluster.pod_identity(&service_account)` gives the pods of a
//! ServiceAccount an IAM role through EKS Pod Identity, linked by the account's handle.

use stacksmith_aws::{
    EksClusterRef, PodIdentityRole, PodIdentityRoleRef, PolicyStatement, RoleGrant,
};
use stacksmith_core::{Construct, Lower, Lowering, Path, Ref, Scope};
use stacksmith_k8s::ServiceAccountRef;

/// An IAM role for the pods of one ServiceAccount, made by [`PodIdentity::pod_identity`].
///
/// Creates: what [`PodIdentityRole`] creates — the role trusting `pods.eks.amazonaws.com`
/// (`sts:AssumeRole`, `sts:TagSession`), its inline policy, and the
/// `aws_eks_pod_identity_association` for the account's namespace and name, taken from its
/// handle.
///
/// The default way to give a workload AWS permissions. Why EKS Pod Identity rather than IRSA:
/// the Kubernetes objects carry nothing of it (no role ARN annotation, no account id), so the
/// YAML is the same in every account and region and cannot name a role of another account;
/// the trust policy names no OIDC provider, and the association is created and removed with
/// the role. It needs `.pod_identity_agent()` on the cluster (SS0531 otherwise).
///
/// Checks: the stack creates the ServiceAccount (SS0530), so the role reaches pods.
///
/// ```no_run
/// use stacksmith::prelude::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16").zones(3));
/// let cluster = stack.add(EksCluster::new("eks", &network).pod_identity_agent());
/// let backups = stack.add(Bucket::new("backups"));
/// let ns = stack.add(Namespace::new("apps"));
/// let sa = stack.add(ServiceAccount::new(&ns, "backup"));
/// let identity = stack.add(cluster.pod_identity(&sa).allow(backups.write_statements()));
/// stack.add(
///     CronJob::new(&ns, "backup", "0 3 * * *")
///         .service_account(&identity.service_account())
///         .container(Container::new("dump", "backup:1.0.0")),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct WorkloadIdentity {
    role: PodIdentityRole,
    cluster: EksClusterRef,
    service_account: ServiceAccountRef,
}

/// A handle to a [`WorkloadIdentity`]: the role, and the ServiceAccount its pods run as.
#[derive(Clone, Debug)]
pub struct WorkloadIdentityRef {
    role: PodIdentityRoleRef,
    cluster: EksClusterRef,
    service_account: ServiceAccountRef,
}

impl WorkloadIdentity {
    /// Adds permission statements to the role's inline policy. Default: none (connections
    /// such as `kafka.allow_client(..)` add their own).
    #[must_use]
    pub fn allow(mut self, statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        self.role = self.role.allow(statements);
        self
    }
}

impl WorkloadIdentityRef {
    /// The ServiceAccount to run the workload as (`.service_account(&identity.service_account())`):
    /// its pods are labelled `stacksmith.dev/aws-identity: "true"`, so the namespace's default
    /// deny lets them reach the Pod Identity agent (`169.254.170.23:80`) and AWS APIs on 443.
    pub fn service_account(&self) -> ServiceAccountRef {
        self.service_account.with_aws_identity()
    }

    /// The role's ARN.
    pub fn role_arn(&self) -> Ref {
        self.role.arn()
    }

    /// The role.
    pub fn role(&self) -> &PodIdentityRoleRef {
        &self.role
    }

    /// The cluster whose pods receive the role.
    pub fn cluster(&self) -> &EksClusterRef {
        &self.cluster
    }

    /// More statements on the role, declared after it exists: an inline policy `id` of its
    /// own (`stack.add(identity.grant("reports", statements))`).
    pub fn grant(
        &self,
        id: &str,
        statements: impl IntoIterator<Item = PolicyStatement>,
    ) -> RoleGrant {
        self.role.grant(id, statements)
    }

    /// The construct's path (below the cluster's).
    pub fn path(&self) -> &Path {
        self.role.path()
    }
}

/// Gives a ServiceAccount's pods an IAM role (implemented by [`EksClusterRef`]).
pub trait PodIdentity {
    /// An IAM role for `service_account`'s pods on this cluster, through EKS Pod Identity:
    /// see [`WorkloadIdentity`]. Add it with `stack.add(..)`.
    fn pod_identity(&self, service_account: &ServiceAccountRef) -> WorkloadIdentity;
}

impl PodIdentity for EksClusterRef {
    fn pod_identity(&self, service_account: &ServiceAccountRef) -> WorkloadIdentity {
        WorkloadIdentity {
            role: PodIdentityRole::new(self, service_account.namespace(), service_account.name()),
            cluster: self.clone(),
            service_account: service_account.clone(),
        }
    }
}

impl Construct for WorkloadIdentity {
    type Handle = WorkloadIdentityRef;

    fn id(&self) -> &str {
        self.role.id()
    }

    fn parent(&self) -> Option<&Path> {
        self.role.parent()
    }

    fn handle(&self, scope: &Scope) -> WorkloadIdentityRef {
        WorkloadIdentityRef {
            role: self.role.handle(scope),
            cluster: self.cluster.clone(),
            service_account: self.service_account.clone(),
        }
    }
}

impl Lower for WorkloadIdentity {
    fn lower(&self, cx: &mut Lowering<'_>) {
        self.role.lower(cx);
    }
}
