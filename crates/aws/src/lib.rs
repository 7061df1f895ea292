//! AWS constructs for stacksmith, lowering to hashicorp/aws v6 resources with secure defaults
//! written out: network, EKS, databases (RDS, Aurora, DocumentDB), caches, Kafka, buckets, and
//! the IAM, KMS and log plumbing they need.
//!
//! Diagnostic codes: SS01xx, each with its title and explanation in
//! [`stacksmith_core::codes`] (`--explain SS0101` on an app's command line).

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

mod alarm_topic;
mod alarms;
mod application_secret;
mod bucket;
mod cache;
mod common;
mod connection;
mod cost_budget;
mod database;
mod distribution;
mod dns_record;
mod drawing;
mod ecr_repository;
mod ecs_cluster;
mod ecs_service;
mod eks_cluster;
mod health_check;
mod hosted_zone;
mod iam;
mod instance_type;
mod kafka;
mod load_balancer;
mod network;
mod pod_identity_role;
mod region;
mod secret_rotation;
mod secrets_manager;
mod service_account_role;
mod web_acl;
mod zip_archive;

pub use alarm_topic::{AlarmTopic, AlarmTopicRef};
pub use alarms::{Alarms, AlarmsRef};
pub use application_secret::{ApplicationSecret, ApplicationSecretRef, SecretValueSource};
pub use bucket::{Bucket, BucketRef, LifecycleRule, StorageClass};
pub use cache::{Cache, CacheEngine, CacheRef};
pub use common::{AWS_PROVIDER_VERSION, Peer, RANDOM_PROVIDER_VERSION};
pub use connection::{Connection, ConnectionRef, Listener};
pub use cost_budget::{CostBudget, CostBudgetRef};
pub use database::{Database, DatabaseEngine, DatabaseRef, MasterPassword, Setting};
pub use distribution::{Distribution, DistributionRef};
pub use dns_record::{DnsRecord, DnsRecordRef, DnsTarget, Failover};
pub use ecr_repository::{EcrImage, EcrRepository, EcrRepositoryRef};
pub use ecs_cluster::{ContainerInsights, EcsCluster, EcsClusterRef};
pub use ecs_service::{
    ContainerImage, CpuArchitecture, EcsService, EcsServiceRef, Route, SecretSource,
};
pub use eks_cluster::PrometheusStack;
pub use eks_cluster::{
    AccessPolicy, AccessScope, CapacityType, ClusterAddon, EksCluster, EksClusterRef, NodeGroup,
    NodeTaintEffect,
};
pub use health_check::{HealthCheck, HealthCheckRef};
pub use hosted_zone::{HostedZone, HostedZoneRef};
pub use iam::{Effect, PolicyStatement, Principal};
pub use kafka::{Kafka, KafkaRef, MonitoringLevel};
pub use load_balancer::{LoadBalancer, LoadBalancerRef, TlsPolicy};
pub use network::{NatGateways, Network, NetworkRef};
pub use pod_identity_role::{
    AWS_IDENTITY_LABEL, PodIdentityRole, PodIdentityRoleRef, RoleGrant, RoleGrantRef,
};
pub use service_account_role::{ServiceAccountRole, ServiceAccountRoleRef};
pub use web_acl::{ManagedRules, WafScope, WebAcl, WebAclRef};
