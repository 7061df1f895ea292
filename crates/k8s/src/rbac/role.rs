//! `Role` and `ClusterRole`: RBAC permissions as typed rules (`Verb`, `Rule`, `NonResourceRule`),
//! checked for wildcards, escalation verbs and Secrets readable in every namespace.

use k8s_openapi::api::rbac::v1::{ClusterRole as KClusterRole, PolicyRule, Role as KRole};
use stacksmith_core::{Construct, Lower, Lowering, NameRule, Path, Scope};

use crate::labels::{meta, push, resolve_name};
use crate::{ClusterRoleBinding, NamespaceRef, RoleBinding, ServiceAccountRef};

/// What a rule lets a subject do: the Kubernetes API verbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `get`: read one object.
    Get,
    /// `list`: read every object of a kind (in a namespace, or everywhere for a ClusterRole).
    List,
    /// `watch`: stream changes.
    Watch,
    /// `create`.
    Create,
    /// `update`: replace an object.
    Update,
    /// `patch`.
    Patch,
    /// `delete`: one object.
    Delete,
    /// `deletecollection`: many objects at once.
    DeleteCollection,
    /// `bind`: create bindings to roles holding permissions the subject lacks (escalation;
    /// warns, SS0357).
    Bind,
    /// `escalate`: edit roles beyond the subject's own permissions (warns, SS0357).
    Escalate,
    /// `impersonate`: act as another user, group or service account (warns, SS0357).
    Impersonate,
    /// `*`: every verb, including ones added later. Warns (SS0355): name the verbs instead.
    All,
}

impl Verb {
    /// `get`, `list`, `watch`: reading.
    pub const READ: [Verb; 3] = [Verb::Get, Verb::List, Verb::Watch];

    /// `create`, `update`, `patch`, `delete`: writing one object at a time.
    pub const WRITE: [Verb; 4] = [Verb::Create, Verb::Update, Verb::Patch, Verb::Delete];

    /// The verb as RBAC writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Watch => "watch",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::DeleteCollection => "deletecollection",
            Verb::Bind => "bind",
            Verb::Escalate => "escalate",
            Verb::Impersonate => "impersonate",
            Verb::All => "*",
        }
    }
}

/// One RBAC rule on API resources: which verbs on which resources of which API groups.
///
/// Defaults: nothing — a rule needs at least one API group (`""` is the core group), one
/// resource and one verb, or it is an error (SS0353, SS0354). `resource_names` default to
/// every object of those resources.
///
/// ```
/// use stacksmith_k8s::{Rule, Verb};
///
/// let read_pods = Rule::new().api_groups([""]).resources(["pods"]).verbs(Verb::READ);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rule {
    api_groups: Vec<String>,
    resources: Vec<String>,
    resource_names: Vec<String>,
    verbs: Vec<Verb>,
}

impl Rule {
    /// An empty rule; give it API groups, resources and verbs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds API groups: `""` for the core group (pods, services, secrets), `"apps"`,
    /// `"kubedb.com"`; `"*"` warns (SS0355).
    #[must_use]
    pub fn api_groups<S: Into<String>>(mut self, groups: impl IntoIterator<Item = S>) -> Self {
        self.api_groups.extend(groups.into_iter().map(Into::into));
        self
    }

    /// Adds resources (`"pods"`, `"pods/log"`, `"deployments"`); `"*"` warns (SS0355).
    #[must_use]
    pub fn resources<S: Into<String>>(mut self, resources: impl IntoIterator<Item = S>) -> Self {
        self.resources.extend(resources.into_iter().map(Into::into));
        self
    }

    /// Limits the rule to the objects with these names. Default: every object of the
    /// resources. They cannot limit `create` or `deletecollection` (warns, SS0358).
    #[must_use]
    pub fn resource_names<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.resource_names
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds verbs: `[Verb::Get, Verb::List]`, [`Verb::READ`].
    #[must_use]
    pub fn verbs(mut self, verbs: impl IntoIterator<Item = Verb>) -> Self {
        for v in verbs {
            if !self.verbs.contains(&v) {
                self.verbs.push(v);
            }
        }
        self
    }

    /// "`services, secrets` of the core API group", for messages.
    fn describe(&self) -> String {
        let groups: Vec<&str> = self
            .api_groups
            .iter()
            .map(|g| if g.is_empty() { "core" } else { g.as_str() })
            .collect();
        format!(
            "`{}` of API group {}",
            self.resources.join(", "),
            groups.join(", ")
        )
    }

    fn verb_list(&self) -> String {
        self.verbs
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn check(&self, cx: &mut Lowering<'_>, owner: &str, n: usize) {
        let what = format!("rule {n} of {owner}");
        if self.verbs.is_empty() {
            cx.error(
                "SS0353",
                format!("{what} ({}) grants no verbs", self.describe()),
                "list the verbs it needs, e.g. `.verbs(Verb::READ)` or `.verbs([Verb::Get])`",
            );
        }
        if self.api_groups.is_empty() {
            cx.error(
                "SS0354",
                format!("{what} names no API group"),
                "add `.api_groups([\"\"])` for core resources (pods, services, secrets) or the resources' group (`apps`, `batch`)",
            );
        }
        if self.resources.is_empty() {
            cx.error(
                "SS0354",
                format!("{what} names no resource"),
                "add the resources it applies to, e.g. `.resources([\"pods\"])`",
            );
        }
        if self
            .resources
            .iter()
            .chain(&self.resource_names)
            .any(String::is_empty)
        {
            cx.error(
                "SS0354",
                format!("{what} has an empty resource or resource name"),
                "remove the empty string",
            );
        }
        let mut wild = Vec::new();
        if self.verbs.contains(&Verb::All) {
            wild.push("every verb (`*`)");
        }
        if self.resources.iter().any(|r| r == "*") {
            wild.push("every resource (`*`)");
        }
        if self.api_groups.iter().any(|g| g == "*") {
            wild.push("every API group (`*`)");
        }
        if !wild.is_empty() {
            cx.warning(
                "SS0355",
                format!(
                    "{what} grants {}, including kinds and verbs added later",
                    wild.join(", ")
                ),
                "name the verbs, resources and API groups the workload uses",
            );
        }
        let escalating: Vec<&str> = self
            .verbs
            .iter()
            .filter(|v| matches!(v, Verb::Bind | Verb::Escalate | Verb::Impersonate))
            .map(|v| v.as_str())
            .collect();
        if !escalating.is_empty() {
            cx.warning(
                "SS0357",
                format!(
                    "{what} grants `{}` on {}, which lets the subject gain permissions it was not given",
                    escalating.join(", "),
                    self.describe()
                ),
                "grant escalation verbs only to controllers that manage RBAC, and limit them with `resource_names`",
            );
        }
        if !self.resource_names.is_empty() {
            let unnamed: Vec<&str> = self
                .verbs
                .iter()
                .filter(|v| {
                    matches!(
                        v,
                        Verb::Create | Verb::DeleteCollection | Verb::List | Verb::Watch
                    )
                })
                .map(|v| v.as_str())
                .collect();
            if !unnamed.is_empty() {
                cx.warning(
                    "SS0358",
                    format!(
                        "{what} limits `{}` to `resource_names`, which requests for them do not carry",
                        unnamed.join(", ")
                    ),
                    "`create` and `deletecollection` are then never allowed, `list` and `watch` only with a `metadata.name` field selector; grant them in a rule without `resource_names`",
                );
            }
        }
    }

    /// Whether the rule reaches Secrets (core group or `*`; `secrets` or `*`) without naming them.
    fn reaches_all_secrets(&self) -> bool {
        self.api_groups.iter().any(|g| g.is_empty() || g == "*")
            && self.resources.iter().any(|r| r == "secrets" || r == "*")
            && self.resource_names.is_empty()
            && !self.verbs.is_empty()
    }

    fn lower(&self) -> PolicyRule {
        PolicyRule {
            api_groups: Some(self.api_groups.clone()),
            resources: Some(self.resources.clone()),
            resource_names: (!self.resource_names.is_empty()).then(|| self.resource_names.clone()),
            verbs: self.verbs.iter().map(|v| v.as_str().to_owned()).collect(),
            non_resource_urls: None,
        }
    }
}

/// A ClusterRole rule on URLs of the API server that are not resources (`/metrics`,
/// `/healthz`, `/version`): read-only, `get`.
///
/// ```
/// use stacksmith_k8s::NonResourceRule;
///
/// let scrape = NonResourceRule::get(["/metrics"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonResourceRule {
    urls: Vec<String>,
}

impl NonResourceRule {
    /// Allows `get` on these URL paths; a trailing `*` matches a prefix (`/healthz/*`).
    pub fn get<S: Into<String>>(urls: impl IntoIterator<Item = S>) -> Self {
        Self {
            urls: urls.into_iter().map(Into::into).collect(),
        }
    }

    fn check(&self, cx: &mut Lowering<'_>, owner: &str, n: usize) {
        let what = format!("non-resource rule {n} of {owner}");
        if self.urls.is_empty() {
            cx.error(
                "SS0354",
                format!("{what} names no URL"),
                "give the paths it may read, e.g. `NonResourceRule::get([\"/metrics\"])`",
            );
        }
        for url in &self.urls {
            let star = url.find('*');
            let valid =
                (url.starts_with('/') || url == "*") && star.is_none_or(|i| i == url.len() - 1);
            if !valid {
                cx.error(
                    "SS0354",
                    format!("{what} has the URL `{url}`, which is not a path"),
                    "non-resource URLs start with `/` and may end with `*` (`/metrics`, `/healthz/*`)",
                );
            } else if url == "*" || url == "/*" {
                cx.warning(
                    "SS0355",
                    format!("{what} grants every non-resource URL (`{url}`)"),
                    "name the paths it reads (`/metrics`, `/healthz`)",
                );
            }
        }
    }

    fn lower(&self) -> PolicyRule {
        PolicyRule {
            non_resource_urls: Some(self.urls.clone()),
            verbs: vec!["get".to_owned()],
            ..PolicyRule::default()
        }
    }
}

/// A rule set that grants nothing is an error (SS0359).
fn check_not_empty(cx: &mut Lowering<'_>, owner: &str, empty: bool) {
    if empty {
        cx.error(
            "SS0359",
            format!("{owner} has no rules, so it grants nothing"),
            "add the permissions it should grant with `.rule(Rule::new()...)`",
        );
    }
}

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
        cx.check_name(&NameRule::DNS_SUBDOMAIN, &name, "name");
        let owner = format!("Role `{name}`");
        check_not_empty(cx, &owner, self.rules.is_empty());
        for (i, r) in self.rules.iter().enumerate() {
            r.check(cx, &owner, i + 1);
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
        cx.check_name(&NameRule::DNS_SUBDOMAIN, &name, "name");
        let owner = format!("ClusterRole `{name}`");
        check_not_empty(
            cx,
            &owner,
            self.rules.is_empty() && self.non_resource.is_empty(),
        );
        for (i, r) in self.rules.iter().enumerate() {
            r.check(cx, &owner, i + 1);
            if r.reaches_all_secrets() {
                cx.warning(
                    "SS0356",
                    format!(
                        "rule {} of {owner} grants `{}` on Secrets: bound with a ClusterRoleBinding, it reaches every Secret of every namespace",
                        i + 1,
                        r.verb_list()
                    ),
                    "grant Secrets with a Role in the namespaces that need them, bind this ClusterRole per namespace with `bind_in_namespace`, or list the Secrets with `resource_names`",
                );
            }
        }
        for (i, r) in self.non_resource.iter().enumerate() {
            r.check(cx, &owner, i + 1);
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
            aggregation_rule: None,
        };
        push(cx, None, &name, &object);
    }
}

impl Construct for ClusterRole {
    type Handle = ClusterRoleRef;

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
    use crate::{Namespace, ServiceAccount};
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
