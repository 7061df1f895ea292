//! `Verb`, `Rule` and `NonResourceRule`: the typed RBAC rules Roles and ClusterRoles hold,
//! checked for wildcards and escalation verbs.

use crate::api::rbac_v1::PolicyRule;
use stacksmith_core::Lowering;

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

    pub(super) fn verb_list(&self) -> String {
        self.verbs
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(super) fn check(&self, cx: &mut Lowering<'_>, owner: &str, n: usize) {
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
    pub(super) fn reaches_all_secrets(&self) -> bool {
        self.api_groups.iter().any(|g| g.is_empty() || g == "*")
            && self.resources.iter().any(|r| r == "secrets" || r == "*")
            && self.resource_names.is_empty()
            && !self.verbs.is_empty()
    }

    pub(super) fn lower(&self) -> PolicyRule {
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

    pub(super) fn check(&self, cx: &mut Lowering<'_>, owner: &str, n: usize) {
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
            let valid = (url.starts_with('/') || url == "*")
                && star.is_none_or(|i| i == url.len().saturating_sub(1));
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

    pub(super) fn lower(&self) -> PolicyRule {
        PolicyRule {
            non_resource_urls: Some(self.urls.clone()),
            verbs: vec!["get".to_owned()],
            ..PolicyRule::default()
        }
    }
}

/// A rule set that grants nothing is an error (SS0359).
pub(super) fn check_not_empty(cx: &mut Lowering<'_>, owner: &str, empty: bool) {
    if empty {
        cx.error(
            "SS0359",
            format!("{owner} has no rules, so it grants nothing"),
            "add the permissions it should grant with `.rule(Rule::new()...)`",
        );
    }
}
