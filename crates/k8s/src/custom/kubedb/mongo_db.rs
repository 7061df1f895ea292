//! KubeDB `MongoDb` (kubedb.com/v1 `MongoDB`): a replica set or a sharded cluster, checked so the
//! topology can run and survive losing a member.

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};

use crate::custom::{CustomResourceKind, Namespaced, lower_typed};
use crate::labels::resolve_name;
use crate::{ClusterIssuerRef, NamespaceRef, SecretRef};

use super::{
    AuthSecretSpec, Common, DatabaseMonitor, DeletionPolicy, MonitorSpec, PvcSpec, StorageSize,
    StorageType, TlsSpec, database_ref, database_setters,
};

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
    tls: bool,
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
            tls: self.common.tls.is_some(),
            name,
        }
    }
}

database_ref!(MongoDbRef, 27017, "MongoDB", "MONGODB");

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

#[cfg(test)]
mod tests {
    use super::super::testing::{object, stack};
    use super::*;
    use crate::{ClusterIssuer, Container, Deployment, Secret};

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
}
