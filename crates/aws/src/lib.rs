//! AWS constructs for stacksmith, lowering to hashicorp/aws v6 resources with secure defaults
//! written out: network, EKS, databases (RDS, Aurora, DocumentDB), caches, Kafka, buckets, and
//! the IAM, KMS and log plumbing they need.
//!
//! Diagnostic codes: SS01xx, each with its title and explanation in
//! [`stacksmith_core::codes`] (`--explain SS0101` on an app's command line).

mod bucket;
mod cache;
mod common;
mod connection;
mod database;
mod drawing;
mod ecs_cluster;
mod ecs_service;
mod eks_cluster;
mod iam;
mod kafka;
mod load_balancer;
mod network;
mod secrets_manager;
mod service_account_role;

pub use bucket::{Bucket, BucketRef, LifecycleRule, StorageClass};
pub use cache::{Cache, CacheEngine, CacheRef};
pub use common::{AWS_PROVIDER_VERSION, Peer, RANDOM_PROVIDER_VERSION};
pub use connection::{Connection, ConnectionRef, Listener};
pub use database::{Database, DatabaseEngine, DatabaseRef, Setting};
pub use ecs_cluster::{ContainerInsights, EcsCluster, EcsClusterRef};
pub use ecs_service::{CpuArchitecture, EcsService, EcsServiceRef, Route, SecretSource};
pub use eks_cluster::{
    AccessPolicy, AccessScope, CapacityType, ClusterAddon, EksCluster, EksClusterRef, NodeGroup,
};
pub use iam::{Effect, PolicyStatement, Principal};
pub use kafka::{Kafka, KafkaRef, MonitoringLevel};
pub use load_balancer::{LoadBalancer, LoadBalancerRef, TlsPolicy};
pub use network::{NatGateways, Network, NetworkRef};
pub use service_account_role::{ServiceAccountRole, ServiceAccountRoleRef};
