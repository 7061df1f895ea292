//! `ExistingNamespace`: a namespace the cluster already has (`kube-system`, one a platform team
//! manages), declared on purpose so the stack may create objects in it.

use stacksmith_core::{Construct, KubeExisting, Lower, Lowering, NameRule, Scope};

use crate::NamespaceRef;

/// A namespace that exists on the cluster without the stack creating it, made by
/// [`Namespace::existing`](crate::Namespace::existing).
///
/// Creates: nothing. Objects may be created in it and refer to it; without this declaration an
/// object in a namespace the stack does not create is an error (SS0220), since each stack's
/// `kubernetes/` output is applied on its own.
///
/// Defaults: the construct id is `existing-<name>` (so it never collides with a namespace the
/// stack creates); `.id(...)` changes it.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let system = stack.add(Namespace::existing("kube-system"));
/// assert_eq!(system.name(), "kube-system");
/// ```
#[derive(Clone, Debug)]
pub struct ExistingNamespace {
    id: String,
    name: String,
}

impl ExistingNamespace {
    pub(crate) fn new(name: String) -> Self {
        Self {
            id: format!("existing-{name}"),
            name,
        }
    }

    /// Sets the construct id. Default: `existing-<name>`.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }
}

impl Lower for ExistingNamespace {
    fn lower(&self, cx: &mut Lowering<'_>) {
        cx.check_name(&NameRule::DNS_LABEL, &self.name, "namespace name");
        let e = KubeExisting {
            owner: cx.path().clone(),
            kind: "Namespace".to_owned(),
            namespace: None,
            name: self.name.clone(),
        };
        cx.existing(e);
    }
}

impl Construct for ExistingNamespace {
    type Handle = NamespaceRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> NamespaceRef {
        NamespaceRef::new(&self.name, scope.path.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::{ConfigMap, Namespace};
    use stacksmith_core::Stack;

    #[test]
    fn an_existing_namespace_creates_nothing_and_admits_objects() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::existing("kube-system"));
        stack.add(ConfigMap::new(&ns, "settings").data("level", "info"));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects.len(), 1, "only the ConfigMap");
        assert_eq!(g.existing[0].name, "kube-system");
    }
}
