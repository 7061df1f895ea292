//! stacksmith: infrastructure as typed Rust. Describe an environment with typed builders and
//! synthesize Terraform JSON and Kubernetes YAML, checked before anything is written.
//!
//! ```no_run
//! use stacksmith::prelude::*;
//!
//! let mut app = App::new();
//! let mut prod = Stack::new("prod", "us-east-1");
//! let network = prod.add(Network::new("network", "10.0.0.0/16").zones(3));
//! let cluster = prod.add(EksCluster::new("eks", &network));
//! prod.add(Cache::redis("cache", &network).allow_from(&cluster));
//! app.add(prod);
//! stacksmith::synth(&app, std::path::Path::new("out")).ok();
//! ```

mod connect;
mod database_ca;
mod kafka_client;
mod kafka_topics;
mod protect_ingress;
mod workload_identity;

pub use connect::{AllowWorkload, WorkloadAccess, WorkloadAccessRef};
pub use database_ca::{DATABASE_CA_FILE, DatabaseCa};
/// The k8s-openapi types [`k8s::RawObject`] takes (feature `k8s-openapi`, on by default).
#[cfg(feature = "k8s-openapi")]
pub use k8s_openapi;
pub use kafka_client::{AllowKafkaClient, KafkaAccess, KafkaClient, KafkaClientRef};
pub use kafka_topics::{KafkaBootstrap, KafkaTopic, KafkaTopicsJob};
pub use protect_ingress::{ProtectIngress, WAF_ACL_NAME_ANNOTATION};
pub use stacksmith_aws as aws;
pub use stacksmith_core as core;
pub use stacksmith_k8s as k8s;
#[cfg(feature = "cli")]
pub use stacksmith_synth::run;
pub use stacksmith_synth::{Report, SynthError, synth};
pub use workload_identity::{PodIdentity, WorkloadIdentity, WorkloadIdentityRef};

/// The synthesizer's lower-level API: rendering in memory, the YAML emitter.
pub mod synth_api {
    pub use stacksmith_synth::{
        AppDiff, File, StackDiff, StackOutput, diagram, diff, render, to_yaml, write_outputs,
    };
}

/// Everything a stack definition needs, in one import.
pub mod prelude {
    pub use crate::connect::AllowWorkload;
    pub use crate::database_ca::DatabaseCa;
    pub use crate::kafka_client::{AllowKafkaClient, KafkaAccess};
    pub use crate::kafka_topics::{KafkaBootstrap, KafkaTopic, KafkaTopicsJob};
    pub use crate::protect_ingress::ProtectIngress;
    pub use crate::workload_identity::{PodIdentity, WorkloadIdentityRef};
    pub use stacksmith_aws::MasterPassword;
    pub use stacksmith_aws::PrometheusStack;
    pub use stacksmith_aws::{
        AccessPolicy, AccessScope, Bucket, BucketRef, Cache, CacheRef, ClusterAddon, Database,
        DatabaseRef, EcsCluster, EcsClusterRef, EcsService, EcsServiceRef, EksCluster,
        EksClusterRef, Kafka, KafkaRef, LifecycleRule, LoadBalancer, LoadBalancerRef, Network,
        NetworkRef, NodeGroup, NodeTaintEffect, PolicyStatement, Principal, Route, SecretSource,
        ServiceAccountRole, ServiceAccountRoleRef, Setting, StorageClass,
    };
    pub use stacksmith_aws::{
        AlarmTopic, AlarmTopicRef, Alarms, AlarmsRef, CostBudget, CostBudgetRef, Distribution,
        DistributionRef, DnsRecord, DnsRecordRef, DnsTarget, EcrImage, EcrRepository,
        EcrRepositoryRef, Failover, HealthCheck, HealthCheckRef, HostedZone, HostedZoneRef,
        ManagedRules, WebAcl, WebAclRef,
    };
    pub use stacksmith_aws::{ApplicationSecret, ApplicationSecretRef};
    pub use stacksmith_core::StoredSecret;
    pub use stacksmith_core::{
        App, Backend, Capability, CloudValue, Diagnostic, Severity, Stack, Template,
    };
    pub use stacksmith_k8s::*;
}
