//! KubeDB `MongoDB` and `Redis` (kubedb.com/v1): databases the KubeDB operator runs, with durable
//! storage, deletion protection, operator-generated credentials and HA topologies by default.
//!
//! kubedb.com/v1 is the storage version since KubeDB v2024.4: `terminationPolicy` (v1alpha2) is
//! `deletionPolicy`, and a Redis cluster's `master` is `shards`, its `replicas` counting every
//! pod of a shard (master included), where v1alpha2 counted the replicas besides the master.

pub(crate) mod database_tls;
pub(crate) mod mongo_db;
pub(crate) mod redis;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{KubeUse, Lowering, NameRule, SourceKind};

use crate::custom::Manifest;
use crate::custom::cert_manager::cluster_issuer::IssuerKind;
use crate::custom::prometheus::service_monitor::prometheus_duration;
use crate::labels::check_labels;
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
        Self((g as u64).saturating_mul(1024))
    }

    /// Tebibytes: `StorageSize::tib(2)` is `2Ti`.
    pub const fn tib(t: u32) -> Self {
        Self((t as u64).saturating_mul(1024 * 1024))
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
            synced: false,
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
        if self.tls.is_some() {
            // cert-manager issues the client certificate KubeDB asks for; clients mount its CA.
            for key in database_tls::CLIENT_CERT_KEYS {
                cx.external(KubeUse {
                    owner: owner.clone(),
                    source: SourceKind::Secret,
                    namespace: db_namespace.to_owned(),
                    name: database_tls::client_cert_secret(name),
                    key: key.to_owned(),
                    reader: format!("issued by cert-manager for KubeDB {kind} `{name}`"),
                });
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
use database_setters;

/// The accessors both database handles share.
macro_rules! database_ref {
    ($t:ty, $port:expr, $kind:expr, $prefix:expr) => {
        impl $crate::custom::kubedb::database_tls::KubeDbDatabase for $t {
            fn tls_client(&self) -> $crate::custom::kubedb::database_tls::DatabaseTls {
                $crate::custom::kubedb::database_tls::DatabaseTls {
                    kind: $kind,
                    prefix: $prefix,
                    database: self.name.clone(),
                    namespace: self.namespace.clone(),
                    tls: self.tls,
                }
            }
        }

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
use database_ref;

// ------------------------------------------------------------------------ the lowered specs

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
mod testing {
    use stacksmith_core::Stack;

    use crate::{Namespace, NamespaceRef};

    pub(super) fn stack() -> (Stack, NamespaceRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("dbaas-system"));
        (stack, ns)
    }

    pub(super) fn object<'g>(
        g: &'g stacksmith_core::Graph,
        kind: &str,
    ) -> &'g stacksmith_core::KubeObject {
        let Some(o) = g.objects.iter().find(|o| o.kind == kind) else {
            panic!(
                "no {kind} in {:?}",
                g.objects.iter().map(|o| &o.kind).collect::<Vec<_>>()
            )
        };
        o
    }
}

#[cfg(test)]
mod tests {
    use super::testing::stack;
    use super::*;
    use crate::{
        AcmeServer, ClusterIssuer, MongoDb, MongoTopology, Namespace, Redis, RedisMode, Secret,
    };

    #[test]
    fn storage_sizes_render_canonically() {
        assert_eq!(StorageSize::mib(512).to_string(), "512Mi");
        assert_eq!(StorageSize::gib(20).to_string(), "20Gi");
        assert_eq!(StorageSize::gib(2048).to_string(), "2Ti");
        assert_eq!(StorageSize::tib(1).to_string(), "1Ti");
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
