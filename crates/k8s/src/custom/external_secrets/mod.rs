//! External Secrets Operator (external-secrets.io/v1) custom resources: a store reading AWS
//! Secrets Manager, and `ExternalSecret`s syncing the stack's cloud secrets into Kubernetes
//! Secrets that workloads read, typed.

pub(crate) mod cluster_secret_store;
pub(crate) mod external_secret;
