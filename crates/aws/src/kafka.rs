//! `Kafka`: Amazon MSK, provisioned or serverless, in private subnets, reached over TLS with
//! IAM authentication only.

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{
    Address, Construct, Facts, Lookup, Lower, Lowering, NameRule, Path, Ref, Scope, Template,
    Within, cloud_name, tf, tf_name,
};

use crate::common::{self, Ingress, Peer, name_tag};
use crate::drawing::words;
use crate::iam::PolicyStatement;
use crate::iam::sid_prefix;
use crate::network::NetworkRef;

/// Kafka versions MSK supports for new provisioned clusters (3.6.0's end of support is
/// 2026-06-01, so it is left out).
const VERSIONS: &[&str] = &["3.7.x", "3.8.x", "3.9.x", "4.0.x"];

/// The SASL/IAM listener's port inside the VPC.
const IAM_PORT: u16 = 9098;

/// How a later root finds a provisioned cluster by name, and what it can read.
const LOOKUP: Lookup = Lookup::by(
    "aws_msk_cluster",
    "cluster_name",
    "cluster_name",
    &[
        ("arn", "arn"),
        ("cluster_name", "cluster_name"),
        ("bootstrap_brokers_tls", "bootstrap_brokers_tls"),
        ("bootstrap_brokers_sasl_iam", "bootstrap_brokers_sasl_iam"),
        (
            "bootstrap_brokers_sasl_scram",
            "bootstrap_brokers_sasl_scram",
        ),
        (
            "zookeeper_connect_string_tls",
            "zookeeper_connect_string_tls",
        ),
    ],
);

/// A provisioned cluster holds the topics' data; a later root finds it by name.
const PROVISIONED: Facts = Facts::new()
    .stateful()
    .identity(&["cluster_name"])
    .found_by(&LOOKUP);

/// No data source finds a serverless cluster.
const SERVERLESS_LOOKUP: Lookup = Lookup::Unsupported(
    "the aws provider 6.47.0 has no data source for MSK Serverless clusters (`aws_msk_cluster` finds provisioned clusters only)",
);

/// A serverless cluster holds the topics' data; a later root cannot find it.
const SERVERLESS: Facts = Facts::new()
    .stateful()
    .identity(&["cluster_name"])
    .found_by(&SERVERLESS_LOOKUP);

/// How a later root reads what the stack publishes in a parameter: by its name, through
/// `insecure_value`, which the provider does not mark sensitive (brokers are no secret, and
/// plans should show them).
const PARAMETER_LOOKUP: Lookup = Lookup::by(
    "aws_ssm_parameter",
    "name",
    "name",
    &[("insecure_value", "insecure_value")],
);

/// A serverless cluster's bootstrap brokers, published where a later root finds them (no data
/// source finds the cluster itself): a plain `String` parameter, since host names and a port
/// are no secret. Renaming it replaces it.
const BOOTSTRAP_PARAMETER: Facts = Facts::new()
    .identity(&["name"])
    .replaced_on(&["name"])
    .found_by(&PARAMETER_LOOKUP);

/// MSK cluster and configuration names: 1–64 letters, digits and hyphens, starting with a letter.
const CLUSTER_NAME: NameRule = NameRule {
    what: "MSK cluster name",
    max_len: 64,
    lowercase: false,
    extra: "-",
    start_letter: true,
};

/// The largest EBS volume per broker, in GiB.
const MAX_VOLUME_GIB: u32 = 16_384;

/// Broker properties written into the cluster's MSK configuration.
const SERVER_PROPERTIES: &[(&str, &str)] = &[
    ("auto.create.topics.enable", "false"),
    ("default.replication.factor", "3"),
    ("min.insync.replicas", "2"),
    ("unclean.leader.election.enable", "false"),
];

/// How many CloudWatch metrics a provisioned cluster publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitoringLevel {
    /// Cluster and broker basics only (free).
    Default,
    /// Adds per-broker metrics.
    PerBroker,
    /// Adds per-topic metrics on each broker (the default: consumer lag and topic throughput
    /// are what on-call needs; priced per metric).
    PerTopicPerBroker,
    /// Adds per-partition metrics (most detailed, most metrics).
    PerTopicPerPartition,
}

impl MonitoringLevel {
    fn name(self) -> &'static str {
        match self {
            MonitoringLevel::Default => "DEFAULT",
            MonitoringLevel::PerBroker => "PER_BROKER",
            MonitoringLevel::PerTopicPerBroker => "PER_TOPIC_PER_BROKER",
            MonitoringLevel::PerTopicPerPartition => "PER_TOPIC_PER_PARTITION",
        }
    }
}

/// Settings of a provisioned cluster.
#[derive(Clone, Debug)]
struct Provisioned {
    version: String,
    instance_type: String,
    brokers: u32,
    volume_gib: u32,
    autoscaling_max_gib: Option<u32>,
    monitoring: MonitoringLevel,
    log_retention_days: u32,
}

/// Provisioned brokers, or MSK Serverless.
#[derive(Clone, Debug)]
enum Deployment {
    Provisioned(Provisioned),
    Serverless {
        /// Provisioned-only setters called on a serverless cluster, reported as errors.
        ignored: Vec<&'static str>,
    },
}

/// Amazon MSK: managed Apache Kafka, as provisioned brokers or MSK Serverless.
///
/// Creates (provisioned): a KMS key (rotation on) for data at rest and broker logs, an
/// encrypted CloudWatch log group for broker logs, an `aws_msk_configuration` with safe broker
/// properties (`auto.create.topics.enable=false`, `default.replication.factor=3`,
/// `min.insync.replicas=2`, `unclean.leader.election.enable=false`), a security group with one
/// ingress rule on 9098/tcp per `allow_from`, `aws_msk_cluster`, and with
/// `.storage_autoscaling(..)` an `aws_appautoscaling_target`/`_policy` on broker storage.
/// (serverless): the security group and `aws_msk_serverless_cluster`.
///
/// Defaults (provisioned): Kafka 3.8.x on `kafka.m7g.large`, 3 brokers spread over the
/// network's first 3 zones, 100 GiB of EBS per broker, encryption at rest with the customer key
/// and TLS between clients and brokers and inside the cluster; SASL/IAM client authentication
/// only (unauthenticated and SCRAM off; mTLS not offered); no public access;
/// `PER_TOPIC_PER_BROKER` monitoring; Prometheus JMX and node exporters on; broker logs kept
/// 365 days. Serverless: IAM authentication and TLS are built in; encryption at rest uses an
/// AWS-owned key (MSK Serverless offers no customer key).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{EksCluster, Kafka, Network};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(EksCluster::new("eks", &network));
/// let kafka = stack.add(Kafka::provisioned("events", &network).brokers(6).allow_from(&cluster));
/// let producer = kafka.connect_statements();
/// ```
#[derive(Clone, Debug)]
pub struct Kafka {
    id: String,
    network: NetworkRef,
    deployment: Deployment,
    ingress: Vec<Ingress>,
}

/// A handle to a [`Kafka`] cluster: bootstrap brokers, ARN, and IAM statements for clients.
#[derive(Clone, Debug)]
pub struct KafkaRef {
    network_cidr: Option<stacksmith_core::Cidr>,
    path: Path,
    stack: String,
    region: String,
    serverless: bool,
    sid: String,
}

impl Kafka {
    /// A provisioned MSK cluster in `network`'s private subnets.
    pub fn provisioned(id: &str, network: &NetworkRef) -> Self {
        Self {
            id: id.to_owned(),
            network: network.clone(),
            deployment: Deployment::Provisioned(Provisioned {
                version: "3.8.x".into(),
                instance_type: "kafka.m7g.large".into(),
                brokers: 3,
                volume_gib: 100,
                autoscaling_max_gib: None,
                monitoring: MonitoringLevel::PerTopicPerBroker,
                log_retention_days: 365,
            }),
            ingress: Vec::new(),
        }
    }

    /// An MSK Serverless cluster in `network`'s private subnets: capacity managed by AWS.
    pub fn serverless(id: &str, network: &NetworkRef) -> Self {
        Self {
            deployment: Deployment::Serverless {
                ignored: Vec::new(),
            },
            ..Self::provisioned(id, network)
        }
    }

    fn provisioned_mut(&mut self, setter: &'static str) -> Option<&mut Provisioned> {
        match &mut self.deployment {
            Deployment::Provisioned(p) => Some(p),
            Deployment::Serverless { ignored } => {
                ignored.push(setter);
                None
            }
        }
    }

    /// The Kafka version, as MSK names it (`"3.8.x"`). Provisioned only. Default: 3.8.x
    /// (MSK's recommended version).
    #[must_use]
    pub fn kafka_version(mut self, version: &str) -> Self {
        if let Some(p) = self.provisioned_mut("kafka_version") {
            p.version = version.to_owned();
        }
        self
    }

    /// The broker instance type. Provisioned only. Default: `kafka.m7g.large` (2 vCPU, 8 GiB).
    #[must_use]
    pub fn instance_type(mut self, instance_type: &str) -> Self {
        if let Some(p) = self.provisioned_mut("instance_type") {
            p.instance_type = instance_type.to_owned();
        }
        self
    }

    /// Number of brokers: a multiple of the zones used (2 or 3), at least 3 (topics are
    /// replicated 3 times). Provisioned only. Default: 3.
    #[must_use]
    pub fn brokers(mut self, brokers: u32) -> Self {
        if let Some(p) = self.provisioned_mut("brokers") {
            p.brokers = brokers;
        }
        self
    }

    /// EBS storage per broker in GiB (1–16384; it can grow later, never shrink).
    /// Provisioned only. Default: 100.
    #[must_use]
    pub fn volume_size_gib(mut self, gib: u32) -> Self {
        if let Some(p) = self.provisioned_mut("volume_size_gib") {
            p.volume_gib = gib;
        }
        self
    }

    /// Grows broker storage automatically (at 60 % use) up to `max_gib` per broker; Terraform
    /// then ignores the volume size it did not set. Provisioned only. Default: off.
    #[must_use]
    pub fn storage_autoscaling(mut self, max_gib: u32) -> Self {
        if let Some(p) = self.provisioned_mut("storage_autoscaling") {
            p.autoscaling_max_gib = Some(max_gib);
        }
        self
    }

    /// The CloudWatch metrics level. Provisioned only. Default: `PerTopicPerBroker`.
    #[must_use]
    pub fn enhanced_monitoring(mut self, level: MonitoringLevel) -> Self {
        if let Some(p) = self.provisioned_mut("enhanced_monitoring") {
            p.monitoring = level;
        }
        self
    }

    /// How long broker logs are kept (a CloudWatch Logs retention value). Provisioned only.
    /// Default: 365 days.
    #[must_use]
    pub fn log_retention_days(mut self, days: u32) -> Self {
        if let Some(p) = self.provisioned_mut("log_retention_days") {
            p.log_retention_days = days;
        }
        self
    }

    /// Opens the SASL/IAM port (9098) to a peer (e.g. an EKS cluster's nodes).
    #[must_use]
    pub fn allow_from(mut self, peer: &impl Peer) -> Self {
        self.ingress.push(Ingress::of(peer));
        self
    }
}

impl KafkaRef {
    /// The port clients connect on (9098: TLS with SASL/IAM).
    pub fn port(&self) -> u16 {
        IAM_PORT
    }

    /// Allows `peer` to connect, declared after both exist (`stack.add(x.allow_from(&api))`):
    /// the ingress rule here and, if the peer restricts egress, its egress rule.
    pub fn allow_from(&self, peer: &impl Peer) -> crate::Connection {
        crate::Connection::new(self, peer)
    }

    fn cluster(&self) -> Address {
        let kind = if self.serverless {
            "aws_msk_serverless_cluster"
        } else {
            "aws_msk_cluster"
        };
        Address::resource(&self.stack, kind, &tf_name(&self.path, ""))
    }

    /// The SASL/IAM bootstrap brokers (`b-1.…:9098,b-2.…:9098`), for `bootstrap.servers`:
    /// a workload reads them with `.env_from_cloud(..)`. MSK Serverless's come through the SSM
    /// parameter the stack publishes them in, which the `cluster/` root finds by name.
    pub fn bootstrap_brokers(&self) -> Ref {
        if self.serverless {
            Address::resource(
                &self.stack,
                "aws_ssm_parameter",
                &tf_name(&self.path, "bootstrap-brokers"),
            )
            .attr("insecure_value")
        } else {
            self.cluster().attr("bootstrap_brokers_sasl_iam")
        }
    }

    /// The cluster's ARN.
    pub fn arn(&self) -> Ref {
        self.cluster().attr("arn")
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `arn:<partition>:kafka:<region>:<account>:<kind>/<cluster>/<uuid>/<name>`.
    fn resource_arn(&self, kind: &str, name: &str) -> Template {
        let partition: Ref =
            Address::data(&self.stack, "aws_partition", "current").attr("partition");
        let account: Ref =
            Address::data(&self.stack, "aws_caller_identity", "current").attr("account_id");
        let uuid: Ref = self.cluster().attr("cluster_uuid");
        Template::new()
            .lit("arn:")
            .with(&partition)
            .lit(format!(":kafka:{}:", self.region))
            .with(&account)
            .lit(format!(":{kind}/{}/", cloud_name(&self.path, "")))
            .with(&uuid)
            .lit(format!("/{name}"))
    }

    /// IAM statements to connect to the cluster and describe it: every client needs them.
    /// Combine with [`produce_statements`](Self::produce_statements) and/or
    /// [`consume_statements`](Self::consume_statements) in one policy (their Sids differ).
    pub fn connect_statements(&self) -> Vec<PolicyStatement> {
        vec![
            PolicyStatement::allow(
                &format!("{}Connect", self.sid),
                ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
            )
            .resource(self.arn()),
        ]
    }

    /// IAM statements to write to `topics` (names, or `*` patterns), idempotently (the
    /// default of Kafka producers since 3.0).
    pub fn produce_statements<'a>(
        &self,
        topics: impl IntoIterator<Item = &'a str>,
    ) -> Vec<PolicyStatement> {
        let mut write = PolicyStatement::allow(
            &format!("{}Produce", self.sid),
            ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
        );
        for t in topics {
            write = write.resource(self.resource_arn("topic", t));
        }
        vec![
            write,
            PolicyStatement::allow(
                &format!("{}ProduceIdempotently", self.sid),
                ["kafka-cluster:WriteDataIdempotently"],
            )
            .resource(self.arn()),
        ]
    }

    /// IAM statements to create `topics` (names) if they do not exist: `CreateTopic` and
    /// `DescribeTopic` on exactly those topics (for the Job of `kafka.topics_job(..)`).
    pub fn create_topic_statements<'a>(
        &self,
        topics: impl IntoIterator<Item = &'a str>,
    ) -> Vec<PolicyStatement> {
        let mut create = PolicyStatement::allow(
            &format!("{}CreateTopics", self.sid),
            ["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic"],
        );
        for t in topics {
            create = create.resource(self.resource_arn("topic", t));
        }
        vec![create]
    }

    /// IAM statements to read `topics` (names, or `*` patterns) as consumer group `group`.
    pub fn consume_statements<'a>(
        &self,
        topics: impl IntoIterator<Item = &'a str>,
        group: &str,
    ) -> Vec<PolicyStatement> {
        let mut read = PolicyStatement::allow(
            &format!("{}Consume", self.sid),
            ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
        );
        for t in topics {
            read = read.resource(self.resource_arn("topic", t));
        }
        vec![
            read,
            PolicyStatement::allow(
                &format!("{}ConsumerGroup", self.sid),
                ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
            )
            .resource(self.resource_arn("group", group)),
        ]
    }
}

impl crate::connection::Listener for KafkaRef {
    fn listener_security_group_id(&self) -> Ref {
        Address::resource(
            &self.stack,
            "aws_security_group",
            &tf_name(&self.path, "sg"),
        )
        .attr("id")
    }

    fn listener_port(&self) -> u16 {
        IAM_PORT
    }

    fn listener_what(&self) -> &'static str {
        "Kafka (TLS, SASL/IAM)"
    }

    fn listener_path(&self) -> &Path {
        &self.path
    }

    fn listener_cidr(&self) -> Option<stacksmith_core::Cidr> {
        self.network_cidr
    }
}

impl Construct for Kafka {
    type Handle = KafkaRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> KafkaRef {
        KafkaRef {
            network_cidr: self.network.block(),
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            region: scope.region.clone(),
            serverless: matches!(self.deployment, Deployment::Serverless { .. }),
            sid: sid_prefix(&scope.path),
        }
    }
}

impl Lower for Kafka {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        // The data sources `KafkaRef`'s topic and group ARNs refer to.
        common::partition(cx);
        common::account_id(cx);
        let name = cx.name("");
        cx.check_name(&CLUSTER_NAME, &name, "cluster name");
        let sg = common::data_store_sg(
            cx,
            &self.network,
            "Kafka (TLS, SASL/IAM)",
            IAM_PORT,
            &self.ingress,
        );
        match &self.deployment {
            Deployment::Provisioned(p) => self.lower_provisioned(cx, p, &name, &sg),
            Deployment::Serverless { ignored } => self.lower_serverless(cx, ignored, &name, &sg),
        }
        self.draw(cx);
    }
}

impl Kafka {
    /// The cluster as the diagram draws it, in its network: provisioned brokers (version,
    /// count, size) or serverless, and the ports its connections open.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let node = crate::drawing::data_node(&path)
            .within(Within::Construct(self.network.path().clone()))
            .ports_from_rules();
        let node = match &self.deployment {
            Deployment::Provisioned(p) => node
                .line(words([Some("MSK Kafka"), Some(p.version.as_str())]))
                .line(format!("{} brokers × {}", p.brokers, p.instance_type)),
            Deployment::Serverless { .. } => node.line("MSK Serverless (Kafka)"),
        };
        cx.node(node);
    }
}

impl Kafka {
    fn check_provisioned(&self, cx: &mut Lowering<'_>, p: &Provisioned, zones: usize) {
        if !VERSIONS.contains(&p.version.as_str()) {
            cx.error(
                "SS0150",
                format!(
                    "Kafka `kafka_version` `{}` is not one MSK supports for new clusters",
                    p.version
                ),
                format!(
                    "use one of {} (MSK names minor lines `3.8.x`)",
                    VERSIONS.join(", ")
                ),
            );
        }
        if zones < 2 {
            cx.error(
                "SS0151",
                format!("the network has {zones} zone(s); MSK spreads brokers over 2 or 3 zones"),
                "give the network 3 zones",
            );
        } else if p.brokers < 3
            || p.brokers.checked_rem(u32::try_from(zones).unwrap_or(1)) != Some(0)
        {
            let multiples: Vec<String> = (1..=4)
                .map(|k| zones.saturating_mul(k))
                .filter(|n| *n >= 3)
                .map(|n| n.to_string())
                .collect();
            let multiples = match multiples.split_last() {
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            };
            cx.error(
                "SS0151",
                format!(
                    "`brokers` is {}; it must be a multiple of the {zones} zones the brokers use, and at least 3 (topics are replicated 3 times)",
                    p.brokers
                ),
                format!("use {multiples} brokers"),
            );
        }
        if p.volume_gib == 0 || p.volume_gib > MAX_VOLUME_GIB {
            cx.error(
                "SS0152",
                format!(
                    "`volume_size_gib` is {}; MSK brokers have 1 to {MAX_VOLUME_GIB} GiB",
                    p.volume_gib
                ),
                "use 100 GiB or more, with `.storage_autoscaling(max)` to grow it",
            );
        }
        if let Some(max) = p.autoscaling_max_gib {
            if max <= p.volume_gib || max > MAX_VOLUME_GIB {
                cx.error(
                    "SS0152",
                    format!(
                        "`storage_autoscaling` maximum is {max} GiB; it must be above `volume_size_gib` ({}) and at most {MAX_VOLUME_GIB}",
                        p.volume_gib
                    ),
                    "raise the maximum or lower the initial volume size",
                );
            }
        }
        if !common::LOG_RETENTION_DAYS.contains(&p.log_retention_days) {
            cx.error(
                "SS0153",
                format!(
                    "`log_retention_days` is {}; CloudWatch Logs keeps logs for one of {}",
                    p.log_retention_days,
                    common::retention_list()
                ),
                "use 365 days (or 90 where cost matters)",
            );
        }
    }

    fn lower_provisioned(&self, cx: &mut Lowering<'_>, p: &Provisioned, name: &str, sg: &Address) {
        // MSK takes 2 or 3 client subnets, one per zone.
        let subnets: Vec<Value> = self
            .network
            .private_subnet_ids()
            .into_iter()
            .take(3)
            .map(Value::from)
            .collect();
        self.check_provisioned(cx, p, subnets.len());

        let group_name = format!("/stacksmith/{name}/broker-logs");
        let logs_use_key = common::logs_may_use_key(cx, &group_name);
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the {name} Kafka cluster's storage and broker logs"),
            &[logs_use_key],
        );
        let logs = common::log_group(cx, "logs", &group_name, p.log_retention_days, &key);

        let properties: String = SERVER_PROPERTIES
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect();
        let config = cx.add_with(
            "aws_msk_configuration",
            "config",
            tf! {
                "name" => name,
                "description" => format!("Safe broker defaults for {name}"),
                "server_properties" => properties,
            },
            crate::common::NAMED,
        );

        let mut cluster = Resource::new(
            cx.address("aws_msk_cluster", ""),
            cx.path().clone(),
            tf! {
                "cluster_name" => name,
                "kafka_version" => p.version.as_str(),
                "number_of_broker_nodes" => p.brokers,
                "storage_mode" => "LOCAL",
                "enhanced_monitoring" => p.monitoring.name(),
                "broker_node_group_info" => tf! {
                    "instance_type" => p.instance_type.as_str(),
                    "client_subnets" => Value::List(subnets),
                    "security_groups" => vec![sg.attr::<String>("id")],
                    "az_distribution" => "DEFAULT",
                    "storage_info" => tf! {
                        "ebs_storage_info" => tf! { "volume_size" => p.volume_gib },
                    },
                    "connectivity_info" => tf! {
                        "public_access" => tf! { "type" => "DISABLED" },
                    },
                },
                "client_authentication" => tf! {
                    "unauthenticated" => false,
                    "sasl" => tf! { "iam" => true, "scram" => false },
                },
                "encryption_info" => tf! {
                    "encryption_at_rest_kms_key_arn" => key.attr::<String>("arn"),
                    "encryption_in_transit" => tf! { "client_broker" => "TLS", "in_cluster" => true },
                },
                "configuration_info" => tf! {
                    "arn" => config.attr::<String>("arn"),
                    "revision" => config.attr::<i64>("latest_revision"),
                },
                "logging_info" => tf! {
                    "broker_logs" => tf! {
                        "cloudwatch_logs" => tf! { "enabled" => true, "log_group" => logs.attr::<String>("name") },
                    },
                },
                "open_monitoring" => tf! {
                    "prometheus" => tf! {
                        "jmx_exporter" => tf! { "enabled_in_broker" => true },
                        "node_exporter" => tf! { "enabled_in_broker" => true },
                    },
                },
                "tags" => name_tag(name),
            },
        )
        .facts(PROVISIONED);
        if p.autoscaling_max_gib.is_some() {
            cluster = cluster.ignore_changes(
                "broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size",
            );
        }
        let cluster = cx.resource(cluster);

        if let Some(max) = p.autoscaling_max_gib {
            let target = cx.add(
                "aws_appautoscaling_target",
                "storage",
                tf! {
                    "service_namespace" => "kafka",
                    "scalable_dimension" => "kafka:broker-storage:VolumeSize",
                    "resource_id" => cluster.attr::<String>("arn"),
                    "min_capacity" => 1_i64,
                    "max_capacity" => max,
                },
            );
            cx.add_with(
                "aws_appautoscaling_policy",
                "storage",
                tf! {
                    "name" => format!("{name}-broker-storage"),
                    "policy_type" => "TargetTrackingScaling",
                    "service_namespace" => target.attr::<String>("service_namespace"),
                    "scalable_dimension" => target.attr::<String>("scalable_dimension"),
                    "resource_id" => target.attr::<String>("resource_id"),
                    "target_tracking_scaling_policy_configuration" => tf! {
                        "target_value" => 60_i64,
                        "disable_scale_in" => true,
                        "predefined_metric_specification" => tf! {
                            "predefined_metric_type" => "KafkaBrokerStorageUtilization",
                        },
                    },
                },
                crate::common::NAMED,
            );
        }
        cx.output(
            "bootstrap-brokers",
            cluster.attr::<String>("bootstrap_brokers_sasl_iam"),
            "The Kafka cluster's SASL/IAM bootstrap brokers (TLS, port 9098)",
            false,
        );
    }

    fn lower_serverless(
        &self,
        cx: &mut Lowering<'_>,
        ignored: &[&'static str],
        name: &str,
        sg: &Address,
    ) {
        for setter in ignored {
            cx.error(
                "SS0154",
                format!("`{setter}` applies to provisioned MSK only; this cluster is MSK Serverless, which sizes, versions and monitors itself"),
                format!("remove `.{setter}(..)`, or use `Kafka::provisioned`"),
            );
        }
        let subnets: Vec<Value> = self
            .network
            .private_subnet_ids()
            .into_iter()
            .map(Value::from)
            .collect();
        if subnets.len() < 2 {
            cx.error(
                "SS0151",
                format!(
                    "the network has {} zone(s); MSK Serverless needs subnets in at least 2 zones",
                    subnets.len()
                ),
                "give the network 3 zones",
            );
        }
        let cluster = cx.add_with(
            "aws_msk_serverless_cluster",
            "",
            tf! {
                "cluster_name" => name,
                "vpc_config" => tf! {
                    "subnet_ids" => Value::List(subnets),
                    "security_group_ids" => vec![sg.attr::<String>("id")],
                },
                "client_authentication" => tf! {
                    "sasl" => tf! { "iam" => tf! { "enabled" => true } },
                },
                "tags" => name_tag(name),
            },
            SERVERLESS,
        );
        let parameter = format!("/{name}/bootstrap-brokers");
        cx.add_with(
            "aws_ssm_parameter",
            "bootstrap-brokers",
            tf! {
                "name" => parameter.as_str(),
                "description" => "SASL/IAM bootstrap brokers of the MSK Serverless cluster, for the cluster/ root and clients",
                "type" => "String",
                "insecure_value" => cluster.attr::<String>("bootstrap_brokers_sasl_iam"),
                "tags" => name_tag(&parameter),
            },
            BOOTSTRAP_PARAMETER,
        );
        cx.output(
            "bootstrap-brokers",
            cluster.attr::<String>("bootstrap_brokers_sasl_iam"),
            "The serverless Kafka cluster's SASL/IAM bootstrap brokers (TLS, port 9098)",
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EksCluster, Network};
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::Map;

    fn lowered(k: impl FnOnce(&NetworkRef) -> Kafka) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = stack.add(EksCluster::new("eks", &net));
        stack.add(k(&net).allow_from(&eks));
        stack.lower()
    }

    fn resource<'a>(g: &'a stacksmith_core::Graph, kind: &str) -> Option<&'a Resource> {
        g.resources.iter().find(|r| r.address.kind() == kind)
    }

    fn body<'a>(g: &'a stacksmith_core::Graph, kind: &str) -> Option<&'a Map> {
        resource(g, kind).map(|r| &r.body)
    }

    fn get<'a>(b: Option<&'a Map>, dotted: &str) -> Option<&'a Value> {
        let (head, rest) = dotted.split_once('.').unwrap_or((dotted, ""));
        let v = b.and_then(|b| b.get(head));
        if rest.is_empty() {
            v
        } else {
            v.and_then(|v| v.get(rest))
        }
    }

    #[test]
    fn provisioned_is_encrypted_iam_only_and_stateful() {
        let g = lowered(|n| Kafka::provisioned("events", n));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let c = body(&g, "aws_msk_cluster");
        assert_eq!(
            get(c, "encryption_info.encryption_in_transit.client_broker"),
            Some(&Value::from("TLS"))
        );
        assert_eq!(
            get(c, "encryption_info.encryption_in_transit.in_cluster"),
            Some(&Value::Bool(true))
        );
        assert!(matches!(
            get(c, "encryption_info.encryption_at_rest_kms_key_arn"),
            Some(Value::Ref(r)) if r.expression() == "aws_kms_key.events_key.arn"
        ));
        assert_eq!(
            get(c, "client_authentication.unauthenticated"),
            Some(&Value::Bool(false))
        );
        assert_eq!(
            get(c, "client_authentication.sasl.iam"),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            get(c, "broker_node_group_info.instance_type"),
            Some(&Value::from("kafka.m7g.large"))
        );
        assert_eq!(
            get(c, "enhanced_monitoring"),
            Some(&Value::from("PER_TOPIC_PER_BROKER"))
        );
        assert!(resource(&g, "aws_msk_cluster").is_some_and(|r| r.facts.stateful));
    }

    #[test]
    fn configuration_holds_safe_broker_properties() {
        let g = lowered(|n| Kafka::provisioned("events", n));
        assert_eq!(
            get(body(&g, "aws_msk_configuration"), "server_properties"),
            Some(&Value::from(
                "auto.create.topics.enable=false\ndefault.replication.factor=3\nmin.insync.replicas=2\nunclean.leader.election.enable=false\n"
            ))
        );
    }

    #[test]
    fn allow_from_opens_only_the_iam_port() {
        let g = lowered(|n| Kafka::serverless("stream", n));
        let rules: Vec<_> = g
            .resources
            .iter()
            .filter(|r| {
                r.address.kind() == "aws_vpc_security_group_ingress_rule"
                    && r.owner.to_string() == "prod/stream"
            })
            .collect();
        assert_eq!(rules.len(), 1);
        assert_eq!(
            rules.first().and_then(|r| r.body.get("from_port")),
            Some(&Value::Int(9098))
        );
        assert_eq!(
            rules.first().and_then(|r| r.body.get("to_port")),
            Some(&Value::Int(9098))
        );
    }

    #[test]
    fn storage_autoscaling_targets_broker_volumes() {
        let g = lowered(|n| Kafka::provisioned("events", n).storage_autoscaling(1000));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            get(body(&g, "aws_appautoscaling_target"), "scalable_dimension"),
            Some(&Value::from("kafka:broker-storage:VolumeSize"))
        );
        assert_eq!(
            get(body(&g, "aws_appautoscaling_target"), "max_capacity"),
            Some(&Value::Int(1000))
        );
        assert_eq!(
            resource(&g, "aws_msk_cluster").map(|r| r.ignore_changes.clone()),
            Some(vec![
                "broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size"
                    .to_owned()
            ])
        );
    }

    #[test]
    fn bootstrap_brokers_are_the_iam_listener_for_both_kinds() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let p = stack.add(Kafka::provisioned("events", &net));
        let s = stack.add(Kafka::serverless("stream", &net));
        assert_eq!(
            p.bootstrap_brokers().expression(),
            "aws_msk_cluster.events.bootstrap_brokers_sasl_iam"
        );
        // Serverless: through the parameter publishing them.
        assert_eq!(
            s.bootstrap_brokers().expression(),
            "aws_ssm_parameter.stream_bootstrap_brokers.insecure_value"
        );
        assert_eq!(
            s.arn().expression(),
            "aws_msk_serverless_cluster.stream.arn"
        );
    }

    #[test]
    fn client_statements_are_scoped_to_the_cluster_topics_and_group() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let k = stack.add(Kafka::provisioned("events", &net));
        assert_eq!(
            k.connect_statements(),
            vec![
                PolicyStatement::allow(
                    "EventsConnect",
                    ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
                )
                .resource(k.arn())
            ]
        );
        let consume = k.consume_statements(["llm_requests"], "flagwise-consumer");
        let topic = k.resource_arn("topic", "llm_requests");
        assert_eq!(
            consume.first(),
            Some(
                &PolicyStatement::allow(
                    "EventsConsume",
                    ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
                )
                .resource(topic.clone())
            )
        );
        assert_eq!(
            serde_json::to_string(&Value::from(topic)).ok(),
            Some(r#""arn:${data.aws_partition.current.partition}:kafka:us-east-1:${data.aws_caller_identity.current.account_id}:topic/prod-events/${aws_msk_cluster.events.cluster_uuid}/llm_requests""#.to_owned())
        );
        assert_eq!(k.produce_statements(["llm_requests"]).len(), 2);
    }

    #[test]
    fn snapshot_provisioned_cluster() {
        let g = lowered(|n| Kafka::provisioned("events", n).storage_autoscaling(1000));
        let main: Vec<_> = g
            .resources
            .iter()
            .filter(|r| {
                [
                    "aws_msk_cluster",
                    "aws_msk_configuration",
                    "aws_appautoscaling_policy",
                ]
                .contains(&r.address.kind())
            })
            .map(|r| (r.address.expression(), r))
            .collect();
        insta::assert_json_snapshot!(main);
    }

    #[test]
    fn snapshot_serverless_cluster() {
        let g = lowered(|n| Kafka::serverless("stream", n));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        insta::assert_json_snapshot!(resource(&g, "aws_msk_serverless_cluster"));
    }

    #[test]
    fn fails_unsupported_version() {
        let g = lowered(|n| Kafka::provisioned("events", n).kafka_version("3.5.1"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_brokers_not_a_multiple_of_zones() {
        let g = lowered(|n| {
            Kafka::provisioned("events", n)
                .brokers(4)
                .volume_size_gib(500)
                .storage_autoscaling(200)
                .log_retention_days(100)
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_provisioned_settings_on_serverless() {
        let g = lowered(|n| {
            Kafka::serverless("stream", n)
                .brokers(6)
                .kafka_version("3.9.x")
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn a_later_root_finds_provisioned_clusters_and_serverless_brokers() -> Result<(), String> {
        use crate::common::lookup_check::{readable, resource};
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let provisioned = stack.add(Kafka::provisioned("events", &net));
        let serverless = stack.add(Kafka::serverless("stream", &net));
        let g = stack.lower();
        readable(&g, &provisioned.bootstrap_brokers())?;
        readable(&g, &provisioned.arn())?;
        readable(&g, &serverless.bootstrap_brokers())?;
        let parameter = body(&g, "aws_ssm_parameter");
        assert_eq!(
            get(parameter, "insecure_value"),
            Some(&Value::from(
                Address::resource("prod", "aws_msk_serverless_cluster", "stream")
                    .attr::<String>("bootstrap_brokers_sasl_iam")
            ))
        );
        let found_by = resource(&g, &serverless.arn())?.facts.found_by;
        assert!(
            matches!(found_by, Some(Lookup::Unsupported(why)) if why.contains("MSK Serverless")),
            "{found_by:?}"
        );
        Ok(())
    }
}
