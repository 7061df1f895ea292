//! A stack of more than 512 Kubernetes objects is rendered differently from a small one: its
//! diagram (and its Terraform root) is drawn on a second core while the first objects' YAML is
//! rendered and written, and the Terraform and `cluster/` files are put first once drawn. What
//! synth writes must still be what rendering in memory gives, file for file and byte for byte,
//! and so must a re-synthesis over it that changes some files and keeps others (kept files are
//! linked from the previous output by their place among the stack's files).

mod common;

use stacksmith::prelude::*;
use stacksmith::synth_api::StackOutput;

/// The newcomer's stack (a Terraform root, a `cluster/` root, a web service), with `units`
/// more services of a ConfigMap, Deployment, Service, HPA and PDB each; every `bumped`-th
/// service runs version 1.0.1 instead of 1.0.0; with `team`, the namespace is labelled with it
/// and a bucket is added (the Terraform root changes, the `cluster/` root does not).
fn app(units: usize, bumped: usize, team: Option<&str>) -> App {
    let mut shop = Stack::new("shop", "eu-west-1");
    let vpc = shop.add(Network::new("vpc", "10.80.0.0/16").zones(3));
    let k8s = shop.add(
        EksCluster::new("k8s", &vpc)
            .node_group(
                NodeGroup::new("apps")
                    .instance_types(["m6i.large"])
                    .scaling(3, 3, 9),
            )
            .platform_defaults(),
    );
    let sessions = shop.add(Cache::redis("sessions", &vpc).allow_from(&k8s));
    if let Some(team) = team {
        shop.add(Bucket::new(&format!("{team}-assets")));
    }
    let ns = shop.add(match team {
        Some(team) => Namespace::new("storefront").label("team", team),
        None => Namespace::new("storefront"),
    });
    let web = shop.add(
        Deployment::new(&ns, "web").container(
            Container::new("web", "acme/storefront:2.4.1")
                .port("http", 8080)
                .env_from_cloud("REDIS_HOST", sessions.endpoint())
                .secret_env_from_cloud("REDIS_TOKEN", sessions.auth_token())
                .requests(Cpu::millis(250), Memory::mib(512))
                .limits(Cpu::millis(1000), Memory::gib(1)),
        ),
    );
    shop.add(web.expose_via_service(80, "http"));
    shop.add(sessions.allow_workload(&web, &k8s));
    for i in 0..units {
        let config = shop.add(ConfigMap::new(&ns, format!("svc{i}-config")).data("mode", "on"));
        let svc = shop.add(
            Deployment::new(&ns, format!("svc{i}"))
                .autoscale(HorizontalPodAutoscaler::new(2, 6).cpu_utilization(70))
                .container(
                    Container::new(
                        "app",
                        format!("acme/svc{i}:1.0.{}", u8::from(i % bumped == 0)),
                    )
                    .port("http", 8080)
                    .env_from_config_map("MODE", &config, "mode")
                    .requests(Cpu::millis(100), Memory::mib(128))
                    .limits(Cpu::millis(200), Memory::mib(256)),
                ),
        );
        shop.add(svc.expose_via_service(80, "http"));
        shop.add(svc.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
    }
    let mut app = App::new();
    app.add(shop);
    app
}

/// Synthesizes `app` into `out`, checks every file against the in-memory render, and returns
/// the render.
fn synth_as_rendered(app: &App, out: &std::path::Path) -> StackOutput {
    let expected = common::render_one(app);
    assert!(expected.objects >= 512, "{} objects", expected.objects);
    for first in ["terraform/main.tf.json", "cluster/main.tf.json"] {
        assert!(expected.files.iter().any(|f| f.path == first), "no {first}");
    }
    let report = match stacksmith::synth(app, out) {
        Ok(report) => report,
        Err(e) => panic!("synth failed: {e}"),
    };
    assert_eq!(report.stacks[0].files, expected.files.len());
    let dir = out.join("shop");
    for f in &expected.files {
        let written = std::fs::read(dir.join(&f.path)).unwrap_or_default();
        assert!(written == f.contents, "{} differs from its render", f.path);
    }
    expected
}

#[test]
fn a_large_stack_writes_the_files_it_renders_in_memory() {
    let out = std::env::temp_dir().join(format!("stacksmith-large-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let before = synth_as_rendered(&app(110, usize::MAX, None), &out);
    // The Terraform root, the namespace (the first Kubernetes file, right after the roots'
    // places) and every third service change; the `cluster/` root and the other files are
    // kept, linked by their places.
    let after = synth_as_rendered(&app(110, 3, Some("shop")), &out);
    let same = |path| common::file(&before, path) == common::file(&after, path);
    assert!(same("cluster/main.tf.json"));
    assert!(!same("terraform/main.tf.json"));
    assert!(!same("kubernetes/namespace-storefront.yaml"));
    let _ = std::fs::remove_dir_all(&out);
}
