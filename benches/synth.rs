//! Synthesis speed and memory: 1, 10, 100 and 1,000 copies of a web-service + database unit,
//! rendered in memory and written to disk. Run with `cargo bench --bench synth`.
//!
//! A unit is a Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget, ConfigMap
//! and ServiceAccount (6 Kubernetes objects) and a DocumentDB database with one instance
//! (its KMS key, alias, policy, subnet group, security group and ingress rule, parameter group,
//! cluster and instance).

use stacksmith::aws::{Database, EksCluster, Network};
use stacksmith::core::App;
use stacksmith::prelude::*;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn app(units: usize) -> App {
    let mut stack = Stack::new("bench", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    let cluster = stack.add(EksCluster::new("eks", &network));
    let ns = stack.add(Namespace::new("apps"));
    for i in 0..units {
        let id = format!("svc{i}");
        let config =
            stack.add(ConfigMap::new(&ns, format!("{id}-config")).data("mode", "production"));
        let sa = stack.add(ServiceAccount::new(&ns, format!("{id}-sa")));
        let web = stack.add(
            Deployment::new(&ns, &id)
                .replicas(3)
                .service_account(&sa)
                .container(
                    Container::new("web", "example/web:1.2.3")
                        .port("http", 8080)
                        .env_from_config_map("MODE", &config, "mode")
                        .readiness(Probe::http_get("/healthz", 8080)),
                ),
        );
        stack.add(web.expose_via_service(80, "http"));
        stack.add(web.autoscale(3, 10).cpu_utilization(70));
        stack.add(web.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
        stack.add(
            Database::documentdb(&format!("db{i}"), &network)
                .instances(1)
                .allow_from(&cluster),
        );
    }
    let mut app = App::new();
    app.add(stack);
    app
}

#[divan::bench(args = [1, 10, 100, 1000], sample_count = 10)]
fn in_memory(bencher: divan::Bencher, units: usize) {
    let app = app(units);
    bencher.bench(|| {
        let graphs = app.lower();
        graphs
            .iter()
            .map(|g| {
                stacksmith::synth_api::render(g)
                    .map(|o| o.files.len())
                    .unwrap_or(0)
            })
            .sum::<usize>()
    });
}

#[divan::bench(args = [1, 10, 100, 1000], sample_count = 5)]
fn to_disk(bencher: divan::Bencher, units: usize) {
    let app = app(units);
    let out = std::env::temp_dir().join(format!("stacksmith-bench-{}-{units}", std::process::id()));
    bencher.bench(|| {
        stacksmith::synth(&app, &out)
            .map(|r| r.stacks.len())
            .unwrap_or(0)
    });
    let _ = std::fs::remove_dir_all(&out);
}
