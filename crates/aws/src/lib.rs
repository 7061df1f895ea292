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
mod database;
mod eks_cluster;
mod iam;
mod kafka;
mod network;
mod service_account_role;

pub use bucket::{Bucket, BucketRef, LifecycleRule, StorageClass};
pub use cache::{Cache, CacheEngine, CacheRef};
pub use common::{AWS_PROVIDER_VERSION, Peer, RANDOM_PROVIDER_VERSION};
pub use database::{Database, DatabaseEngine, DatabaseRef, Setting};
pub use eks_cluster::{
    AccessPolicy, AccessScope, CapacityType, EksCluster, EksClusterRef, NodeGroup,
};
pub use iam::{Effect, PolicyStatement, Principal};
pub use kafka::{Kafka, KafkaRef, MonitoringLevel};
pub use network::{NatGateways, Network, NetworkRef};
pub use service_account_role::{ServiceAccountRole, ServiceAccountRoleRef};
