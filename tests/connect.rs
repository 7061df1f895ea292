//! A Kubernetes workload reaching an AWS data store, declared once: the security-group rule
//! for the cluster (once, however many workloads connect) and each workload's egress policy.

use stacksmith::prelude::*;

#[test]
fn workloads_reach_a_database_with_one_rule_and_one_policy_each() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    let cluster = stack.add(EksCluster::new("eks", &network));
    let db = stack.add(Database::postgres("db", &network));
    let ns = stack.add(Namespace::new("apps"));
    let workload = |id: &str| {
        Deployment::new(&ns, id).container(
            Container::new("app", "example/app:1.0.0")
                .port("http", 8080)
                .readiness(Probe::http_get("/healthz", 8080)),
        )
    };
    let api = stack.add(workload("api"));
    let worker = stack.add(workload("worker"));
    stack.add(db.allow_workload(&api, &cluster));
    stack.add(db.allow_workload(&worker, &cluster));
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);

    let rules: Vec<_> = g
        .resources
        .iter()
        .filter(|r| r.address.kind() == "aws_vpc_security_group_ingress_rule")
        .collect();
    assert_eq!(rules.len(), 1, "one rule per cluster and data store");
    assert_eq!(rules[0].address.name(), "db_from_prod_eks");
    assert_eq!(
        rules[0].body.get("from_port"),
        Some(&stacksmith::core::terraform::Value::Int(5432))
    );

    let policies: Vec<_> = g
        .objects
        .iter()
        .filter(|o| o.kind == "NetworkPolicy")
        .map(|o| (o.name.as_str(), &o.body["spec"]))
        .collect();
    assert_eq!(policies.len(), 2, "{policies:?}");
    for (name, spec) in &policies {
        assert!(name.ends_with("-to-db"), "{name}");
        assert_eq!(spec["egress"][0]["to"][0]["ipBlock"]["cidr"], "10.0.0.0/16");
        assert_eq!(spec["egress"][0]["ports"][0]["port"], 5432);
    }
}

/// A bucket's default name (`<prefix>-<account id>-<region>-an`) reaches a pod: the `cluster/`
/// root rebuilds it from its own `aws_caller_identity` (issue 14, item 8).
#[test]
fn a_default_bucket_name_reaches_a_pod() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(EksCluster::new("eks", &network));
    let bucket = stack.add(Bucket::new("uploads"));
    let ns = stack.add(Namespace::new("apps"));
    stack.add(Deployment::new(&ns, "api").container(
        Container::new("app", "example/app:1.0.0").env_from_cloud("BUCKET", bucket.name()),
    ));
    let mut app = App::new();
    app.add(stack);
    let out = stacksmith::synth_api::render(&app.lower()[0]);
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let root = out
        .files
        .iter()
        .find(|f| f.path == "cluster/main.tf.json")
        .and_then(|f| f.as_text())
        .unwrap_or_default();
    assert!(
        root.contains(r#""bucket": "prod-uploads-${data.aws_caller_identity.current.account_id}-us-east-1-an""#),
        "{root}"
    );
}

/// Issue 14, item 5: a Job and a CronJob reach a data store like a Deployment; the egress
/// policy selects the pods their templates label.
#[test]
fn jobs_and_cron_jobs_reach_a_database_like_a_deployment() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    let cluster = stack.add(EksCluster::new("eks", &network));
    let db = stack.add(Database::postgres("db", &network));
    let ns = stack.add(Namespace::new("apps"));
    let migrate = stack.add(
        Job::new(&ns, "migrate")
            .container(Container::new("migrate", "example/app:1.0.0").command(["/app/migrate"])),
    );
    let report = stack.add(
        CronJob::new(&ns, "report", "0 3 * * *")
            .container(Container::new("report", "example/app:1.0.0").command(["/app/report"])),
    );
    stack.add(db.allow_workload(&migrate, &cluster));
    stack.add(db.allow_workload(&report, &cluster));
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let object = |kind: &str, name: &str| {
        let Some(o) = g.objects.iter().find(|o| o.kind == kind && o.name == name) else {
            panic!("no {kind} {name}");
        };
        &o.body
    };
    for (name, pod_labels) in [
        (
            "migrate",
            &object("Job", "migrate")["spec"]["template"]["metadata"]["labels"],
        ),
        (
            "report",
            &object("CronJob", "report")["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"],
        ),
    ] {
        let policy = object("NetworkPolicy", &format!("{name}-to-db"));
        let selected = &policy["spec"]["podSelector"]["matchLabels"]["stacksmith.dev/id"];
        assert_eq!(selected, &pod_labels["stacksmith.dev/id"], "{name}");
        assert_eq!(policy["spec"]["egress"][0]["ports"][0]["port"], 5432);
    }
}

/// Lowers one stack with a DocumentDB database in `region` and a `DatabaseCa` for it.
fn database_ca_in(region: &str) -> stacksmith::core::Graph {
    let mut stack = Stack::new("prod", region);
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    let db = stack.add(Database::documentdb("metadata", &network));
    let ns = stack.add(Namespace::new("apps"));
    stack.add(DatabaseCa::new(&ns, "metadata-ca", &db));
    let mut app = stacksmith::core::App::new();
    app.add(stack);
    app.lower().remove(0)
}

#[test]
fn a_database_ca_holds_the_regions_roots() {
    let g = database_ca_in("eu-west-1");
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let Some(ca) = g.objects.iter().find(|o| o.kind == "ConfigMap") else {
        panic!("no ConfigMap");
    };
    let pem = ca.body["data"][stacksmith::DATABASE_CA_FILE]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        pem.matches("-----BEGIN CERTIFICATE-----").count(),
        3,
        "{pem}"
    );
}

#[test]
fn fails_database_ca_for_a_region_without_roots() {
    let g = database_ca_in("ap-southeast-5");
    let text = g.diagnostics.to_string();
    assert!(text.contains("SS0537"), "{text}");
    assert!(
        !g.objects.iter().any(|o| o.kind == "ConfigMap"),
        "no empty bundle is written"
    );
}
