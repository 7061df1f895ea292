//! `Namespace`: the scope every namespaced construct is created in, and `NamespaceRef`, the
//! handle those constructs take.

use crate::api::core_v1::Namespace as KNamespace;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::labels::{check_labels, meta, push};

/// A Kubernetes Namespace: a named scope for workloads, their Services and configuration.
///
/// Creates: one `v1/Namespace`.
///
/// Defaults: the construct id is the namespace name (a DNS-1123 label; `.id(...)` changes it
/// when a workload has the same id); the labels are the user's plus
/// `app.kubernetes.io/managed-by: stacksmith`.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api").label("environment", "production"));
/// assert_eq!(ns.name(), "rocketgraph-api");
/// ```
#[derive(Clone, Debug)]
pub struct Namespace {
    id: Option<String>,
    name: String,
    labels: Vec<(String, String)>,
}

impl Namespace {
    /// A namespace named `name`; its construct id is the name too.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            id: None,
            name: name.into(),
            labels: Vec::new(),
        }
    }

    /// A namespace the cluster already has (`kube-system`), declared on purpose: the stack
    /// creates objects in it without creating it. See [`ExistingNamespace`](crate::ExistingNamespace).
    pub fn existing(name: impl Into<String>) -> crate::ExistingNamespace {
        crate::ExistingNamespace::new(name.into())
    }

    /// Sets the construct id, for a namespace whose name is also a workload's id.
    /// Default: the namespace name.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Adds a label to the Namespace object.
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }
}

/// A handle to a [`Namespace`]: what namespaced constructs are created in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceRef {
    name: String,
    path: Path,
}

impl NamespaceRef {
    pub(crate) fn new(name: &str, path: Path) -> Self {
        Self {
            name: name.to_owned(),
            path,
        }
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Lower for Namespace {
    fn lower(&self, cx: &mut Lowering<'_>) {
        cx.check_name_from(
            &NameRule::DNS_LABEL,
            &self.name,
            "namespace name",
            NameOrigin::Given("`Namespace::new(..)`"),
        );
        check_labels(cx, &self.labels);
        let object = KNamespace {
            metadata: meta(
                &self.name,
                None,
                self.labels.iter().map(|(k, v)| (k, v)),
                [],
            ),
        };
        push(cx, None, &self.name, &object);
    }
}

impl Construct for Namespace {
    type Handle = NamespaceRef;

    fn id(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.name)
    }

    fn handle(&self, scope: &Scope) -> NamespaceRef {
        NamespaceRef {
            name: self.name.clone(),
            path: scope.path.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;

    #[test]
    fn namespace_carries_user_and_managed_by_labels() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(Namespace::new("rocketgraph-api").label("environment", "production"));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let labels = &g.objects[0].body["metadata"]["labels"];
        assert_eq!(labels["environment"], "production");
        assert_eq!(labels["app.kubernetes.io/managed-by"], "stacksmith");
        assert_eq!(g.objects[0].body["kind"], "Namespace");
        assert_eq!(g.objects[0].namespace, None);
    }

    #[test]
    fn namespace_id_can_differ_from_its_name() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("api").id("api-namespace"));
        assert_eq!(ns.path().to_string(), "prod/api-namespace");
        assert_eq!(stack.lower().objects[0].name, "api");
    }

    #[test]
    fn fails_invalid_label() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(
            Namespace::new("apps")
                .label("stacksmith.dev/id", "x")
                .label("team", "a b"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
