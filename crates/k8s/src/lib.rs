//! Kubernetes constructs for stacksmith: namespaces, workloads (Deployment, StatefulSet,
//! DaemonSet, Job, CronJob) sharing one pod template, blue-green and canary releases, volumes,
//! services (AWS NLBs included), ingress, autoscaling, disruption budgets, network policies,
//! RBAC, quotas and typed custom resources (KubeDB, cert-manager, Prometheus Operator),
//! lowering to Kubernetes API objects with secure, highly available defaults.
//!
//! Diagnostic codes: SS03xx (invalid names, SS0103, and duplicate or unresolved objects and
//! keys, SS0204–SS0206, come from core), each with its title and explanation in
//! [`stacksmith_core::codes`] (`--explain SS0301` on an app's command line).

mod blue_green;
mod canary;
mod cert_manager;
mod claim;
mod config_map;
mod container;
mod cron_job;
mod custom_resource;
mod daemon_set;
mod deployment;
mod hpa;
mod ingress;
mod job;
mod kubedb;
mod labels;
mod limit_range;
mod namespace;
mod network_policy;
mod pdb;
mod pod;
mod prometheus;
mod quantity;
mod raw;
mod release;
mod resource_quota;
mod role;
mod role_binding;
mod schedule;
mod secret;
mod service;
mod service_account;
mod stateful_set;
mod toleration;
mod volume;

pub use blue_green::{BlueGreen, BlueGreenRef, Colour};
pub use canary::{Canary, CanaryRef};
pub use cert_manager::{AcmeServer, ClusterIssuer, ClusterIssuerRef, SolverService};
pub use claim::{AccessMode, PersistentVolumeClaim, PersistentVolumeClaimRef, VolumeClaim};
pub use config_map::{ConfigMap, ConfigMapRef, ExternalConfigMap};
pub use container::{CLOUD_OBJECT_SUFFIX, Container, Probe, PullPolicy};
pub use cron_job::{ConcurrencyPolicy, CronJob, CronJobRef};
pub use custom_resource::{
    ClusterScoped, CustomResource, CustomResourceKind, CustomResourceRef, Namespaced, ResourceScope,
};
pub use daemon_set::{DaemonSet, DaemonSetRef, DaemonSetUpdate};
pub use deployment::{Deployment, DeploymentRef};
pub use hpa::{HorizontalPodAutoscaler, HorizontalPodAutoscalerRef, ScalingBehavior};
pub use ingress::{Ingress, IngressRef};
pub use job::{Job, JobRef, RestartPolicy};
pub use kubedb::{
    DatabaseMonitor, DeletionPolicy, MongoDb, MongoDbRef, MongoTopology, Redis, RedisMode,
    RedisRef, StorageSize, StorageType,
};
pub use labels::{COLOUR_LABEL, IDENTITY_LABEL, MANAGED_BY_LABEL, RELEASE_LABEL, TRACK_LABEL};
pub use limit_range::{LimitRange, LimitRangeRef};
pub use namespace::{Namespace, NamespaceRef};
pub use network_policy::{
    AllowEgress, AllowFrom, AllowFromNamespace, DefaultDeny, NetworkPeer, NetworkPolicyRef,
};
pub use pdb::{Budget, PodDisruptionBudget, PodDisruptionBudgetRef};
pub use prometheus::{ScrapeTls, ServiceMonitor, ServiceMonitorRef};
pub use quantity::{Cpu, IntOrPercent, Memory};
pub use raw::{RawObject, RawObjectRef};
pub use resource_quota::{ResourceQuota, ResourceQuotaRef};
pub use role::{ClusterRole, ClusterRoleRef, NonResourceRule, Role, RoleRef, Rule, Verb};
pub use role_binding::{ClusterRoleBinding, RoleBinding, RoleBindingRef};
pub use secret::{Secret, SecretRef, SecretWithValues};
pub use service::{Nlb, PortRef, Service, ServiceRef, ServiceType};
pub use service_account::{ServiceAccount, ServiceAccountRef};
pub use stateful_set::{PodManagement, StatefulSet, StatefulSetRef};
pub use toleration::{TaintEffect, Toleration};
pub use volume::{ConfigMapVolume, EmptyDirVolume, SecretVolume, Volume};

/// The schemars version [`CustomResourceKind`] specs derive `JsonSchema` from.
pub use schemars;
