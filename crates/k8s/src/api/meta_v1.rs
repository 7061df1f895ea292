//! `io.k8s.apimachinery.pkg.apis.meta.v1` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;

/// A label selector is a label query over a set of resources.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LabelSelector {
    /// matchLabels is a map of {key,value} pairs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) match_labels: Option<std::collections::BTreeMap<String, String>>,
}

/// ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ObjectMeta {
    /// Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) annotations: Option<std::collections::BTreeMap<String, String>>,
    /// Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deletion_grace_period_seconds: Option<i64>,
    /// Must be empty before the object is deleted from the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) finalizers: Option<Vec<String>>,
    /// GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) generate_name: Option<String>,
    /// A sequence number representing a specific generation of the desired state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) generation: Option<i64>,
    /// Map of string keys and values that can be used to organize and categorize (scope and select) objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) labels: Option<std::collections::BTreeMap<String, String>>,
    /// Name must be unique within a namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// Namespace defines the space within which each name must be unique.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) namespace: Option<String>,
    /// An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resource_version: Option<String>,
    /// Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) self_link: Option<String>,
    /// UID is the unique in time and space value for this object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uid: Option<String>,
}
