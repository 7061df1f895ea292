//! KubeDB `Redis` (kubedb.com/v1 `Redis`): standalone or a Redis Cluster of at least 3 shards,
//! each with replicas that take over when its master fails.

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
    tls: bool,
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
            tls: self.common.tls.is_some(),
            name,
        }
    }
}

database_ref!(RedisRef, 6379, "Redis", "REDIS");

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

#[cfg(test)]
mod tests {
    use super::super::testing::{object, stack};
    use super::*;

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
    fn fails_redis_cluster_with_two_shards() {
        let (mut stack, ns) = stack();
        stack.add(Redis::new(&ns, "dbaas-redis", "7.2.4").mode(RedisMode::cluster(2, 1)));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
