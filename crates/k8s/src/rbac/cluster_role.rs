//! `ClusterRole`: RBAC permissions on resources of every namespace, cluster-scoped resources and
//! non-resource URLs, checked also for Secrets readable in every namespace.

use crate::api::rbac_v1::ClusterRole as KClusterRole;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use super::rule::{NonResourceRule, Rule, check_not_empty};
use crate::labels::{meta, push, resolve_name};
use crate::{ClusterRoleBinding, NamespaceRef, RoleBinding, ServiceAccountRef};

/// A Kubernetes ClusterRole: permissions on resources of every namespace, cluster-scoped
/// resources (nodes, namespaces) and non-resource URLs.
///
/// Creates: one `rbac.authorization.k8s.io/v1/ClusterRole`, resource rules first, then
/// non-resource rules. [`ClusterRoleRef::bind_to`] grants it cluster-wide;
/// [`ClusterRoleRef::bind_in_namespace`] grants it in one namespace only.
///
/// Defaults: name is the kebab-case construct path below the stack (cluster-scoped: two
/// stacks sharing a cluster need distinct ids or `.name(...)`); no rules — an error (SS0359).
/// Wildcards and escalation verbs warn (SS0355, SS0357), and so does any rule reaching
/// Secrets without `resource_names` (SS0356): bound cluster-wide, it reaches every Secret.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("monitoring"));
/// let sa = stack.add(ServiceAccount::new(&ns, "prometheus"));
/// let role = stack.add(
///     ClusterRole::new("metrics-reader")
///         .rule(Rule::new()
///             .api_groups([""])
///             .resources(["pods", "services", "endpoints"])
///             .verbs(Verb::READ))
///         .non_resource_rule(NonResourceRule::get(["/metrics"])),
/// );
/// stack.add(role.bind_to(&sa));
/// ```
#[derive(Clone, Debug)]
pub struct ClusterRole {
    id: String,
    name: Option<String>,
    rules: Vec<Rule>,
    non_resource: Vec<NonResourceRule>,
}

impl ClusterRole {
    /// A ClusterRole; add its rules.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            rules: Vec::new(),
            non_resource: Vec::new(),
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a rule on API resources.
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Adds a rule on non-resource URLs (only ClusterRoles can hold them).
    #[must_use]
    pub fn non_resource_rule(mut self, rule: NonResourceRule) -> Self {
        self.non_resource.push(rule);
        self
    }
}

impl Lower for ClusterRole {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        let owner = format!("ClusterRole `{name}`");
        check_not_empty(
            cx,
            &owner,
            self.rules.is_empty() && self.non_resource.is_empty(),
        );
        for (i, r) in (1..).zip(&self.rules) {
            r.check(cx, &owner, i);
            if r.reaches_all_secrets() {
                cx.warning(
                    "SS0356",
                    format!(
                        "rule {} of {owner} grants `{}` on Secrets: bound with a ClusterRoleBinding, it reaches every Secret of every namespace",
                        i,
                        r.verb_list()
                    ),
                    "grant Secrets with a Role in the namespaces that need them, bind this ClusterRole per namespace with `bind_in_namespace`, or list the Secrets with `resource_names`",
                );
            }
        }
        for (i, r) in (1..).zip(&self.non_resource) {
            r.check(cx, &owner, i);
        }
        let rules = self
            .rules
            .iter()
            .map(Rule::lower)
            .chain(self.non_resource.iter().map(NonResourceRule::lower))
            .collect();
        let object = KClusterRole {
            metadata: meta(&name, None, [], []),
            rules: Some(rules),
        };
        push(cx, None, &name, &object);
    }
}

impl Construct for ClusterRole {
    type Handle = ClusterRoleRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("ClusterRole")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> ClusterRoleRef {
        ClusterRoleRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
        }
    }
}

/// A handle to a [`ClusterRole`], whose `bind_*` methods grant it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterRoleRef {
    path: Path,
    name: String,
}

impl ClusterRoleRef {
    /// The ClusterRole's construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A ClusterRoleBinding granting this ClusterRole to `account` in every namespace. See
    /// [`ClusterRoleBinding`].
    pub fn bind_to(&self, account: &ServiceAccountRef) -> ClusterRoleBinding {
        ClusterRoleBinding::new(self, account)
    }

    /// A RoleBinding in `namespace` granting this ClusterRole to `account` there only: the
    /// least-privilege way to reuse a ClusterRole. See [`RoleBinding`].
    pub fn bind_in_namespace(
        &self,
        namespace: &NamespaceRef,
        account: &ServiceAccountRef,
    ) -> RoleBinding {
        RoleBinding::of_cluster_role(self, namespace, account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verb;
    use stacksmith_core::{Graph, Stack};

    fn lower_cluster_role(role: ClusterRole) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(role);
        stack.lower()
    }

    /// The KubeDB seed's `dbaas-api` ClusterRole, rule for rule.
    fn kubedb() -> ClusterRole {
        ClusterRole::new("dbaas-api")
            .rule(
                Rule::new()
                    .api_groups(["kubedb.com"])
                    .resources(["*"])
                    .verbs(Verb::READ)
                    .verbs(Verb::WRITE),
            )
            .rule(
                Rule::new()
                    .api_groups([""])
                    .resources(["services", "secrets", "pods", "events"])
                    .verbs(Verb::READ)
                    .verbs([Verb::Create, Verb::Update, Verb::Patch]),
            )
            .rule(
                Rule::new()
                    .api_groups(["apps.k8s.appscode.com"])
                    .resources(["petsets"])
                    .verbs(Verb::READ),
            )
    }

    #[test]
    fn kubedb_cluster_role_reproduces_the_seed() {
        let g = lower_cluster_role(kubedb());
        let role = &g.objects[0];
        assert_eq!(
            (
                role.api_version.as_str(),
                role.kind.as_str(),
                role.name.as_str()
            ),
            ("rbac.authorization.k8s.io/v1", "ClusterRole", "dbaas-api")
        );
        assert_eq!(role.namespace, None);
        assert_eq!(
            role.body["rules"],
            serde_json::json!([
                {"apiGroups": ["kubedb.com"], "resources": ["*"],
                 "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
                {"apiGroups": [""], "resources": ["services", "secrets", "pods", "events"],
                 "verbs": ["get", "list", "watch", "create", "update", "patch"]},
                {"apiGroups": ["apps.k8s.appscode.com"], "resources": ["petsets"],
                 "verbs": ["get", "list", "watch"]}
            ])
        );
        // The seed's wildcard and cluster-wide Secrets access are accepted, with warnings.
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn cluster_role_holds_non_resource_rules_after_resource_rules() {
        let g = lower_cluster_role(
            ClusterRole::new("metrics-reader")
                .non_resource_rule(NonResourceRule::get(["/metrics", "/healthz/*"]))
                .rule(
                    Rule::new()
                        .api_groups([""])
                        .resources(["nodes"])
                        .verbs([Verb::Get]),
                ),
        );
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.objects[0].body["rules"][1],
            serde_json::json!({"nonResourceURLs": ["/metrics", "/healthz/*"], "verbs": ["get"]})
        );
    }

    #[test]
    fn fails_wildcards_escalation_and_useless_resource_names_warn() {
        let g = lower_cluster_role(
            ClusterRole::new("too-much")
                .rule(
                    Rule::new()
                        .api_groups(["*"])
                        .resources(["*"])
                        .verbs([Verb::All]),
                )
                .rule(
                    Rule::new()
                        .api_groups(["rbac.authorization.k8s.io"])
                        .resources(["clusterroles"])
                        .verbs([Verb::Bind, Verb::Escalate]),
                )
                .rule(
                    Rule::new()
                        .api_groups([""])
                        .resources(["configmaps"])
                        .resource_names(["app"])
                        .verbs([Verb::Get, Verb::List, Verb::Create]),
                )
                .non_resource_rule(NonResourceRule::get(["*", "metrics", "/a*b"])),
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn named_secrets_do_not_warn() {
        let g = lower_cluster_role(
            ClusterRole::new("tls-reader").rule(
                Rule::new()
                    .api_groups([""])
                    .resources(["secrets"])
                    .resource_names(["wildcard-tls"])
                    .verbs([Verb::Get]),
            ),
        );
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
    }
}
