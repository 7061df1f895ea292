//! Bad input gets the right diagnostic, and a failed synth writes nothing: the previous output
//! stays byte for byte.

mod common;

use common::snap;
use std::fs;
use std::path::{Path, PathBuf};

use stacksmith::aws::{Cache, EksCluster, Network};
use stacksmith::core::App;
use stacksmith::prelude::*;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stacksmith-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn app_of(stack: Stack) -> App {
    let mut app = App::new();
    app.add(stack);
    app
}

/// Synthesizes into a folder that already holds output, and returns the diagnostics text after
/// checking that the folder is untouched.
fn fails(name: &str, stack: Stack) -> String {
    let out = scratch(name);
    let good = app_of(web_stack(|d| d));
    assert!(stacksmith::synth(&good, &out).is_ok());
    let before = snapshot_dir(&out);
    let result = stacksmith::synth(&app_of(stack), &out);
    let after = snapshot_dir(&out);
    let _ = fs::remove_dir_all(&out);
    assert_eq!(before, after, "a failed synth changed the output folder");
    match result {
        Err(stacksmith::SynthError::Diagnostics(d)) => d.to_string(),
        Err(e) => panic!("expected diagnostics, got {e}"),
        Ok(_) => panic!("expected diagnostics, synth succeeded"),
    }
}

fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

fn web_stack(f: impl FnOnce(Deployment) -> Deployment) -> Stack {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    let d = stack.add(f(Deployment::new(&ns, "api").container(
        Container::new("api", "example/api:1.0.0")
            .port("http", 8000)
            .readiness(Probe::http_get("/healthz", 8000)),
    )));
    stack.add(d.expose_via_service(80, "http"));
    stack
}

#[test]
fn fails_invalid_cidr() {
    let mut stack = web_stack(|d| d);
    stack.add(Network::new("network", "10.0.0.300/16"));
    snap("fails__invalid_cidr", &fails("cidr", stack));
}

/// One typo in the VPC CIDR of a whole prod stack: the network reports it, and nothing that
/// only follows from it (references into the network, the same CIDR in the workload's egress
/// policy) is reported again.
#[test]
fn fails_invalid_cidr_in_a_prod_stack_once() {
    let mut prod = Stack::new("prod", "us-east-1");
    let network = prod.add(Network::new("network", "10.40.0.1/16").zones(3));
    let cluster = prod.add(EksCluster::new("eks", &network));
    let cache = prod.add(Cache::redis("cache", &network).replicas(1));
    let ns = prod.add(Namespace::new("apps"));
    let api = prod.add(
        Deployment::new(&ns, "api").container(
            Container::new("api", "acme/api:1.0.0")
                .port("http", 8080)
                .readiness(Probe::http_get("/healthz", 8080))
                .env_from_cloud("REDIS_HOST", cache.endpoint()),
        ),
    );
    prod.add(cache.allow_workload(&api, &cluster));
    let text = fails("prod-cidr", prod);
    assert!(text.ends_with("1 error(s), 0 warning(s)"), "{text}");
    snap("fails__invalid_cidr_in_a_prod_stack", &text);
}

/// An id too long for any name derived from it: reported once, as the id (SS0001), not again
/// for every cloud name derived from it (SS0103).
#[test]
fn fails_invalid_construct_id_once() {
    let mut stack = web_stack(|d| d);
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(EksCluster::new(
        "platform-cluster-for-the-web-shop-and-every-internal-tool-we-run",
        &network,
    ));
    snap("fails__invalid_construct_id_once", &fails("long-id", stack));
}

#[test]
fn fails_more_zones_than_subnets_fit() {
    let mut stack = web_stack(|d| d);
    stack.add(Network::new("network", "10.0.0.0/27").zones(3));
    snap("fails__more_zones_than_subnets_fit", &fails("zones", stack));
}

#[test]
fn fails_name_too_long_for_its_target() {
    let mut stack = web_stack(|d| d);
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(Cache::redis("session-and-rate-limit-cache-primary", &net));
    snap("fails__name_too_long", &fails("name", stack));
}

/// SS0103 says where the name came from: `.name(..)` (fix it there) or the construct path
/// (shorten the id).
#[test]
fn fails_given_name_says_it_was_given() {
    let mut stack = web_stack(|d| d);
    let ns = stack.add(Namespace::new("jobs"));
    stack.add(ServiceAccount::new(&ns, "reports").name("Reports_Reader"));
    snap("fails__given_name", &fails("given-name", stack));
}

#[test]
fn fails_duplicate_ids() {
    let mut stack = web_stack(|d| d);
    stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(Network::new("network", "10.1.0.0/16"));
    snap("fails__duplicate_ids", &fails("dup", stack));
}

/// SS0002 names both constructs' kinds; a ServiceAccount (its own id space: it only makes a
/// ServiceAccount object) may share its Deployment's id.
#[test]
fn fails_duplicate_ids_of_two_kinds_but_not_a_service_account() {
    let mut stack = web_stack(|d| d);
    let ns = stack.add(Namespace::new("jobs"));
    stack.add(ServiceAccount::new(&ns, "api"));
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(Cache::redis("network", &net));
    let text = fails("dup-kinds", stack);
    assert!(!text.contains("ServiceAccount"), "{text}");
    snap("fails__duplicate_ids_of_two_kinds", &text);
}

#[test]
fn fails_hpa_min_above_max() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    stack.add(
        Deployment::new(&ns, "api")
            .autoscale(HorizontalPodAutoscaler::new(5, 3))
            .container(Container::new("api", "example/api:1.0.0").port("http", 8000)),
    );
    snap("fails__hpa_min_above_max", &fails("hpa", stack));
}

#[test]
fn fails_probe_on_a_port_no_container_exposes() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    stack.add(
        Deployment::new(&ns, "api").container(
            Container::new("api", "example/api:1.0.0")
                .port("http", 8000)
                .liveness(Probe::http_get("/healthz", 9000)),
        ),
    );
    snap("fails__probe_port", &fails("probe", stack));
}

#[test]
fn fails_service_on_a_port_no_container_exposes() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    let d = stack.add(
        Deployment::new(&ns, "api")
            .container(Container::new("api", "example/api:1.0.0").port("http", 8000)),
    );
    stack.add(d.expose_via_service(80, 8080));
    snap("fails__service_port", &fails("service", stack));
}

#[test]
fn fails_env_reads_an_undeclared_secret() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    let never_added = Secret::external(&ns, "db-credentials", ["password"]).reference();
    stack.add(
        Deployment::new(&ns, "api").container(
            Container::new("api", "example/api:1.0.0")
                .port("http", 8000)
                .env_from_secret("DB_PASSWORD", &never_added, "password"),
        ),
    );
    snap("fails__undeclared_secret", &fails("secret", stack));
}

#[test]
fn fails_rotation_of_a_key_set_outside_or_out_of_range() {
    use stacksmith::aws::ApplicationSecret;
    let mut stack = Stack::new("prod", "us-east-1");
    stack.add(ApplicationSecret::set_outside("stripe-api-key").rotate_every(30));
    stack.add(ApplicationSecret::generated("session-key").rotate_every(1200));
    snap("fails__secret_rotation", &fails("rotation", stack));
}

#[test]
fn external_secret_is_accepted() {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("web"));
    let creds = stack.add(Secret::external(&ns, "db-credentials", ["password"]));
    stack.add(
        Deployment::new(&ns, "api").container(
            Container::new("api", "example/api:1.0.0")
                .port("http", 8000)
                .env_from_secret("DB_PASSWORD", &creds, "password"),
        ),
    );
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
}

#[test]
fn fails_reference_into_another_stack() {
    let mut other = Stack::new("staging", "us-east-1");
    let net = other.add(Network::new("network", "10.0.0.0/16"));
    let mut stack = web_stack(|d| d);
    let cluster = stack.add(EksCluster::new("eks", &net));
    let _ = cluster;
    snap("fails__cross_stack_reference", &fails("xstack", stack));
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut stack = web_stack(|d| d);
    stack.add(Network::new("network", "banana"));
    stack.add(Network::new("network", "10.0.0.0/16"));
    let text = fails("many", stack);
    assert!(text.contains("SS0101") && text.contains("SS0002"), "{text}");
}

#[test]
fn fails_replica_of_a_database_in_a_stack_outside_the_app() {
    let mut primary = Stack::new("primary", "us-east-1");
    let net = primary.add(Network::new("network", "10.0.0.0/16"));
    let db =
        primary.add(Database::postgres("db", &net).master_password(MasterPassword::StackSecret));
    let mut standby = Stack::new("standby", "us-west-2");
    let net2 = standby.add(Network::new("network", "10.1.0.0/16"));
    standby.add(Database::postgres("db", &net2).replica_of(&db));
    // `primary` is never added to the app.
    snap(
        "fails__replica_outside_app",
        &fails("replica-outside-app", standby),
    );
}

#[test]
fn fails_more_zones_than_the_region_has() {
    let mut stack = Stack::new("prod", "us-west-1");
    stack.add(Network::new("network", "10.0.0.0/16").zones(3));
    snap(
        "fails__more_zones_than_the_region_has",
        &fails("region-zones", stack),
    );
}

#[test]
fn fails_names_that_collide_after_normalisation() {
    let mut stack = web_stack(|d| d);
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(Cache::redis("session-cache", &net));
    stack.add(Cache::redis("session_cache", &net));
    snap(
        "fails__names_collide_after_normalisation",
        &fails("collide", stack),
    );
}

#[test]
fn fails_reference_into_a_construct_of_another_app() {
    // The database lives in another App's stack of the same name; this app never creates it.
    let mut other = Stack::new("prod", "us-east-1");
    let net = other.add(Network::new("network", "10.0.0.0/16"));
    let db = other.add(Database::postgres("orders", &net));
    let mut stack = web_stack(|d| {
        d.container(
            Container::new("worker", "example/worker:1.0.0")
                .env_from_cloud("DB_HOST", db.endpoint()),
        )
    });
    let own = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(EksCluster::new("eks", &own));
    snap(
        "fails__reference_into_another_app",
        &fails("other-app", stack),
    );
}

#[test]
fn fails_invalid_ids_tags_and_vpc_size() {
    let mut stack = web_stack(|d| d).tag("aws:owner", "me");
    stack.add(Network::new("9network", "10.0.0.0/12"));
    snap("fails__invalid_ids_tags_and_vpc_size", &fails("ids", stack));
}

#[test]
fn fails_construct_added_to_another_stack_and_duplicate_stacks() {
    let mut a = Stack::new("prod", "us-east-1");
    let mut b = Stack::new("dr", "us-west-2");
    let ns = a.add(Namespace::new("web"));
    let api = a.add(
        Deployment::new(&ns, "api").container(
            Container::new("api", "example/api:1.0.0")
                .port("http", 8000)
                .readiness(Probe::http_get("/healthz", 8000)),
        ),
    );
    // `prod`'s API exposed by a Service added to `dr`.
    b.add(api.expose_via_service(80, "http"));
    let mut app = App::new();
    app.add(a);
    app.add(b);
    // Two stacks named `prod` would write one folder.
    app.add(Stack::new("prod", "eu-west-1"));
    let out = scratch("dup-stacks");
    let text = match stacksmith::synth(&app, &out) {
        Err(stacksmith::SynthError::Diagnostics(d)) => d.to_string(),
        other => panic!("expected diagnostics, got {other:?}"),
    };
    assert!(!out.exists(), "a failed synth wrote output");
    snap(
        "fails__construct_in_another_stack_and_duplicate_stacks",
        &text,
    );
}

#[test]
fn warns_cost_and_availability_trade_offs() {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16").single_nat_gateway());
    stack.add(Database::postgres("orders", &net).single_az());
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    snap(
        "warns__single_nat_gateway_and_single_az",
        &g.diagnostics.to_string(),
    );
}

#[test]
fn warns_overlapping_networks_across_the_app() {
    let mut primary = Stack::new("primary", "us-east-1");
    primary.add(Network::new("network", "10.60.0.0/16"));
    let mut standby = Stack::new("standby", "us-west-2");
    standby.add(Network::new("network", "10.60.128.0/17"));
    let mut app = App::new();
    app.add(primary);
    app.add(standby);
    let text: Vec<String> = app
        .lower()
        .iter()
        .map(|g| g.diagnostics.to_string())
        .collect();
    snap("warns__overlapping_networks", &text.join("\n"));
}

#[test]
fn fails_object_names_that_would_leave_the_output_folder() {
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    let raw = |id: &str, name: &str, namespace: &str| {
        RawObject::new(
            id,
            ConfigMap {
                metadata: ObjectMeta {
                    name: Some(name.into()),
                    namespace: Some(namespace.into()),
                    ..ObjectMeta::default()
                },
                ..ConfigMap::default()
            },
        )
    };
    let mut stack = Stack::new("prod", "us-east-1");
    stack.add(raw("escape", "../../../../escaped", "api"));
    stack.add(raw("up", "fine", "../up"));
    let text = fails("escape", stack);
    assert_eq!(text.matches("error[SS0207]").count(), 2, "{text}");
    assert!(!std::env::temp_dir().join("escaped.yaml").exists());
    snap(
        "fails__object_names_that_would_leave_the_output_folder",
        &text,
    );
}

/// Synthesizes `app` into an empty folder and returns the diagnostics, checking nothing was
/// written.
fn fails_app(name: &str, app: &App) -> String {
    let out = scratch(name);
    let result = stacksmith::synth(app, &out);
    let written = out.exists();
    let _ = fs::remove_dir_all(&out);
    assert!(!written, "a failed synth wrote {}", out.display());
    match result {
        Err(stacksmith::SynthError::Diagnostics(d)) => d.to_string(),
        Err(e) => panic!("expected diagnostics, got {e}"),
        Ok(_) => panic!("expected diagnostics, synth succeeded"),
    }
}

/// A web Deployment with a Service in `ns`.
fn web(stack: &mut Stack, ns: &NamespaceRef, id: &str) -> (DeploymentRef, ServiceRef) {
    let d = stack.add(
        Deployment::new(ns, id).container(
            Container::new(id, "example/web:1.0.0")
                .port("http", 8080)
                .readiness(Probe::http_get("/healthz", 8080)),
        ),
    );
    let s = stack.add(d.expose_via_service(80, "http"));
    (d, s)
}

/// Issue 13 item 6: typed handles taken from another stack of the app name Kubernetes objects
/// only that stack's output creates. A Deployment in the other stack's namespace (SS0220), an
/// Ingress routing to its Service (SS0221) and a NetworkPolicy selecting its pods (SS0222) are
/// errors, like a Terraform reference into another stack (SS0203).
#[test]
fn fails_kubernetes_references_into_another_stack() {
    let mut platform = Stack::new("platform", "us-east-1");
    let shared = platform.add(Namespace::new("shared"));
    let apps_there = platform.add(Namespace::new("apps"));
    let (admin, admin_service) = web(&mut platform, &apps_there, "admin");

    let mut prod = Stack::new("prod", "us-east-1");
    let apps = prod.add(Namespace::new("apps"));
    let (api, api_service) = web(&mut prod, &apps, "api");
    // A workload (and its Service) in a namespace only `platform` creates.
    web(&mut prod, &shared, "worker");
    // A second route, to a Service only `platform` creates.
    prod.add(
        api_service
            .expose_via_ingress("example.com", "/api")
            .route("/admin", &admin_service),
    );
    // A policy admitting pods only `platform` runs, in a namespace of the same name.
    prod.add(api.allow_from(&admin));

    let mut app = App::new();
    app.add(platform);
    app.add(prod);
    let text = fails_app("k8s-cross-stack", &app);
    for code in ["SS0220", "SS0221", "SS0222"] {
        assert!(text.contains(&format!("error[{code}]")), "{code}: {text}");
    }
    snap("fails__kubernetes_references_into_another_stack", &text);
}

/// The escape hatches name objects by string: a RawObject Ingress routing to a Service and a
/// RawObject NetworkPolicy admitting pods nothing in the stack runs, and a custom resource in a
/// namespace nothing creates.
#[test]
fn fails_kubernetes_references_from_raw_objects_and_custom_resources() {
    use k8s_openapi::api::networking::v1::{
        HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
        IngressServiceBackend, IngressSpec, NetworkPolicy, NetworkPolicyIngressRule,
        NetworkPolicyPeer, NetworkPolicySpec,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
    let meta = |name: &str| ObjectMeta {
        name: Some(name.into()),
        namespace: Some("apps".into()),
        ..ObjectMeta::default()
    };
    let mut stack = Stack::new("prod", "us-east-1");
    let apps = stack.add(Namespace::new("apps"));
    web(&mut stack, &apps, "api");
    let ingress = Ingress {
        metadata: meta("billing"),
        spec: Some(IngressSpec {
            rules: Some(vec![IngressRule {
                host: Some("billing.example.com".into()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: "billing".into(),
                                port: None,
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    };
    stack.add(RawObject::new("billing-ingress", ingress));
    let policy = NetworkPolicy {
        metadata: meta("api-from-billing"),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector {
                        match_labels: Some([("app".to_owned(), "billing".to_owned())].into()),
                        ..LabelSelector::default()
                    }),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: None,
            }]),
            ..NetworkPolicySpec::default()
        }),
    };
    stack.add(RawObject::new("billing-policy", policy));
    let elsewhere = Stack::new("elsewhere", "us-east-1").add(Namespace::new("databases"));
    stack.add(CustomResource::untyped(
        "kubedb.com/v1",
        "Redis",
        Some(&elsewhere),
        "sessions",
        serde_json::json!({"spec": {"version": "7.2.3"}}),
    ));
    let text = fails("k8s-raw-references", stack);
    snap(
        "fails__kubernetes_references_from_raw_objects_and_custom_resources",
        &text,
    );
}

/// A namespace the cluster already has is declared, and then objects may be created in it.
#[test]
fn an_existing_namespace_is_declared_on_purpose() {
    let mut stack = Stack::new("prod", "us-east-1");
    let system = stack.add(Namespace::existing("kube-system"));
    web(&mut stack, &system, "agent");
    let out = scratch("existing-namespace");
    let result = stacksmith::synth(&app_of(stack), &out);
    let _ = fs::remove_dir_all(&out);
    assert!(result.is_ok(), "{:?}", result.err().map(|e| e.to_string()));
}

/// Issue 13 item 1: every user string that becomes a path is checked before it is joined:
/// a stack name, a construct's object name, a namespace, a custom resource's name.
#[test]
fn fails_names_that_would_become_paths_outside_the_output() {
    let out = scratch("stack-name-escape");
    let result = stacksmith::synth(&app_of(Stack::new("../escaped", "us-east-1")), &out);
    assert!(!out.exists() && !out.with_file_name("escaped").exists());
    let Err(stacksmith::SynthError::Diagnostics(stack_name)) = result else {
        panic!("an escaping stack name synthesized");
    };
    let mut stack = Stack::new("prod", "us-east-1");
    let up = stack.add(Namespace::new("../up"));
    stack.add(ConfigMap::new(&up, "settings").data("level", "info"));
    let apps = stack.add(Namespace::new("apps"));
    stack.add(
        ConfigMap::new(&apps, "conf")
            .name("../../conf")
            .data("level", "info"),
    );
    stack.add(CustomResource::untyped(
        "kubedb.com/v1",
        "Redis",
        Some(&apps),
        "../../../sessions",
        serde_json::json!({"spec": {}}),
    ));
    let text = fails("names-as-paths", stack);
    snap(
        "fails__names_that_would_become_paths_outside_the_output",
        &format!("{stack_name}\n{text}"),
    );
}
