//! Kubernetes constructs for stacksmith: namespaces, workloads, services, ingress, autoscaling and
//! disruption budgets, lowering to k8s-openapi API objects with secure, highly available defaults.
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
//! | SS0309 | error    | a Deployment without containers |
//! | SS0310 | error    | two containers of a pod share a name |
//! | SS0311 | error    | two container ports of a pod share a number or a name |
//! | SS0312 | error    | an invalid port name (IANA service name) |
//! | SS0313 | warning  | a Deployment with zero replicas |
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

mod config_map;
mod container;
mod deployment;
mod hpa;
mod ingress;
mod labels;
mod namespace;
mod pdb;
mod quantity;
mod raw;
mod secret;
mod service;
mod service_account;

pub use config_map::{ConfigMap, ConfigMapRef, ExternalConfigMap};
pub use container::{Container, Probe, PullPolicy};
pub use deployment::{Deployment, DeploymentRef, PortRef};
pub use hpa::{HorizontalPodAutoscaler, HorizontalPodAutoscalerRef, ScalingBehavior};
pub use ingress::{Ingress, IngressRef};
pub use labels::{IDENTITY_LABEL, MANAGED_BY_LABEL};
pub use namespace::{Namespace, NamespaceRef};
pub use pdb::{Budget, PodDisruptionBudget, PodDisruptionBudgetRef};
pub use quantity::{Cpu, IntOrPercent, Memory};
pub use raw::{RawObject, RawObjectRef};
pub use secret::{Secret, SecretRef};
pub use service::{Service, ServiceRef, ServiceType};
pub use service_account::{ServiceAccount, ServiceAccountRef};
