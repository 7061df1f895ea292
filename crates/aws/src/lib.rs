//! AWS constructs for stacksmith: network, EKS, ElastiCache, DocumentDB and the IAM, KMS and
//! log plumbing they need, lowering to hashicorp/aws v6 resources with secure defaults written out.
//!
//! Diagnostic codes: SS0101 invalid CIDR, SS0102 VPC size, SS0103 name rule (core),
//! SS0104 subnets do not fit, SS0105 zone count, SS0106 node group sizes, SS0107 cache nodes,
//! SS0108 database instances, SS0109 unsupported version, SS0110 retention.

mod cache;
mod common;
mod database;
mod eks_cluster;
mod iam;
mod network;

pub use cache::{Cache, CacheEngine, CacheRef};
pub use common::{AWS_PROVIDER_VERSION, Peer, RANDOM_PROVIDER_VERSION};
pub use database::{Database, DatabaseEngine, DatabaseRef, Setting};
pub use eks_cluster::{CapacityType, EksCluster, EksClusterRef, NodeGroup};
pub use iam::{Effect, PolicyStatement, Principal};
pub use network::{NatGateways, Network, NetworkRef};
