//! `io.k8s.api.rbac.v1` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::api::Resource;

/// ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.
#[derive(Clone, Default)]
pub(crate) struct ClusterRole {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Rules holds all the PolicyRules for this ClusterRole.
    pub(crate) rules: Option<Vec<PolicyRule>>,
}

impl Resource for ClusterRole {
    const API_VERSION: &'static str = "rbac.authorization.k8s.io/v1";
    const KIND: &'static str = "ClusterRole";
}

impl Serialize for ClusterRole {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.rules.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("ClusterRole", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.rules {
            object.serialize_field("rules", value)?;
        }
        object.end()
    }
}

/// ClusterRoleBinding references a ClusterRole, but not contain it.
#[derive(Clone, Default)]
pub(crate) struct ClusterRoleBinding {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// RoleRef can only reference a ClusterRole in the global namespace.
    pub(crate) role_ref: RoleRef,
    /// Subjects holds references to the objects the role applies to.
    pub(crate) subjects: Option<Vec<Subject>>,
}

impl Resource for ClusterRoleBinding {
    const API_VERSION: &'static str = "rbac.authorization.k8s.io/v1";
    const KIND: &'static str = "ClusterRoleBinding";
}

impl Serialize for ClusterRoleBinding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, true, self.subjects.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("ClusterRoleBinding", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        object.serialize_field("roleRef", &self.role_ref)?;
        if let Some(value) = &self.subjects {
            object.serialize_field("subjects", value)?;
        }
        object.end()
    }
}

/// PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PolicyRule {
    /// APIGroups is the name of the APIGroup that contains the resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) api_groups: Option<Vec<String>>,
    /// NonResourceURLs is a set of partial urls that a user should have access to.
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Option::is_none")]
    pub(crate) non_resource_urls: Option<Vec<String>>,
    /// ResourceNames is an optional white list of names that the rule applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resource_names: Option<Vec<String>>,
    /// Resources is a list of resources this rule applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resources: Option<Vec<String>>,
    /// Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule.
    pub(crate) verbs: Vec<String>,
}

/// Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.
#[derive(Clone, Default)]
pub(crate) struct Role {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Rules holds all the PolicyRules for this Role.
    pub(crate) rules: Option<Vec<PolicyRule>>,
}

impl Resource for Role {
    const API_VERSION: &'static str = "rbac.authorization.k8s.io/v1";
    const KIND: &'static str = "Role";
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.rules.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("Role", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.rules {
            object.serialize_field("rules", value)?;
        }
        object.end()
    }
}

/// RoleBinding references a role, but does not contain it.
#[derive(Clone, Default)]
pub(crate) struct RoleBinding {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.
    pub(crate) role_ref: RoleRef,
    /// Subjects holds references to the objects the role applies to.
    pub(crate) subjects: Option<Vec<Subject>>,
}

impl Resource for RoleBinding {
    const API_VERSION: &'static str = "rbac.authorization.k8s.io/v1";
    const KIND: &'static str = "RoleBinding";
}

impl Serialize for RoleBinding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, true, self.subjects.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("RoleBinding", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        object.serialize_field("roleRef", &self.role_ref)?;
        if let Some(value) = &self.subjects {
            object.serialize_field("subjects", value)?;
        }
        object.end()
    }
}

/// RoleRef contains information that points to the role being used.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RoleRef {
    /// APIGroup is the group for the resource being referenced.
    pub(crate) api_group: String,
    /// Kind is the type of resource being referenced.
    pub(crate) kind: String,
    /// Name is the name of resource being referenced.
    pub(crate) name: String,
}

/// Subject contains a reference to the object or user identities a role binding applies to.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Subject {
    /// APIGroup holds the API group of the referenced subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) api_group: Option<String>,
    /// Kind of object being referenced.
    pub(crate) kind: String,
    /// Name of the object being referenced.
    pub(crate) name: String,
    /// Namespace of the referenced object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) namespace: Option<String>,
}
