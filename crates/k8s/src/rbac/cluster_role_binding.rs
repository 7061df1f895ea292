//! `ClusterRoleBinding`: a ClusterRole granted to service accounts, groups and users in every
//! namespace, made by `ClusterRoleRef::bind_to`.

use crate::api::rbac_v1::{ClusterRoleBinding as KClusterRoleBinding, RoleRef as KRoleRef};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use super::role_binding::RoleBindingRef;
use super::subject::{RBAC_GROUP, Subject, check_subjects};
use crate::labels::{meta, push, resolve_name};
use crate::networking::network_policy::{bounded, sanitize};
use crate::{ClusterRoleRef, ServiceAccountRef};

/// A Kubernetes ClusterRoleBinding: a ClusterRole granted to subjects in every namespace. Made
/// by [`ClusterRoleRef::bind_to`].
///
/// Creates: one `rbac.authorization.k8s.io/v1/ClusterRoleBinding`, `roleRef` to the
/// ClusterRole, and the subjects in the order added: the service account first.
///
/// Defaults: as for [`RoleBinding`](crate::RoleBinding): id `binding-<account>` under the ClusterRole, name
/// `<cluster-role>-binding-<account>`, anonymous subjects an error (SS0360), every
/// authenticated identity a warning (SS0361). Prefer [`ClusterRoleRef::bind_in_namespace`]
/// when the subject works in known namespaces.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("dbaas-system"));
/// let sa = stack.add(ServiceAccount::new(&ns, "dbaas-api-sa").name("dbaas-api"));
/// let role = stack.add(ClusterRole::new("dbaas-api")
///     .rule(Rule::new().api_groups(["kubedb.com"]).resources(["postgreses"]).verbs(Verb::READ)));
/// stack.add(role.bind_to(&sa));
/// ```
#[derive(Clone, Debug)]
pub struct ClusterRoleBinding {
    id: String,
    parent: Path,
    role: String,
    name: Option<String>,
    subjects: Vec<Subject>,
}

impl ClusterRoleBinding {
    pub(crate) fn new(role: &ClusterRoleRef, account: &ServiceAccountRef) -> Self {
        Self {
            id: bounded(&format!("binding-{}", sanitize(account.name()))),
            parent: role.path().clone(),
            role: role.name().to_owned(),
            name: None,
            subjects: vec![Subject::account(account)],
        }
    }

    /// Sets the construct id. Default: `binding-<account>`.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Grants the ClusterRole to another service account too.
    #[must_use]
    pub fn service_account(mut self, account: &ServiceAccountRef) -> Self {
        self.subjects.push(Subject::account(account));
        self
    }

    /// Grants the ClusterRole to a group, by the name the cluster's authenticator gives it.
    #[must_use]
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.subjects.push(Subject::Group(name.into()));
        self
    }

    /// Grants the ClusterRole to a user, by the name the cluster's authenticator gives it.
    #[must_use]
    pub fn user(mut self, name: impl Into<String>) -> Self {
        self.subjects.push(Subject::User(name.into()));
        self
    }
}

impl Lower for ClusterRoleBinding {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        check_subjects(cx, &self.subjects);
        let object = KClusterRoleBinding {
            metadata: meta(&name, None, [], []),
            role_ref: KRoleRef {
                api_group: RBAC_GROUP.to_owned(),
                kind: "ClusterRole".to_owned(),
                name: self.role.clone(),
            },
            subjects: Some(self.subjects.iter().map(Subject::lower).collect()),
        };
        push(cx, None, &name, &object);
    }
}

impl Construct for ClusterRoleBinding {
    type Handle = RoleBindingRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("ClusterRoleBinding")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.parent)
    }

    fn handle(&self, scope: &Scope) -> RoleBindingRef {
        RoleBindingRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ClusterRole, Namespace, Rule, ServiceAccount, Verb};
    use stacksmith_core::Stack;

    #[test]
    fn kubedb_cluster_role_binding_reproduces_the_seed() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("dbaas-system"));
        let sa = stack.add(ServiceAccount::new(&ns, "dbaas-api-sa").name("dbaas-api"));
        let role = stack.add(
            ClusterRole::new("dbaas-api").rule(
                Rule::new()
                    .api_groups(["apps.k8s.appscode.com"])
                    .resources(["petsets"])
                    .verbs(Verb::READ),
            ),
        );
        let b = stack.add(role.bind_to(&sa).name("dbaas-api"));
        assert_eq!((b.name(), b.namespace()), ("dbaas-api", None));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let Some(binding) = g.objects.iter().find(|o| o.kind == "ClusterRoleBinding") else {
            panic!("no ClusterRoleBinding");
        };
        insta::assert_json_snapshot!(binding.body);
    }

    #[test]
    fn fails_anonymous_and_empty_subjects() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let sa = stack.add(ServiceAccount::new(&ns, "reader"));
        let view = stack.add(
            ClusterRole::new("view-pods").rule(
                Rule::new()
                    .api_groups([""])
                    .resources(["pods"])
                    .verbs(Verb::READ),
            ),
        );
        stack.add(
            view.bind_to(&sa)
                .group("system:unauthenticated")
                .group("system:authenticated")
                .user(""),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
