//! `Alarms`: the CloudWatch alarms that say a construct of the stack is in trouble (a
//! database's CPU, storage and replica lag; a load balancer's 5xx answers; a cache's CPU,
//! memory and evictions; a service's unhealthy targets), sent to an
//! [`AlarmTopic`](crate::AlarmTopic).

use stacksmith_core::terraform::{Map, Value};
use stacksmith_core::{Construct, Lower, Lowering, NameRule, Path, Scope, tf};

use crate::alarm_topic::AlarmTopicRef;
use crate::cache::CacheRef;
use crate::common::{self, name_tag};
use crate::database::{DatabaseEngine, DatabaseRef};
use crate::ecs_service::EcsServiceRef;
use crate::load_balancer::LoadBalancerRef;

/// Alarm names: up to 255 characters.
const ALARM_NAME: NameRule = NameRule {
    what: "CloudWatch alarm name",
    max_len: 255,
    lowercase: false,
    extra: "-_.",
    start_letter: false,
};

/// What the alarms watch.
#[derive(Clone, Debug)]
enum Watched {
    Database(DatabaseRef),
    LoadBalancer(LoadBalancerRef),
    Cache(CacheRef),
    Targets(EcsServiceRef, LoadBalancerRef),
}

/// CloudWatch alarms on one construct of the stack, notifying a topic when they fire and when
/// they recover.
///
/// Creates: one `aws_cloudwatch_metric_alarm` per condition:
/// - a database (RDS PostgreSQL or MySQL): CPU above 80% for 15 minutes; free storage below
///   10 GiB (storage autoscaling has stopped keeping up); on each read replica and on a
///   cross-region replica, replica lag above 5 minutes;
/// - a load balancer: more than 10 of its own 5xx answers (no healthy target, a timeout) in 5
///   minutes, and more than 10 5xx answers from its targets in 5 minutes;
/// - a cache (Redis or Valkey), on each node: engine CPU above 80% for 15 minutes (the engine
///   is one thread), memory use above 80% for 15 minutes (next come evictions or refused
///   writes), and any eviction in 5 minutes (keys lost because the cache is full);
/// - an ECS service behind a load balancer (its target group): an unhealthy target for 10
///   minutes, and no healthy target at all for 5 minutes (every request answered 503).
///
/// Defaults: every alarm also notifies when it returns to OK; a metric that stops reporting
/// is treated as missing (no alarm), except storage, where missing data alarms.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{AlarmTopic, Alarms, Database, Network};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let db = stack.add(Database::postgres("db", &network));
/// let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
/// stack.add(Alarms::for_database(&db, &topic));
/// ```
#[derive(Clone, Debug)]
pub struct Alarms {
    id: String,
    watched: Watched,
    topic: AlarmTopicRef,
    cpu_percent: u32,
    free_storage_gib: u32,
    memory_percent: u32,
    evictions: u32,
}

/// A handle to an [`Alarms`].
#[derive(Clone, Debug)]
pub struct AlarmsRef {
    path: Path,
}

impl AlarmsRef {
    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// One alarm: its part name, what it says, and the metric condition.
struct Alarm {
    part: String,
    description: String,
    namespace: &'static str,
    metric: &'static str,
    dimensions: Vec<(&'static str, Value)>,
    statistic: &'static str,
    periods: u32,
    comparison: &'static str,
    threshold: i64,
    missing: &'static str,
}

fn last_id(path: &Path) -> String {
    path.below_stack().last().cloned().unwrap_or_default()
}

impl Alarms {
    /// Alarms on a database (construct id `<db>-alarms`).
    pub fn for_database(db: &DatabaseRef, topic: &AlarmTopicRef) -> Self {
        Self::new(
            format!("{}-alarms", last_id(db.path())),
            Watched::Database(db.clone()),
            topic,
        )
    }

    /// Alarms on a load balancer (construct id `<lb>-alarms`).
    pub fn for_load_balancer(lb: &LoadBalancerRef, topic: &AlarmTopicRef) -> Self {
        Self::new(
            format!("{}-alarms", last_id(lb.path())),
            Watched::LoadBalancer(lb.clone()),
            topic,
        )
    }

    /// Alarms on each node of a cache (construct id `<cache>-alarms`).
    pub fn for_cache(cache: &CacheRef, topic: &AlarmTopicRef) -> Self {
        Self::new(
            format!("{}-alarms", last_id(cache.path())),
            Watched::Cache(cache.clone()),
            topic,
        )
    }

    /// Alarms on the health of an ECS service's targets behind `lb` (the target group its
    /// `serve_via(&lb, ..)` made; construct id `<service>-<lb>-target-alarms`). A service
    /// that does not serve via `lb` has no such target group (SS0202 names it).
    pub fn for_targets(
        service: &EcsServiceRef,
        lb: &LoadBalancerRef,
        topic: &AlarmTopicRef,
    ) -> Self {
        Self::new(
            format!(
                "{}-{}-target-alarms",
                last_id(service.path()),
                last_id(lb.path())
            ),
            Watched::Targets(service.clone(), lb.clone()),
            topic,
        )
    }

    fn new(id: String, watched: Watched, topic: &AlarmTopicRef) -> Self {
        Self {
            id,
            watched,
            topic: topic.clone(),
            cpu_percent: 80,
            free_storage_gib: 10,
            memory_percent: 80,
            evictions: 0,
        }
    }

    /// The CPU utilisation (1–100%) above which the CPU alarm fires: a database's, a cache
    /// node's engine thread. Default: 80.
    #[must_use]
    pub fn cpu_above_percent(mut self, percent: u32) -> Self {
        self.cpu_percent = percent;
        self
    }

    /// The free database storage (GiB, at least 1) below which the storage alarm fires.
    /// Default: 10.
    #[must_use]
    pub fn free_storage_below_gib(mut self, gib: u32) -> Self {
        self.free_storage_gib = gib;
        self
    }

    /// The memory use of a cache node (1–100% of its data memory) above which the memory
    /// alarm fires. Default: 80 — room for a burst before evictions start.
    #[must_use]
    pub fn memory_above_percent(mut self, percent: u32) -> Self {
        self.memory_percent = percent;
        self
    }

    /// How many evictions in 5 minutes a cache node may make before the eviction alarm fires.
    /// Default: 0 — the cache is sized to hold its data, and an eviction is a lost key (a
    /// session, a lock). Raise it for a cache that evicts by design (LRU of recomputable
    /// values).
    #[must_use]
    pub fn evictions_above(mut self, evictions: u32) -> Self {
        self.evictions = evictions;
        self
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        if !(1..=100).contains(&self.memory_percent) {
            cx.error(
                "SS0622",
                format!(
                    "`memory_above_percent` is {}; allowed are 1 to 100",
                    self.memory_percent
                ),
                "use 80: above it the cache starts evicting keys or refusing writes",
            );
        }
        if !(1..=100).contains(&self.cpu_percent) {
            cx.error(
                "SS0622",
                format!(
                    "`cpu_above_percent` is {}; allowed are 1 to 100",
                    self.cpu_percent
                ),
                "use 80: sustained CPU above it leaves no room for a traffic spike",
            );
        }
        if self.free_storage_gib == 0 {
            cx.error(
                "SS0622",
                "`free_storage_below_gib` is 0, so the storage alarm would fire only on a full disk",
                "use 10 GiB",
            );
        }
        if let Watched::Database(db) = &self.watched {
            if matches!(
                db.engine(),
                DatabaseEngine::AuroraPostgres | DatabaseEngine::DocumentDb
            ) {
                cx.error(
                    "SS0623",
                    format!(
                        "{} is a cluster database; `Alarms::for_database` watches RDS PostgreSQL and MySQL instances",
                        db.path()
                    ),
                    "watch the cluster in the CloudWatch console until cluster alarms are built, or use RDS PostgreSQL",
                );
            }
        }
    }

    fn alarms(&self) -> Vec<Alarm> {
        match &self.watched {
            Watched::Database(db) => {
                let id = |i: &str| vec![("DBInstanceIdentifier", Value::from(i))];
                let mut out = vec![
                    Alarm {
                        part: "cpu".into(),
                        description: format!(
                            "{}: CPU above {}% for 15 minutes",
                            db.identifier(),
                            self.cpu_percent
                        ),
                        namespace: "AWS/RDS",
                        metric: "CPUUtilization",
                        dimensions: id(db.identifier()),
                        statistic: "Average",
                        periods: 3,
                        comparison: "GreaterThanThreshold",
                        threshold: i64::from(self.cpu_percent),
                        missing: "missing",
                    },
                    Alarm {
                        part: "storage".into(),
                        description: format!(
                            "{}: less than {} GiB of storage free",
                            db.identifier(),
                            self.free_storage_gib
                        ),
                        namespace: "AWS/RDS",
                        metric: "FreeStorageSpace",
                        dimensions: id(db.identifier()),
                        statistic: "Minimum",
                        periods: 1,
                        comparison: "LessThanThreshold",
                        threshold: i64::from(self.free_storage_gib).saturating_mul(1 << 30),
                        missing: "breaching",
                    },
                ];
                let mut lagging: Vec<String> = (1..=db.readers())
                    .map(|i| format!("{}-replica-{i}", db.identifier()))
                    .collect();
                if db.is_replica() {
                    lagging.insert(0, db.identifier().to_owned());
                }
                for (i, replica) in lagging.iter().enumerate() {
                    out.push(Alarm {
                        part: if db.is_replica() && i == 0 {
                            "replica-lag".into()
                        } else {
                            format!("replica-lag-{}", replica.rsplit('-').next().unwrap_or(""))
                        },
                        description: format!("{replica}: replica lag above 5 minutes"),
                        namespace: "AWS/RDS",
                        metric: "ReplicaLag",
                        dimensions: id(replica),
                        statistic: "Maximum",
                        periods: 3,
                        comparison: "GreaterThanThreshold",
                        threshold: 300,
                        missing: "missing",
                    });
                }
                out
            }
            Watched::LoadBalancer(lb) => {
                let dim = || vec![("LoadBalancer", Value::from(lb.arn_suffix()))];
                let five_xx = |part: &str, metric: &'static str, whose: &str| Alarm {
                    part: part.into(),
                    description: format!(
                        "{}: more than 10 5xx answers {whose} in 5 minutes",
                        lb.path()
                    ),
                    namespace: "AWS/ApplicationELB",
                    metric,
                    dimensions: dim(),
                    statistic: "Sum",
                    periods: 1,
                    comparison: "GreaterThanThreshold",
                    threshold: 10,
                    missing: "notBreaching",
                };
                vec![
                    five_xx(
                        "elb-5xx",
                        "HTTPCode_ELB_5XX_Count",
                        "from the load balancer itself",
                    ),
                    five_xx(
                        "target-5xx",
                        "HTTPCode_Target_5XX_Count",
                        "from its targets",
                    ),
                ]
            }
            Watched::Cache(cache) => self.cache_alarms(cache),
            Watched::Targets(service, lb) => {
                let dims = || {
                    vec![
                        (
                            "TargetGroup",
                            Value::from(service.target_group_arn_suffix(lb)),
                        ),
                        ("LoadBalancer", Value::from(lb.arn_suffix())),
                    ]
                };
                let whose = format!("{} behind {}", service.path(), lb.path());
                vec![
                    Alarm {
                        part: "unhealthy-targets".into(),
                        description: format!("{whose}: a target unhealthy for 10 minutes"),
                        namespace: "AWS/ApplicationELB",
                        metric: "UnHealthyHostCount",
                        dimensions: dims(),
                        statistic: "Maximum",
                        periods: 2,
                        comparison: "GreaterThanThreshold",
                        threshold: 0,
                        missing: "notBreaching",
                    },
                    Alarm {
                        part: "no-healthy-targets".into(),
                        description: format!(
                            "{whose}: no healthy target, every request is answered 503"
                        ),
                        namespace: "AWS/ApplicationELB",
                        metric: "HealthyHostCount",
                        dimensions: dims(),
                        statistic: "Minimum",
                        periods: 1,
                        comparison: "LessThanThreshold",
                        threshold: 1,
                        missing: "breaching",
                    },
                ]
            }
        }
    }
}

impl Alarms {
    /// Engine CPU, memory and evictions of each node of `cache`.
    fn cache_alarms(&self, cache: &CacheRef) -> Vec<Alarm> {
        let group = stacksmith_core::cloud_name(cache.path(), "");
        let mut out = Vec::new();
        for node in cache.member_clusters() {
            let suffix = node
                .strip_prefix(&group)
                .map_or(node.as_str(), |s| s.trim_start_matches('-'));
            let alarm = |part: &str,
                         description: String,
                         metric: &'static str,
                         statistic: &'static str,
                         periods: u32,
                         threshold: u32| Alarm {
                part: format!("{part}-{suffix}"),
                description,
                namespace: "AWS/ElastiCache",
                metric,
                dimensions: vec![("CacheClusterId", Value::from(node.as_str()))],
                statistic,
                periods,
                comparison: "GreaterThanThreshold",
                threshold: i64::from(threshold),
                missing: "missing",
            };
            out.push(alarm(
                "engine-cpu",
                format!(
                    "{node}: engine CPU above {}% for 15 minutes",
                    self.cpu_percent
                ),
                "EngineCPUUtilization",
                "Average",
                3,
                self.cpu_percent,
            ));
            out.push(alarm(
                "memory",
                format!(
                    "{node}: memory use above {}% for 15 minutes",
                    self.memory_percent
                ),
                "DatabaseMemoryUsagePercentage",
                "Average",
                3,
                self.memory_percent,
            ));
            out.push(alarm(
                "evictions",
                format!(
                    "{node}: more than {} evictions in 5 minutes (keys lost to a full cache)",
                    self.evictions
                ),
                "Evictions",
                "Sum",
                1,
                self.evictions,
            ));
        }
        out
    }
}

impl Construct for Alarms {
    type Handle = AlarmsRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> AlarmsRef {
        AlarmsRef {
            path: scope.path.clone(),
        }
    }
}

impl Lower for Alarms {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        self.validate(cx);
        let topic = self.topic.arn();
        for a in self.alarms() {
            let name = cx.name(&a.part);
            cx.check_name(&ALARM_NAME, &name, "alarm name");
            let mut dimensions = Map::new();
            for (k, v) in a.dimensions {
                dimensions.insert(k.to_owned().into(), v);
            }
            cx.add(
                "aws_cloudwatch_metric_alarm",
                &a.part,
                tf! {
                    "alarm_name" => name.as_str(),
                    "alarm_description" => a.description,
                    "namespace" => a.namespace,
                    "metric_name" => a.metric,
                    "dimensions" => dimensions,
                    "statistic" => a.statistic,
                    "period" => 300_i64,
                    "evaluation_periods" => a.periods,
                    "datapoints_to_alarm" => a.periods,
                    "comparison_operator" => a.comparison,
                    "threshold" => a.threshold,
                    "treat_missing_data" => a.missing,
                    "alarm_actions" => vec![&topic],
                    "ok_actions" => vec![&topic],
                    "tags" => name_tag(&name),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AlarmTopic, Database, LoadBalancer, Network};
    use stacksmith_core::Stack;

    fn alarm_names(g: &stacksmith_core::Graph) -> Vec<String> {
        g.resources
            .iter()
            .filter(|r| r.address.kind() == "aws_cloudwatch_metric_alarm")
            .map(|r| r.address.name().to_owned())
            .collect()
    }

    #[test]
    fn a_database_with_a_replica_gets_cpu_storage_and_lag_alarms_to_the_topic() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let db = stack.add(Database::postgres("db", &net).read_replicas(1));
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(Alarms::for_database(&db, &topic));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            alarm_names(&g),
            [
                "db_alarms_cpu",
                "db_alarms_storage",
                "db_alarms_replica_lag_1"
            ]
        );
        let lag = g
            .resources
            .iter()
            .find(|r| r.address.name() == "db_alarms_replica_lag_1")
            .map(|r| serde_json::to_string(&r.body).unwrap_or_default())
            .unwrap_or_default();
        assert!(
            lag.contains(r#""DBInstanceIdentifier":"prod-db-replica-1""#),
            "{lag}"
        );
        assert!(
            lag.contains(r#""alarm_actions":["${aws_sns_topic.alerts.arn}"]"#),
            "{lag}"
        );
    }

    #[test]
    fn a_load_balancer_gets_5xx_alarms_on_its_arn_suffix() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let alb = stack.add(
            LoadBalancer::new("alb", &net)
                .certificate("api.janua.dev", "janua.dev")
                .open_to_internet(),
        );
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(Alarms::for_load_balancer(&alb, &topic));
        let g = stack.lower();
        assert_eq!(
            alarm_names(&g),
            ["alb_alarms_elb_5xx", "alb_alarms_target_5xx"]
        );
        let all = serde_json::to_string(&g.resources.iter().map(|r| &r.body).collect::<Vec<_>>())
            .unwrap_or_default();
        assert!(
            all.contains(r#""LoadBalancer":"${aws_lb.alb.arn_suffix}""#),
            "{all}"
        );
    }

    #[test]
    fn a_cache_gets_cpu_memory_and_eviction_alarms_on_every_node() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let cache = stack.add(crate::Cache::redis("cache", &net).replicas(1));
        let shards = stack.add(crate::Cache::redis("sessions", &net).cluster_mode(2, 1));
        assert_eq!(
            shards.member_clusters(),
            [
                "prod-sessions-0001-001",
                "prod-sessions-0001-002",
                "prod-sessions-0002-001",
                "prod-sessions-0002-002"
            ]
        );
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(Alarms::for_cache(&cache, &topic).evictions_above(100));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            alarm_names(&g),
            [
                "cache_alarms_engine_cpu_001",
                "cache_alarms_memory_001",
                "cache_alarms_evictions_001",
                "cache_alarms_engine_cpu_002",
                "cache_alarms_memory_002",
                "cache_alarms_evictions_002"
            ]
        );
        let evictions = g
            .resources
            .iter()
            .find(|r| r.address.name() == "cache_alarms_evictions_002")
            .map(|r| serde_json::to_string(&r.body).unwrap_or_default())
            .unwrap_or_default();
        assert!(
            evictions.contains(r#""CacheClusterId":"prod-cache-002""#),
            "{evictions}"
        );
        assert!(evictions.contains(r#""threshold":100"#), "{evictions}");
    }

    #[test]
    fn a_service_behind_a_load_balancer_gets_target_health_alarms() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let alb = stack.add(
            LoadBalancer::new("alb", &net)
                .certificate("api.janua.dev", "janua.dev")
                .open_to_internet(),
        );
        let ecs = stack.add(crate::EcsCluster::new("ecs"));
        let api = stack.add(
            crate::EcsService::new("api", &ecs, &net)
                .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/janua-api:1.0.0")
                .port(8000)
                .serve_via(&alb, crate::Route::host("api.janua.dev")),
        );
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(Alarms::for_targets(&api, &alb, &topic));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            alarm_names(&g),
            [
                "api_alb_target_alarms_unhealthy_targets",
                "api_alb_target_alarms_no_healthy_targets"
            ]
        );
        let all = serde_json::to_string(&g.resources.iter().map(|r| &r.body).collect::<Vec<_>>())
            .unwrap_or_default();
        assert!(
            all.contains(r#""TargetGroup":"${aws_lb_target_group.api_alb_targets.arn_suffix}""#),
            "{all}"
        );
        assert!(
            g.resources
                .iter()
                .any(|r| r.address.expression() == "aws_lb_target_group.api_alb_targets")
        );
    }

    #[test]
    fn fails_target_alarms_of_a_service_the_load_balancer_does_not_serve() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let alb = stack.add(
            LoadBalancer::new("alb", &net)
                .certificate("api.janua.dev", "janua.dev")
                .open_to_internet(),
        );
        let ecs = stack.add(crate::EcsCluster::new("ecs"));
        let worker = stack.add(
            crate::EcsService::new("worker", &ecs, &net)
                .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/janua-worker:1.0.0"),
        );
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(Alarms::for_targets(&worker, &alb, &topic));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_cache_memory_threshold() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let cache = stack.add(crate::Cache::redis("cache", &net));
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(Alarms::for_cache(&cache, &topic).memory_above_percent(0));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_thresholds_and_cluster_databases() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let db = stack.add(Database::documentdb("docs", &net));
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(
            Alarms::for_database(&db, &topic)
                .cpu_above_percent(120)
                .free_storage_below_gib(0),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
