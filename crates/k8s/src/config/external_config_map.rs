//! `ExternalConfigMap`: a ConfigMap provided outside the stack whose keys workloads may read.

use stacksmith_core::{
    Construct, KubeUse, Lower, Lowering, NameOrigin, NameRule, Scope, SourceKind,
};

use crate::NamespaceRef;
use crate::config::config_map::ConfigMapRef;
use crate::labels::check_data_keys;

/// A ConfigMap provided outside the stack, made by [`ConfigMap::external`](crate::ConfigMap::external).
///
/// Creates: nothing; it declares the keys, so containers reading them pass validation.
///
/// Defaults: the construct id is the name with characters ids cannot hold replaced by `-`;
/// `.id(...)` changes it when two externals would collide.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let xgt = stack.add(ConfigMap::external(&ns, "xgt-config", ["host", "port"]));
/// ```
#[derive(Clone, Debug)]
pub struct ExternalConfigMap {
    pub(super) id: String,
    pub(super) namespace: NamespaceRef,
    pub(super) name: String,
    pub(super) keys: Vec<String>,
}

impl ExternalConfigMap {
    /// Sets the construct id. Default: the name, made a valid id.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// A handle without adding it to the stack.
    pub fn reference(&self) -> ConfigMapRef {
        ConfigMapRef {
            name: self.name.clone(),
            namespace: self.namespace.name().to_owned(),
            keys: self.keys.clone(),
        }
    }
}

impl Lower for ExternalConfigMap {
    fn lower(&self, cx: &mut Lowering<'_>) {
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &self.name,
            "name",
            NameOrigin::Given("`ConfigMap::external(..)`"),
        );
        check_data_keys(cx, "ConfigMap", self.keys.iter().map(String::as_str));
        for key in &self.keys {
            let u = KubeUse {
                owner: cx.path().clone(),
                source: SourceKind::ConfigMap,
                namespace: self.namespace.name().to_owned(),
                name: self.name.clone(),
                key: key.clone(),
                reader: "declared external".to_owned(),
            };
            cx.external(u);
        }
    }
}

impl Construct for ExternalConfigMap {
    type Handle = ConfigMapRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("ConfigMap")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, _scope: &Scope) -> ConfigMapRef {
        self.reference()
    }
}

#[cfg(test)]
mod tests {
    use crate::{ConfigMap, Namespace};
    use stacksmith_core::Stack;

    #[test]
    fn external_config_map_creates_no_object_but_declares_keys() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(ConfigMap::external(&ns, "xgt.config", ["host", "port"]));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects.len(), 1);
        assert_eq!(g.externals.len(), 2);
        assert_eq!(g.externals[1].key, "port");
    }
}
