//! `Alarms`: the CloudWatch alarms that say a construct of the stack is in trouble (a
//! database's CPU, storage and replica lag; a load balancer's 5xx answers), sent to an
//! [`AlarmTopic`](crate::AlarmTopic).

use stacksmith_core::terraform::{Map, Value};
use stacksmith_core::{Construct, Lower, Lowering, NameRule, Path, Scope, tf};

use crate::alarm_topic::AlarmTopicRef;
use crate::common::{self, name_tag};
use crate::database::{DatabaseEngine, DatabaseRef};
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
}

/// CloudWatch alarms on one construct of the stack, notifying a topic when they fire and when
/// they recover.
///
/// Creates: one `aws_cloudwatch_metric_alarm` per condition:
/// - a database (RDS PostgreSQL or MySQL): CPU above 80% for 15 minutes; free storage below
///   10 GiB (storage autoscaling has stopped keeping up); on each read replica and on a
///   cross-region replica, replica lag above 5 minutes;
/// - a load balancer: more than 10 of its own 5xx answers (no healthy target, a timeout) in 5
///   minutes, and more than 10 5xx answers from its targets in 5 minutes.
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
    dimension: (&'static str, Value),
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

    fn new(id: String, watched: Watched, topic: &AlarmTopicRef) -> Self {
        Self {
            id,
            watched,
            topic: topic.clone(),
            cpu_percent: 80,
            free_storage_gib: 10,
        }
    }

    /// The database CPU utilisation (1–100%) above which the CPU alarm fires. Default: 80.
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

    fn validate(&self, cx: &mut Lowering<'_>) {
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
                let id = |i: &str| ("DBInstanceIdentifier", Value::from(i));
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
                        dimension: id(db.identifier()),
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
                        dimension: id(db.identifier()),
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
                        dimension: id(replica),
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
                let dim = || ("LoadBalancer", Value::from(lb.arn_suffix()));
                let five_xx = |part: &str, metric: &'static str, whose: &str| Alarm {
                    part: part.into(),
                    description: format!(
                        "{}: more than 10 5xx answers {whose} in 5 minutes",
                        lb.path()
                    ),
                    namespace: "AWS/ApplicationELB",
                    metric,
                    dimension: dim(),
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
        }
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
            dimensions.insert(a.dimension.0.to_owned(), a.dimension.1);
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
