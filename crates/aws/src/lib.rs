//! AWS constructs for stacksmith, lowering to hashicorp/aws v6 resources with secure defaults
//! written out: network, EKS, databases (RDS, Aurora, DocumentDB), caches, Kafka, buckets, and
//! the IAM, KMS and log plumbing they need.
//!
//! Diagnostic codes:
//!
//! | code | meaning |
//! | --- | --- |
//! | SS0101 | invalid CIDR |
//! | SS0102 | VPC size |
//! | SS0103 | a name breaks the target service's rule (core) |
//! | SS0104 | subnets do not fit the VPC |
//! | SS0105 | zone count |
//! | SS0106 | node group sizes |
//! | SS0107 | cache nodes |
//! | SS0108 | database instances |
//! | SS0109 | unsupported engine version |
//! | SS0110 | retention out of range |
//! | SS0111 | single NAT gateway (warning) |
//! | SS0112 | database deletion protection off (warning) |
//! | SS0113 | not a database instance class |
//! | SS0114 | database storage out of range |
//! | SS0115 | a database setting the engine does not have, or an invalid value |
//! | SS0116 | a replica of an unsupported source |
//! | SS0117 | an option that does not apply to the database engine |
//! | SS0118 | cache cluster mode with too few shards or replicas |
//! | SS0119 | database in one zone (warning) |
//! | SS0130 | an ALB name AWS reserves, or a log bucket name too long |
//! | SS0131 | a certificate missing, outside its zone, or an alias it does not cover |
//! | SS0132 | ALB idle timeout or access-log retention out of range |
//! | SS0133 | ALB deletion protection off (warning) |
//! | SS0134 | an invalid ALB source CIDR, or an ALB nobody can reach (warning) |
//! | SS0135 | a task image missing, `latest` or untagged |
//! | SS0136 | a CPU/memory pair Fargate does not offer |
//! | SS0137 | an invalid or duplicate env/secret name, SSM name or JSON key |
//! | SS0138 | a route without a port, a bad host or path, or a host the certificate does not cover |
//! | SS0139 | a listener rule priority collision or out of range |
//! | SS0140 | impossible service autoscaling |
//! | SS0141 | a service with fewer than 2 tasks (warning) |
//! | SS0142 | ECS Exec on a read-only root filesystem |
//! | SS0143 | a bad health path or deregistration delay, or no health path (warning) |
//! | SS0144 | a log retention CloudWatch does not accept |
//! | SS0145 | port 0 or a root user |
//! | SS0146 | an invalid egress CIDR |
//! | SS0150 | Kafka version MSK does not support for new clusters |
//! | SS0151 | Kafka brokers vs zones |
//! | SS0152 | Kafka volume size or autoscaling ceiling |
//! | SS0153 | Kafka log retention CloudWatch does not accept |
//! | SS0154 | a provisioned-only Kafka setting on a serverless cluster |
//! | SS0155 | an invalid bucket lifecycle rule |
//! | SS0156 | a duplicate, reserved or ill-sized lifecycle rule id |
//! | SS0157 | a lifecycle rule that keeps noncurrent versions forever (warning) |
//! | SS0158 | a reserved bucket name prefix or invalid access-log target |
//! | SS0160 | a node group id used twice in one cluster |
//! | SS0161 | an add-on version pin for an add-on not installed, ill-shaped, or pinned twice |
//! | SS0162 | an invalid Kubernetes namespace or service account name |
//! | SS0163 | an invalid access-entry principal, or one policy twice for a principal |
//! | SS0164 | an access scope with no namespaces |
//! | SS0165 | a service-account role that grants nothing (warning) |

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
mod service_account_role;

pub use bucket::{Bucket, BucketRef, LifecycleRule, StorageClass};
pub use cache::{Cache, CacheEngine, CacheRef};
pub use common::{AWS_PROVIDER_VERSION, Peer, RANDOM_PROVIDER_VERSION};
pub use connection::{Connection, ConnectionRef, Listener};
pub use database::{Database, DatabaseEngine, DatabaseRef, Setting};
pub use ecs_cluster::{ContainerInsights, EcsCluster, EcsClusterRef};
pub use ecs_service::{CpuArchitecture, EcsService, EcsServiceRef, Route, SecretSource};
pub use eks_cluster::{
    AccessPolicy, AccessScope, CapacityType, EksCluster, EksClusterRef, NodeGroup,
};
pub use iam::{Effect, PolicyStatement, Principal};
pub use kafka::{Kafka, KafkaRef, MonitoringLevel};
pub use load_balancer::{LoadBalancer, LoadBalancerRef, TlsPolicy};
pub use network::{NatGateways, Network, NetworkRef};
pub use service_account_role::{ServiceAccountRole, ServiceAccountRoleRef};
