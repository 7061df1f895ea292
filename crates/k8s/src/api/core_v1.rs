//! `io.k8s.api.core.v1` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::api::Resource;

/// Affinity is a group of affinity scheduling rules.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Affinity {
    /// Describes pod anti-affinity scheduling rules (e.g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pod_anti_affinity: Option<PodAntiAffinity>,
}

/// Adds and removes POSIX capabilities from running containers.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Capabilities {
    /// Added capabilities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) add: Option<Vec<String>>,
    /// Removed capabilities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) drop: Option<Vec<String>>,
}

/// ConfigMap holds configuration data for pods to consume.
#[derive(Clone, Default)]
pub(crate) struct ConfigMap {
    /// BinaryData contains the binary data.
    pub(crate) binary_data: Option<std::collections::BTreeMap<String, crate::api::ByteString>>,
    /// Data contains the configuration data.
    pub(crate) data: Option<std::collections::BTreeMap<String, String>>,
    /// Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).
    pub(crate) immutable: Option<bool>,
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
}

impl Resource for ConfigMap {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "ConfigMap";
}

impl Serialize for ConfigMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [
            true,
            true,
            true,
            self.binary_data.is_some(),
            self.data.is_some(),
            self.immutable.is_some(),
        ]
        .into_iter()
        .filter(|&w| w)
        .count();
        let mut object = serializer.serialize_struct("ConfigMap", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        if let Some(value) = &self.binary_data {
            object.serialize_field("binaryData", value)?;
        }
        if let Some(value) = &self.data {
            object.serialize_field("data", value)?;
        }
        if let Some(value) = &self.immutable {
            object.serialize_field("immutable", value)?;
        }
        object.serialize_field("metadata", &self.metadata)?;
        object.end()
    }
}

/// Selects a key from a ConfigMap.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConfigMapKeySelector {
    /// The key to select.
    pub(crate) key: String,
    /// Name of the referent.
    pub(crate) name: String,
    /// Specify whether the ConfigMap or its key must be defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) optional: Option<bool>,
}

/// Adapts a ConfigMap into a volume.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConfigMapVolumeSource {
    /// defaultMode is optional: mode bits used to set permissions on created files by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_mode: Option<i32>,
    /// items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) items: Option<Vec<KeyToPath>>,
    /// Name of the referent.
    pub(crate) name: String,
    /// optional specify whether the ConfigMap or its keys must be defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) optional: Option<bool>,
}

/// A single application container that you want to run within a pod.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Container {
    /// Arguments to the entrypoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) args: Option<Vec<String>>,
    /// Entrypoint array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) command: Option<Vec<String>>,
    /// List of environment variables to set in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) env: Option<Vec<EnvVar>>,
    /// Container image name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image: Option<String>,
    /// Image pull policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image_pull_policy: Option<String>,
    /// Actions that the management system should take in response to container lifecycle events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) lifecycle: Option<Lifecycle>,
    /// Periodic probe of container liveness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) liveness_probe: Option<Probe>,
    /// Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL).
    pub(crate) name: String,
    /// List of ports to expose from the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ports: Option<Vec<ContainerPort>>,
    /// Periodic probe of container service readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) readiness_probe: Option<Probe>,
    /// Compute Resources required by this container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resources: Option<ResourceRequirements>,
    /// RestartPolicy defines the restart behavior of individual containers in a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) restart_policy: Option<String>,
    /// SecurityContext defines the security options the container should be run with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) security_context: Option<SecurityContext>,
    /// StartupProbe indicates that the Pod has successfully initialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) startup_probe: Option<Probe>,
    /// Whether this container should allocate a buffer for stdin in the container runtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stdin: Option<bool>,
    /// Whether the container runtime should close the stdin channel after it has been opened by a single attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stdin_once: Option<bool>,
    /// Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) termination_message_path: Option<String>,
    /// Indicate how the termination message should be populated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) termination_message_policy: Option<String>,
    /// Whether this container should allocate a TTY for itself, also requires 'stdin' to be true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tty: Option<bool>,
    /// Pod volumes to mount into the container's filesystem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) volume_mounts: Option<Vec<VolumeMount>>,
    /// Container's working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) working_dir: Option<String>,
}

/// ContainerPort represents a network port in a single container.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContainerPort {
    /// Number of port to expose on the pod's IP address.
    pub(crate) container_port: i32,
    /// What host IP to bind the external port to.
    #[serde(rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub(crate) host_ip: Option<String>,
    /// Number of port to expose on the host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) host_port: Option<i32>,
    /// If specified, this must be an IANA_SVC_NAME and unique within the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// Protocol for port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) protocol: Option<String>,
}

/// Represents an empty directory for a pod.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmptyDirVolumeSource {
    /// medium represents what type of storage medium should back this directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) medium: Option<String>,
    /// sizeLimit is the total amount of local storage required for this EmptyDir volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) size_limit: Option<crate::api::Quantity>,
}

/// EnvVar represents an environment variable present in a Container.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvVar {
    /// Name of the environment variable.
    pub(crate) name: String,
    /// Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<String>,
    /// Source for the environment variable's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value_from: Option<EnvVarSource>,
}

/// EnvVarSource represents a source for the value of an EnvVar.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvVarSource {
    /// Selects a key of a ConfigMap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) config_map_key_ref: Option<ConfigMapKeySelector>,
    /// Selects a key of a secret in the pod's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) secret_key_ref: Option<SecretKeySelector>,
}

/// ExecAction describes a "run in container" action.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExecAction {
    /// Command is the command line to execute inside the container, the working directory for the command  is root ('/') in the container's filesystem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) command: Option<Vec<String>>,
}

/// GRPCAction specifies an action involving a GRPC service.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GRPCAction {
    /// Port number of the gRPC service.
    pub(crate) port: i32,
    /// Service is the name of the service to place in the gRPC HealthCheckRequest (see https://github.com/grpc/grpc/blob/master/doc/health-checking.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service: Option<String>,
}

/// HTTPGetAction describes an action based on HTTP Get requests.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HTTPGetAction {
    /// Host name to connect to, defaults to the pod IP. You probably want to set "Host" in httpHeaders instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) host: Option<String>,
    /// Path to access on the HTTP server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    /// Name or number of the port to access on the container.
    pub(crate) port: crate::api::IntOrString,
    /// Scheme to use for connecting to the host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scheme: Option<String>,
}

/// Represents a host path mapped into a pod.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HostPathVolumeSource {
    /// path of the directory on the host.
    pub(crate) path: String,
    /// type for HostPath Volume Defaults to "" More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) type_: Option<String>,
}

/// Maps a string key to a path within a volume.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyToPath {
    /// key is the key to project.
    pub(crate) key: String,
    /// mode is Optional: mode bits used to set permissions on this file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mode: Option<i32>,
    /// path is the relative path of the file to map the key to.
    pub(crate) path: String,
}

/// Lifecycle describes actions that the management system should take in response to container lifecycle events.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Lifecycle {
    /// PostStart is called immediately after a container is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) post_start: Option<LifecycleHandler>,
    /// PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pre_stop: Option<LifecycleHandler>,
    /// StopSignal defines which signal will be sent to a container when it is being stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stop_signal: Option<String>,
}

/// LifecycleHandler defines a specific action that should be taken in a lifecycle hook.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LifecycleHandler {
    /// Exec specifies a command to execute in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) exec: Option<ExecAction>,
    /// HTTPGet specifies an HTTP GET request to perform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http_get: Option<HTTPGetAction>,
    /// Sleep represents a duration that the container should sleep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sleep: Option<SleepAction>,
    /// Deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tcp_socket: Option<TCPSocketAction>,
}

/// LimitRange sets resource usage limits for each kind of resource in a Namespace.
#[derive(Clone, Default)]
pub(crate) struct LimitRange {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Spec defines the limits enforced.
    pub(crate) spec: Option<LimitRangeSpec>,
}

impl Resource for LimitRange {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "LimitRange";
}

impl Serialize for LimitRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("LimitRange", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// LimitRangeItem defines a min/max usage limit for any resource that matches on kind.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LimitRangeItem {
    /// Default resource requirement limit value by resource name if resource limit is omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_request: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// Max usage constraints on this kind by resource name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value; this represents the max burst for the named resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_limit_request_ratio:
        Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// Min usage constraints on this kind by resource name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// Type of resource that this limit applies to.
    pub(crate) type_: String,
}

/// LimitRangeSpec defines a min/max usage limit for resources that match on kind.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LimitRangeSpec {
    /// Limits is the list of LimitRangeItem objects that are enforced.
    pub(crate) limits: Vec<LimitRangeItem>,
}

/// LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocalObjectReference {
    /// Name of the referent.
    pub(crate) name: String,
}

/// Namespace provides a scope for Names.
#[derive(Clone, Default)]
pub(crate) struct Namespace {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
}

impl Resource for Namespace {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "Namespace";
}

impl Serialize for Namespace {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true].into_iter().filter(|&w| w).count();
        let mut object = serializer.serialize_struct("Namespace", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        object.end()
    }
}

/// PersistentVolumeClaim is a user's request for and claim to a persistent volume.
#[derive(Clone, Default)]
pub(crate) struct PersistentVolumeClaim {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// spec defines the desired characteristics of a volume requested by a pod author.
    pub(crate) spec: Option<PersistentVolumeClaimSpec>,
}

impl Resource for PersistentVolumeClaim {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "PersistentVolumeClaim";
}

impl Serialize for PersistentVolumeClaim {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("PersistentVolumeClaim", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PersistentVolumeClaimSpec {
    /// accessModes contains the desired access modes the volume should have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) access_modes: Option<Vec<String>>,
    /// resources represents the minimum resources the volume should have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resources: Option<VolumeResourceRequirements>,
    /// selector is a label query over volumes to consider for binding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) selector: Option<crate::api::meta_v1::LabelSelector>,
    /// storageClassName is the name of the StorageClass required by the claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) storage_class_name: Option<String>,
    /// volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) volume_attributes_class_name: Option<String>,
    /// volumeMode defines what type of volume is required by the claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) volume_mode: Option<String>,
    /// volumeName is the binding reference to the PersistentVolume backing this claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) volume_name: Option<String>,
}

/// PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PersistentVolumeClaimVolumeSource {
    /// claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.
    pub(crate) claim_name: String,
    /// readOnly Will force the ReadOnly setting in VolumeMounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) read_only: Option<bool>,
}

/// Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key \<topologyKey\> matches that of any node on which a pod of the set of pods is running.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodAffinityTerm {
    /// A label query over a set of resources, in this case pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) label_selector: Option<crate::api::meta_v1::LabelSelector>,
    /// MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) match_label_keys: Option<Vec<String>>,
    /// MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mismatch_label_keys: Option<Vec<String>>,
    /// A label query over the set of namespaces that the term applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) namespace_selector: Option<crate::api::meta_v1::LabelSelector>,
    /// namespaces specifies a static list of namespace names that the term applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) namespaces: Option<Vec<String>>,
    /// This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running.
    pub(crate) topology_key: String,
}

/// Pod anti affinity is a group of inter pod anti affinity scheduling rules.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodAntiAffinity {
    /// The scheduler will prefer to schedule pods to nodes that satisfy the anti-affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) preferred_during_scheduling_ignored_during_execution:
        Option<Vec<WeightedPodAffinityTerm>>,
    /// If the anti-affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) required_during_scheduling_ignored_during_execution: Option<Vec<PodAffinityTerm>>,
}

/// PodSecurityContext holds pod-level security attributes and common container settings.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodSecurityContext {
    /// A special supplemental group that applies to all containers in a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fs_group: Option<i64>,
    /// fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fs_group_change_policy: Option<String>,
    /// The GID to run the entrypoint of the container process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run_as_group: Option<i64>,
    /// Indicates that the container must run as a non-root user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run_as_non_root: Option<bool>,
    /// The UID to run the entrypoint of the container process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run_as_user: Option<i64>,
    /// seLinuxChangePolicy defines how the container's SELinux label is applied to all volumes used by the Pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) se_linux_change_policy: Option<String>,
    /// The seccomp options to use by the containers in this pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seccomp_profile: Option<SeccompProfile>,
    /// A list of groups applied to the first process run in each container, in addition to the container's primary GID and fsGroup (if specified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) supplemental_groups: Option<Vec<i64>>,
    /// Defines how supplemental groups of the first container processes are calculated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) supplemental_groups_policy: Option<String>,
}

/// PodSpec is a description of a pod.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodSpec {
    /// Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) active_deadline_seconds: Option<i64>,
    /// If specified, the pod's scheduling constraints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) affinity: Option<Affinity>,
    /// AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) automount_service_account_token: Option<bool>,
    /// List of containers belonging to the pod.
    pub(crate) containers: Vec<Container>,
    /// Set DNS policy for the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dns_policy: Option<String>,
    /// EnableServiceLinks indicates whether information about services should be injected into pod's environment variables, matching the syntax of Docker links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enable_service_links: Option<bool>,
    /// Use the host's ipc namespace.
    #[serde(rename = "hostIPC", skip_serializing_if = "Option::is_none")]
    pub(crate) host_ipc: Option<bool>,
    /// Host networking requested for this pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) host_network: Option<bool>,
    /// Use the host's pid namespace.
    #[serde(rename = "hostPID", skip_serializing_if = "Option::is_none")]
    pub(crate) host_pid: Option<bool>,
    /// Use the host's user namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) host_users: Option<bool>,
    /// Specifies the hostname of the Pod If not specified, the pod's hostname will be set to a system-defined value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hostname: Option<String>,
    /// HostnameOverride specifies an explicit override for the pod's hostname as perceived by the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hostname_override: Option<String>,
    /// ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image_pull_secrets: Option<Vec<LocalObjectReference>>,
    /// List of initialization containers belonging to the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) init_containers: Option<Vec<Container>>,
    /// NodeName indicates in which node this pod is scheduled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) node_name: Option<String>,
    /// NodeSelector is a selector which must be true for the pod to fit on a node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) node_selector: Option<std::collections::BTreeMap<String, String>>,
    /// Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) overhead: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// PreemptionPolicy is the Policy for preempting pods with lower priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) preemption_policy: Option<String>,
    /// The priority value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) priority: Option<i32>,
    /// If specified, indicates the pod's priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) priority_class_name: Option<String>,
    /// Resources is the total amount of CPU and Memory resources required by all containers in the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resources: Option<ResourceRequirements>,
    /// Restart policy for all containers within the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) restart_policy: Option<String>,
    /// RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) runtime_class_name: Option<String>,
    /// If specified, the pod will be dispatched by specified scheduler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scheduler_name: Option<String>,
    /// SecurityContext holds pod-level security attributes and common container settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) security_context: Option<PodSecurityContext>,
    /// DeprecatedServiceAccount is a deprecated alias for ServiceAccountName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service_account: Option<String>,
    /// ServiceAccountName is the name of the ServiceAccount to use to run this pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service_account_name: Option<String>,
    /// If true the pod's hostname will be configured as the pod's FQDN, rather than the leaf name (the default).
    #[serde(rename = "setHostnameAsFQDN", skip_serializing_if = "Option::is_none")]
    pub(crate) set_hostname_as_fqdn: Option<bool>,
    /// Share a single process namespace between all of the containers in a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) share_process_namespace: Option<bool>,
    /// If specified, the fully qualified Pod hostname will be "\<hostname\>.\<subdomain\>.\<pod namespace\>.svc.\<cluster domain\>".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) subdomain: Option<String>,
    /// Optional duration in seconds the pod needs to terminate gracefully.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) termination_grace_period_seconds: Option<i64>,
    /// If specified, the pod's tolerations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tolerations: Option<Vec<Toleration>>,
    /// TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) topology_spread_constraints: Option<Vec<TopologySpreadConstraint>>,
    /// List of volumes that can be mounted by containers belonging to the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) volumes: Option<Vec<Volume>>,
}

/// PodTemplateSpec describes the data a pod should have when created from a template.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodTemplateSpec {
    /// Standard object's metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<crate::api::meta_v1::ObjectMeta>,
    /// Specification of the desired behavior of the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) spec: Option<PodSpec>,
}

/// Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Probe {
    /// Exec specifies a command to execute in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) exec: Option<ExecAction>,
    /// Minimum consecutive failures for the probe to be considered failed after having succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failure_threshold: Option<i32>,
    /// GRPC specifies a GRPC HealthCheckRequest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) grpc: Option<GRPCAction>,
    /// HTTPGet specifies an HTTP GET request to perform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http_get: Option<HTTPGetAction>,
    /// Number of seconds after the container has started before liveness probes are initiated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) initial_delay_seconds: Option<i32>,
    /// How often (in seconds) to perform the probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) period_seconds: Option<i32>,
    /// Minimum consecutive successes for the probe to be considered successful after having failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) success_threshold: Option<i32>,
    /// TCPSocket specifies a connection to a TCP port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tcp_socket: Option<TCPSocketAction>,
    /// Optional duration in seconds the pod needs to terminate gracefully upon probe failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) termination_grace_period_seconds: Option<i64>,
    /// Number of seconds after which the probe times out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) timeout_seconds: Option<i32>,
}

/// ResourceQuota sets aggregate quota restrictions enforced per namespace.
#[derive(Clone, Default)]
pub(crate) struct ResourceQuota {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Spec defines the desired quota.
    pub(crate) spec: Option<ResourceQuotaSpec>,
}

impl Resource for ResourceQuota {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "ResourceQuota";
}

impl Serialize for ResourceQuota {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("ResourceQuota", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// ResourceQuotaSpec defines the desired hard limits to enforce for Quota.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceQuotaSpec {
    /// hard is the set of desired hard limits for each named resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hard: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// A collection of filters that must match each object tracked by a quota.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scopes: Option<Vec<String>>,
}

/// ResourceRequirements describes the compute resource requirements.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceRequirements {
    /// Limits describes the maximum amount of compute resources allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) limits: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// Requests describes the minimum amount of compute resources required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) requests: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
}

/// SeccompProfile defines a pod/container's seccomp profile settings.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SeccompProfile {
    /// localhostProfile indicates a profile defined in a file on the node should be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) localhost_profile: Option<String>,
    /// type indicates which kind of seccomp profile will be applied.
    pub(crate) type_: String,
}

/// Secret holds secret data of a certain type.
#[derive(Clone, Default)]
pub(crate) struct Secret {
    /// Data contains the secret data.
    pub(crate) data: Option<std::collections::BTreeMap<String, crate::api::ByteString>>,
    /// Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).
    pub(crate) immutable: Option<bool>,
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// stringData allows specifying non-binary secret data in string form.
    pub(crate) string_data: Option<std::collections::BTreeMap<String, String>>,
    /// Used to facilitate programmatic handling of secret data.
    pub(crate) type_: Option<String>,
}

impl Resource for Secret {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "Secret";
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [
            true,
            true,
            true,
            self.data.is_some(),
            self.immutable.is_some(),
            self.string_data.is_some(),
            self.type_.is_some(),
        ]
        .into_iter()
        .filter(|&w| w)
        .count();
        let mut object = serializer.serialize_struct("Secret", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        if let Some(value) = &self.data {
            object.serialize_field("data", value)?;
        }
        if let Some(value) = &self.immutable {
            object.serialize_field("immutable", value)?;
        }
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.string_data {
            object.serialize_field("stringData", value)?;
        }
        if let Some(value) = &self.type_ {
            object.serialize_field("type", value)?;
        }
        object.end()
    }
}

/// SecretKeySelector selects a key of a Secret.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretKeySelector {
    /// The key of the secret to select from.
    pub(crate) key: String,
    /// Name of the referent.
    pub(crate) name: String,
    /// Specify whether the Secret or its key must be defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) optional: Option<bool>,
}

/// Adapts a Secret into a volume.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretVolumeSource {
    /// defaultMode is Optional: mode bits used to set permissions on created files by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_mode: Option<i32>,
    /// items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) items: Option<Vec<KeyToPath>>,
    /// optional field specify whether the Secret or its keys must be defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) optional: Option<bool>,
    /// secretName is the name of the secret in the pod's namespace to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) secret_name: Option<String>,
}

/// SecurityContext holds security configuration that will be applied to a container.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecurityContext {
    /// AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) allow_privilege_escalation: Option<bool>,
    /// The capabilities to add/drop when running containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) capabilities: Option<Capabilities>,
    /// Run container in privileged mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) privileged: Option<bool>,
    /// procMount denotes the type of proc mount to use for the containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) proc_mount: Option<String>,
    /// Whether this container has a read-only root filesystem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) read_only_root_filesystem: Option<bool>,
    /// The GID to run the entrypoint of the container process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run_as_group: Option<i64>,
    /// Indicates that the container must run as a non-root user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run_as_non_root: Option<bool>,
    /// The UID to run the entrypoint of the container process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run_as_user: Option<i64>,
    /// The seccomp options to use by this container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seccomp_profile: Option<SeccompProfile>,
}

/// Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.
#[derive(Clone, Default)]
pub(crate) struct Service {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Spec defines the behavior of a service.
    pub(crate) spec: Option<ServiceSpec>,
}

impl Resource for Service {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "Service";
}

impl Serialize for Service {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("Service", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets.
#[derive(Clone, Default)]
pub(crate) struct ServiceAccount {
    /// AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.
    pub(crate) automount_service_account_token: Option<bool>,
    /// ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.
    pub(crate) image_pull_secrets: Option<Vec<LocalObjectReference>>,
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
}

impl Resource for ServiceAccount {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "ServiceAccount";
}

impl Serialize for ServiceAccount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [
            true,
            true,
            true,
            self.automount_service_account_token.is_some(),
            self.image_pull_secrets.is_some(),
        ]
        .into_iter()
        .filter(|&w| w)
        .count();
        let mut object = serializer.serialize_struct("ServiceAccount", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        if let Some(value) = &self.automount_service_account_token {
            object.serialize_field("automountServiceAccountToken", value)?;
        }
        if let Some(value) = &self.image_pull_secrets {
            object.serialize_field("imagePullSecrets", value)?;
        }
        object.serialize_field("metadata", &self.metadata)?;
        object.end()
    }
}

/// ServicePort contains information on service's port.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServicePort {
    /// The application protocol for this port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) app_protocol: Option<String>,
    /// The name of this port within the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// The port on each node on which this service is exposed when type is NodePort or LoadBalancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) node_port: Option<i32>,
    /// The port that will be exposed by this service.
    pub(crate) port: i32,
    /// The IP protocol for this port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) protocol: Option<String>,
    /// Number or name of the port to access on the pods targeted by the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target_port: Option<crate::api::IntOrString>,
}

/// ServiceSpec describes the attributes that a user creates on a service.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceSpec {
    /// allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) allocate_load_balancer_node_ports: Option<bool>,
    /// clusterIP is the IP address of the service and is usually assigned randomly.
    #[serde(rename = "clusterIP", skip_serializing_if = "Option::is_none")]
    pub(crate) cluster_ip: Option<String>,
    /// ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.
    #[serde(rename = "clusterIPs", skip_serializing_if = "Option::is_none")]
    pub(crate) cluster_ips: Option<Vec<String>>,
    /// externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.
    #[serde(rename = "externalIPs", skip_serializing_if = "Option::is_none")]
    pub(crate) external_ips: Option<Vec<String>>,
    /// externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) external_name: Option<String>,
    /// externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service's "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) external_traffic_policy: Option<String>,
    /// healthCheckNodePort specifies the healthcheck nodePort for the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) health_check_node_port: Option<i32>,
    /// InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. If set to "Local", the proxy will assume that pods only want to talk to endpoints of the service on the same node as the pod, dropping the traffic if there are no local endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) internal_traffic_policy: Option<String>,
    /// IPFamilies is a list of IP families (e.g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ip_families: Option<Vec<String>>,
    /// IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ip_family_policy: Option<String>,
    /// loadBalancerClass is the class of the load balancer implementation this Service belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) load_balancer_class: Option<String>,
    /// Only applies to Service Type: LoadBalancer.
    #[serde(rename = "loadBalancerIP", skip_serializing_if = "Option::is_none")]
    pub(crate) load_balancer_ip: Option<String>,
    /// If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) load_balancer_source_ranges: Option<Vec<String>>,
    /// The list of ports that are exposed by this service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ports: Option<Vec<ServicePort>>,
    /// publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) publish_not_ready_addresses: Option<bool>,
    /// Route service traffic to pods with label keys and values matching this selector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) selector: Option<std::collections::BTreeMap<String, String>>,
    /// Supports "ClientIP" and "None".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) session_affinity: Option<String>,
    /// TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) traffic_distribution: Option<String>,
    /// type determines how the Service is exposed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) type_: Option<String>,
}

/// SleepAction describes a "sleep" action.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SleepAction {
    /// Seconds is the number of seconds to sleep.
    pub(crate) seconds: i64,
}

/// TCPSocketAction describes an action based on opening a socket.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TCPSocketAction {
    /// Optional: Host name to connect to, defaults to the pod IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) host: Option<String>,
    /// Number or name of the port to access on the container.
    pub(crate) port: crate::api::IntOrString,
}

/// The pod this Toleration is attached to tolerates any taint that matches the triple \<key,value,effect\> using the matching operator \<operator\>.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Toleration {
    /// Effect indicates the taint effect to match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) effect: Option<String>,
    /// Key is the taint key that the toleration applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) key: Option<String>,
    /// Operator represents a key's relationship to the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) operator: Option<String>,
    /// TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) toleration_seconds: Option<i64>,
    /// Value is the taint value the toleration matches to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<String>,
}

/// TopologySpreadConstraint specifies how to spread matching pods among the given topology.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TopologySpreadConstraint {
    /// LabelSelector is used to find matching pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) label_selector: Option<crate::api::meta_v1::LabelSelector>,
    /// MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) match_label_keys: Option<Vec<String>>,
    /// MaxSkew describes the degree to which pods may be unevenly distributed.
    pub(crate) max_skew: i32,
    /// MinDomains indicates a minimum number of eligible domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_domains: Option<i32>,
    /// NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) node_affinity_policy: Option<String>,
    /// NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) node_taints_policy: Option<String>,
    /// TopologyKey is the key of node labels.
    pub(crate) topology_key: String,
    /// WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint.
    pub(crate) when_unsatisfiable: String,
}

/// Volume represents a named volume in a pod that may be accessed by any container in the pod.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Volume {
    /// configMap represents a configMap that should populate this volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) config_map: Option<ConfigMapVolumeSource>,
    /// emptyDir represents a temporary directory that shares a pod's lifetime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) empty_dir: Option<EmptyDirVolumeSource>,
    /// hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) host_path: Option<HostPathVolumeSource>,
    /// name of the volume.
    pub(crate) name: String,
    /// persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) persistent_volume_claim: Option<PersistentVolumeClaimVolumeSource>,
    /// secret represents a secret that should populate this volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) secret: Option<SecretVolumeSource>,
}

/// VolumeMount describes a mounting of a Volume within a container.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VolumeMount {
    /// Path within the container at which the volume should be mounted.
    pub(crate) mount_path: String,
    /// mountPropagation determines how mounts are propagated from the host to container and the other way around.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mount_propagation: Option<String>,
    /// This must match the Name of a Volume.
    pub(crate) name: String,
    /// Mounted read-only if true, read-write otherwise (false or unspecified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) read_only: Option<bool>,
    /// RecursiveReadOnly specifies whether read-only mounts should be handled recursively.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) recursive_read_only: Option<String>,
    /// Path within the volume from which the container's volume should be mounted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub_path: Option<String>,
    /// Expanded path within the volume from which the container's volume should be mounted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub_path_expr: Option<String>,
}

/// VolumeResourceRequirements describes the storage resource requirements for a volume.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VolumeResourceRequirements {
    /// Limits describes the maximum amount of compute resources allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) limits: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
    /// Requests describes the minimum amount of compute resources required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) requests: Option<std::collections::BTreeMap<String, crate::api::Quantity>>,
}

/// The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s).
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WeightedPodAffinityTerm {
    /// Required.
    pub(crate) pod_affinity_term: PodAffinityTerm,
    /// weight associated with matching the corresponding podAffinityTerm, in the range 1-100.
    pub(crate) weight: i32,
}
