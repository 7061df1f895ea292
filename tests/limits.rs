//! Values the Kubernetes API server, the kernel or AWS would refuse are caught at synth (issue
//! 14, item 4): each diagnostic names the construct path, the value and the valid range.

mod common;

use common::snap;
use stacksmith::prelude::*;

/// The diagnostics of lowering `stack` alone, as printed.
fn diagnostics(stack: Stack) -> String {
    let mut app = App::new();
    app.add(stack);
    let text: Vec<String> = app
        .lower()
        .iter()
        .map(|g| g.diagnostics.to_string())
        .collect();
    text.concat()
}

/// A stack with one Deployment of one container, changed by `f`.
fn with_container(f: impl FnOnce(Container) -> Container) -> Stack {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    stack.add(
        Deployment::new(&ns, "api").container(f(Container::new("api", "example/api:1.0.0")
            .port("http", 8000)
            .readiness(Probe::http_get("/healthz", 8000)))),
    );
    stack
}

#[test]
fn fails_container_port_zero() {
    let stack = with_container(|c| c.port("metrics", 0));
    snap("fails__container_port_zero", &diagnostics(stack));
}

#[test]
fn fails_service_port_zero_and_name_not_dns_1035() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    let d = stack.add(
        Deployment::new(&ns, "api")
            .container(Container::new("api", "example/api:1.0.0").port("http", 8000)),
    );
    stack.add(d.expose_via_service(0, "http").name("1api"));
    snap("fails__service_port_zero_and_name", &diagnostics(stack));
}

/// A StatefulSet named `1db` gets a headless Service `1db-headless`, which is no DNS-1035 label.
#[test]
fn fails_stateful_set_whose_headless_service_name_starts_with_a_digit() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("data"));
    stack.add(
        StatefulSet::new(&ns, "db")
            .name("1db")
            .container(Container::new("db", "example/db:1.0.0").port("db", 5432)),
    );
    snap(
        "fails__stateful_set_headless_service_name",
        &diagnostics(stack),
    );
}

#[test]
fn fails_env_var_names_the_api_server_refuses() {
    let stack = with_container(|c| {
        c.env("A=B", "1")
            .env("", "2")
            .env("PFÄD", "3")
            .env("spring.profile", "ok")
    });
    let text = diagnostics(stack);
    assert!(!text.contains("spring.profile"), "{text}");
    snap("fails__env_var_names", &text);
}

#[test]
fn fails_env_value_longer_than_the_kernel_passes() {
    let stack = with_container(|c| c.env("CERTS", "x".repeat(128 * 1024)));
    snap("fails__env_value_too_long", &diagnostics(stack));
}

#[test]
fn fails_run_as_negative_or_above_the_api_range() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    stack.add(
        Deployment::new(&ns, "api")
            .container(Container::new("api", "example/api:1.0.0"))
            .run_as(-1, 1 << 31),
    );
    snap("fails__run_as_out_of_range", &diagnostics(stack));
}

#[test]
fn fails_cron_job_time_zone_not_in_the_iana_database() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("jobs"));
    stack.add(
        CronJob::new(&ns, "report", "0 3 * * *")
            .time_zone("Europe/Berlín")
            .container(Container::new("report", "example/report:1.0.0")),
    );
    stack.add(
        CronJob::new(&ns, "cleanup", "0 4 * * *")
            .time_zone("Mars/Olympus_Mons")
            .container(Container::new("cleanup", "example/cleanup:1.0.0")),
    );
    snap("fails__cron_job_time_zone", &diagnostics(stack));
}

#[test]
fn fails_annotations_above_256_kib() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    stack.add(
        ServiceAccount::new(&ns, "api")
            .annotation("example.com/a", "a".repeat(200 * 1024))
            .annotation("example.com/b", "b".repeat(100 * 1024)),
    );
    snap("fails__annotations_too_large", &diagnostics(stack));
}

#[test]
fn fails_label_key_and_value_over_the_limits() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    stack.add(
        Deployment::new(&ns, "api")
            .container(Container::new("api", "example/api:1.0.0"))
            .label(format!("example.com/{}", "k".repeat(64)), "v")
            .label("tier", "v".repeat(64)),
    );
    snap("fails__label_limits", &diagnostics(stack));
}

#[test]
fn fails_tag_value_over_256_characters_and_too_many_tags() {
    let mut stack = Stack::new("prod", "us-east-1").tag("owner", &"o".repeat(257));
    for i in 0..48 {
        stack = stack.tag(&format!("t{i}"), "x");
    }
    stack.add(Network::new("network", "10.0.0.0/16"));
    snap("fails__tag_limits", &diagnostics(stack));
}

#[test]
fn fails_unknown_region() {
    let mut stack = Stack::new("prod", "us-east1");
    stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(Network::new("backup", "10.1.0.0/16"));
    let text = diagnostics(stack);
    assert_eq!(text.matches("SS0171").count(), 1, "{text}");
    snap("fails__unknown_region", &text);
}

#[test]
fn fails_unknown_instance_types() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(EksCluster::new("eks", &network).node_group(
        NodeGroup::new("workers").instance_types(["m6i.larg", "m6x.xlarge", "t3.medium", "large"]),
    ));
    snap("fails__unknown_instance_types", &diagnostics(stack));
}
