//! `io.k8s.api.policy.v1` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::api::Resource;

/// PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods.
#[derive(Clone, Default)]
pub(crate) struct PodDisruptionBudget {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Specification of the desired behavior of the PodDisruptionBudget.
    pub(crate) spec: Option<PodDisruptionBudgetSpec>,
}

impl Resource for PodDisruptionBudget {
    const API_VERSION: &'static str = "policy/v1";
    const KIND: &'static str = "PodDisruptionBudget";
}

impl Serialize for PodDisruptionBudget {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("PodDisruptionBudget", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodDisruptionBudgetSpec {
    /// An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_unavailable: Option<crate::api::IntOrString>,
    /// An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_available: Option<crate::api::IntOrString>,
    /// Label query over pods whose evictions are managed by the disruption budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) selector: Option<crate::api::meta_v1::LabelSelector>,
    /// UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unhealthy_pod_eviction_policy: Option<String>,
}
