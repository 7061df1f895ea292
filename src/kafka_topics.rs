//! Kafka topics declared in the stack: a Job that creates them with Kafka's own admin client,
//! authenticating to MSK as its Pod Identity role (`kafka.topics_job(..)`).

use stacksmith_aws::KafkaRef;
use stacksmith_k8s::{Container, Cpu, Job, Memory, NamespaceRef, SecretRef, Volume};

use crate::workload_identity::WorkloadIdentityRef;

/// The Apache Kafka image whose `kafka-topics.sh` creates the topics (Apache Kafka's official
/// image; the client talks to MSK's Kafka 3.x and 4.x brokers alike).
const KAFKA_IMAGE: &str = "apache/kafka:3.9.1";

/// The image that fetches the IAM SASL library before the admin client starts.
const CURL_IMAGE: &str = "curlimages/curl:8.11.1";

/// The Amazon MSK IAM authentication library (its `-all` jar), the version the MSK Serverless
/// guide's "Create an Apache Kafka topic" downloads, with its published SHA-256 beside it.
const IAM_AUTH_JAR: &str = "https://github.com/aws/aws-msk-iam-auth/releases/download/v2.3.0/aws-msk-iam-auth-2.3.0-all.jar";

/// Fetches the jar and checks it against the checksum published with the release.
const FETCH: &str = r#"set -eu
curl -fsSL -o /msk/aws-msk-iam-auth.jar "$JAR_URL"
curl -fsSL -o /msk/aws-msk-iam-auth.jar.sha256 "$JAR_URL.sha256"
echo "$(cut -c1-64 /msk/aws-msk-iam-auth.jar.sha256)  /msk/aws-msk-iam-auth.jar" | sha256sum -c -
"#;

/// Writes the IAM client settings and creates each `name:partitions` of `$TOPICS` unless it
/// exists (topics come from the environment, never spliced into the script). The bootstrap
/// servers come from `$BOOTSTRAP_SERVERS`, or the file `$BOOTSTRAP_SERVERS_FILE` names.
const CREATE: &str = r#"set -eu
BOOTSTRAP_SERVERS="${BOOTSTRAP_SERVERS:-$(cat "$BOOTSTRAP_SERVERS_FILE")}"
cat > /tmp/client.properties <<'EOF'
security.protocol=SASL_SSL
sasl.mechanism=AWS_MSK_IAM
sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;
sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler
EOF
for topic in $TOPICS; do
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVERS" \
    --command-config /tmp/client.properties --create --if-not-exists \
    --topic "${topic%%:*}" --partitions "${topic##*:}"
done
"#;

/// A Kafka topic the stack declares: its name and partition count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaTopic {
    pub(crate) name: String,
    pub(crate) partitions: u32,
}

impl KafkaTopic {
    /// A topic named `name` (letters, digits, `.`, `_`, `-`; checked, SS0533).
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            partitions: 3,
        }
    }

    /// The number of partitions. Default: 3 — one per zone's broker, so three consumers of a
    /// group can read in parallel; raise it for more.
    #[must_use]
    pub fn partitions(mut self, partitions: u32) -> Self {
        self.partitions = partitions;
        self
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Why the topic is invalid, if it is.
    pub(crate) fn problem(&self) -> Option<String> {
        let n = &self.name;
        if n.is_empty() || n.len() > 249 || n == "." || n == ".." {
            return Some(format!(
                "topic name `{n}` is not 1 to 249 characters (nor `.` or `..`)"
            ));
        }
        if let Some(c) = n
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "._-".contains(*c)))
        {
            return Some(format!("topic name `{n}` contains `{c}`"));
        }
        (self.partitions == 0).then(|| format!("topic `{n}` has 0 partitions"))
    }
}

/// Where the topics Job reads the cluster's SASL/IAM bootstrap servers.
#[derive(Clone, Debug)]
pub enum KafkaBootstrap {
    /// From `kafka.bootstrap_brokers()`, a cloud value the `cluster/` root writes into a
    /// ConfigMap: provisioned MSK is found by name, MSK Serverless's brokers through the SSM
    /// parameter the stack publishes them in.
    Cloud,
    /// From a key of a Secret made elsewhere (brokers of a cluster another tool manages).
    /// Mounted as a file (only that key), not an env var.
    Secret(SecretRef, String),
}

/// Makes the Job that creates a Kafka cluster's topics (implemented by [`KafkaRef`]).
pub trait KafkaTopicsJob {
    /// A Job in `namespace`, running as `identity`'s ServiceAccount, that creates `topics`
    /// unless they exist. Add it, then let it in with
    /// `kafka.allow_client(&job, &identity, KafkaAccess::create(&topics))` (the IAM statements,
    /// the security-group rule and its egress).
    ///
    /// Why a Job and not `aws_msk_topic`: the aws provider 6.47 has `aws_msk_topic`, but it
    /// calls MSK's CreateTopic API, which the MSK guide documents for provisioned clusters;
    /// MSK Serverless topics are created with Kafka's admin client over IAM authentication
    /// (MSK Serverless guide, "Create an Apache Kafka topic"), which this Job runs, so one
    /// mechanism serves both kinds.
    ///
    /// Creates (a `Job`, named `<kafka id>-topics-<hash of the topic list>`, so that a changed
    /// list is a new Job rather than an edit Kubernetes refuses, removed a day after it
    /// finishes): an init container fetching the MSK IAM
    /// library (`aws-msk-iam-auth` 2.3.0, checked against its published SHA-256; the pod's
    /// AWS egress on 443 reaches GitHub), then `kafka-topics.sh --create --if-not-exists` per
    /// topic with `SASL_SSL`/`AWS_MSK_IAM`, authenticating as the Pod Identity role. It is
    /// idempotent: the Job of a changed list finds the existing topics and leaves them.
    fn topics_job(
        &self,
        namespace: &NamespaceRef,
        identity: &WorkloadIdentityRef,
        topics: &[KafkaTopic],
        bootstrap: KafkaBootstrap,
    ) -> Job;
}

impl KafkaTopicsJob for KafkaRef {
    fn topics_job(
        &self,
        namespace: &NamespaceRef,
        identity: &WorkloadIdentityRef,
        topics: &[KafkaTopic],
        bootstrap: KafkaBootstrap,
    ) -> Job {
        let id = self.path().segments().last().cloned().unwrap_or_default();
        let list = topics
            .iter()
            .map(|t| format!("{}:{}", t.name, t.partitions))
            .collect::<Vec<_>>()
            .join(" ");
        // Everything the pod template is made of, for the Job's name: a Job's template is
        // immutable, so a change to any of it must be a new Job.
        let source = match &bootstrap {
            KafkaBootstrap::Cloud => "cloud".to_owned(),
            KafkaBootstrap::Secret(secret, key) => format!("secret {}/{key}", secret.name()),
        };
        let template = [
            list.as_str(),
            &source,
            KAFKA_IMAGE,
            CURL_IMAGE,
            IAM_AUTH_JAR,
            FETCH,
            CREATE,
        ]
        .join("\n");
        let client = Container::new("create-topics", KAFKA_IMAGE).command(["sh", "-c", CREATE]);
        let client = match bootstrap {
            KafkaBootstrap::Cloud => {
                client.env_from_cloud("BOOTSTRAP_SERVERS", self.bootstrap_brokers())
            }
            KafkaBootstrap::Secret(secret, key) => client
                .mount(
                    Volume::secret("bootstrap-servers", &secret).item(key, "bootstrap-servers"),
                    "/etc/kafka-bootstrap",
                )
                .env(
                    "BOOTSTRAP_SERVERS_FILE",
                    "/etc/kafka-bootstrap/bootstrap-servers",
                ),
        };
        let jar = Volume::empty_dir("msk-iam-auth").size_limit(Memory::mib(64));
        // A Job's pod template is immutable: a new topic list, bootstrap source, image or
        // script is a new Job (its name carries a hash of them), and a finished one is removed
        // after a day.
        Job::new(namespace, format!("{id}-topics"))
            .name(format!(
                "{id}-topics-{}",
                stacksmith_core::short_hash(&template)
            ))
            .ttl_after_finished(86_400)
            .label("app", format!("{id}-topics"))
            .service_account(&identity.service_account())
            .init_container(
                Container::new("fetch-iam-auth", CURL_IMAGE)
                    .command(["sh", "-c", FETCH])
                    .env("JAR_URL", IAM_AUTH_JAR)
                    .mount_writable(&jar, "/msk")
                    .requests(Cpu::millis(50), Memory::mib(32))
                    .limits(Cpu::millis(200), Memory::mib(64)),
            )
            .container(
                client
                    .env("TOPICS", list)
                    .env("CLASSPATH", "/msk/aws-msk-iam-auth.jar")
                    // Kafka's scripts write their logs under LOG_DIR; the root filesystem is
                    // read-only.
                    .env("LOG_DIR", "/tmp/kafka-logs")
                    .mount(&jar, "/msk")
                    .requests(Cpu::millis(250), Memory::mib(512))
                    .limits(Cpu::millis(1000), Memory::mib(768)),
            )
    }
}
