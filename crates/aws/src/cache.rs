//! `Cache`: an ElastiCache replication group (Redis OSS or Valkey) in private subnets,
//! encrypted, authenticated, replicated across zones.

use stacksmith_core::{
    Address, Construct, Facts, Lookup, Lower, Lowering, NameRule, Path, Ref, Scope, StoredSecret,
    Within, tf, tf_name,
};

use crate::common::{self, Ingress, Peer, name_tag};
use crate::drawing::{join, words};
use crate::network::NetworkRef;
use crate::secrets_manager;

/// ElastiCache replication group ids: 1–40 lowercase letters, digits and hyphens.
const GROUP_ID: NameRule = NameRule {
    what: "ElastiCache replication group id",
    max_len: 40,
    lowercase: true,
    extra: "-",
    start_letter: true,
};

/// The in-memory engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheEngine {
    /// Redis OSS.
    Redis,
    /// Valkey, the open-source Redis fork AWS prices lower.
    Valkey,
}

impl CacheEngine {
    fn label(self) -> &'static str {
        match self {
            CacheEngine::Redis => "Redis",
            CacheEngine::Valkey => "Valkey",
        }
    }

    /// The default parameter group with cluster mode on, for a supported version.
    fn cluster_parameter_group(self, version: &str) -> String {
        let major = version.split('.').next().unwrap_or(version);
        match (self, major) {
            (CacheEngine::Redis, "6") => "default.redis6.x.cluster.on".to_owned(),
            (e, m) => format!("default.{}{m}.cluster.on", e.name()),
        }
    }

    fn name(self) -> &'static str {
        match self {
            CacheEngine::Redis => "redis",
            CacheEngine::Valkey => "valkey",
        }
    }

    fn versions(self) -> &'static [&'static str] {
        match self {
            CacheEngine::Redis => &["6.2", "7.0", "7.1"],
            CacheEngine::Valkey => &["7.2", "8.0", "8.1"],
        }
    }
}

/// An ElastiCache replication group: a managed Redis-compatible primary with replicas.
///
/// Creates: a KMS key, `aws_elasticache_subnet_group` over the private subnets, a security
/// group with one ingress rule per `allow_from`, an AUTH token (`random_password`) kept in a
/// KMS-encrypted Secrets Manager secret, and `aws_elasticache_replication_group`.
///
/// Defaults: Redis 7.1 on `cache.m7g.large`, a primary and one replica (2 nodes) with
/// automatic failover and Multi-AZ; encryption at rest (customer key) and in transit
/// (TLS required); AUTH on; daily snapshots kept 7 days; minor upgrades automatic. The AUTH
/// token never appears in the output: only in Terraform state and the secret.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{Cache, EksCluster, Network};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(EksCluster::new("eks", &network));
/// let cache = stack.add(Cache::redis("cache", &network).allow_from(&cluster));
/// ```
#[derive(Clone, Debug)]
pub struct Cache {
    id: String,
    network: NetworkRef,
    engine: CacheEngine,
    version: String,
    node_type: String,
    replicas: u32,
    /// One node, no replica: the named staging choice (SS0700).
    single_node: bool,
    shards: Option<u32>,
    snapshot_retention_days: u32,
    ingress: Vec<Ingress>,
}

/// A handle to a [`Cache`]: endpoints and the secret holding its AUTH token.
#[derive(Clone, Debug)]
pub struct CacheRef {
    network_cidr: Option<stacksmith_core::Cidr>,
    path: Path,
    stack: String,
    engine: CacheEngine,
    cluster_mode: bool,
    members: Vec<String>,
}

/// The ids ElastiCache gives the nodes of replication group `group`: `<group>-001`, `-002`, …
/// for one primary with `replicas`; `<group>-0001-001`, … (shard, node) in cluster mode.
/// Counts beyond ElastiCache's limits (5 replicas, 500 shards), reported by the cache's own
/// checks, name no nodes.
fn member_clusters(group: &str, replicas: u32, shards: Option<u32>) -> Vec<String> {
    if replicas > 5 || shards.is_some_and(|s| s > 500) {
        return Vec::new();
    }
    let nodes = 1..=replicas.saturating_add(1);
    match shards {
        None => nodes.map(|n| format!("{group}-{n:03}")).collect(),
        Some(shards) => (1..=shards)
            .flat_map(|s| nodes.clone().map(move |n| format!("{group}-{s:04}-{n:03}")))
            .collect(),
    }
}

impl Cache {
    /// A Redis OSS replication group in `network`'s private subnets.
    pub fn redis(id: &str, network: &NetworkRef) -> Self {
        Self {
            id: id.to_owned(),
            network: network.clone(),
            engine: CacheEngine::Redis,
            version: "7.1".into(),
            node_type: "cache.m7g.large".into(),
            replicas: 1,
            single_node: false,
            shards: None,
            snapshot_retention_days: 7,
            ingress: Vec::new(),
        }
    }

    /// A Valkey replication group (default version 8.0).
    pub fn valkey(id: &str, network: &NetworkRef) -> Self {
        Self {
            engine: CacheEngine::Valkey,
            version: "8.0".into(),
            ..Self::redis(id, network)
        }
    }

    /// The engine version. Default: 7.1 for Redis, 8.0 for Valkey.
    #[must_use]
    pub fn engine_version(mut self, version: &str) -> Self {
        self.version = version.to_owned();
        self
    }

    /// The node type. Default: `cache.m7g.large` (2 vCPU, 6.4 GiB).
    #[must_use]
    pub fn node_type(mut self, node_type: &str) -> Self {
        self.node_type = node_type.to_owned();
        self
    }

    /// Read replicas beside the primary (1–5). Default: 1, in another zone. In cluster mode,
    /// the replicas of each shard.
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = replicas;
        self.single_node = false;
        self
    }

    /// One node and no replica, for a staging or development cache whose data can be lost:
    /// no automatic failover and no Multi-AZ, so a node or zone failure makes the cache
    /// unavailable until ElastiCache replaces the node, empty but for the last daily snapshot.
    /// A named cost choice, reported as a warning (SS0700); encryption, AUTH and snapshots stay
    /// on. Not with cluster mode. Default: off — a primary and one replica in another zone.
    #[must_use]
    pub fn single_node(mut self) -> Self {
        self.replicas = 0;
        self.single_node = true;
        self
    }

    /// Cluster mode on: data partitioned over `shards` (2–500), each a primary with
    /// `replicas_per_shard` replicas (1–5) in other zones; clients connect to the
    /// configuration endpoint. Default: cluster mode off (one primary with replicas).
    #[must_use]
    pub fn cluster_mode(mut self, shards: u32, replicas_per_shard: u32) -> Self {
        self.shards = Some(shards);
        self.replicas = replicas_per_shard;
        self.single_node = false;
        self
    }

    /// Days daily snapshots are kept (1–35). Default: 7.
    #[must_use]
    pub fn snapshot_retention_days(mut self, days: u32) -> Self {
        self.snapshot_retention_days = days;
        self
    }

    /// Opens the cache port to a peer (e.g. an EKS cluster's nodes).
    #[must_use]
    pub fn allow_from(mut self, peer: &impl Peer) -> Self {
        self.ingress.push(Ingress::of(peer));
        self
    }
}

const PORT: u16 = 6379;

/// How a later root finds a replication group by its id, and what it can read.
const GROUP_LOOKUP: Lookup = Lookup::by(
    "aws_elasticache_replication_group",
    "replication_group_id",
    "replication_group_id",
    &[
        ("primary_endpoint_address", "primary_endpoint_address"),
        ("reader_endpoint_address", "reader_endpoint_address"),
        (
            "configuration_endpoint_address",
            "configuration_endpoint_address",
        ),
        ("port", "port"),
        ("arn", "arn"),
        ("id", "id"),
    ],
);

/// What the replication group is: it holds the cached data, and a later root finds it by id.
const GROUP: Facts = Facts::new()
    .stateful()
    .identity(&["replication_group_id"])
    .replaced_on(&["engine", "kms_key_id"])
    .found_by(&GROUP_LOOKUP);

impl CacheRef {
    fn group(&self) -> Address {
        Address::resource(
            &self.stack,
            "aws_elasticache_replication_group",
            &tf_name(&self.path, ""),
        )
    }

    /// The host name clients connect to: the primary endpoint, or in cluster mode the
    /// configuration endpoint.
    pub fn endpoint(&self) -> Ref {
        if self.cluster_mode {
            self.group().attr("configuration_endpoint_address")
        } else {
            self.group().attr("primary_endpoint_address")
        }
    }

    /// The reader endpoint's host name (reads spread over replicas); in cluster mode, the
    /// configuration endpoint (cluster clients route reads themselves).
    pub fn reader_endpoint(&self) -> Ref {
        if self.cluster_mode {
            self.endpoint()
        } else {
            self.group().attr("reader_endpoint_address")
        }
    }

    /// The port (6379).
    pub fn port(&self) -> u16 {
        PORT
    }

    /// The ids of its nodes (`prod-cache-001`, …; `prod-cache-0001-001`, … in cluster mode),
    /// the `CacheClusterId` of their CloudWatch metrics.
    pub fn member_clusters(&self) -> &[String] {
        &self.members
    }

    /// Allows `peer` to connect, declared after both exist (`stack.add(x.allow_from(&api))`):
    /// the ingress rule here and, if the peer restricts egress, its egress rule.
    pub fn allow_from(&self, peer: &impl Peer) -> crate::Connection {
        crate::Connection::new(self, peer)
    }

    /// The ARN of the Secrets Manager secret that holds the AUTH token.
    pub fn auth_secret_arn(&self) -> Ref {
        Address::resource(
            &self.stack,
            "aws_secretsmanager_secret",
            &tf_name(&self.path, "auth"),
        )
        .attr("arn")
    }

    /// The AUTH token's secret as the cluster syncs it (`ExternalSecret`): one plain string.
    pub fn stored_auth_token(&self) -> StoredSecret {
        StoredSecret {
            owner: self.path.clone(),
            name: format!("{}/auth-token", stacksmith_core::cloud_name(&self.path, "")),
            arn: self.auth_secret_arn(),
            key: Some(self.key_arn()),
            fields: Vec::new(),
            unnamed: None,
        }
    }

    /// The AUTH token: the current value of its Secrets Manager secret. For a connection URL
    /// read by a workload, build a `Template` with it and pass it to
    /// `Container::secret_env_from_cloud` (it reaches the pod through a Kubernetes Secret,
    /// never through the YAML).
    pub fn auth_token(&self) -> Ref {
        Address::resource(
            &self.stack,
            "aws_secretsmanager_secret_version",
            &tf_name(&self.path, "auth"),
        )
        .attr("secret_string")
    }

    /// The ARN of the KMS key that encrypts the cache and its AUTH secret (readers of the
    /// secret need `kms:Decrypt` on it).
    pub fn key_arn(&self) -> Ref {
        Address::resource(&self.stack, "aws_kms_key", &tf_name(&self.path, "key")).attr("arn")
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl crate::connection::Listener for CacheRef {
    fn listener_security_group_id(&self) -> Ref {
        Address::resource(
            &self.stack,
            "aws_security_group",
            &tf_name(&self.path, "sg"),
        )
        .attr("id")
    }

    fn listener_port(&self) -> u16 {
        PORT
    }

    fn listener_what(&self) -> &'static str {
        self.engine.label()
    }

    fn listener_path(&self) -> &Path {
        &self.path
    }

    fn listener_cidr(&self) -> Option<stacksmith_core::Cidr> {
        self.network_cidr
    }
}

impl Construct for Cache {
    type Handle = CacheRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> CacheRef {
        CacheRef {
            network_cidr: self.network.block(),
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            engine: self.engine,
            cluster_mode: self.shards.is_some(),
            members: member_clusters(
                &stacksmith_core::cloud_name(&scope.path, ""),
                self.replicas,
                self.shards,
            ),
        }
    }
}

impl Cache {
    /// The cache as the diagram draws it, in its network: engine and version, nodes (and
    /// shards), Multi-AZ, port.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let nodes = u64::from(self.shards.unwrap_or(1))
            .saturating_mul(u64::from(self.replicas).saturating_add(1));
        let size = format!("{nodes} × {}", self.node_type);
        let shards = self.shards.map(|s| format!("{s} shards"));
        cx.node(
            crate::drawing::data_node(&path)
                .line(words([
                    Some("ElastiCache"),
                    Some(self.engine.label()),
                    Some(self.version.as_str()),
                ]))
                .line(join([
                    Some(size.as_str()),
                    shards.as_deref(),
                    Some("Multi-AZ"),
                ]))
                .line(format!("port {PORT}"))
                .within(Within::Construct(self.network.path().clone())),
        );
    }
}

impl Lower for Cache {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        common::random(cx);
        let name = cx.name("");
        cx.check_name(&GROUP_ID, &name, "replication group id");
        if !self.engine.versions().contains(&self.version.as_str()) {
            cx.error(
                "SS0109",
                format!(
                    "{} `engine_version` `{}` is not supported",
                    self.engine.name(),
                    self.version
                ),
                format!("use one of {}", self.engine.versions().join(", ")),
            );
        }
        if let Some(shards) = self.shards {
            if !(2..=500).contains(&shards) {
                cx.error(
                    "SS0118",
                    format!("cluster mode with {shards} shard(s); a sharded cache has 2 to 500 shards"),
                    "use `.cluster_mode(3, 1)` (3 shards of a primary and a replica), or drop `.cluster_mode(..)` for one primary",
                );
            }
            if self.replicas == 0 {
                cx.error(
                    "SS0118",
                    "cluster mode with 0 replicas per shard: losing one node loses a shard's data",
                    "use at least 1 replica per shard",
                );
            }
        }
        if self.single_node {
            cx.warning(
                "SS0700",
                format!("cache {name} is a single node without a replica: no automatic failover, no Multi-AZ; a node or zone failure leaves it unavailable and empty until it is replaced"),
                "keep this for staging or development data that can be lost; for production drop `.single_node()` (a primary and one replica in another zone)",
            );
        }
        // Zero replicas in cluster mode is reported above, as SS0118; a single node is the
        // named choice above.
        if (self.replicas == 0 && self.shards.is_none() && !self.single_node) || self.replicas > 5 {
            cx.error(
                "SS0107",
                format!("`replicas` is {}; automatic failover and Multi-AZ need 1 to 5 replicas beside the primary", self.replicas),
                "use `.replicas(1)` or more",
            );
        }
        if !(1..=35).contains(&self.snapshot_retention_days) {
            cx.error(
                "SS0110",
                format!(
                    "`snapshot_retention_days` is {}; ElastiCache keeps snapshots 1 to 35 days",
                    self.snapshot_retention_days
                ),
                format!(
                    "set `.snapshot_retention_days({})`: valid values are 1 to 35 days, and 7 or more keeps a week of snapshots to restore from",
                    self.snapshot_retention_days.clamp(7, 35)
                ),
            );
        }

        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the {name} cache and its AUTH secret"),
            &[],
        );
        let key_arn: Ref = key.attr("arn");
        let subnet_group = cx.add_with(
            "aws_elasticache_subnet_group",
            "subnets",
            tf! {
                "name" => name.as_str(),
                "description" => format!("Private subnets of {name}"),
                "subnet_ids" => common::private_subnets(&self.network),
                "tags" => name_tag(&name),
            },
            crate::common::NAMED,
        );
        let sg = common::data_store_sg(cx, &self.network, self.engine.label(), PORT, &self.ingress);

        let token = cx.add(
            "random_password",
            "auth",
            tf! { "length" => 64_i64, "special" => false },
        );
        let token_value: Ref = token.attr("result");
        let secret = cx.add_with(
            "aws_secretsmanager_secret",
            "auth",
            tf! {
                "name" => format!("{name}/auth-token"),
                "description" => format!("AUTH token of the {name} cache"),
                "kms_key_id" => &key_arn,
                "recovery_window_in_days" => 30_i64,
                "tags" => name_tag(&name),
            },
            secrets_manager::SECRET,
        );
        cx.add_with(
            "aws_secretsmanager_secret_version",
            "auth",
            tf! { "secret_id" => secret.attr::<String>("id"), "secret_string" => &token_value },
            secrets_manager::VERSION,
        );

        let mut body = tf! {
                "replication_group_id" => name.as_str(),
                "description" => format!("{} cache {name}", self.engine.name()),
                "engine" => self.engine.name(),
                "engine_version" => self.version.as_str(),
                "node_type" => self.node_type.as_str(),
                "port" => PORT,
                // ElastiCache refuses failover and Multi-AZ without a replica to fail over to.
                "automatic_failover_enabled" => !self.single_node,
                "multi_az_enabled" => !self.single_node,
                "subnet_group_name" => subnet_group.attr::<String>("name"),
                "security_group_ids" => vec![sg.attr::<String>("id")],
                "at_rest_encryption_enabled" => "true",
                "kms_key_id" => &key_arn,
                "transit_encryption_enabled" => true,
                "transit_encryption_mode" => "required",
                "auth_token" => &token_value,
                "auth_token_update_strategy" => "ROTATE",
                "snapshot_retention_limit" => self.snapshot_retention_days,
                "snapshot_window" => "03:00-05:00",
                "maintenance_window" => "sun:05:00-sun:07:00",
                "auto_minor_version_upgrade" => "true",
                "apply_immediately" => false,
                "final_snapshot_identifier" => format!("{name}-final"),
                "tags" => name_tag(&name),
        };
        match self.shards {
            None => {
                body.insert(
                    "num_cache_clusters".into(),
                    i64::from(self.replicas).saturating_add(1).into(),
                );
            }
            Some(shards) => {
                body.insert("cluster_mode".into(), "enabled".into());
                body.insert("num_node_groups".into(), shards.into());
                body.insert("replicas_per_node_group".into(), self.replicas.into());
                body.insert(
                    "parameter_group_name".into(),
                    self.engine.cluster_parameter_group(&self.version).into(),
                );
            }
        }
        let group = cx.add_with("aws_elasticache_replication_group", "", body, GROUP);
        self.draw(cx);
        let (part, attr, what) = match self.shards {
            None => ("primary-endpoint", "primary_endpoint_address", "primary"),
            Some(_) => (
                "configuration-endpoint",
                "configuration_endpoint_address",
                "configuration",
            ),
        };
        cx.output(
            part,
            group.attr::<String>(attr),
            &format!("The cache's {what} endpoint (TLS, port {PORT})"),
            false,
        );
        cx.output(
            "auth-secret-arn",
            secret.attr::<String>("arn"),
            "Secrets Manager secret holding the cache's AUTH token",
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EksCluster, Network};
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::Value;

    fn lowered(f: impl FnOnce(Cache) -> Cache, id: &str) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = stack.add(EksCluster::new("eks", &net));
        stack.add(f(Cache::redis(id, &net).allow_from(&eks)));
        stack.lower()
    }

    fn group(g: &stacksmith_core::Graph) -> Option<&stacksmith_core::terraform::Map> {
        g.resources
            .iter()
            .find(|r| r.address.kind() == "aws_elasticache_replication_group")
            .map(|r| &r.body)
    }

    #[test]
    fn encrypted_authenticated_and_multi_az() {
        let g = lowered(|c| c, "cache");
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let b = group(&g);
        assert_eq!(
            b.and_then(|b| b.get("transit_encryption_enabled")),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            b.and_then(|b| b.get("at_rest_encryption_enabled")),
            Some(&Value::from("true"))
        );
        assert_eq!(
            b.and_then(|b| b.get("multi_az_enabled")),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            b.and_then(|b| b.get("num_cache_clusters")),
            Some(&Value::Int(2))
        );
        assert!(matches!(
            b.and_then(|b| b.get("auth_token")),
            Some(Value::Ref(_))
        ));
    }

    #[test]
    fn allow_from_becomes_an_ingress_rule_on_the_cache_port() {
        let g = lowered(|c| c, "cache");
        let rule = g
            .resources
            .iter()
            .find(|r| r.address.kind() == "aws_vpc_security_group_ingress_rule");
        assert_eq!(
            rule.and_then(|r| r.body.get("from_port")),
            Some(&Value::Int(6379))
        );
        let Some(Value::Ref(src)) = rule.and_then(|r| r.body.get("referenced_security_group_id"))
        else {
            return assert!(rule.is_some(), "no ingress rule");
        };
        assert_eq!(
            src.expression(),
            "aws_eks_cluster.eks.vpc_config[0].cluster_security_group_id"
        );
    }

    #[test]
    fn fails_name_too_long() {
        let g = lowered(|c| c, "rocketgraph-rate-limiting-and-query-cache");
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_no_replica() {
        let g = lowered(|c| c.replicas(0).engine_version("5.0"), "cache");
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn single_node_is_a_warned_cache_of_one_node_without_failover() {
        let g = lowered(Cache::single_node, "staging-cache");
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["SS0700"]
        );
        let b = group(&g);
        for (k, v) in [
            ("num_cache_clusters", Value::Int(1)),
            ("automatic_failover_enabled", Value::Bool(false)),
            ("multi_az_enabled", Value::Bool(false)),
            ("transit_encryption_enabled", Value::Bool(true)),
        ] {
            assert_eq!(b.and_then(|b| b.get(k)), Some(&v), "{k}");
        }
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn replicas_after_single_node_wins_and_is_not_warned() {
        let g = lowered(|c| c.single_node().replicas(2), "cache");
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let b = group(&g);
        assert_eq!(
            b.and_then(|b| b.get("num_cache_clusters")),
            Some(&Value::Int(3))
        );
    }

    #[test]
    fn fails_single_node_in_cluster_mode() {
        let g = lowered(|c| c.cluster_mode(3, 1).single_node(), "cache");
        assert_eq!(
            g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["SS0118", "SS0700"]
        );
    }

    #[test]
    fn cluster_mode_shards_with_replicas_and_a_configuration_endpoint() {
        let g = lowered(|c| c.cluster_mode(3, 1), "sessions");
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let b = group(&g);
        for (k, v) in [
            ("cluster_mode", Value::from("enabled")),
            ("num_node_groups", Value::Int(3)),
            ("replicas_per_node_group", Value::Int(1)),
            (
                "parameter_group_name",
                Value::from("default.redis7.cluster.on"),
            ),
        ] {
            assert_eq!(b.and_then(|b| b.get(k)), Some(&v), "{k}");
        }
        assert_eq!(b.and_then(|b| b.get("num_cache_clusters")), None);
        assert!(
            g.outputs
                .iter()
                .any(|o| o.name == "sessions_configuration_endpoint")
        );
    }

    #[test]
    fn the_largest_counts_are_reported_not_overflowed() {
        for g in [
            lowered(|c| c.replicas(u32::MAX), "cache"),
            lowered(|c| c.cluster_mode(u32::MAX, u32::MAX), "cache"),
        ] {
            assert!(g.diagnostics.has_errors());
        }
    }

    #[test]
    fn fails_cluster_mode_with_too_few_shards_or_replicas() {
        let g = lowered(|c| c.cluster_mode(1, 0), "sessions");
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn a_later_root_finds_what_workloads_read() -> Result<(), String> {
        use crate::common::lookup_check::{names_secret, readable, resource};
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let cache = stack.add(Cache::redis("cache", &net));
        let sharded = stack.add(Cache::redis("sessions", &net).cluster_mode(3, 1));
        let g = stack.lower();
        for r in [
            cache.endpoint(),
            cache.reader_endpoint(),
            sharded.endpoint(),
            sharded.reader_endpoint(),
        ] {
            readable(&g, &r)?;
        }
        names_secret(&g, &cache.auth_secret_arn())?;
        readable(&g, &cache.auth_token())?;
        assert!(resource(&g, &cache.auth_token())?.facts.holds_secret);
        assert!(resource(&g, &cache.endpoint())?.facts.stateful);
        Ok(())
    }
}
