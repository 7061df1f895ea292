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
mod protect_ingress;

pub use connect::{AllowWorkload, WorkloadAccess, WorkloadAccessRef};
pub use k8s_openapi;
pub use protect_ingress::{ProtectIngress, WAF_ACL_NAME_ANNOTATION};
pub use stacksmith_aws as aws;
pub use stacksmith_core as core;
pub use stacksmith_k8s as k8s;
pub use stacksmith_synth::{Report, SynthError, run, synth};

/// The synthesizer's lower-level API: rendering in memory, the YAML emitter.
pub mod synth_api {
    pub use stacksmith_synth::{
        AppDiff, File, StackDiff, StackOutput, diagram, diff, render, to_yaml, write_outputs,
    };
}

/// Everything a stack definition needs, in one import.
pub mod prelude {
    pub use crate::connect::AllowWorkload;
    pub use crate::protect_ingress::ProtectIngress;
    pub use stacksmith_aws::MasterPassword;
    pub use stacksmith_aws::{
        AccessPolicy, AccessScope, Bucket, BucketRef, Cache, CacheRef, ClusterAddon, Database,
        DatabaseRef, EcsCluster, EcsClusterRef, EcsService, EcsServiceRef, EksCluster,
        EksClusterRef, Kafka, KafkaRef, LifecycleRule, LoadBalancer, LoadBalancerRef, Network,
        NetworkRef, NodeGroup, PolicyStatement, Principal, Route, SecretSource, ServiceAccountRole,
        ServiceAccountRoleRef, Setting, StorageClass,
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
