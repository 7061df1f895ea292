//! Kubernetes constructs for stacksmith: namespaces, workloads (Deployment, StatefulSet,
//! DaemonSet, Job, CronJob) sharing one pod template, blue-green and canary releases, volumes,
//! services (AWS NLBs included), ingress, autoscaling, disruption budgets, network policies,
//! RBAC, quotas and typed custom resources (KubeDB, cert-manager, Prometheus Operator),
//! lowering to Kubernetes API objects with secure, highly available defaults.
//!
//! Diagnostic codes (SS03xx; SS0103 invalid names and SS0204–SS0206 duplicates and unresolved
//! Secret/ConfigMap keys come from core):
//!
//! | code   | severity | problem |
//! | ------ | -------- | ------- |
//! | SS0300 | error    | an object could not be serialised (a bug) |
//! | SS0301 | error    | a probe checks a port no container of the pod exposes |
//! | SS0302 | error    | a container requests more CPU or memory than its limit |
//! | SS0303 | error    | an image tagged `latest` or not tagged at all |
//! | SS0304 | error    | two env vars of one container share a name |
//! | SS0305 | error    | a Service port targets a port no container exposes |
//! | SS0306 | error    | an autoscaler's `min_replicas` is greater than `max_replicas` |
//! | SS0307 | warning  | a Deployment's replicas lie outside its autoscaler's range |
//! | SS0308 | error    | a disruption budget that blocks every eviction |
//! | SS0309 | error    | a workload without containers |
//! | SS0310 | error    | two containers of a pod share a name |
//! | SS0311 | error    | two container ports of a pod share a number or a name |
//! | SS0312 | error    | an invalid port name (IANA service name) |
//! | SS0313 | warning  | a Deployment or StatefulSet with zero replicas |
//! | SS0314 | error    | an autoscaler with `min_replicas` 0 |
//! | SS0315 | error    | an autoscaler target or scaling policy out of range |
//! | SS0316 | error    | an invalid or duplicate ConfigMap/Secret key |
//! | SS0317 | error    | an invalid Ingress host |
//! | SS0318 | error    | an Ingress path that does not start with `/` |
//! | SS0319 | error    | a reference to an object in another namespace |
//! | SS0320 | error    | a rolling update that can make no progress |
//! | SS0321 | error    | an invalid or reserved label or annotation |
//! | SS0322 | error    | a pod set to run as root while `runAsNonRoot` is on |
//! | SS0323 | error    | a percentage above 100% |
//! | SS0324 | error    | two ports of a Service share a number |
//! | SS0325 | error    | a raw object without `metadata.name` |
//! | SS0330 | error    | a container mounts a volume claim its pod does not declare |
//! | SS0331 | error    | two different volumes (or volume claims) of one pod share a name |
//! | SS0332 | error    | a mount or item path that is not absolute/relative as required, or a path mounted twice in a container |
//! | SS0333 | error    | a volume claim or emptyDir of zero size |
//! | SS0334 | error    | a CronJob schedule that does not parse |
//! | SS0335 | error    | an invalid CronJob time zone |
//! | SS0336 | warning  | a DaemonSet mounts a node directory (read-only) |
//! | SS0337 | error    | a host path that is not absolute or exposes credentials, sockets or other pods' secrets |
//! | SS0338 | error    | a preStop hook that does nothing (empty command, zero sleep) |
//! | SS0339 | error    | a preStop sleep not shorter than the termination grace period |
//! | SS0340 | error    | an init container with a probe or a lifecycle hook |
//! | SS0341 | error    | a Job or CronJob timing out of range (zero active deadline, starting deadline under 10s) |
//! | SS0342 | warning  | a DaemonSet running its pods as root (`run_as_root`) |
//! | SS0350 | error    | a NetworkPolicy allowing a port no container of the target exposes (or a target exposing none) |
//! | SS0351 | error    | an invalid CIDR block in an egress policy |
//! | SS0352 | error    | an egress policy to port 0 |
//! | SS0353 | error    | an RBAC rule without verbs |
//! | SS0354 | error    | an RBAC rule without API groups or resources, or with an invalid non-resource URL |
//! | SS0355 | warning  | an RBAC rule granting every verb, resource, API group or URL (`*`) |
//! | SS0356 | warning  | a ClusterRole reaching every Secret (no `resource_names`) |
//! | SS0357 | warning  | an RBAC rule granting `bind`, `escalate` or `impersonate` |
//! | SS0358 | warning  | `resource_names` on verbs they cannot restrict (`create`, `deletecollection`, `list`, `watch`) |
//! | SS0359 | error    | a Role or ClusterRole without rules |
//! | SS0360 | error    | a binding to an empty or anonymous (`system:unauthenticated`) group or user |
//! | SS0361 | warning  | a binding to `system:authenticated` or `system:serviceaccounts` |
//! | SS0362 | error    | a LimitRange out of order (min ≤ default request ≤ default limit ≤ max) |
//! | SS0363 | error    | a ResourceQuota capping nothing |
//! | SS0364 | warning  | a ResourceQuota capping requests above its limits cap |
//! | SS0365 | warning  | a Secret whose values are written into the output (`Secret::with_values`) |
//! | SS0366 | error    | a ConfigMap or Secret holding more than 1 MiB |
//! | SS0370 | error    | a custom resource that does not match its type's JSON schema (the message names the field path) |
//! | SS0371 | error    | a custom resource with an invalid apiVersion or kind, or an untyped body that is not an object or sets apiVersion/kind/metadata |
//! | SS0372 | warning  | a custom resource schema using keywords stacksmith does not check |
//! | SS0373 | warning  | a database topology that cannot survive losing a member (replica set under 3, Redis shard without replica) |
//! | SS0374 | error    | a Redis cluster with fewer than 3 shards |
//! | SS0375 | error    | a MongoDB topology that cannot run (0 shards or routers, invalid replica set name) |
//! | SS0376 | error    | a database with deletion policy Halt and ephemeral storage |
//! | SS0377 | error    | a database taking TLS certificates from an ACME issuer |
//! | SS0378 | error    | an invalid ACME account email |
//! | SS0379 | error    | a database with durable storage of size 0 |
//! | SS0380 | error    | a ServiceMonitor on a port the Service does not have |
//! | SS0381 | error    | a scrape interval or timeout that is zero, not whole milliseconds, or a timeout above the interval |
//! | SS0382 | error    | a ServiceMonitor path that does not start with `/` |
//! | SS0383 | error    | an invalid KubeDB database version |
//! | SS0390 | error    | a blue-green or canary release missing a part: a version's container, a canary's Service port or ingress host |
//! | SS0391 | error    | the two versions of a release expose different container ports |
//! | SS0392 | error    | an NLB source range that is not an IPv4 network |
//! | SS0393 | warning  | an internet-facing NLB without a TLS certificate |
//! | SS0394 | error    | NLB settings on a Service whose type is not `LoadBalancer` |
//! | SS0395 | error    | an NLB certificate ARN that is not an ACM or IAM server certificate ARN |
//! | SS0396 | error    | NLB TLS ports that are not ports of the Service, or set without a certificate |
//! | SS0397 | error    | an Ingress path routed twice |
//!
//! A canary weight above 100 is SS0323 (a percentage above 100%); an Ingress route to a Service
//! of another namespace is SS0319.

mod config;
mod custom;
mod labels;
mod namespace;
mod networking;
mod pod;
mod policy;
mod quantity;
mod raw;
mod rbac;
mod release;
mod storage;
mod workload;

pub use config::config_map::{ConfigMap, ConfigMapRef, ExternalConfigMap};
pub use config::secret::{Secret, SecretRef, SecretWithValues};
pub use custom::cert_manager::cluster_issuer::{
    AcmeServer, ClusterIssuer, ClusterIssuerRef, SolverService,
};
pub use custom::kubedb::mongo_db::{MongoDb, MongoDbRef, MongoTopology};
pub use custom::kubedb::redis::{Redis, RedisMode, RedisRef};
pub use custom::kubedb::{DatabaseMonitor, DeletionPolicy, StorageSize, StorageType};
pub use custom::prometheus::service_monitor::{ScrapeTls, ServiceMonitor, ServiceMonitorRef};
pub use custom::{
    ClusterScoped, CustomResource, CustomResourceKind, CustomResourceRef, Namespaced, ResourceScope,
};
pub use labels::{COLOUR_LABEL, IDENTITY_LABEL, MANAGED_BY_LABEL, RELEASE_LABEL, TRACK_LABEL};
pub use namespace::{Namespace, NamespaceRef};
pub use networking::ingress::{Ingress, IngressRef};
pub use networking::network_policy::{
    AllowEgress, AllowFrom, AllowFromNamespace, DefaultDeny, NetworkPeer, NetworkPolicyRef,
};
pub use networking::service::{Nlb, PortRef, Service, ServiceRef, ServiceType};
pub use pod::container::{CLOUD_OBJECT_SUFFIX, Container, Probe, PullPolicy};
pub use pod::toleration::{TaintEffect, Toleration};
pub use policy::limit_range::{LimitRange, LimitRangeRef};
pub use policy::resource_quota::{ResourceQuota, ResourceQuotaRef};
pub use quantity::{Cpu, IntOrPercent, Memory};
pub use raw::{RawObject, RawObjectRef};
pub use rbac::role::{ClusterRole, ClusterRoleRef, NonResourceRule, Role, RoleRef, Rule, Verb};
pub use rbac::role_binding::{ClusterRoleBinding, RoleBinding, RoleBindingRef};
pub use rbac::service_account::{ServiceAccount, ServiceAccountRef};
pub use release::blue_green::{BlueGreen, BlueGreenRef, Colour};
pub use release::canary::{Canary, CanaryRef};
pub use storage::persistent_volume_claim::{
    AccessMode, PersistentVolumeClaim, PersistentVolumeClaimRef, VolumeClaim,
};
pub use storage::volume::{ConfigMapVolume, EmptyDirVolume, SecretVolume, Volume};
pub use workload::cron_job::{ConcurrencyPolicy, CronJob, CronJobRef};
pub use workload::daemon_set::{DaemonSet, DaemonSetRef, DaemonSetUpdate};
pub use workload::deployment::{Deployment, DeploymentRef};
pub use workload::horizontal_pod_autoscaler::{
    HorizontalPodAutoscaler, HorizontalPodAutoscalerRef, ScalingBehavior,
};
pub use workload::job::{Job, JobRef, RestartPolicy};
pub use workload::pod_disruption_budget::{Budget, PodDisruptionBudget, PodDisruptionBudgetRef};
pub use workload::stateful_set::{PodManagement, StatefulSet, StatefulSetRef};

/// The schemars version [`CustomResourceKind`] specs derive `JsonSchema` from.
pub use schemars;
