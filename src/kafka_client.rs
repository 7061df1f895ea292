//! Kafka clients that can connect: `kafka.allow_client(&workload, &identity, access)` writes
//! the IAM statements on the workload's identity, the security-group rule and its egress policy.

use stacksmith_aws::{KafkaRef, PolicyStatement};
use stacksmith_core::{Construct, KubeNamed, Lower, Lowering, Path, Scope};
use stacksmith_k8s::NetworkPeer;

use crate::connect::{AllowWorkload, WorkloadAccess};
use crate::kafka_topics::KafkaTopic;
use crate::workload_identity::WorkloadIdentityRef;

/// What a Kafka client may do: produce to topics, consume topics as a consumer group, or both
/// (`KafkaAccess::produce("events").and_consume("commands")`), or create the stack's topics
/// (the Job of `kafka.topics_job(..)`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KafkaAccess {
    produce: Vec<String>,
    consume: Vec<String>,
    group: Option<String>,
    create: Vec<KafkaTopic>,
}

impl KafkaAccess {
    /// Writes to `topic` (a name, or a `*` pattern), idempotently.
    pub fn produce(topic: &str) -> Self {
        Self::default().and_produce(topic)
    }

    /// Reads `topic` (a name, or a `*` pattern) as a consumer group. Default group: the
    /// workload's name (set another with [`group`](Self::group)).
    pub fn consume(topic: &str) -> Self {
        Self::default().and_consume(topic)
    }

    /// Creates `topics` unless they exist (and nothing else): `CreateTopic` and
    /// `DescribeTopic` on exactly those topics. Each topic is checked (SS0533).
    pub fn create(topics: &[KafkaTopic]) -> Self {
        Self {
            create: topics.to_vec(),
            ..Self::default()
        }
    }

    /// Writes to `topic` too.
    #[must_use]
    pub fn and_produce(mut self, topic: &str) -> Self {
        self.produce.push(topic.to_owned());
        self
    }

    /// Reads `topic` too.
    #[must_use]
    pub fn and_consume(mut self, topic: &str) -> Self {
        self.consume.push(topic.to_owned());
        self
    }

    /// The consumer group (`group.id`) the client reads as. Default: the workload's name.
    #[must_use]
    pub fn group(mut self, group: &str) -> Self {
        self.group = Some(group.to_owned());
        self
    }
}

/// A Kubernetes workload allowed to use an MSK cluster, authenticating as its Pod Identity
/// role: made by [`AllowKafkaClient::allow_client`].
///
/// Creates: an inline policy on the identity's role with `kafka-cluster:Connect` and
/// `DescribeCluster` on the cluster, `DescribeTopic` + `WriteData` on the produced topics
/// (and `WriteDataIdempotently` on the cluster), `DescribeTopic` + `ReadData` on the consumed
/// topics and `DescribeGroup` + `AlterGroup` on the consumer group, each ARN built from the
/// cluster's name and UUID; the cluster's ingress rule from the EKS cluster's security group on
/// 9098 (TLS, SASL/IAM; once per cluster); and the workload's egress NetworkPolicy to the
/// VPC on 9098.
#[derive(Clone, Debug)]
pub struct KafkaClient {
    id: String,
    parent: Path,
    network: WorkloadAccess,
    statements: Vec<PolicyStatement>,
    topics: Vec<KafkaTopic>,
    identity: WorkloadIdentityRef,
    /// The workload's path, namespace and the identity label its pods carry: it must run as
    /// the identity's ServiceAccount (SS0536).
    workload: Path,
    workload_namespace: String,
    workload_identity: String,
}

/// A handle to a [`KafkaClient`].
#[derive(Clone, Debug)]
pub struct KafkaClientRef {
    path: Path,
}

impl KafkaClientRef {
    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Lets a Kubernetes workload produce to and consume from an MSK cluster (implemented by
/// [`KafkaRef`]).
pub trait AllowKafkaClient {
    /// Allows `workload`, running as `identity`'s ServiceAccount, to connect with `access`:
    /// see [`KafkaClient`].
    fn allow_client(
        &self,
        workload: &impl NetworkPeer,
        identity: &WorkloadIdentityRef,
        access: KafkaAccess,
    ) -> KafkaClient;
}

impl AllowKafkaClient for KafkaRef {
    fn allow_client(
        &self,
        workload: &impl NetworkPeer,
        identity: &WorkloadIdentityRef,
        access: KafkaAccess,
    ) -> KafkaClient {
        let name = workload
            .peer_path()
            .segments()
            .last()
            .cloned()
            .unwrap_or_default();
        let mut statements = self.connect_statements();
        if !access.produce.is_empty() {
            statements.extend(self.produce_statements(access.produce.iter().map(String::as_str)));
        }
        if !access.consume.is_empty() {
            let group = access.group.as_deref().unwrap_or(&name);
            statements
                .extend(self.consume_statements(access.consume.iter().map(String::as_str), group));
        }
        if !access.create.is_empty() {
            statements
                .extend(self.create_topic_statements(access.create.iter().map(KafkaTopic::name)));
        }
        KafkaClient {
            id: format!("client-{name}"),
            topics: access.create,
            parent: self.path().clone(),
            network: self.allow_workload(workload, identity.cluster()),
            statements,
            identity: identity.clone(),
            workload: workload.peer_path().clone(),
            workload_namespace: workload.peer_namespace().to_owned(),
            workload_identity: workload.peer_identity().to_owned(),
        }
    }
}

impl Construct for KafkaClient {
    type Handle = KafkaClientRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.parent)
    }

    fn handle(&self, scope: &Scope) -> KafkaClientRef {
        KafkaClientRef {
            path: scope.path.clone(),
        }
    }
}

impl Lower for KafkaClient {
    fn lower(&self, cx: &mut Lowering<'_>) {
        for problem in self.topics.iter().filter_map(KafkaTopic::problem) {
            cx.error(
                "SS0533",
                problem,
                "name topics with 1 to 249 letters, digits, `.`, `_` and `-`, with at least 1 partition",
            );
        }
        self.network.lower(cx);
        let account = self.identity.service_account();
        cx.names_object(KubeNamed {
            owner: cx.path().clone(),
            what: "the MSK client grant".to_owned(),
            kind: "ServiceAccount".to_owned(),
            namespace: Some(account.namespace().to_owned()),
            name: account.name().to_owned(),
            pod_label: None,
            run_by: Some((
                self.workload.clone(),
                self.workload_namespace.clone(),
                self.workload_identity.clone(),
            )),
        });
        self.identity
            .grant("iam", self.statements.iter().cloned())
            .lower(&mut cx.child("iam"));
    }
}
