//! Networking: Services in front of pods, Ingress routing into them, and the NetworkPolicies
//! that allow traffic between them.

pub(crate) mod ingress;
pub(crate) mod network_policy;
pub(crate) mod service;
