//! `ServiceAccount`: a pod identity (e.g. bound to an IAM role through an annotation), created
//! with token automounting off so only pods that opt in get a token.

use crate::api::core_v1::ServiceAccount as KServiceAccount;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Scope};

use crate::NamespaceRef;
use crate::labels::{check_key, meta, push, resolve_name};

/// A Kubernetes ServiceAccount: the identity pods run as.
///
/// Creates: one `v1/ServiceAccount`.
///
/// Defaults: `automountServiceAccountToken: false` on the account, always; a Deployment that
/// runs as it with `.service_account(&sa)` gets its identity, not a token, and one that calls
/// the Kubernetes API mounts the token for its own pods only with
/// `.mount_service_account_token()`. Roles are granted with `role.bind_to(&sa)`. Name: the
/// kebab-case construct id.
///
/// An IAM role is given to the account on the AWS side, typed, with the facade's
/// `cluster.pod_identity(&sa).allow(statements)` (EKS Pod Identity): the workload then runs as
/// `identity.service_account()`, whose pods are labelled for the namespace's AWS egress. A
/// hand-written `eks.amazonaws.com/role-arn` annotation is warned (SS0532).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let sa = stack.add(ServiceAccount::new(&ns, "api-sa"));
/// ```
#[derive(Clone, Debug)]
pub struct ServiceAccount {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    annotations: Vec<(String, String)>,
    pod_identity: bool,
}

impl ServiceAccount {
    /// A service account in `namespace`.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            annotations: Vec::new(),
            pod_identity: false,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds an annotation. Not the way to attach an IAM role: `eks.amazonaws.com/role-arn` is
    /// warned (SS0532) in favour of the typed `cluster.pod_identity(&sa)`. Default: none.
    #[must_use]
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }

    /// Says an EKS Pod Identity association gives this account an IAM role (made on the AWS
    /// side, `aws_eks_pod_identity_association`). Its pods, like those of an account annotated
    /// `eks.amazonaws.com/role-arn` (IRSA), are labelled `stacksmith.dev/aws-identity: "true"`,
    /// and a namespace's default deny lets them reach the Pod Identity agent and AWS APIs.
    /// Default: no AWS identity unless the IRSA annotation is set.
    #[must_use]
    pub fn aws_pod_identity(mut self) -> Self {
        self.pod_identity = true;
        self
    }

    /// Whether pods running as this account get AWS credentials (IRSA or Pod Identity).
    fn aws_identity(&self) -> bool {
        self.pod_identity
            || self
                .annotations
                .iter()
                .any(|(k, _)| k == crate::labels::IRSA_ROLE_ANNOTATION)
    }
}

/// A handle to a [`ServiceAccount`], for `Deployment::service_account`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAccountRef {
    name: String,
    namespace: String,
    aws_identity: bool,
}

impl ServiceAccountRef {
    /// The account's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The same account, marked as having an AWS identity given on the AWS side (an EKS Pod
    /// Identity association): pods running as it are labelled `stacksmith.dev/aws-identity`,
    /// which the namespace's default deny lets reach the Pod Identity agent and AWS APIs. Made
    /// by the facade's `cluster.pod_identity(&sa)` handle (`identity.service_account()`).
    #[must_use]
    pub fn with_aws_identity(&self) -> Self {
        Self {
            aws_identity: true,
            ..self.clone()
        }
    }

    /// Whether pods running as this account get AWS credentials: the account is annotated
    /// `eks.amazonaws.com/role-arn` (IRSA) or made with [`ServiceAccount::aws_pod_identity`].
    pub fn has_aws_identity(&self) -> bool {
        self.aws_identity
    }
}

impl Lower for ServiceAccount {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        for (k, _) in &self.annotations {
            check_key(cx, "annotation", k);
            if k == crate::labels::IRSA_ROLE_ANNOTATION {
                cx.warning(
                    "SS0532",
                    format!(
                        "service account `{name}` is given an IAM role by a hand-written `{k}` annotation: the ARN is typed by hand, with its account id, and nothing checks the role trusts this account"
                    ),
                    "remove the annotation and give the role typed: `stack.add(cluster.pod_identity(&sa).allow(statements))`, then run the workload as `identity.service_account()`",
                );
            }
        }
        let ns = self.namespace.name();
        let object = KServiceAccount {
            metadata: meta(
                &name,
                Some(ns),
                [],
                self.annotations.iter().map(|(k, v)| (k, v)),
            ),
            automount_service_account_token: Some(false),
            ..KServiceAccount::default()
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for ServiceAccount {
    type Handle = ServiceAccountRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("ServiceAccount")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> ServiceAccountRef {
        ServiceAccountRef {
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
            aws_identity: self.aws_identity(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;
    use stacksmith_core::Stack;

    #[test]
    fn service_account_does_not_automount_its_token() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let sa = stack.add(ServiceAccount::new(&ns, "api-sa").annotation("a.io/role", "r"));
        assert!(!sa.has_aws_identity());
        assert!(sa.with_aws_identity().has_aws_identity());
        assert_eq!(sa.name(), "api-sa");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects[1].body["automountServiceAccountToken"], false);
        assert_eq!(
            g.objects[1].body["metadata"]["annotations"]["a.io/role"],
            "r"
        );
        assert_eq!(g.objects[1].body["metadata"]["namespace"], "apps");
    }

    #[test]
    fn warns_hand_written_role_arn_annotation() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(ServiceAccount::new(&ns, "backup").annotation(
            "eks.amazonaws.com/role-arn",
            "arn:aws:iam::123456789012:role/b",
        ));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
