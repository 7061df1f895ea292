//! Synthesis speed at N = 100, 1,000 and 10,000 units, written to a fresh folder each run.
//! Run with `cargo bench --bench synth` (BENCHMARKS.md has the figures and the machine); the
//! output goes under `std::env::temp_dir()`, so `TMPDIR=/dev/shm` measures on tmpfs.
//!
//! Three workloads, each built through the public API (`prelude::*`) and written with
//! `stacksmith::synth`, app construction included:
//!
//! - `k8s_one_stack`: N web-service units in one stack. A unit is a ConfigMap, a Deployment
//!   (readiness and liveness probes, env from the ConfigMap and from an external Secret,
//!   requests and limits), a Service, a HorizontalPodAutoscaler, an Ingress with TLS and a
//!   PodDisruptionBudget: 6 Kubernetes objects.
//! - `k8s_stack_per_app`: the same units, each in a stack of its own (with its Namespace).
//! - `terraform`: N units on one VPC and one ALB. A unit is a Postgres database and a Redis
//!   cache, each allowed from the ALB's security group, plus a target group and a listener
//!   rule on the ALB's HTTPS listener.
//!
//! The counter is the number of objects written (Kubernetes objects plus Terraform resources
//! and data sources), so divan prints objects per second: at linear cost it stays flat from
//! 1,000 to 10,000.
//!
//! One run outside divan, for `/usr/bin/time -v` (peak RSS) and a phase breakdown:
//! `STACKSMITH_BENCH=k8s_one_stack:10000:/dev/shm/out cargo bench --bench synth`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use stacksmith::core::terraform::Value;
use stacksmith::core::{App, Construct, Lower, Lowering, Scope, tf};
use stacksmith::prelude::*;

fn main() {
    if let Ok(spec) = std::env::var("STACKSMITH_BENCH") {
        once(&spec);
        return;
    }
    divan::main();
}

/// Unit counts benchmarked by divan.
const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// One web-service unit in `stack`, in namespace `ns`.
fn k8s_unit(stack: &mut Stack, ns: &NamespaceRef, secret: &SecretRef, i: usize) {
    let id = format!("svc{i}");
    let config = stack.add(
        ConfigMap::new(ns, format!("{id}-config"))
            .data("mode", "production")
            .data("log-level", "info"),
    );
    let web = stack.add(
        Deployment::new(ns, &id)
            .autoscale(HorizontalPodAutoscaler::new(3, 10).cpu_utilization(70))
            .container(
                Container::new("web", format!("example/{id}:1.2.3"))
                    .port("http", 8080)
                    .env_from_config_map("MODE", &config, "mode")
                    .env_from_config_map("LOG_LEVEL", &config, "log-level")
                    .env_from_secret("DATABASE_URL", secret, "database-url")
                    .requests(Cpu::millis(250), Memory::mib(256))
                    .limits(Cpu::millis(500), Memory::mib(512))
                    .readiness(Probe::http_get("/ready", 8080).period(5))
                    .liveness(Probe::http_get("/healthz", 8080).initial_delay(10)),
            ),
    );
    let service = stack.add(web.expose_via_service(80, "http"));
    stack.add(
        service
            .expose_via_ingress(format!("{id}.example.com"), "/")
            .tls(format!("{id}-tls")),
    );
    stack.add(web.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
}

/// A namespace and the external Secret the units read.
fn k8s_namespace(stack: &mut Stack) -> (NamespaceRef, SecretRef) {
    let ns = stack.add(Namespace::new("apps"));
    let secret = stack.add(Secret::external(&ns, "app-secrets", ["database-url"]));
    (ns, secret)
}

/// `units` web services in one stack.
fn k8s_one_stack(units: usize) -> App {
    let mut stack = Stack::new("bench", "us-east-1");
    let (ns, secret) = k8s_namespace(&mut stack);
    for i in 0..units {
        k8s_unit(&mut stack, &ns, &secret, i);
    }
    let mut app = App::new();
    app.add(stack);
    app
}

/// `units` web services, each in a stack of its own.
fn k8s_stack_per_app(units: usize) -> App {
    let mut app = App::new();
    for i in 0..units {
        let mut stack = Stack::new(&format!("app{i}"), "us-east-1");
        let (ns, secret) = k8s_namespace(&mut stack);
        k8s_unit(&mut stack, &ns, &secret, i);
        app.add(stack);
    }
    app
}

/// A target group and a listener rule on a load balancer's HTTPS listener, written by hand
/// (what a user's own construct looks like).
struct TargetRoute {
    id: String,
    vpc_id: stacksmith::core::Ref,
    listener_arn: stacksmith::core::Ref,
    priority: u32,
}

impl Lower for TargetRoute {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = cx.name("");
        let tg = cx.add(
            "aws_lb_target_group",
            "",
            tf! {
                "name" => name.clone(),
                "port" => 8080_u16,
                "protocol" => "HTTP",
                "target_type" => "ip",
                "vpc_id" => &self.vpc_id,
                "health_check" => Value::Map(tf! { "path" => "/healthz" }),
            },
        );
        let host = format!("{}.example.com", self.id);
        let host_header = Value::Map(tf! { "values" => Value::List(vec![host.into()]) });
        cx.add(
            "aws_lb_listener_rule",
            "",
            tf! {
                "listener_arn" => &self.listener_arn,
                "priority" => self.priority,
                "action" => Value::Map(tf! {
                    "type" => "forward",
                    "target_group_arn" => tg.attr::<()>("arn"),
                }),
                "condition" => Value::Map(tf! { "host_header" => host_header }),
            },
        );
    }
}

impl Construct for TargetRoute {
    type Handle = ();

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, _: &Scope) {}
}

/// `units` Terraform units on one VPC and one ALB.
fn terraform(units: usize) -> App {
    let mut stack = Stack::new("bench", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    let alb = stack.add(
        LoadBalancer::new("alb", &network)
            .certificate("example.com", "example.com")
            .alternative_names(["*.example.com"])
            .open_to_internet(),
    );
    for i in 0..units {
        stack.add(Database::postgres(&format!("db{i}"), &network).allow_from(&alb));
        stack.add(Cache::redis(&format!("cache{i}"), &network).allow_from(&alb));
        stack.add(TargetRoute {
            id: format!("svc{i}"),
            vpc_id: network.vpc_id(),
            listener_arn: alb.https_listener_arn(),
            priority: u32::try_from(i + 1).unwrap_or(u32::MAX),
        });
    }
    let mut app = App::new();
    app.add(stack);
    app
}

/// The app builder for a workload name.
fn workload(name: &str) -> Option<fn(usize) -> App> {
    match name {
        "k8s_one_stack" => Some(k8s_one_stack),
        "k8s_stack_per_app" => Some(k8s_stack_per_app),
        "terraform" => Some(terraform),
        _ => None,
    }
}

/// Objects (Kubernetes objects, Terraform resources and data sources) an app writes.
fn objects(app: &App) -> usize {
    app.lower()
        .iter()
        .map(|g| g.objects.len() + g.resources.len() + g.data.len())
        .sum()
}

/// A fresh output folder for one run.
fn fresh(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stacksmith-bench-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Builds and synthesizes into a folder that does not exist yet.
fn bench_workload(bencher: divan::Bencher, name: &str, units: usize) {
    let Some(build) = workload(name) else {
        return;
    };
    let out = fresh(&format!("{name}-{units}"));
    bencher
        .counter(divan::counter::ItemsCount::new(objects(&build(units))))
        .with_inputs(|| {
            let _ = std::fs::remove_dir_all(&out);
        })
        .bench_local_values(|()| {
            let app = build(units);
            stacksmith::synth(&app, &out)
                .map(|r| r.stacks.len())
                .unwrap_or(0)
        });
    let _ = std::fs::remove_dir_all(&out);
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1, max_time = 10)]
fn k8s_one_stack_synth(bencher: divan::Bencher, units: usize) {
    bench_workload(bencher, "k8s_one_stack", units);
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1, max_time = 10)]
fn k8s_stack_per_app_synth(bencher: divan::Bencher, units: usize) {
    bench_workload(bencher, "k8s_stack_per_app", units);
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1, max_time = 10)]
fn terraform_synth(bencher: divan::Bencher, units: usize) {
    bench_workload(bencher, "terraform", units);
}

/// Re-synthesizing an unchanged app over its previous output (nothing to rewrite).
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1, max_time = 10)]
fn k8s_one_stack_resynth(bencher: divan::Bencher, units: usize) {
    let app = k8s_one_stack(units);
    let out = fresh(&format!("resynth-{units}"));
    let _ = stacksmith::synth(&app, &out);
    bencher
        .counter(divan::counter::ItemsCount::new(objects(&app)))
        .bench_local(|| {
            stacksmith::synth(&app, &out)
                .map(|r| r.stacks.len())
                .unwrap_or(0)
        });
    let _ = std::fs::remove_dir_all(&out);
}

/// `workload:units:out`: builds and synthesizes once into `out`, printing each phase's time
/// and the time per object (`out` = `lower`: builds and lowers only, writing nothing).
fn once(spec: &str) {
    let mut parts = spec.splitn(3, ':');
    let (Some(name), Some(units), Some(out)) = (parts.next(), parts.next(), parts.next()) else {
        eprintln!("STACKSMITH_BENCH=<workload>:<units>:<out dir>");
        std::process::exit(2);
    };
    let (Some(build), Ok(units)) = (workload(name), units.parse::<usize>()) else {
        eprintln!("workloads: k8s_one_stack, k8s_stack_per_app, terraform; units: a number");
        std::process::exit(2);
    };
    let start = Instant::now();
    let app = build(units);
    let built = start.elapsed();
    if out == "lower" {
        let graphs = app.lower();
        let objects: usize = graphs
            .iter()
            .map(|g| g.objects.len() + g.resources.len() + g.data.len())
            .sum();
        let lowered = start.elapsed() - built;
        println!(
            "{name} N={units}: {objects} objects; build {:.1} ms, lower {:.1} ms",
            built.as_secs_f64() * 1e3,
            lowered.as_secs_f64() * 1e3
        );
        return;
    }
    let report = match stacksmith::synth(&app, Path::new(out)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let total = start.elapsed();
    let objects: usize = report.stacks.iter().map(|s| s.resources + s.objects).sum();
    let files: usize = report.stacks.iter().map(|s| s.files).sum();
    println!(
        "{name} N={units}: {objects} objects, {files} files; build {:.1} ms, synth {:.1} ms, total {:.1} ms, {:.2} µs/object",
        built.as_secs_f64() * 1e3,
        (total - built).as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e6 / objects.max(1) as f64,
    );
}
