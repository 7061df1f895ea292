//! Kubernetes constructs for stacksmith: namespaces, workloads (Deployment, StatefulSet,
//! DaemonSet, Job, CronJob) sharing one pod template, blue-green and canary releases, volumes,
//! services (AWS NLBs included), ingress, autoscaling, disruption budgets, network policies,
//! RBAC, quotas and typed custom resources (KubeDB, cert-manager, Prometheus Operator),
//! lowering to Kubernetes API objects with secure, highly available defaults.
//!
//! Diagnostic codes: SS03xx (invalid names, SS0103, and duplicate or unresolved objects and
//! keys, SS0204–SS0206, come from core), each with its title and explanation in
//! [`stacksmith_core::codes`] (`--explain SS0301` on an app's command line).

// Lowering reads user-given numbers and names: no unchecked arithmetic, indexing or panics
// outside tests (issue 13; checked or saturating operations, `get`, and a diagnostic instead).
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod api;
mod config;
mod custom;
mod existing_namespace;
mod labels;
mod namespace;
mod networking;
mod pod;
mod policy;
mod quantity;
#[cfg(feature = "k8s-openapi")]
mod raw;
mod rbac;
mod release;
mod storage;
mod workload;

pub use config::config_map::{ConfigMap, ConfigMapRef};
pub use config::external_config_map::ExternalConfigMap;
pub use config::secret::{Secret, SecretRef};
pub use config::secret_with_values::SecretWithValues;
pub use custom::cert_manager::cluster_issuer::{
    AcmeServer, ClusterIssuer, ClusterIssuerRef, SolverService,
};
pub use custom::external_secrets::cluster_secret_store::{
    ClusterSecretStore, ClusterSecretStoreRef,
};
pub use custom::external_secrets::external_secret::{ExternalSecret, SyncedTemplate};
pub use custom::kubedb::database_tls::{DatabaseTls, KubeDbDatabase};
pub use custom::kubedb::mongo_db::{MongoDb, MongoDbRef, MongoTopology};
pub use custom::kubedb::redis::{Redis, RedisMode, RedisRef};
pub use custom::kubedb::{DatabaseMonitor, DeletionPolicy, StorageSize, StorageType};
pub use custom::prometheus::prometheus_rule::{PrometheusRule, PrometheusRuleRef};
pub use custom::prometheus::service_monitor::{ScrapeTls, ServiceMonitor, ServiceMonitorRef};
pub use custom::prometheus::slo::Slo;
pub use custom::{
    ClusterScoped, CustomResource, CustomResourceKind, CustomResourceRef, Namespaced, ResourceScope,
};
pub use existing_namespace::ExistingNamespace;
pub use labels::{
    AWS_IDENTITY_LABEL, COLOUR_LABEL, IDENTITY_LABEL, MANAGED_BY_LABEL, RELEASE_LABEL, TRACK_LABEL,
};
pub use namespace::{Namespace, NamespaceRef};
pub use networking::ingress::{Ingress, IngressRef};
pub use networking::network_policy::{
    AllowEgress, AllowFrom, AllowFromCidr, AllowFromNamespace, DefaultDeny, NetworkPeer,
    NetworkPolicyRef,
};
pub use networking::service::{Nlb, PortRef, Service, ServiceRef, ServiceType};
pub use pod::container::{CLOUD_OBJECT_SUFFIX, Container, Probe, PullPolicy};
pub use pod::toleration::{TaintEffect, Toleration};
pub use policy::limit_range::{LimitRange, LimitRangeRef};
pub use policy::resource_quota::{ResourceQuota, ResourceQuotaRef};
pub use quantity::{Cpu, IntOrPercent, Memory};
#[cfg(feature = "k8s-openapi")]
pub use raw::{RawObject, RawObjectRef};
pub use rbac::cluster_role::{ClusterRole, ClusterRoleRef};
pub use rbac::cluster_role_binding::ClusterRoleBinding;
pub use rbac::role::{Role, RoleRef};
pub use rbac::role_binding::{RoleBinding, RoleBindingRef};
pub use rbac::rule::{NonResourceRule, Rule, Verb};
pub use rbac::service_account::{ServiceAccount, ServiceAccountRef};
pub use release::blue_green::{BlueGreen, BlueGreenRef, Colour};
pub use release::canary::{Canary, CanaryRef};
pub use release::progressive_canary::{ErrorRate, ProgressiveCanary, ProgressiveCanaryRef};
pub use storage::persistent_volume_claim::{
    AccessMode, PersistentVolumeClaim, PersistentVolumeClaimRef, VolumeClaim,
};
pub use storage::volume::{ConfigMapVolume, EmptyDirVolume, SecretVolume, Volume};
pub use workload::cron_job::{ConcurrencyPolicy, CronJob, CronJobRef};
pub use workload::daemon_set::{DaemonSet, DaemonSetRef, DaemonSetUpdate};
pub use workload::deployment::{Deployment, DeploymentRef};
pub use workload::horizontal_pod_autoscaler::{HorizontalPodAutoscaler, ScalingBehavior};
pub use workload::job::{Job, JobRef, RestartPolicy};
pub use workload::pod_disruption_budget::{Budget, PodDisruptionBudget, PodDisruptionBudgetRef};
pub use workload::stateful_set::{PodManagement, StatefulSet, StatefulSetRef};
pub use workload::vertical_pod_autoscaler::{UpdateMode, VerticalPodAutoscaler};

/// The schemars version [`CustomResourceKind`] specs derive `JsonSchema` from.
pub use schemars;

#[cfg(test)]
mod api_version_tests {
    /// The version `manifest.json` declares (and EKS clusters default to) is the one the API
    /// types are generated for, ...
    #[test]
    fn the_declared_kubernetes_version_is_the_generated_api_types() {
        let version = format!("of Kubernetes {}:", stacksmith_core::KUBERNETES_API_VERSION);
        for module in [
            include_str!("api/apps_v1.rs"),
            include_str!("api/autoscaling_v2.rs"),
            include_str!("api/batch_v1.rs"),
            include_str!("api/core_v1.rs"),
            include_str!("api/meta_v1.rs"),
            include_str!("api/networking_v1.rs"),
            include_str!("api/policy_v1.rs"),
            include_str!("api/rbac_v1.rs"),
        ] {
            assert!(
                module.lines().next().is_some_and(|l| l.contains(&version)),
                "{version}"
            );
        }
    }

    /// ... and the one of the k8s-openapi types `RawObject` takes.
    #[test]
    fn the_declared_kubernetes_version_is_the_k8s_openapi_feature() {
        let feature = format!(
            "features = [\"v{}\"]",
            stacksmith_core::KUBERNETES_API_VERSION.replace('.', "_")
        );
        assert!(
            include_str!("../../../Cargo.toml").contains(&feature),
            "{feature}"
        );
    }
}
