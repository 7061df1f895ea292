//! The stateful, node-level and scheduled workloads of the seeds, built with stacksmith-k8s and
//! snapshotted whole: RocketGraph's licensed graph database and its nightly backup (seed 000),
//! FlagWise's log shipper (seed 002), and KubeDB's API with its preStop hook (seed 003).

use stacksmith_core::{Graph, Severity, Stack};
use stacksmith_k8s::*;

fn seeds() -> Graph {
    let mut stack = Stack::new("prod", "us-east-1");

    // Seed 000: the XGT graph database (licensed, 500+ GB NVMe per node) and its backups.
    let graph = stack.add(Namespace::new("rocketgraph-api"));
    let license = stack.add(Secret::external(&graph, "xgt-license", ["xgt-license.lic"]));
    let mongo = stack.add(Secret::external(&graph, "mongodb-credentials", ["uri"]));
    let data = VolumeClaim::new("data", Memory::gib(500)).storage_class("gp3");
    let license = Volume::secret("license", &license);
    let xgt = stack.add(
        StatefulSet::new(&graph, "xgt")
            .label("app", "xgt")
            .volume_claim(&data)
            .termination_grace_period(60)
            .container(
                Container::new("xgt", "rocketgraph/xgt:2.3.1")
                    .port("xgt", 4367)
                    .env("XGT_LICENSE_FILE", "/etc/xgt/xgt-license.lic")
                    .requests(Cpu::cores(8), Memory::gib(32))
                    .limits(Cpu::cores(8), Memory::gib(32))
                    .readiness(Probe::tcp(4367).period(10))
                    .liveness(Probe::tcp(4367).initial_delay(60).period(20))
                    .mount_writable(&data, "/data")
                    .mount(&license, "/etc/xgt")
                    .pre_stop_sleep(10),
            ),
    );
    stack.add(xgt.expose_via_service(4367, "xgt"));
    stack.add(xgt.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
    let dump = Volume::empty_dir("dump").size_limit(Memory::gib(20));
    stack.add(
        CronJob::new(&graph, "backup", "0 2 * * *")
            .active_deadline(4 * 3600)
            .backoff_limit(2)
            .container(
                Container::new("backup", "rocketgraph/backup:1.0.0")
                    .command(["python", "backup.py"])
                    .env_from_secret("MONGODB_URI", &mongo, "uri")
                    .mount_writable(&dump, "/backups"),
            ),
    );

    // Seed 002: FlagWise's fluentd, tailing container logs on every node. The seed keeps its
    // position file in /var/log; here /var/log is read-only and positions live in an emptyDir.
    let logging = stack.add(Namespace::new("flagwise"));
    let config = stack.add(ConfigMap::new(&logging, "fluentd-config").data(
        "fluent.conf",
        "<source>\n  @type tail\n  path /var/log/containers/flagwise-*.log\n  pos_file /fluentd/positions/containers.log.pos\n  tag kubernetes.*\n  format json\n</source>\n",
    ));
    let config = Volume::config_map("config", &config).item("fluent.conf", "fluent.conf");
    let positions = Volume::empty_dir("positions");
    stack.add(
        DaemonSet::new(&logging, "fluentd")
            .toleration(Toleration::all_taints())
            .host_path_read_only("/var/log")
            .container(
                Container::new("fluentd", "fluent/fluentd:v1.17.1-1.0")
                    .requests(Cpu::millis(100), Memory::mib(200))
                    .limits(Cpu::millis(500), Memory::mib(512))
                    .mount(&config, "/fluentd/etc")
                    .mount_writable(&positions, "/fluentd/positions"),
            ),
    );

    // Seed 003: the KubeDB API, which calls the Kubernetes API and drains for 15s on shutdown.
    let dbaas = stack.add(Namespace::new("dbaas-system"));
    let sa = stack.add(ServiceAccount::new(&dbaas, "dbaas-api-sa").name("dbaas-api"));
    let secrets = stack.add(Secret::external(
        &dbaas,
        "dbaas-secrets",
        ["mongodb-url", "redis-url"],
    ));
    let api = stack.add(
        Deployment::new(&dbaas, "dbaas-api")
            .replicas(3)
            .service_account(&sa)
            .mount_service_account_token()
            .container(
                Container::new("api", "your-registry/kubedb-dbaas:1.0.0")
                    .port("http", 8000)
                    .env_from_secret("MONGODB_URL", &secrets, "mongodb-url")
                    .env_from_secret("REDIS_URL", &secrets, "redis-url")
                    .env("ENVIRONMENT", "production")
                    .requests(Cpu::millis(500), Memory::mib(512))
                    .limits(Cpu::millis(2000), Memory::gib(2))
                    .liveness(
                        Probe::http_get("/health/live", 8000)
                            .initial_delay(30)
                            .period(10),
                    )
                    .readiness(
                        Probe::http_get("/health/ready", 8000)
                            .initial_delay(10)
                            .period(5),
                    )
                    .pre_stop_sleep(15),
            ),
    );
    stack.add(api.expose_via_service(80, "http"));
    stack.lower()
}

#[test]
fn seeds_lower_with_only_the_host_path_warning() {
    let g = seeds();
    let problems: Vec<(Severity, &str)> =
        g.diagnostics.iter().map(|d| (d.severity, d.code)).collect();
    assert_eq!(
        problems,
        [(Severity::Warning, "SS0336")],
        "{}",
        g.diagnostics
    );
    let names: Vec<String> = g
        .objects
        .iter()
        .map(|o| format!("{}/{}", o.kind, o.name))
        .collect();
    assert_eq!(
        names,
        [
            "Namespace/rocketgraph-api",
            "Service/xgt-headless",
            "StatefulSet/xgt",
            "Service/xgt-service",
            "PodDisruptionBudget/xgt-pdb",
            "CronJob/backup",
            "Namespace/flagwise",
            "ConfigMap/fluentd-config",
            "DaemonSet/fluentd",
            "Namespace/dbaas-system",
            "ServiceAccount/dbaas-api",
            "Deployment/dbaas-api",
            "Service/dbaas-api-service",
        ]
    );
}

#[test]
fn seed_workload_objects() {
    let g = seeds();
    let bodies: Vec<&stacksmith_core::Body> = g.objects.iter().map(|o| &o.body).collect();
    insta::assert_json_snapshot!(bodies);
}
