//! Typed workload identities (issue 16 items 3–4): a ServiceAccount's pods get an IAM role
//! through EKS Pod Identity, linked by the account's handle; a Kafka client's statements land
//! on that role, with the security-group rule and the pod's egress.

mod common;

use common::{file, render_one, snap, terraform};
use stacksmith::core::App;
use stacksmith::prelude::*;

fn app_of(stack: Stack) -> App {
    let mut app = App::new();
    app.add(stack);
    app
}

/// A stack with a cluster (with or without the agent), a namespace with a default deny, and a
/// backup CronJob running as an identity's ServiceAccount.
fn stack(agent: bool, create_account: bool) -> Stack {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16").zones(3));
    let eks = EksCluster::new("eks", &network);
    let cluster = stack.add(if agent { eks.pod_identity_agent() } else { eks });
    let backups = stack.add(Bucket::new("backups"));
    let ns = stack.add(Namespace::new("apps"));
    stack.add(ns.default_deny());
    let sa = if create_account {
        stack.add(ServiceAccount::new(&ns, "backup"))
    } else {
        // A handle from another stack: this one never creates the account.
        let mut other = Stack::new("other", "us-east-1");
        let other_ns = other.add(Namespace::new("apps"));
        other.add(ServiceAccount::new(&other_ns, "backup"))
    };
    let identity = stack.add(cluster.pod_identity(&sa).allow(backups.write_statements()));
    stack.add(
        CronJob::new(&ns, "backup", "0 3 * * *")
            .service_account(&identity.service_account())
            .container(
                Container::new("backup", "acme/backup:1.0.0")
                    .requests(Cpu::millis(100), Memory::mib(128))
                    .limits(Cpu::millis(500), Memory::mib(512)),
            ),
    );
    stack
}

fn diagnostics(stack: Stack) -> String {
    let app = app_of(stack);
    app.lower()
        .iter()
        .map(|g| g.diagnostics.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn pod_identity_role_association_and_aws_egress() {
    let o = render_one(&app_of(stack(true, true)));
    let tf = terraform(&o);
    let association =
        &tf["resource"]["aws_eks_pod_identity_association"]["eks_apps_backup_association"];
    assert_eq!(association["namespace"], "apps");
    assert_eq!(association["service_account"], "backup");
    assert_eq!(
        association["role_arn"],
        "${aws_iam_role.eks_apps_backup.arn}"
    );
    let trust = &tf["data"]["aws_iam_policy_document"]["eks_apps_backup_trust"]["statement"][0];
    assert_eq!(
        trust["principals"][0]["identifiers"][0],
        "pods.eks.amazonaws.com"
    );
    assert_eq!(
        trust["actions"],
        serde_json::json!(["sts:AssumeRole", "sts:TagSession"])
    );
    // Nothing of the role is written into the ServiceAccount.
    let sa = file(&o, "kubernetes/apps/serviceaccount-backup.yaml");
    assert!(!sa.contains("role-arn"), "{sa}");
    // The job's pods are labelled for the namespace's AWS egress (agent :80, AWS APIs :443).
    let job = file(&o, "kubernetes/apps/cronjob-backup.yaml");
    assert!(
        job.contains("stacksmith.dev/aws-identity: \"true\""),
        "{job}"
    );
    assert!(job.contains("serviceAccountName: backup"), "{job}");
    let aws = file(
        &o,
        "kubernetes/apps/networkpolicy-default-deny-aws-apis.yaml",
    );
    assert!(aws.contains("169.254.170.23/32"), "{aws}");
}

#[test]
fn fails_pod_identity_for_a_service_account_the_stack_does_not_create() {
    let text = diagnostics(stack(true, false));
    assert!(text.contains("SS0530"), "{text}");
    snap("fails__pod_identity_for_a_missing_service_account", &text);
}

#[test]
fn fails_pod_identity_without_the_agent() {
    let text = diagnostics(stack(false, true));
    assert!(text.contains("SS0531"), "{text}");
    snap("fails__pod_identity_without_the_agent", &text);
}

/// A stack with an MSK Serverless cluster and Deployment `consumer` in `workload_namespace`
/// allowed to consume `orders` as group `billing` through the Pod Identity of ServiceAccount
/// `apps/consumer`; the Deployment runs as that account when `runs_as_identity`, as `default`
/// otherwise.
fn kafka_consumer(runs_as_identity: bool, workload_namespace: &str) -> Stack {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16").zones(3));
    let cluster = stack.add(EksCluster::new("eks", &network).pod_identity_agent());
    let kafka = stack.add(Kafka::serverless("events", &network));
    let ns = stack.add(Namespace::new("apps"));
    let sa = stack.add(ServiceAccount::new(&ns, "consumer"));
    let identity = stack.add(cluster.pod_identity(&sa));
    let workload_ns = if workload_namespace == "apps" {
        ns
    } else {
        stack.add(Namespace::new(workload_namespace))
    };
    let mut deployment = Deployment::new(&workload_ns, "consumer").container(
        Container::new("consumer", "acme/consumer:1.0.0")
            .port("health", 8081)
            .readiness(Probe::http_get("/healthz", 8081))
            .requests(Cpu::millis(100), Memory::mib(128))
            .limits(Cpu::millis(500), Memory::mib(512)),
    );
    if runs_as_identity {
        deployment = deployment.service_account(&identity.service_account());
    }
    let consumer = stack.add(deployment);
    stack.add(kafka.allow_client(
        &consumer,
        &identity,
        KafkaAccess::consume("orders").group("billing"),
    ));
    stack
}

#[test]
fn kafka_client_statements_security_group_and_egress() {
    let stack = kafka_consumer(true, "apps");
    let o = render_one(&app_of(stack));
    let tf = terraform(&o);
    let policy = &tf["data"]["aws_iam_policy_document"]["events_client_consumer_iam"];
    let text = policy.to_string();
    for needle in [
        "kafka-cluster:Connect",
        "kafka-cluster:ReadData",
        "kafka-cluster:AlterGroup",
        ":topic/prod-events/${aws_msk_serverless_cluster.events.cluster_uuid}/orders",
        ":group/prod-events/${aws_msk_serverless_cluster.events.cluster_uuid}/billing",
    ] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    assert!(!text.contains("WriteData"), "{text}");
    assert_eq!(
        tf["resource"]["aws_iam_role_policy"]["events_client_consumer_iam"]["role"],
        "${aws_iam_role.eks_apps_consumer.id}"
    );
    let rule = &tf["resource"]["aws_vpc_security_group_ingress_rule"]["events_from_prod_eks"];
    assert_eq!(rule["from_port"], 9098);
    let egress = file(&o, "kubernetes/apps/networkpolicy-consumer-to-events.yaml");
    assert!(egress.contains("port: 9098"), "{egress}");
}

#[test]
fn topics_job_creates_exactly_its_topics_as_its_identity() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16").zones(3));
    let cluster = stack.add(EksCluster::new("eks", &network).pod_identity_agent());
    let kafka = stack.add(Kafka::provisioned("events", &network));
    let ns = stack.add(Namespace::new("apps"));
    let topics = [
        KafkaTopic::new("orders").partitions(6),
        KafkaTopic::new("invoices"),
    ];
    let sa = stack.add(ServiceAccount::new(&ns, "kafka-topics"));
    let identity = stack.add(cluster.pod_identity(&sa));
    let job = stack.add(kafka.topics_job(&ns, &identity, &topics, KafkaBootstrap::Cloud));
    stack.add(kafka.allow_client(&job, &identity, KafkaAccess::create(&topics)));
    let o = render_one(&app_of(stack));
    // The Job's name carries a hash of what its pod template is made of (the topic list among
    // it): a new list is a new Job.
    let jobs: Vec<&str> = o
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| p.starts_with("kubernetes/apps/job-events-topics-"))
        .collect();
    let [name] = jobs[..] else {
        panic!("one topics Job: {jobs:?}");
    };
    let job = file(&o, name);
    assert!(job.contains("value: \"orders:6 invoices:3\""), "{job}");
    assert!(job.contains("serviceAccountName: kafka-topics"), "{job}");
    assert!(
        job.contains("stacksmith.dev/aws-identity: \"true\""),
        "{job}"
    );
    let tf = terraform(&o);
    let policy =
        tf["data"]["aws_iam_policy_document"]["events_client_events_topics_iam"].to_string();
    assert!(policy.contains("kafka-cluster:CreateTopic"), "{policy}");
    assert!(
        policy.contains(":topic/prod-events/${aws_msk_cluster.events.cluster_uuid}/orders"),
        "{policy}"
    );
    assert!(
        !policy.contains("WriteData") && !policy.contains("ReadData"),
        "{policy}"
    );
}

#[test]
fn fails_invalid_kafka_topic() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16").zones(3));
    let cluster = stack.add(EksCluster::new("eks", &network).pod_identity_agent());
    let kafka = stack.add(Kafka::provisioned("events", &network));
    let ns = stack.add(Namespace::new("apps"));
    let topics = [KafkaTopic::new("orders; rm -rf /").partitions(0)];
    let sa = stack.add(ServiceAccount::new(&ns, "kafka-topics"));
    let identity = stack.add(cluster.pod_identity(&sa));
    let job = stack.add(kafka.topics_job(&ns, &identity, &topics, KafkaBootstrap::Cloud));
    stack.add(kafka.allow_client(&job, &identity, KafkaAccess::create(&topics)));
    let text = diagnostics(stack);
    assert!(text.contains("SS0533"), "{text}");
    snap("fails__invalid_kafka_topic", &text);
}

#[test]
fn the_aws_identity_label_is_the_same_on_both_sides() {
    assert_eq!(
        stacksmith::aws::AWS_IDENTITY_LABEL,
        stacksmith::k8s::AWS_IDENTITY_LABEL
    );
}

/// A workload running as the identity's ServiceAccount through the account's plain handle:
/// its pods would lack the label the default deny admits to the Pod Identity agent.
#[test]
fn fails_workload_running_as_a_pod_identity_account_through_the_plain_handle() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16").zones(3));
    let cluster = stack.add(
        EksCluster::new("eks", &network)
            .pod_identity_agent()
            .api_access_from(["10.255.0.0/22"]),
    );
    let ns = stack.add(Namespace::new("apps"));
    let sa = stack.add(ServiceAccount::new(&ns, "backup"));
    stack.add(cluster.pod_identity(&sa));
    stack.add(
        Job::new(&ns, "backup")
            .service_account(&sa)
            .container(Container::new("backup", "acme/backup:1.0.0")),
    );
    let text = diagnostics(stack);
    assert!(text.contains("SS0535"), "{text}");
    snap(
        "fails__workload_running_as_a_pod_identity_account_through_the_plain_handle",
        &text,
    );
}

#[test]
fn fails_kafka_client_running_as_another_account() {
    // Granted as `consumer`, but runs as the namespace's `default` account.
    let stack = kafka_consumer(false, "apps");
    let text = diagnostics(stack);
    assert!(
        text.contains("SS0536") && text.contains("runs as `default`"),
        "{text}"
    );
    snap("fails__kafka_client_running_as_another_account", &text);
}

#[test]
fn fails_kafka_client_in_another_namespace_than_its_identity() {
    let text = diagnostics(kafka_consumer(false, "billing"));
    assert!(
        text.contains("SS0536") && text.contains("runs in namespace `billing`"),
        "{text}"
    );
}
