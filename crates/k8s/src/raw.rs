//! `RawObject`: the escape hatch — any k8s-openapi object added as-is, for kinds and fields
//! stacksmith has no builder for.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use stacksmith_core::{Construct, KubeObject, Lower, Lowering, Scope};

/// Any Kubernetes object from k8s-openapi, written exactly as given.
///
/// Creates: that object. apiVersion and kind come from its type, name and namespace from its
/// `metadata`; no label or default is added and nothing is checked beyond the name being set.
///
/// ```no_run
/// use k8s_openapi::api::networking::v1::NetworkPolicy;
/// use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let policy = NetworkPolicy {
///     metadata: ObjectMeta {
///         name: Some("deny-all".into()),
///         namespace: Some("rocketgraph-api".into()),
///         ..ObjectMeta::default()
///     },
///     ..NetworkPolicy::default()
/// };
/// stack.add(RawObject::new("deny-all", policy));
/// ```
#[derive(Clone, Debug)]
pub struct RawObject {
    id: String,
    api_version: &'static str,
    kind: &'static str,
    name: Option<String>,
    namespace: Option<String>,
    body: Result<serde_json::Value, String>,
}

impl RawObject {
    /// Wraps `object`; it is serialised now and written unchanged.
    pub fn new<T>(id: impl Into<String>, object: T) -> Self
    where
        T: k8s_openapi::Metadata<Ty = ObjectMeta> + Serialize,
    {
        let meta = object.metadata();
        Self {
            id: id.into(),
            api_version: T::API_VERSION,
            kind: T::KIND,
            name: meta.name.clone(),
            namespace: meta.namespace.clone(),
            body: serde_json::to_value(&object).map_err(|e| e.to_string()),
        }
    }
}

/// A handle to a [`RawObject`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawObjectRef {
    kind: &'static str,
    name: String,
    namespace: Option<String>,
}

impl RawObjectRef {
    /// Its kind.
    pub fn kind(&self) -> &str {
        self.kind
    }

    /// Its `metadata.name` (empty if unset, which is an error at synthesis).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace; `None` for cluster-scoped objects.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
}

impl Lower for RawObject {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let Some(name) = &self.name else {
            cx.error(
                "SS0325",
                format!("raw {} has no `metadata.name`", self.kind),
                "set `metadata.name` on the object",
            );
            return;
        };
        match &self.body {
            Ok(body) => {
                let owner = cx.path().clone();
                cx.object(KubeObject {
                    owner,
                    api_version: self.api_version.to_owned(),
                    kind: self.kind.to_owned(),
                    namespace: self.namespace.clone(),
                    name: name.clone(),
                    body: body.clone().into(),
                });
            }
            Err(e) => cx.error(
                "SS0300",
                format!("raw {} `{name}` could not be serialised: {e}", self.kind),
                "check the object's fields; k8s-openapi types serialise unless a value is not representable in JSON",
            ),
        }
    }
}

impl Construct for RawObject {
    type Handle = RawObjectRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, _scope: &Scope) -> RawObjectRef {
        RawObjectRef {
            kind: self.kind,
            name: self.name.clone().unwrap_or_default(),
            namespace: self.namespace.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use stacksmith_core::Stack;

    #[test]
    fn raw_object_is_written_as_is() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(crate::Namespace::new("api"));
        let cm = ConfigMap {
            metadata: ObjectMeta {
                name: Some("raw".into()),
                namespace: Some("api".into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        };
        let h = stack.add(RawObject::new("raw", cm));
        assert_eq!(h.kind(), "ConfigMap");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let raw = &g.objects[1];
        assert_eq!(
            raw.body,
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "raw", "namespace": "api"}})
        );
        assert_eq!(raw.namespace.as_deref(), Some("api"));
    }

    #[test]
    fn fails_raw_object_without_name() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(RawObject::new("raw", ConfigMap::default()));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
