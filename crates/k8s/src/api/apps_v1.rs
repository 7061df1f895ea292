//! `io.k8s.api.apps.v1` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::api::Resource;

/// DaemonSet represents the configuration of a daemon set.
#[derive(Clone, Default)]
pub(crate) struct DaemonSet {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// The desired behavior of this daemon set.
    pub(crate) spec: Option<DaemonSetSpec>,
}

impl Resource for DaemonSet {
    const API_VERSION: &'static str = "apps/v1";
    const KIND: &'static str = "DaemonSet";
}

impl Serialize for DaemonSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("DaemonSet", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// DaemonSetSpec is the specification of a daemon set.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DaemonSetSpec {
    /// The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_ready_seconds: Option<i32>,
    /// The number of old history to retain to allow rollback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revision_history_limit: Option<i32>,
    /// A label query over pods that are managed by the daemon set.
    pub(crate) selector: crate::api::meta_v1::LabelSelector,
    /// An object that describes the pod that will be created.
    pub(crate) template: crate::api::core_v1::PodTemplateSpec,
    /// An update strategy to replace existing DaemonSet pods with new pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) update_strategy: Option<DaemonSetUpdateStrategy>,
}

/// DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DaemonSetUpdateStrategy {
    /// Rolling update config params.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rolling_update: Option<RollingUpdateDaemonSet>,
    /// Type of daemon set update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) type_: Option<String>,
}

/// Deployment enables declarative updates for Pods and ReplicaSets.
#[derive(Clone, Default)]
pub(crate) struct Deployment {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Specification of the desired behavior of the Deployment.
    pub(crate) spec: Option<DeploymentSpec>,
}

impl Resource for Deployment {
    const API_VERSION: &'static str = "apps/v1";
    const KIND: &'static str = "Deployment";
}

impl Serialize for Deployment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("Deployment", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// DeploymentSpec is the specification of the desired behavior of the Deployment.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeploymentSpec {
    /// Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_ready_seconds: Option<i32>,
    /// Indicates that the deployment is paused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) paused: Option<bool>,
    /// The maximum time in seconds for a deployment to make progress before it is considered to be failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) progress_deadline_seconds: Option<i32>,
    /// Number of desired pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) replicas: Option<i32>,
    /// The number of old ReplicaSets to retain to allow rollback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revision_history_limit: Option<i32>,
    /// Label selector for pods.
    pub(crate) selector: crate::api::meta_v1::LabelSelector,
    /// The deployment strategy to use to replace existing pods with new ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) strategy: Option<DeploymentStrategy>,
    /// Template describes the pods that will be created.
    pub(crate) template: crate::api::core_v1::PodTemplateSpec,
}

/// DeploymentStrategy describes how to replace existing pods with new ones.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeploymentStrategy {
    /// Rolling update config params.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rolling_update: Option<RollingUpdateDeployment>,
    /// Type of deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) type_: Option<String>,
}

/// Spec to control the desired behavior of daemon set rolling update.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RollingUpdateDaemonSet {
    /// The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_surge: Option<crate::api::IntOrString>,
    /// The maximum number of DaemonSet pods that can be unavailable during the update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_unavailable: Option<crate::api::IntOrString>,
}

/// Spec to control the desired behavior of rolling update.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RollingUpdateDeployment {
    /// The maximum number of pods that can be scheduled above the desired number of pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_surge: Option<crate::api::IntOrString>,
    /// The maximum number of pods that can be unavailable during the update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_unavailable: Option<crate::api::IntOrString>,
}

/// RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RollingUpdateStatefulSetStrategy {
    /// The maximum number of pods that can be unavailable during the update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_unavailable: Option<crate::api::IntOrString>,
    /// Partition indicates the ordinal at which the StatefulSet should be partitioned for updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) partition: Option<i32>,
}

/// StatefulSet represents a set of pods with consistent identities.
#[derive(Clone, Default)]
pub(crate) struct StatefulSet {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Spec defines the desired identities of pods in this set.
    pub(crate) spec: Option<StatefulSetSpec>,
}

impl Resource for StatefulSet {
    const API_VERSION: &'static str = "apps/v1";
    const KIND: &'static str = "StatefulSet";
}

impl Serialize for StatefulSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("StatefulSet", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs created from the StatefulSet VolumeClaimTemplates.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatefulSetPersistentVolumeClaimRetentionPolicy {
    /// WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) when_deleted: Option<String>,
    /// WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) when_scaled: Option<String>,
}

/// A StatefulSetSpec is the specification of a StatefulSet.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatefulSetSpec {
    /// Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_ready_seconds: Option<i32>,
    /// persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) persistent_volume_claim_retention_policy:
        Option<StatefulSetPersistentVolumeClaimRetentionPolicy>,
    /// podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pod_management_policy: Option<String>,
    /// replicas is the desired number of replicas of the given Template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) replicas: Option<i32>,
    /// revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revision_history_limit: Option<i32>,
    /// selector is a label query over pods that should match the replica count.
    pub(crate) selector: crate::api::meta_v1::LabelSelector,
    /// serviceName is the name of the service that governs this StatefulSet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service_name: Option<String>,
    /// template is the object that describes the pod that will be created if insufficient replicas are detected.
    pub(crate) template: crate::api::core_v1::PodTemplateSpec,
    /// updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) update_strategy: Option<StatefulSetUpdateStrategy>,
    /// volumeClaimTemplates is a list of claims that pods are allowed to reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) volume_claim_templates: Option<Vec<crate::api::core_v1::PersistentVolumeClaim>>,
}

/// StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatefulSetUpdateStrategy {
    /// RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rolling_update: Option<RollingUpdateStatefulSetStrategy>,
    /// Type indicates the type of the StatefulSetUpdateStrategy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) type_: Option<String>,
}
