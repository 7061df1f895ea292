//! `RoleBinding`: a Role or ClusterRole granted, in one namespace, to service accounts, groups
//! and users, made by the role handles' `bind_to` and `bind_in_namespace` methods; and
//! `RoleBindingRef`, the handle of any binding.

use crate::api::rbac_v1::{RoleBinding as KRoleBinding, RoleRef as KRoleRef};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use super::subject::{RBAC_GROUP, Subject, check_subjects};
use crate::labels::{meta, push, resolve_name};
use crate::networking::network_policy::{bounded, sanitize};
use crate::{ClusterRoleRef, NamespaceRef, RoleRef, ServiceAccountRef};

/// What a RoleBinding grants: a Role of its namespace, or a ClusterRole's rules there only.
#[derive(Clone, Debug)]
enum Granted {
    Role(String),
    ClusterRole(String),
}

/// A Kubernetes RoleBinding: a Role — or a ClusterRole, in this namespace only — granted to
/// subjects. Made by [`RoleRef::bind_to`] and [`ClusterRoleRef::bind_in_namespace`].
///
/// Creates: one `rbac.authorization.k8s.io/v1/RoleBinding` in the Role's namespace (or the
/// namespace given), `roleRef` to the role, and the subjects in the order added: the service
/// account first.
///
/// Defaults: the construct is a child of the role with id `binding-<account>`
/// (`binding-<namespace>-<account>` for `bind_in_namespace`; `.id(...)` changes it when two
/// accounts share a name), so the name is `<role>-binding-<account>`. Binding
/// `system:unauthenticated` or `system:anonymous` is an error (SS0360); `system:authenticated`
/// and `system:serviceaccounts` warn (SS0361).
///
/// Binding a role to a service account does not mount its token into any pod: a workload that
/// calls the Kubernetes API asks for it with `.mount_service_account_token()`.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("apps"));
/// let sa = stack.add(ServiceAccount::new(&ns, "deployer"));
/// let role = stack.add(Role::new(&ns, "deploy")
///     .rule(Rule::new()
///         .api_groups(["apps"])
///         .resources(["deployments"])
///         .verbs([Verb::Get, Verb::Patch])));
/// stack.add(role.bind_to(&sa).group("platform-team"));
/// ```
#[derive(Clone, Debug)]
pub struct RoleBinding {
    id: String,
    parent: Path,
    namespace: String,
    role: Granted,
    name: Option<String>,
    subjects: Vec<Subject>,
}

impl RoleBinding {
    pub(crate) fn of_role(role: &RoleRef, account: &ServiceAccountRef) -> Self {
        Self {
            id: bounded(&format!("binding-{}", sanitize(account.name()))),
            parent: role.path().clone(),
            namespace: role.namespace().to_owned(),
            role: Granted::Role(role.name().to_owned()),
            name: None,
            subjects: vec![Subject::account(account)],
        }
    }

    pub(crate) fn of_cluster_role(
        role: &ClusterRoleRef,
        namespace: &NamespaceRef,
        account: &ServiceAccountRef,
    ) -> Self {
        let id = format!(
            "binding-{}-{}",
            sanitize(namespace.name()),
            sanitize(account.name())
        );
        Self {
            id: bounded(&id),
            parent: role.path().clone(),
            namespace: namespace.name().to_owned(),
            role: Granted::ClusterRole(role.name().to_owned()),
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

    /// Grants the role to another service account too (of any namespace).
    #[must_use]
    pub fn service_account(mut self, account: &ServiceAccountRef) -> Self {
        self.subjects.push(Subject::account(account));
        self
    }

    /// Grants the role to a group, by the name the cluster's authenticator gives it (on EKS,
    /// the group of an access entry).
    #[must_use]
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.subjects.push(Subject::Group(name.into()));
        self
    }

    /// Grants the role to a user, by the name the cluster's authenticator gives it.
    #[must_use]
    pub fn user(mut self, name: impl Into<String>) -> Self {
        self.subjects.push(Subject::User(name.into()));
        self
    }
}

impl Lower for RoleBinding {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        check_subjects(cx, &self.subjects);
        let (kind, role) = match &self.role {
            Granted::Role(n) => ("Role", n),
            Granted::ClusterRole(n) => ("ClusterRole", n),
        };
        let object = KRoleBinding {
            metadata: meta(&name, Some(&self.namespace), [], []),
            role_ref: KRoleRef {
                api_group: RBAC_GROUP.to_owned(),
                kind: kind.to_owned(),
                name: role.clone(),
            },
            subjects: Some(self.subjects.iter().map(Subject::lower).collect()),
        };
        push(cx, Some(&self.namespace), &name, &object);
    }
}

impl Construct for RoleBinding {
    type Handle = RoleBindingRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("RoleBinding")
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
            namespace: Some(self.namespace.clone()),
        }
    }
}

/// A handle to a [`RoleBinding`] or [`ClusterRoleBinding`](crate::ClusterRoleBinding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleBindingRef {
    pub(super) path: Path,
    pub(super) name: String,
    pub(super) namespace: Option<String>,
}

impl RoleBindingRef {
    /// The binding's construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace; `None` for a ClusterRoleBinding.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use crate::{ClusterRole, Namespace, Role, Rule, ServiceAccount, Verb};
    use stacksmith_core::Stack;

    #[test]
    fn role_binding_names_role_and_typed_subjects() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let other = stack.add(Namespace::new("ci"));
        let sa = stack.add(ServiceAccount::new(&ns, "deployer"));
        let ci = stack.add(ServiceAccount::new(&other, "runner"));
        let role = stack.add(
            Role::new(&ns, "deploy").rule(
                Rule::new()
                    .api_groups(["apps"])
                    .resources(["deployments"])
                    .verbs([Verb::Get, Verb::Patch]),
            ),
        );
        let b = stack.add(
            role.bind_to(&sa)
                .service_account(&ci)
                .group("platform-team")
                .user("alice@example.com"),
        );
        assert_eq!(
            (b.name(), b.namespace()),
            ("deploy-binding-deployer", Some("apps"))
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let Some(o) = g.objects.iter().find(|o| o.kind == "RoleBinding") else {
            panic!("no RoleBinding");
        };
        assert_eq!(
            o.body["roleRef"],
            serde_json::json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deploy"})
        );
        assert_eq!(
            o.body["subjects"],
            serde_json::json!([
                {"kind": "ServiceAccount", "name": "deployer", "namespace": "apps"},
                {"kind": "ServiceAccount", "name": "runner", "namespace": "ci"},
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "platform-team"},
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice@example.com"}
            ])
        );
    }

    #[test]
    fn cluster_role_bound_in_one_namespace_is_a_role_binding() {
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
        let b = stack.add(view.bind_in_namespace(&ns, &sa));
        assert_eq!(b.path().to_string(), "prod/view-pods/binding-apps-reader");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let Some(o) = g.objects.iter().find(|o| o.kind == "RoleBinding") else {
            panic!("no RoleBinding");
        };
        assert_eq!(o.namespace.as_deref(), Some("apps"));
        assert_eq!(o.body["roleRef"]["kind"], "ClusterRole");
        assert_eq!(o.body["roleRef"]["name"], "view-pods");
    }
}
