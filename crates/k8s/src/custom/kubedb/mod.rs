//! KubeDB `MongoDB` and `Redis` (kubedb.com/v1): databases the KubeDB operator runs, with durable
//! storage, deletion protection, operator-generated credentials and HA topologies by default.
//!
//! kubedb.com/v1 is the storage version since KubeDB v2024.4: `terminationPolicy` (v1alpha2) is
//! `deletionPolicy`, and a Redis cluster's `master` is `shards`, its `replicas` counting every
//! pod of a shard (master included), where v1alpha2 counted the replicas besides the master.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{Construct, KubeUse, Lower, Lowering, NameRule, Path, Scope, SourceKind};

use crate::custom::cert_manager::cluster_issuer::IssuerKind;
use crate::custom::prometheus::service_monitor::prometheus_duration;
use crate::custom::{CustomResourceKind, Manifest, Namespaced, lower_typed};
use crate::labels::{check_labels, resolve_name};
use crate::{ClusterIssuerRef, NamespaceRef, SecretRef};

/// The keys KubeDB reads from (and writes to) a database's auth Secret.
const AUTH_KEYS: [&str; 2] = ["username", "password"];

/// The port KubeDB's Prometheus exporter sidecar listens on.
const EXPORTER_PORT: u16 = 56790;

/// The size of one database member's volume, in mebibytes. Renders canonically: `512Mi`,
/// `20Gi`, `2Ti`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StorageSize(u64);

impl StorageSize {
    /// Mebibytes: `StorageSize::mib(512)` is `512Mi`.
    pub const fn mib(m: u32) -> Self {
        Self(m as u64)
    }

    /// Gibibytes: `StorageSize::gib(20)` is `20Gi`.
    pub const fn gib(g: u32) -> Self {
        Self(g as u64 * 1024)
    }

    /// Tebibytes: `StorageSize::tib(2)` is `2Ti`.
    pub const fn tib(t: u32) -> Self {
        Self(t as u64 * 1024 * 1024)
    }

    /// The size in mebibytes.
    pub const fn as_mib(self) -> u64 {
        self.0
    }
}

impl fmt::Display for StorageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const GI: u64 = 1024;
        const TI: u64 = 1024 * 1024;
        match self.0 {
            0 => write!(f, "0"),
            n if n % TI == 0 => write!(f, "{}Ti", n / TI),
            n if n % GI == 0 => write!(f, "{}Gi", n / GI),
            n => write!(f, "{n}Mi"),
        }
    }
}

/// Where a database keeps its data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub enum StorageType {
    /// A PersistentVolumeClaim per member, surviving pod restarts and rescheduling. The default.
    #[default]
    Durable,
    /// An `emptyDir` per member: data is lost whenever a pod goes away. For caches and tests.
    Ephemeral,
}

/// What KubeDB does when the database object is deleted (`spec.deletionPolicy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub enum DeletionPolicy {
    /// The API server rejects the deletion (KubeDB's admission webhook); switch the policy first
    /// to delete on purpose. The default: removing the construct, a stray `kubectl delete` or a
    /// GitOps prune can neither take the database down nor lose its data (the equivalent of
    /// RDS deletion protection, which `Database` turns on too).
    #[default]
    DoNotTerminate,
    /// Deletes the pods and Services but keeps the volumes and the auth Secret, so re-creating
    /// the object resumes with the data. Not allowed with ephemeral storage.
    Halt,
    /// Deletes pods, Services and volumes; keeps the auth Secret and backups.
    Delete,
    /// Deletes everything, backups included.
    WipeOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
enum Agent {
    #[serde(rename = "prometheus.io/builtin")]
    Builtin,
    #[serde(rename = "prometheus.io/operator")]
    Operator,
}

/// Metrics for a database: KubeDB adds a Prometheus exporter sidecar (port 56790) and a
/// `<name>-stats` Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseMonitor {
    agent: Agent,
    labels: Vec<(String, String)>,
    interval: Duration,
}

impl DatabaseMonitor {
    /// The stats Service carries `prometheus.io/scrape` annotations for a Prometheus that
    /// discovers targets by annotation (agent `prometheus.io/builtin`, as in the KubeDB seed).
    pub fn builtin() -> Self {
        Self {
            agent: Agent::Builtin,
            labels: Vec::new(),
            interval: Duration::from_secs(30),
        }
    }

    /// KubeDB creates a ServiceMonitor for the Prometheus Operator (agent
    /// `prometheus.io/operator`), scraping every 30s.
    pub fn prometheus_operator() -> Self {
        Self {
            agent: Agent::Operator,
            ..Self::builtin()
        }
    }

    /// Adds a label to the ServiceMonitor KubeDB creates (what a Prometheus
    /// `serviceMonitorSelector` matches, e.g. `release: prometheus`). Prometheus Operator only.
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// Sets the scrape interval. Default: 30s. Prometheus Operator only.
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }
}

/// The settings MongoDB and Redis share.
#[derive(Clone, Debug)]
struct Common {
    namespace: NamespaceRef,
    id: String,
    name: Option<String>,
    version: String,
    storage: StorageSize,
    storage_class: Option<String>,
    storage_type: StorageType,
    deletion_policy: DeletionPolicy,
    auth_secret: Option<SecretRef>,
    tls: Option<ClusterIssuerRef>,
    monitor: Option<DatabaseMonitor>,
    labels: Vec<(String, String)>,
}

impl Common {
    fn new(namespace: &NamespaceRef, id: String, version: String) -> Self {
        Self {
            namespace: namespace.clone(),
            id,
            name: None,
            version,
            storage: StorageSize::gib(10),
            storage_class: None,
            storage_type: StorageType::Durable,
            deletion_policy: DeletionPolicy::DoNotTerminate,
            auth_secret: None,
            tls: None,
            monitor: None,
            labels: Vec::new(),
        }
    }

    fn auth_secret_ref(&self, name: &str) -> SecretRef {
        self.auth_secret.clone().unwrap_or_else(|| SecretRef {
            name: format!("{name}-auth"),
            namespace: self.namespace.name().to_owned(),
            keys: vec!["username".to_owned(), "password".to_owned()],
        })
    }

    /// Checks the shared settings and records the auth Secret's keys; true when nothing is
    /// wrong (warnings aside).
    fn check(&self, cx: &mut Lowering<'_>, kind: &str, name: &str) -> bool {
        let mut ok = cx.check_name(&NameRule::DNS_LABEL, name, "name");
        let v = &self.version;
        if v.is_empty()
            || !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            ok = false;
            cx.error(
                "SS0383",
                format!("{kind} version `{v}` is not a KubeDB version name"),
                format!("use a {kind}Version the KubeDB catalog installs (`kubectl get {}versions`), e.g. `8.0.4`", kind.to_ascii_lowercase()),
            );
        }
        if self.storage_type == StorageType::Durable {
            if self.storage.as_mib() == 0 {
                ok = false;
                cx.error(
                    "SS0379",
                    format!("{kind} `{name}` has durable storage of size 0"),
                    "give each member a volume with `.storage(StorageSize::gib(10))`",
                );
            }
            if let Some(class) = &self.storage_class {
                ok &= cx.check_name(&NameRule::DNS_SUBDOMAIN, class, "storage class");
            }
        } else if self.deletion_policy == DeletionPolicy::Halt {
            ok = false;
            cx.error(
                "SS0376",
                format!("{kind} `{name}` has deletion policy Halt with ephemeral storage"),
                "Halt keeps volumes, which ephemeral storage does not have, and KubeDB rejects it; use DoNotTerminate or Delete, or durable storage",
            );
        }
        let db_namespace = self.namespace.name();
        let owner = cx.path().clone();
        match &self.auth_secret {
            Some(secret) if secret.namespace() != db_namespace => {
                ok = false;
                cx.error(
                    "SS0319",
                    format!(
                        "{kind} `{name}` takes its credentials from Secret `{}` in namespace `{}`, but runs in `{db_namespace}`",
                        secret.name(),
                        secret.namespace()
                    ),
                    "KubeDB reads the auth Secret from the database's namespace; declare the Secret there",
                );
            }
            Some(secret) => {
                for key in AUTH_KEYS {
                    cx.uses(KubeUse {
                        owner: owner.clone(),
                        source: SourceKind::Secret,
                        namespace: db_namespace.to_owned(),
                        name: secret.name().to_owned(),
                        key: key.to_owned(),
                        reader: format!("the authSecret of {kind} `{name}`"),
                    });
                }
            }
            None => {
                for key in AUTH_KEYS {
                    cx.external(KubeUse {
                        owner: owner.clone(),
                        source: SourceKind::Secret,
                        namespace: db_namespace.to_owned(),
                        name: format!("{name}-auth"),
                        key: key.to_owned(),
                        reader: format!("generated by KubeDB for {kind} `{name}`"),
                    });
                }
            }
        }
        if let Some(issuer) = &self.tls {
            if let IssuerKind::Acme { .. } = issuer.kind {
                ok = false;
                cx.error(
                    "SS0377",
                    format!(
                        "{kind} `{name}` takes its TLS certificates from ACME issuer `{}`",
                        issuer.name()
                    ),
                    "an ACME CA (Let's Encrypt) issues only for public DNS names and KubeDB needs the issuing CA's certificate; use a CA issuer (`ClusterIssuer::ca(...)`)",
                );
            }
        }
        if let Some(m) = &self.monitor {
            check_labels(cx, &m.labels);
            if m.agent == Agent::Operator {
                if let Err(problem) = prometheus_duration(m.interval) {
                    ok = false;
                    cx.error(
                        "SS0381",
                        format!(
                            "{kind} `{name}` monitor interval ({:?}) {problem}",
                            m.interval
                        ),
                        "use a positive whole number of milliseconds (`Duration::from_secs(30)`)",
                    );
                }
            }
        }
        ok
    }

    fn pvc(&self) -> Option<PvcSpec> {
        (self.storage_type == StorageType::Durable).then(|| PvcSpec {
            storage_class_name: self.storage_class.clone(),
            access_modes: vec![AccessMode::ReadWriteOnce],
            resources: PvcResources {
                requests: StorageRequest {
                    storage: self.storage.to_string(),
                },
            },
        })
    }

    fn auth(&self) -> Option<AuthSecretSpec> {
        self.auth_secret.as_ref().map(|s| AuthSecretSpec {
            name: s.name().to_owned(),
            externally_managed: true,
        })
    }

    fn tls_spec(&self) -> Option<TlsSpec> {
        self.tls.as_ref().map(|issuer| TlsSpec {
            issuer_ref: IssuerRefSpec {
                api_group: "cert-manager.io".to_owned(),
                kind: "ClusterIssuer".to_owned(),
                name: issuer.name().to_owned(),
            },
        })
    }

    fn monitor_spec(&self) -> Option<MonitorSpec> {
        self.monitor.as_ref().map(|m| MonitorSpec {
            agent: m.agent,
            prometheus: PrometheusSpec {
                exporter: ExporterSpec {
                    port: EXPORTER_PORT,
                },
                service_monitor: (m.agent == Agent::Operator).then(|| ServiceMonitorSpec {
                    labels: m.labels.iter().cloned().collect(),
                    interval: prometheus_duration(m.interval).unwrap_or_default(),
                }),
            },
        })
    }

    fn manifest<'a>(&'a self, kind: &'a str, name: &'a str) -> Manifest<'a> {
        Manifest {
            api_version: "kubedb.com/v1",
            kind,
            name,
            namespace: Some(self.namespace.name()),
            labels: &self.labels,
            annotations: &[],
        }
    }
}

/// The builder methods MongoDB and Redis share, with their defaults.
macro_rules! database_setters {
    () => {
        /// Sets the object name (also the name of the Service KubeDB creates). Default: the
        /// kebab-case construct path below the stack (the id).
        #[must_use]
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.common.name = Some(name.into());
            self
        }

        /// Sets the size of each member's volume. Default: 10Gi.
        #[must_use]
        pub fn storage(mut self, size: StorageSize) -> Self {
            self.common.storage = size;
            self
        }

        /// Sets the StorageClass of the volumes. Default: the cluster's default StorageClass.
        #[must_use]
        pub fn storage_class(mut self, class: impl Into<String>) -> Self {
            self.common.storage_class = Some(class.into());
            self
        }

        /// Sets where data is kept. Default: [`StorageType::Durable`], a volume per member
        /// (`ReadWriteOnce`).
        #[must_use]
        pub fn storage_type(mut self, storage_type: StorageType) -> Self {
            self.common.storage_type = storage_type;
            self
        }

        /// Sets what deleting the object does. Default: [`DeletionPolicy::DoNotTerminate`], the
        /// deletion is refused.
        #[must_use]
        pub fn deletion_policy(mut self, policy: DeletionPolicy) -> Self {
            self.common.deletion_policy = policy;
            self
        }

        /// Uses the credentials (keys `username` and `password`) of `secret`, which something
        /// outside KubeDB manages (`externallyManaged: true`); the Secret must be declared in the
        /// database's namespace with those keys. Default: KubeDB generates a random password in
        /// the Secret `<name>-auth` (see the handle's `auth_secret()`).
        #[must_use]
        pub fn auth_secret(mut self, secret: &SecretRef) -> Self {
            self.common.auth_secret = Some(secret.clone());
            self
        }

        /// Encrypts connections with certificates from `issuer`, a CA ClusterIssuer. Default: no
        /// TLS (keep the database's traffic inside the cluster network).
        #[must_use]
        pub fn tls(mut self, issuer: &ClusterIssuerRef) -> Self {
            self.common.tls = Some(issuer.clone());
            self
        }

        /// Exports metrics. Default: none.
        #[must_use]
        pub fn monitor(mut self, monitor: DatabaseMonitor) -> Self {
            self.common.monitor = Some(monitor);
            self
        }

        /// Adds a label to the database object (KubeDB copies it to what it creates).
        #[must_use]
        pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.common.labels.push((key.into(), value.into()));
            self
        }
    };
}

// ----------------------------------------------------------------------------------- MongoDB

/// How a MongoDB's members are arranged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MongoTopology {
    /// One replica set: every member holds all data, one is primary.
    ReplicaSet {
        /// The replica set name (`rs0`).
        name: String,
        /// Members; 3 survive the loss of one.
        replicas: u32,
    },
    /// Data partitioned over shards (each a replica set), with config servers and `mongos`
    /// routers.
    Sharded {
        /// Shards.
        shards: u32,
        /// Members of each shard's replica set.
        replicas_per_shard: u32,
        /// Members of the config server replica set.
        config_servers: u32,
        /// `mongos` routers.
        mongos: u32,
    },
}

impl MongoTopology {
    /// A replica set named `name` with `replicas` members.
    pub fn replica_set(name: impl Into<String>, replicas: u32) -> Self {
        MongoTopology::ReplicaSet {
            name: name.into(),
            replicas,
        }
    }

    /// `shards` shards of 3 members each, 3 config servers and 2 `mongos` routers.
    pub fn sharded(shards: u32) -> Self {
        MongoTopology::Sharded {
            shards,
            replicas_per_shard: 3,
            config_servers: 3,
            mongos: 2,
        }
    }
}

/// A MongoDB database run by KubeDB.
///
/// Creates: one `kubedb.com/v1/MongoDB`; KubeDB then creates its pods, volumes, the Service
/// `<name>` (port 27017) and, unless [`MongoDb::auth_secret`] is set, the Secret `<name>-auth`
/// with keys `username` and `password` (declared to the stack, so containers reading them are
/// checked).
///
/// Defaults: a 3-member replica set `rs0`; durable storage, 10Gi per member on the default
/// StorageClass; `deletionPolicy: DoNotTerminate`; authentication on with a generated password;
/// `sslMode: disabled` and `clusterAuthMode: keyFile` unless [`MongoDb::tls`] is set (then
/// `requireSSL` and `x509`). Fewer than 3 members per replica set is a warning (SS0373).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("dbaas-system"));
/// let db = stack.add(
///     MongoDb::new(&ns, "dbaas-metadata", "8.0.4")
///         .storage(StorageSize::gib(20))
///         .storage_class("standard")
///         .monitor(DatabaseMonitor::builtin()),
/// );
/// let api = Container::new("api", "rocketgraph/dbaas-api:1.4.2")
///     .env_from_secret("MONGODB_PASSWORD", db.auth_secret(), "password");
/// ```
#[derive(Clone, Debug)]
pub struct MongoDb {
    common: Common,
    topology: MongoTopology,
}

impl MongoDb {
    /// A MongoDB `version` (a KubeDB MongoDBVersion name, `8.0.4`) in `namespace`.
    pub fn new(
        namespace: &NamespaceRef,
        id: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        Self {
            common: Common::new(namespace, id.into(), version.into()),
            topology: MongoTopology::replica_set("rs0", 3),
        }
    }

    database_setters!();

    /// Sets how members are arranged. Default: a replica set `rs0` of 3 members.
    #[must_use]
    pub fn topology(mut self, topology: MongoTopology) -> Self {
        self.topology = topology;
        self
    }

    fn check_topology(&self, cx: &mut Lowering<'_>, name: &str) -> bool {
        let mut ok = true;
        let few = |cx: &mut Lowering<'_>, what: &str, n: u32| {
            let message = match n {
                0 => format!("MongoDB `{name}`: {what} has no members, so it does not run at all"),
                1 => format!(
                    "MongoDB `{name}`: {what} has 1 member, so losing it stops the database"
                ),
                2 => format!(
                    "MongoDB `{name}`: {what} has 2 members, so losing either leaves no majority to elect a primary"
                ),
                _ => return,
            };
            cx.warning(
                "SS0373",
                message,
                "give it 3 members (or 5) so it keeps serving through the loss of a node or zone",
            );
        };
        match &self.topology {
            MongoTopology::ReplicaSet { name: rs, replicas } => {
                if rs.is_empty()
                    || !rs
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    ok = false;
                    cx.error(
                        "SS0375",
                        format!("MongoDB `{name}`: replica set name `{rs}` is not valid"),
                        "use letters, digits, `-` and `_` (`rs0`)",
                    );
                }
                few(cx, &format!("replica set `{rs}`"), *replicas);
            }
            MongoTopology::Sharded {
                shards,
                replicas_per_shard,
                config_servers,
                mongos,
            } => {
                for (what, n) in [("shards", *shards), ("mongos routers", *mongos)] {
                    if n == 0 {
                        ok = false;
                        cx.error(
                            "SS0375",
                            format!("sharded MongoDB `{name}` has 0 {what}"),
                            "a sharded cluster needs at least one shard and one mongos router; `MongoTopology::sharded(2)` gives 2 shards of 3 members, 3 config servers and 2 routers",
                        );
                    }
                }
                few(cx, "each shard", *replicas_per_shard);
                few(cx, "the config server replica set", *config_servers);
            }
        }
        ok
    }

    fn spec(&self) -> MongoDbSpec {
        let c = &self.common;
        let (replicas, replica_set, shard_topology, storage) = match &self.topology {
            MongoTopology::ReplicaSet { name, replicas } => (
                Some(*replicas),
                Some(ReplicaSetSpec { name: name.clone() }),
                None,
                c.pvc(),
            ),
            MongoTopology::Sharded {
                shards,
                replicas_per_shard,
                config_servers,
                mongos,
            } => (
                None,
                None,
                Some(ShardTopologySpec {
                    shard: ShardSpec {
                        shards: *shards,
                        replicas: *replicas_per_shard,
                        storage: c.pvc(),
                    },
                    config_server: ConfigServerSpec {
                        replicas: *config_servers,
                        storage: c.pvc(),
                    },
                    mongos: MongosSpec { replicas: *mongos },
                }),
                None,
            ),
        };
        let tls = c.tls_spec();
        MongoDbSpec {
            version: c.version.clone(),
            replicas,
            replica_set,
            shard_topology,
            storage_type: c.storage_type,
            storage,
            auth_secret: c.auth(),
            ssl_mode: if tls.is_some() {
                SslMode::RequireSsl
            } else {
                SslMode::Disabled
            },
            cluster_auth_mode: if tls.is_some() {
                ClusterAuthMode::X509
            } else {
                ClusterAuthMode::KeyFile
            },
            tls,
            monitor: c.monitor_spec(),
            deletion_policy: c.deletion_policy,
        }
    }
}

/// A handle to a KubeDB [`MongoDb`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MongoDbRef {
    path: Path,
    name: String,
    namespace: String,
    auth_secret: SecretRef,
}

impl Lower for MongoDb {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.common.name.as_ref(), cx.path());
        let mut ok = self.common.check(cx, "MongoDB", &name);
        ok &= self.check_topology(cx, &name);
        let spec = self.spec();
        lower_typed(cx, &self.common.manifest("MongoDB", &name), &spec, ok);
    }
}

impl Construct for MongoDb {
    type Handle = MongoDbRef;

    fn id(&self) -> &str {
        &self.common.id
    }

    fn handle(&self, scope: &Scope) -> MongoDbRef {
        let name = resolve_name(self.common.name.as_ref(), &scope.path);
        MongoDbRef {
            path: scope.path.clone(),
            auth_secret: self.common.auth_secret_ref(&name),
            namespace: self.common.namespace.name().to_owned(),
            name,
        }
    }
}

// ------------------------------------------------------------------------------------- Redis

/// How Redis runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisMode {
    /// One server: no failover, no sharding.
    Standalone,
    /// Redis Cluster: keys hashed over `shards` masters (at least 3), each with
    /// `replicas_per_shard` replicas that take over when it fails.
    Cluster {
        /// Masters the hash slots are spread over; Redis Cluster needs at least 3.
        shards: u32,
        /// Replicas of each master, besides the master (the seed's `replicas: 1`).
        replicas_per_shard: u32,
    },
}

impl RedisMode {
    /// A Redis Cluster of `shards` masters with `replicas_per_shard` replicas each.
    pub fn cluster(shards: u32, replicas_per_shard: u32) -> Self {
        RedisMode::Cluster {
            shards,
            replicas_per_shard,
        }
    }
}

/// A Redis database run by KubeDB.
///
/// Creates: one `kubedb.com/v1/Redis`; KubeDB then creates its pods, volumes, the Service
/// `<name>` (port 6379) and, unless [`Redis::auth_secret`] is set, the Secret `<name>-auth`
/// with keys `username` and `password` (declared to the stack).
///
/// Defaults: Redis Cluster with 3 shards of one master and one replica (`cluster.shards: 3`,
/// `cluster.replicas: 2` pods per shard in kubedb.com/v1); durable storage, 10Gi per pod on the
/// default StorageClass; `deletionPolicy: DoNotTerminate`; authentication on with a generated
/// password. A cluster of fewer than 3 shards is an error (SS0374); shards without a replica
/// are a warning (SS0373).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("dbaas-system"));
/// stack.add(Redis::new(&ns, "dbaas-redis", "7.2.4").storage_class("standard"));
/// ```
#[derive(Clone, Debug)]
pub struct Redis {
    common: Common,
    mode: RedisMode,
}

impl Redis {
    /// A Redis `version` (a KubeDB RedisVersion name, `7.2.4`) in `namespace`.
    pub fn new(
        namespace: &NamespaceRef,
        id: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        Self {
            common: Common::new(namespace, id.into(), version.into()),
            mode: RedisMode::cluster(3, 1),
        }
    }

    database_setters!();

    /// Sets how Redis runs. Default: a cluster of 3 shards with 1 replica each.
    #[must_use]
    pub fn mode(mut self, mode: RedisMode) -> Self {
        self.mode = mode;
        self
    }

    fn check_mode(&self, cx: &mut Lowering<'_>, name: &str) -> bool {
        let RedisMode::Cluster {
            shards,
            replicas_per_shard,
        } = self.mode
        else {
            return true;
        };
        let mut ok = true;
        if shards < 3 {
            ok = false;
            cx.error(
                "SS0374",
                format!("Redis cluster `{name}` has {shards} shard{}, but Redis Cluster needs at least 3 masters", if shards == 1 { "" } else { "s" }),
                "use `RedisMode::cluster(3, 1)` or more shards, or `RedisMode::Standalone` for a single server",
            );
        }
        if replicas_per_shard == 0 {
            cx.warning(
                "SS0373",
                format!("Redis cluster `{name}` has no replica per shard, so losing one pod loses its share of the keys"),
                "give each shard a replica: `RedisMode::cluster(3, 1)`",
            );
        }
        ok
    }

    fn spec(&self) -> RedisSpec {
        let c = &self.common;
        let (mode, cluster) = match self.mode {
            RedisMode::Standalone => (RedisModeName::Standalone, None),
            RedisMode::Cluster {
                shards,
                replicas_per_shard,
            } => (
                RedisModeName::Cluster,
                Some(RedisClusterSpec {
                    shards,
                    replicas: replicas_per_shard.saturating_add(1),
                }),
            ),
        };
        RedisSpec {
            version: c.version.clone(),
            mode,
            cluster,
            storage_type: c.storage_type,
            storage: c.pvc(),
            auth_secret: c.auth(),
            tls: c.tls_spec(),
            monitor: c.monitor_spec(),
            deletion_policy: c.deletion_policy,
        }
    }
}

/// A handle to a KubeDB [`Redis`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisRef {
    path: Path,
    name: String,
    namespace: String,
    auth_secret: SecretRef,
}

impl Lower for Redis {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.common.name.as_ref(), cx.path());
        let mut ok = self.common.check(cx, "Redis", &name);
        ok &= self.check_mode(cx, &name);
        lower_typed(cx, &self.common.manifest("Redis", &name), &self.spec(), ok);
    }
}

impl Construct for Redis {
    type Handle = RedisRef;

    fn id(&self) -> &str {
        &self.common.id
    }

    fn handle(&self, scope: &Scope) -> RedisRef {
        let name = resolve_name(self.common.name.as_ref(), &scope.path);
        RedisRef {
            path: scope.path.clone(),
            auth_secret: self.common.auth_secret_ref(&name),
            namespace: self.common.namespace.name().to_owned(),
            name,
        }
    }
}

/// The accessors both database handles share.
macro_rules! database_ref {
    ($t:ty, $port:expr) => {
        impl $t {
            /// Its construct path.
            pub fn path(&self) -> &Path {
                &self.path
            }

            /// Its object name, also the name of the Service KubeDB creates for it.
            pub fn name(&self) -> &str {
                &self.name
            }

            /// Its namespace.
            pub fn namespace(&self) -> &str {
                &self.namespace
            }

            /// The Secret holding its credentials (keys `username` and `password`): the one given
            /// to `.auth_secret(...)`, else `<name>-auth`, which KubeDB generates.
            pub fn auth_secret(&self) -> &SecretRef {
                &self.auth_secret
            }

            /// The in-cluster DNS name of its Service: `<name>.<namespace>.svc`.
            pub fn host(&self) -> String {
                format!("{}.{}.svc", self.name, self.namespace)
            }

            /// The port its Service listens on.
            pub fn port(&self) -> u16 {
                $port
            }
        }
    };
}

database_ref!(MongoDbRef, 27017);
database_ref!(RedisRef, 6379);

// ------------------------------------------------------------------------ the lowered specs

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MongoDbSpec {
    #[schemars(length(min = 1))]
    version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replica_set: Option<ReplicaSetSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard_topology: Option<ShardTopologySpec>,
    storage_type: StorageType,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<PvcSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_secret: Option<AuthSecretSpec>,
    ssl_mode: SslMode,
    cluster_auth_mode: ClusterAuthMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<TlsSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monitor: Option<MonitorSpec>,
    deletion_policy: DeletionPolicy,
}

impl CustomResourceKind for MongoDbSpec {
    const API_VERSION: &'static str = "kubedb.com/v1";
    const KIND: &'static str = "MongoDB";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
struct ReplicaSetSpec {
    #[schemars(length(min = 1))]
    name: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ShardTopologySpec {
    shard: ShardSpec,
    config_server: ConfigServerSpec,
    mongos: MongosSpec,
}

#[derive(Serialize, JsonSchema)]
struct ShardSpec {
    #[schemars(range(min = 1))]
    shards: u32,
    replicas: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<PvcSpec>,
}

#[derive(Serialize, JsonSchema)]
struct ConfigServerSpec {
    replicas: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<PvcSpec>,
}

#[derive(Serialize, JsonSchema)]
struct MongosSpec {
    #[schemars(range(min = 1))]
    replicas: u32,
}

#[derive(Serialize, JsonSchema)]
enum SslMode {
    #[serde(rename = "disabled")]
    Disabled,
    #[serde(rename = "requireSSL")]
    RequireSsl,
}

#[derive(Serialize, JsonSchema)]
enum ClusterAuthMode {
    #[serde(rename = "keyFile")]
    KeyFile,
    #[serde(rename = "x509")]
    X509,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RedisSpec {
    #[schemars(length(min = 1))]
    version: String,
    mode: RedisModeName,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<RedisClusterSpec>,
    storage_type: StorageType,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<PvcSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_secret: Option<AuthSecretSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<TlsSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monitor: Option<MonitorSpec>,
    deletion_policy: DeletionPolicy,
}

impl CustomResourceKind for RedisSpec {
    const API_VERSION: &'static str = "kubedb.com/v1";
    const KIND: &'static str = "Redis";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
enum RedisModeName {
    Standalone,
    Cluster,
}

#[derive(Serialize, JsonSchema)]
struct RedisClusterSpec {
    #[schemars(range(min = 3))]
    shards: u32,
    /// Pods per shard, the master included.
    #[schemars(range(min = 1))]
    replicas: u32,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct PvcSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    storage_class_name: Option<String>,
    #[schemars(length(min = 1))]
    access_modes: Vec<AccessMode>,
    resources: PvcResources,
}

#[derive(Serialize, JsonSchema)]
enum AccessMode {
    ReadWriteOnce,
}

#[derive(Serialize, JsonSchema)]
struct PvcResources {
    requests: StorageRequest,
}

#[derive(Serialize, JsonSchema)]
struct StorageRequest {
    #[schemars(pattern(r"^[1-9][0-9]*(Mi|Gi|Ti)$"))]
    storage: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct AuthSecretSpec {
    #[schemars(length(min = 1))]
    name: String,
    externally_managed: bool,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct TlsSpec {
    issuer_ref: IssuerRefSpec,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct IssuerRefSpec {
    api_group: String,
    kind: String,
    #[schemars(length(min = 1))]
    name: String,
}

#[derive(Serialize, JsonSchema)]
struct MonitorSpec {
    agent: Agent,
    prometheus: PrometheusSpec,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct PrometheusSpec {
    exporter: ExporterSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_monitor: Option<ServiceMonitorSpec>,
}

#[derive(Serialize, JsonSchema)]
struct ExporterSpec {
    port: u16,
}

#[derive(Serialize, JsonSchema)]
struct ServiceMonitorSpec {
    labels: BTreeMap<String, String>,
    #[schemars(length(min = 2))]
    interval: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AcmeServer, ClusterIssuer, Container, Deployment, Namespace, Secret};
    use stacksmith_core::Stack;

    fn stack() -> (Stack, NamespaceRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("dbaas-system"));
        (stack, ns)
    }

    fn object<'g>(g: &'g stacksmith_core::Graph, kind: &str) -> &'g stacksmith_core::KubeObject {
        let Some(o) = g.objects.iter().find(|o| o.kind == kind) else {
            panic!(
                "no {kind} in {:?}",
                g.objects.iter().map(|o| &o.kind).collect::<Vec<_>>()
            )
        };
        o
    }

    #[test]
    fn mongodb_defaults_to_a_protected_three_member_replica_set() {
        let (mut stack, ns) = stack();
        let db = stack.add(
            MongoDb::new(&ns, "dbaas-metadata", "8.0.4")
                .storage(StorageSize::gib(20))
                .storage_class("standard")
                .monitor(DatabaseMonitor::builtin()),
        );
        assert_eq!(db.name(), "dbaas-metadata");
        assert_eq!(db.host(), "dbaas-metadata.dbaas-system.svc");
        assert_eq!(db.port(), 27017);
        assert_eq!(db.auth_secret().name(), "dbaas-metadata-auth");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let o = object(&g, "MongoDB");
        assert_eq!(o.api_version, "kubedb.com/v1");
        assert_eq!(o.namespace.as_deref(), Some("dbaas-system"));
        let spec = &o.body["spec"];
        assert_eq!(spec["replicas"], 3);
        assert_eq!(spec["replicaSet"]["name"], "rs0");
        assert_eq!(spec["deletionPolicy"], "DoNotTerminate");
        assert_eq!(spec["storageType"], "Durable");
        assert_eq!(spec["storage"]["resources"]["requests"]["storage"], "20Gi");
        assert_eq!(spec.get("authSecret"), None);
        let declared: Vec<&str> = g.externals.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(declared, ["username", "password"]);
        insta::assert_json_snapshot!(o.body);
    }

    #[test]
    fn containers_can_read_the_generated_credentials() {
        let (mut stack, ns) = stack();
        let db = stack.add(MongoDb::new(&ns, "dbaas-metadata", "8.0.4"));
        stack.add(
            Deployment::new(&ns, "dbaas-api").container(
                Container::new("api", "rocketgraph/dbaas-api:1.4.2")
                    .port("http", 8000)
                    .env_from_secret("MONGODB_PASSWORD", db.auth_secret(), "password"),
            ),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
    }

    #[test]
    fn mongodb_with_tls_external_credentials_and_sharding() {
        let (mut stack, ns) = stack();
        let ca = stack.add(ClusterIssuer::ca("internal-ca", "internal-ca-key-pair"));
        let creds = stack.add(Secret::external(
            &ns,
            "metadata-admin",
            ["username", "password"],
        ));
        stack.add(
            MongoDb::new(&ns, "events", "8.0.4")
                .topology(MongoTopology::sharded(2))
                .auth_secret(&creds)
                .tls(&ca)
                .deletion_policy(DeletionPolicy::Halt),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = &object(&g, "MongoDB").body["spec"];
        assert_eq!(spec.get("replicas"), None);
        assert_eq!(spec.get("storage"), None);
        assert_eq!(spec["shardTopology"]["shard"]["shards"], 2);
        assert_eq!(
            spec["shardTopology"]["configServer"]["storage"]["resources"]["requests"]["storage"],
            "10Gi"
        );
        assert_eq!(spec["shardTopology"]["mongos"]["replicas"], 2);
        assert_eq!(
            spec["authSecret"],
            serde_json::json!({"name": "metadata-admin", "externallyManaged": true})
        );
        assert_eq!(spec["sslMode"], "requireSSL");
        assert_eq!(spec["clusterAuthMode"], "x509");
        assert_eq!(
            spec["tls"]["issuerRef"],
            serde_json::json!({"apiGroup": "cert-manager.io", "kind": "ClusterIssuer", "name": "internal-ca"})
        );
        assert_eq!(
            g.uses.iter().filter(|u| u.name == "metadata-admin").count(),
            2
        );
    }

    #[test]
    fn redis_defaults_to_the_seed_cluster() {
        let (mut stack, ns) = stack();
        let r = stack.add(
            Redis::new(&ns, "dbaas-redis", "7.2.4")
                .storage_class("standard")
                .monitor(DatabaseMonitor::prometheus_operator().label("release", "prometheus")),
        );
        assert_eq!(r.port(), 6379);
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let o = object(&g, "Redis");
        assert_eq!(o.body["spec"]["mode"], "Cluster");
        assert_eq!(
            o.body["spec"]["cluster"],
            serde_json::json!({"shards": 3, "replicas": 2})
        );
        insta::assert_json_snapshot!(o.body);
    }

    #[test]
    fn ephemeral_standalone_redis_has_no_volume() {
        let (mut stack, ns) = stack();
        stack.add(
            Redis::new(&ns, "scratch", "7.2.4")
                .mode(RedisMode::Standalone)
                .storage_type(StorageType::Ephemeral)
                .deletion_policy(DeletionPolicy::WipeOut),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = &object(&g, "Redis").body["spec"];
        assert_eq!(spec.get("storage"), None);
        assert_eq!(spec.get("cluster"), None);
        assert_eq!(spec["storageType"], "Ephemeral");
        assert_eq!(spec["mode"], "Standalone");
    }

    #[test]
    fn storage_sizes_render_canonically() {
        assert_eq!(StorageSize::mib(512).to_string(), "512Mi");
        assert_eq!(StorageSize::gib(20).to_string(), "20Gi");
        assert_eq!(StorageSize::gib(2048).to_string(), "2Ti");
        assert_eq!(StorageSize::tib(1).to_string(), "1Ti");
    }

    #[test]
    fn fails_redis_cluster_with_two_shards() {
        let (mut stack, ns) = stack();
        stack.add(Redis::new(&ns, "dbaas-redis", "7.2.4").mode(RedisMode::cluster(2, 1)));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_small_topologies_warn() {
        let (mut stack, ns) = stack();
        stack.add(
            MongoDb::new(&ns, "dbaas-metadata", "8.0.4")
                .topology(MongoTopology::replica_set("rs0", 0)),
        );
        stack.add(
            MongoDb::new(&ns, "events", "8.0.4").topology(MongoTopology::Sharded {
                shards: 2,
                replicas_per_shard: 2,
                config_servers: 1,
                mongos: 2,
            }),
        );
        stack.add(Redis::new(&ns, "cache", "7.2.4").mode(RedisMode::cluster(3, 0)));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_database_settings() {
        let (mut stack, ns) = stack();
        let le = stack.add(ClusterIssuer::acme(
            "letsencrypt",
            AcmeServer::LetsEncrypt,
            "ops@rocketgraph.com",
        ));
        let other = stack.add(Namespace::new("other"));
        let creds = stack.add(Secret::external(&other, "admin", ["username", "password"]));
        stack.add(
            MongoDb::new(&ns, "metadata", "latest version")
                .storage_type(StorageType::Ephemeral)
                .deletion_policy(DeletionPolicy::Halt)
                .tls(&le)
                .auth_secret(&creds)
                .topology(MongoTopology::Sharded {
                    shards: 0,
                    replicas_per_shard: 3,
                    config_servers: 3,
                    mongos: 0,
                }),
        );
        stack.add(Redis::new(&ns, "cache", "7.2.4").storage(StorageSize::gib(0)));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
