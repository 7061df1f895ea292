//! Builder-API fuzz: random ids and names (empty, very long, unicode, `../`, uppercase), numbers
//! at their extremes, odd CIDRs and zone counts, through most constructs of the prelude, then
//! `synth` into a temporary folder. No input may panic; every failure is a diagnostic with a
//! code from the table.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use stacksmith::prelude::*;
use stacksmith::{SynthError, synth};

/// Ids and names: valid ones, and every kind of invalid one.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9-]{0,12}",
        1 => proptest::sample::select(&[
            "", "a", "../x", "..", ".", "/", "a/b", "UPPER", "Mixed-Case", "-a", "a-", "a_b", "1abc",
            "a b", "é", "日本", "x\n", "a:b", "*", "${x}", "%{x}", "a.b", "con", "\u{0}",
        ][..]).prop_map(str::to_owned),
        1 => (1usize..400).prop_map(|n| "a".repeat(n)),
        1 => any::<String>(),
    ]
}

/// A count or size: small, or at an extreme.
fn n() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 0u32..8,
        2 => 0u32..100_000,
        1 => Just(u32::MAX),
        1 => Just(u32::MAX - 1),
        1 => Just(i32::MAX as u32),
        1 => Just(i32::MAX as u32 + 1),
        1 => any::<u32>(),
    ]
}

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![3 => 1u16..10_000, 1 => Just(0u16), 1 => Just(u16::MAX), 1 => any::<u16>()]
}

fn cidr() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => proptest::sample::select(&[
            "10.0.0.0/16", "10.0.0.0/8", "10.0.0.0/28", "10.0.0.0/32", "0.0.0.0/0", "10.0.0.1/16",
            "256.0.0.0/16", "10.0.0.0/33", "", "::/0", "fd00::/8", "10.0.0.0/-1", "10.0.0.0/016",
            "10.0.0.0", "10.0.0.0/", "a.b.c.d/16", "10.0.0.0/16/16", "10.00.0.0/16",
        ][..]).prop_map(str::to_owned),
        1 => (any::<[u8; 4]>(), 0u8..40).prop_map(|(a, p)| format!("{}.{}.{}.{}/{p}", a[0], a[1], a[2], a[3])),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(&[
            "", "x", "on", "1.0", "a\nb", "${x}", "%{ if x }", "\u{feff}", "\r", "a: b", "- x",
        ][..]).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    stack: String,
    region: &'static str,
    ids: Vec<String>,
    cidr: String,
    zones: u8,
    nums: Vec<u32>,
    ports: Vec<u16>,
    users: (i64, i64),
    texts: Vec<String>,
    egress_cidr: String,
    engine: u8,
    cache_cluster: bool,
}

/// A count or size at an extreme only.
fn extreme() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(u32::MAX),
        Just(u32::MAX - 1),
        Just(i32::MAX as u32),
        Just(i32::MAX as u32 + 1),
        any::<u32>()
    ]
}

/// Numbers that synthesize cleanly, by their index in [`Case::nums`].
const GOOD: [u32; 48] = [
    30, 30, 1, 2, 3, 7, 1, 1, 1, 20, 100, 7, 30, 365, 7, 30, 3, 100, 1000, 30, 60, 90, 30, 256,
    512, 2, 10, 2, 4, 70, 80, 30, 100, 128, 1, 1, 5, 10, 1, 3, 5, 2, 1, 25, 30, 2, 4, 70,
];

/// A stack that synthesizes, with up to three numbers (and maybe the zone count) at an extreme:
/// the extremes reach rendering and writing, not only validation.
fn valid_case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec((0usize..GOOD.len(), extreme()), 0..4),
        prop_oneof![8 => Just(3u8), 1 => any::<u8>()],
        proptest::collection::vec((0usize..8, port()), 0..2),
    )
        .prop_map(|(changes, zones, port_changes)| {
            let mut nums = GOOD.to_vec();
            for (i, v) in changes {
                nums[i] = v;
            }
            let mut ports = vec![8000, 5432, 8080, 8080, 80, 5432, 80, 80];
            for (i, v) in port_changes {
                ports[i] = v;
            }
            let ids = [
                "network", "eks", "general", "cache", "db", "bucket", "rule", "kafka", "alb",
                "ecs", "svc", "app", "api", "store", "nightly", "release", "switch", "settings",
            ];
            Case {
                stack: "prod".into(),
                region: "us-east-1",
                ids: ids.iter().map(|s| (*s).to_owned()).collect(),
                cidr: "10.0.0.0/16".into(),
                zones,
                nums,
                ports,
                users: (1000, 2000),
                texts: ["team", "x", "MODE", "on", "api.example.com", "0 3 * * *"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                egress_cidr: "10.0.0.0/16".into(),
                engine: 0,
                cache_cluster: false,
            }
        })
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![valid_case(), chaos_case()]
}

fn chaos_case() -> impl Strategy<Value = Case> {
    (
        id(),
        proptest::sample::select(
            &[
                "us-east-1",
                "eu-west-1",
                "ap-southeast-2",
                "",
                "US-EAST-1",
                "mars-1",
            ][..],
        ),
        proptest::collection::vec(id(), 18),
        cidr(),
        prop_oneof![3 => 0u8..7, 1 => any::<u8>()],
        proptest::collection::vec(n(), 48),
        proptest::collection::vec(port(), 8),
        (
            prop_oneof![
                Just(0i64),
                Just(1000),
                Just(-1),
                Just(i64::MIN),
                Just(i64::MAX),
                any::<i64>()
            ],
            prop_oneof![
                Just(0i64),
                Just(2000),
                Just(-1),
                Just(i64::MIN),
                Just(i64::MAX),
                any::<i64>()
            ],
        ),
        proptest::collection::vec(text(), 6),
        cidr(),
        0u8..4,
        any::<bool>(),
    )
        .prop_map(
            |(
                stack,
                region,
                ids,
                cidr,
                zones,
                nums,
                ports,
                users,
                texts,
                egress_cidr,
                engine,
                cache_cluster,
            )| Case {
                stack,
                region,
                ids,
                cidr,
                zones,
                nums,
                ports,
                users,
                texts,
                egress_cidr,
                engine,
                cache_cluster,
            },
        )
}

/// Builds one app from the case: the AWS constructs, then the Kubernetes ones.
fn app(c: &Case) -> App {
    let n = |i: usize| c.nums[i];
    let id = |i: usize| c.ids[i].as_str();
    let mut s = Stack::new(&c.stack, c.region).tag(&c.texts[0], &c.texts[1]);

    let network = s.add(
        Network::new(id(0), &c.cidr)
            .zones(c.zones)
            .flow_log_retention_days(n(0)),
    );
    let cluster = s.add(
        EksCluster::new(id(1), &network)
            .log_retention_days(n(1))
            .node_group(NodeGroup::new(id(2)).instance_types(["m6i.large"]).scaling(
                n(2),
                n(3),
                n(4),
            )),
    );
    let cache = Cache::redis(id(3), &network)
        .snapshot_retention_days(n(5))
        .allow_from(&cluster);
    let cache = s.add(if c.cache_cluster {
        cache.cluster_mode(n(6), n(7))
    } else {
        cache.replicas(n(6))
    });
    let db = match c.engine {
        0 => Database::postgres(id(4), &network)
            .read_replicas(n(8))
            .storage_gib(n(9), n(10)),
        1 => Database::mysql(id(4), &network).storage_gib(n(9), n(10)),
        2 => Database::aurora_postgres(id(4), &network).instances(n(8)),
        _ => Database::documentdb(id(4), &network).instances(n(8)),
    };
    let db = s.add(
        db.backup_retention_days(n(11))
            .log_retention_days(n(12))
            .allow_from(&cluster),
    );
    s.add(
        Bucket::new(id(5)).lifecycle_rule(
            LifecycleRule::new(id(6))
                .expire_after_days(n(13))
                .noncurrent_versions_expire_after_days(n(14))
                .transition(n(15), StorageClass::Glacier),
        ),
    );
    s.add(
        Kafka::provisioned(id(7), &network)
            .brokers(n(16))
            .volume_size_gib(n(17))
            .storage_autoscaling(n(18))
            .log_retention_days(n(19)),
    );
    let alb = s.add(
        LoadBalancer::new(id(8), &network)
            .certificate("api.example.com", "example.com")
            .idle_timeout_seconds(n(20))
            .access_log_retention_days(n(21)),
    );
    let ecs = s.add(EcsCluster::new(id(9)).exec_log_retention_days(n(22)));
    s.add(
        EcsService::new(id(10), &ecs, &network)
            .image("example/api:1.0.0")
            .cpu(n(23))
            .memory(n(24))
            .port(c.ports[0])
            .desired_count(n(25))
            .serve_via(&alb, Route::host("api.example.com").priority(n(26)))
            .autoscale(n(27), n(28))
            .target_cpu_percent(n(29))
            .target_memory_percent(n(30))
            .deregistration_delay_seconds(n(31))
            .allow_egress_to_cidr(&c.egress_cidr, c.ports[1]),
    );

    let ns = s.add(Namespace::new(id(11)));
    let container = |name: &str| {
        Container::new(name, "example/api:1.0.0")
            .port("http", c.ports[2])
            .env(&c.texts[2], &c.texts[3])
            .requests(Cpu::millis(n(32)), Memory::mib(n(33)))
            .limits(Cpu::cores(n(34)), Memory::gib(n(35)))
            .liveness(
                Probe::http_get("/health", c.ports[3])
                    .initial_delay(n(36))
                    .period(n(37))
                    .timeout(n(38))
                    .failure_threshold(n(39)),
            )
            .pre_stop_sleep(n(40))
    };
    let api = s.add(
        Deployment::new(&ns, id(12))
            .replicas(n(41))
            .rolling_update(IntOrPercent::Count(n(42)), IntOrPercent::Percent(n(43)))
            .run_as(c.users.0, c.users.1)
            .termination_grace_period(n(44))
            .autoscale(HorizontalPodAutoscaler::new(n(45), n(46)).cpu_utilization(n(47)))
            .container(container("api")),
    );
    let svc = s.add(api.expose_via_service(c.ports[4], "http"));
    s.add(api.disruption_budget(Budget::MinAvailable(IntOrPercent::Percent(n(42)))));
    s.add(
        svc.expose_via_ingress(&c.texts[4], "/")
            .rate_limit_rpm(n(43)),
    );
    s.add(api.allow_egress_to_cidr(c.egress_cidr.clone(), c.ports[5]));
    s.add(db.allow_workload(&api, &cluster));
    let claim = VolumeClaim::new("data", Memory::gib(n(33)));
    s.add(
        StatefulSet::new(&ns, id(13))
            .replicas(n(44))
            .partition(n(45))
            .volume_claim(&claim)
            .container(container("db").mount_writable(&claim, "/data")),
    );
    s.add(
        CronJob::new(&ns, id(14), &c.texts[5])
            .history_limits(n(46), n(47))
            .starting_deadline(n(0))
            .backoff_limit(n(1))
            .active_deadline(n(2))
            .ttl_after_finished(n(3))
            .container(container("job")),
    );
    s.add(
        Canary::new(&ns, id(15))
            .stable(container("app"))
            .canary(container("app"))
            .weight(n(4))
            .replicas(n(5))
            .canary_replicas(n(6))
            .service_port(c.ports[6], "http")
            .ingress("canary.example.com", "/"),
    );
    s.add(
        BlueGreen::new(&ns, id(16))
            .blue(container("app"))
            .green(container("app"))
            .replicas(n(7))
            .idle_replicas(n(8)),
    );
    s.add(
        ResourceQuota::new(&ns)
            .pods(n(9))
            .services(n(10))
            .load_balancers(n(11))
            .node_ports(n(12))
            .persistent_volume_claims(n(13))
            .storage(Memory::gib(n(14))),
    );
    s.add(
        ConfigMap::new(&ns, id(17))
            .data(&c.texts[0], &c.texts[1])
            .file(id(6), &c.texts[2]),
    );
    let _ = cache;
    let mut app = App::new();
    app.add(s);
    app
}

/// Runs one case: a panic, an I/O error or a diagnostic without a known code fails it.
fn check(c: &Case, out: &std::path::Path) -> Result<(), String> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let app = app(c);
        synth(&app, out)
    }));
    let _ = std::fs::remove_dir_all(out);
    let codes: Vec<&str> = stacksmith::core::CODES.iter().map(|c| c.code).collect();
    let diagnostics = match result {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            return Err(format!("panicked: {message}"));
        }
        Ok(Ok(report)) => report.diagnostics,
        Ok(Err(SynthError::Diagnostics(d))) => {
            if !d.has_errors() {
                return Err("synth failed without an error diagnostic".into());
            }
            d
        }
        Ok(Err(other)) => return Err(format!("not a diagnostic: {other}")),
    };
    for d in diagnostics.iter() {
        if !codes.contains(&d.code) || d.message.is_empty() {
            return Err(format!("diagnostic without a known code or message: {d:?}"));
        }
    }
    Ok(())
}

/// Lowering in parts (as a large stack is lowered on several cores: here one, two and five
/// constructs per part) makes the graph lowering them one after another does, diagnostics
/// included.
fn lowers_alike_in_parts(c: &Case) -> Result<(), String> {
    let app = app(c);
    for stack in app.stacks() {
        let whole = stack.lower_in_parts(usize::MAX);
        for per_part in [1, 2, 5] {
            let parts = stack.lower_in_parts(per_part);
            if parts != whole {
                let (a, b) = (format!("{whole:#?}"), format!("{parts:#?}"));
                let first = a
                    .lines()
                    .zip(b.lines())
                    .position(|(x, y)| x != y)
                    .unwrap_or(0);
                let near = |s: &str| {
                    s.lines()
                        .skip(first.saturating_sub(8))
                        .take(12)
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                return Err(format!(
                    "stack `{}` lowered in parts of {per_part} differs from its serial lowering; serial:\n{}\nin parts:\n{}",
                    stack.name(),
                    near(&a),
                    near(&b)
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn no_builder_input_panics() {
    let out = std::env::temp_dir().join(format!("stacksmith-fuzz-{}", std::process::id()));
    // Panics are reported with their input below; the default hook's copy is noise.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut runner = TestRunner::new(Config {
        // More with STACKSMITH_FUZZ_CASES=N (e.g. 5000 for a longer hunt).
        cases: std::env::var("STACKSMITH_FUZZ_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100),
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&case(), |c| {
        check(&c, &out).map_err(TestCaseError::fail)?;
        lowers_alike_in_parts(&c).map_err(TestCaseError::fail)?;
        Ok(())
    });
    std::panic::set_hook(hook);
    if let Err(e) = result {
        panic!("{e}");
    }
}
