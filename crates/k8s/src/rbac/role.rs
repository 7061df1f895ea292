//! `Role`: RBAC permissions on the resources of one namespace, as typed rules.

use crate::api::rbac_v1::Role as KRole;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use super::rule::{Rule, check_not_empty};
use crate::labels::{meta, push, resolve_name};
use crate::{NamespaceRef, RoleBinding, ServiceAccountRef};

/// A Kubernetes Role: permissions on the resources of one namespace.
///
/// Creates: one `rbac.authorization.k8s.io/v1/Role` in the namespace, with the rules in the
/// order given. [`RoleRef::bind_to`] grants it to a service account.
///
/// Defaults: name is the kebab-case construct path below the stack; no rules — a Role
/// without rules is an error (SS0359). Wildcards and escalation verbs warn (SS0355, SS0357).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("dbaas-system"));
/// let sa = stack.add(ServiceAccount::new(&ns, "operator"));
/// let role = stack.add(
///     Role::new(&ns, "pod-reader")
///         .rule(Rule::new().api_groups([""]).resources(["pods", "pods/log"]).verbs(Verb::READ)),
/// );
/// stack.add(role.bind_to(&sa));
/// ```
#[derive(Clone, Debug)]
pub struct Role {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    rules: Vec<Rule>,
}

impl Role {
    /// A Role in `namespace`; add its rules.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            rules: Vec::new(),
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a rule.
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }
}

impl Lower for Role {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        let owner = format!("Role `{name}`");
        check_not_empty(cx, &owner, self.rules.is_empty());
        for (i, r) in (1..).zip(&self.rules) {
            r.check(cx, &owner, i);
        }
        let ns = self.namespace.name();
        let object = KRole {
            metadata: meta(&name, Some(ns), [], []),
            rules: Some(self.rules.iter().map(Rule::lower).collect()),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for Role {
    type Handle = RoleRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("Role")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> RoleRef {
        RoleRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.clone(),
        }
    }
}

/// A handle to a [`Role`], whose [`RoleRef::bind_to`] grants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRef {
    path: Path,
    name: String,
    namespace: NamespaceRef,
}

impl RoleRef {
    /// The Role's construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        self.namespace.name()
    }

    /// A RoleBinding (in the Role's namespace) granting this Role to `account`; add more
    /// subjects on the binding. See [`RoleBinding`].
    pub fn bind_to(&self, account: &ServiceAccountRef) -> RoleBinding {
        RoleBinding::of_role(self, account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Namespace, ServiceAccount, Verb};
    use stacksmith_core::Stack;

    #[test]
    fn role_is_namespaced_and_writes_resource_names() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let role = stack.add(
            Role::new(&ns, "config-reader").rule(
                Rule::new()
                    .api_groups([""])
                    .resources(["configmaps"])
                    .resource_names(["app-config"])
                    .verbs([Verb::Get]),
            ),
        );
        assert_eq!((role.name(), role.namespace()), ("config-reader", "apps"));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let r = &g.objects[1];
        assert_eq!(
            (r.kind.as_str(), r.namespace.as_deref()),
            ("Role", Some("apps"))
        );
        assert_eq!(
            r.body["rules"][0],
            serde_json::json!({"apiGroups": [""], "resourceNames": ["app-config"],
                               "resources": ["configmaps"], "verbs": ["get"]})
        );
    }

    #[test]
    fn fails_rule_without_verbs_groups_or_resources() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(
            Role::new(&ns, "broken")
                .rule(Rule::new().api_groups([""]).resources(["pods"]))
                .rule(Rule::new().verbs([Verb::Get])),
        );
        stack.add(Role::new(&ns, "empty"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
    #[test]
    fn service_account_binding_compiles_through_the_handle() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let sa = stack.add(ServiceAccount::new(&ns, "reader"));
        let role = stack.add(
            Role::new(&ns, "pod-reader").rule(
                Rule::new()
                    .api_groups([""])
                    .resources(["pods"])
                    .verbs(Verb::READ),
            ),
        );
        let b = stack.add(role.bind_to(&sa));
        assert_eq!(b.path().to_string(), "prod/pod-reader/binding-reader");
    }
}
