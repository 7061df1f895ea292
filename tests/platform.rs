//! Cluster add-ons and the dependency checks: every object that needs an add-on nothing installs
//! stops synth with SS0450 naming the object, the add-on and the line that installs it; the
//! line (or platform defaults) makes it pass; a version out of standard support is warned.

mod common;

use common::{file, render_one, snap};
use stacksmith::aws::{EksCluster, Network, NodeGroup};
use stacksmith::core::App;
use stacksmith::prelude::*;

/// A stack with a cluster that can not grow (so it needs no autoscaler) and a web Deployment
/// with a Service; `cluster` adjusts the cluster, `add` adds the object under test.
fn stack(
    cluster: impl FnOnce(EksCluster) -> EksCluster,
    add: impl FnOnce(&mut Stack, &NamespaceRef, &DeploymentRef, &ServiceRef),
) -> Stack {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(cluster(
        EksCluster::new("eks", &network)
            .node_group(NodeGroup::new("general").scaling(3, 3, 3))
            .api_access_from(["10.100.0.0/16"]),
    ));
    let ns = stack.add(Namespace::new("web"));
    let api = stack.add(
        Deployment::new(&ns, "api").container(
            Container::new("api", "example/api:1.0.0")
                .port("http", 8000)
                .readiness(Probe::http_get("/healthz", 8000)),
        ),
    );
    let svc = stack.add(api.expose_via_service(80, "http"));
    add(&mut stack, &ns, &api, &svc);
    stack
}

/// Adds a Deployment `worker` autoscaled on CPU (2–5 pods at 70%), which needs the metrics API.
fn autoscaled(s: &mut Stack, ns: &NamespaceRef) {
    s.add(
        Deployment::new(ns, "worker")
            .autoscale(HorizontalPodAutoscaler::new(2, 5).cpu_utilization(70))
            .container(Container::new("worker", "example/worker:1.0.0").port("http", 8000)),
    );
}

fn app_of(stack: Stack) -> App {
    let mut app = App::new();
    app.add(stack);
    app
}

/// The rendered diagnostics of the one stack (errors and warnings).
fn diagnostics(stack: Stack) -> String {
    let graphs = app_of(stack).lower();
    graphs[0].diagnostics.to_string()
}

#[test]
fn fails_hpa_without_metrics_server() {
    let text = diagnostics(stack(
        |c| c,
        |s, ns, _, _| {
            autoscaled(s, ns);
        },
    ));
    assert!(text.contains("SS0450") && text.contains("ClusterAddon::MetricsServer"));
    snap("fails__hpa_without_metrics_server", &text);
}

#[test]
fn fails_alb_ingress_without_load_balancer_controller() {
    let text = diagnostics(stack(
        |c| c,
        |s, _, _, svc| {
            s.add(svc.expose_via_ingress("api.example.com", "/"));
        },
    ));
    assert!(text.contains("class `alb`"));
    snap("fails__alb_ingress_without_load_balancer_controller", &text);
}

#[test]
fn fails_nlb_service_without_load_balancer_controller() {
    let mut s = Stack::new("prod", "us-east-1");
    let network = s.add(Network::new("network", "10.0.0.0/16"));
    s.add(EksCluster::new("eks", &network).api_access_from(["10.100.0.0/16"]));
    let ns = s.add(Namespace::new("web"));
    let api = s.add(
        Deployment::new(&ns, "api")
            .container(Container::new("api", "example/api:1.0.0").port("http", 8000)),
    );
    s.add(
        api.expose_via_service(80, "http")
            .aws_network_load_balancer(Nlb::internal()),
    );
    let text = diagnostics(s);
    assert!(text.contains("`type: LoadBalancer` Services"), "{text}");
    snap("fails__nlb_service_without_load_balancer_controller", &text);
}

#[test]
fn fails_cluster_issuer_without_cert_manager() {
    let text = diagnostics(stack(
        |c| c,
        |s, _, _, _| {
            s.add(ClusterIssuer::ca("internal-ca", "internal-ca-key-pair"));
        },
    ));
    assert!(text.contains("`cert-manager.io` CRDs") && text.contains("ClusterAddon::CertManager"));
    snap("fails__cluster_issuer_without_cert_manager", &text);
}

#[test]
fn fails_cert_manager_annotation_without_cert_manager() {
    let text = diagnostics(stack(
        |c| c,
        |s, _, _, svc| {
            s.add(
                svc.expose_via_ingress("api.example.com", "/")
                    .class("internal-nginx")
                    .tls("api-tls")
                    .cluster_issuer("internal-ca"),
            );
        },
    ));
    assert!(text.contains("`cert-manager.io` CRDs"));
    snap("fails__cert_manager_annotation_without_cert_manager", &text);
}

#[test]
fn fails_kubedb_resource_without_operator() {
    let text = diagnostics(stack(
        |c| c,
        |s, ns, _, _| {
            s.add(Redis::new(ns, "cache", "7.2.4"));
        },
    ));
    assert!(text.contains("`kubedb.com` CRDs") && text.contains("ClusterAddon::kubedb"));
    snap("fails__kubedb_resource_without_operator", &text);
}

#[test]
fn fails_service_monitor_without_prometheus_crds() {
    let text = diagnostics(stack(
        |c| c,
        |s, _, _, svc| {
            s.add(svc.monitor("http"));
        },
    ));
    assert!(text.contains("`monitoring.coreos.com` CRDs"));
    snap("fails__service_monitor_without_prometheus_crds", &text);
}

#[test]
fn fails_monitors_only_the_crds_read() {
    let text = diagnostics(stack(
        |c| c.addon(ClusterAddon::PrometheusOperatorCrds),
        |s, _, api, svc| {
            s.add(svc.monitor("http"));
            s.add(api.alert_on(Slo::restarts(3)));
        },
    ));
    assert!(text.contains("SS0563") && text.contains("ClusterAddon::prometheus()"));
    snap("fails__monitors_only_the_crds_read", &text);
}

#[test]
fn prometheus_reads_the_monitors_and_rules() {
    let text = diagnostics(stack(
        |c| c.addon(ClusterAddon::prometheus()),
        |s, _, api, svc| {
            s.add(svc.monitor("http"));
            s.add(api.alert_on(Slo::restarts(3)));
        },
    ));
    assert!(
        !text.contains("SS0563") && !text.contains("SS0450"),
        "{text}"
    );
}

#[test]
fn fails_external_dns_annotation_without_external_dns() {
    let text = diagnostics(stack(
        |c| c.addon(ClusterAddon::AwsLoadBalancerController),
        |s, _, _, svc| {
            s.add(svc.expose_via_ingress("api.example.com", "/").annotation(
                "external-dns.alpha.kubernetes.io/hostname",
                "api.example.com",
            ));
        },
    ));
    assert!(text.contains("ExternalDNS") && text.contains("ClusterAddon::external_dns"));
    snap("fails__external_dns_annotation_without_external_dns", &text);
}

#[test]
fn fails_scalable_node_group_without_autoscaler() {
    let text = diagnostics(stack(
        |c| c.node_group(NodeGroup::new("batch").scaling(0, 0, 10)),
        |_, _, _, _| {},
    ));
    assert!(text.contains("node group `batch` (0–10 nodes)"));
    snap("fails__scalable_node_group_without_autoscaler", &text);
}

#[test]
fn fails_custom_resource_of_an_unknown_group_without_prerequisite() {
    let text = diagnostics(stack(
        |c| c,
        |s, ns, _, _| {
            s.add(CustomResource::untyped(
                "postgresql.cnpg.io/v1",
                "Cluster",
                Some(ns),
                "db",
                serde_json::json!({ "spec": { "instances": 3 } }),
            ));
        },
    ));
    assert!(
        text.contains("Capability::api_group(\"postgresql.cnpg.io\")"),
        "{text}"
    );
    snap("fails__custom_resource_without_prerequisite", &text);
}

#[test]
fn a_prerequisite_satisfies_the_check_and_is_listed_in_the_manifest() {
    let mut stack = Stack::new("apps", "us-east-1").prerequisite(
        Capability::api_group("postgresql.cnpg.io"),
        "CloudNativePG 1.27, installed by the platform team",
    );
    let ns = stack.add(Namespace::new("web"));
    stack.add(CustomResource::untyped(
        "postgresql.cnpg.io/v1",
        "Cluster",
        Some(&ns),
        "db",
        serde_json::json!({ "spec": { "instances": 3 } }),
    ));
    let out = render_one(&app_of(stack));
    let manifest = file(&out, "manifest.json");
    // One list: the capability is a prerequisite like the state bucket, with who needs it and
    // its check.
    assert!(
        !manifest.contains("\"cluster_prerequisites\""),
        "{manifest}"
    );
    let json: serde_json::Value = serde_json::from_str(manifest).unwrap_or_default();
    let listed = json["prerequisites"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let cnpg = listed.iter().find(|p| {
        p["what"]
            .as_str()
            .is_some_and(|w| w.contains("CloudNativePG 1.27"))
    });
    let Some(cnpg) = cnpg else {
        panic!("no prerequisite for the CRDs: {manifest}");
    };
    assert_eq!(cnpg["by"], "apps/db");
    assert_eq!(
        cnpg["check"],
        "kubectl api-resources --api-group=postgresql.cnpg.io -o name | grep -q ."
    );
    assert!(manifest.contains("\"kubernetes_version\": \"1.35\""));
}

#[test]
fn the_installing_line_makes_each_check_pass() {
    let s = stack(
        |c| {
            c.addon(ClusterAddon::MetricsServer)
                .addon(ClusterAddon::AwsLoadBalancerController)
                .addon(ClusterAddon::CertManager)
                .addon(ClusterAddon::PrometheusOperatorCrds)
                .addon(ClusterAddon::kubedb("kubedb-license"))
                .addon(ClusterAddon::external_dns("example.com"))
        },
        |s, ns, _, svc| {
            autoscaled(s, ns);
            s.add(svc.expose_via_ingress("api.example.com", "/").annotation(
                "external-dns.alpha.kubernetes.io/hostname",
                "api.example.com",
            ));
            s.add(ClusterIssuer::ca("internal-ca", "internal-ca-key-pair"));
            s.add(Redis::new(ns, "cache", "7.2.4"));
            s.add(svc.monitor("http"));
        },
    );
    let out = render_one(&app_of(s));
    let cluster = file(&out, "cluster/main.tf.json");
    for release in [
        "aws-load-balancer-controller",
        "cert-manager",
        "prometheus-operator-crds",
        "kubedb",
        "external-dns",
    ] {
        assert!(
            cluster.contains(&format!("\"name\": \"{release}\"")),
            "{release}"
        );
    }
    // Every release but the controller's waits for it (its webhook serves their Services).
    assert!(cluster.contains("\"depends_on\""));
    let infra = file(&out, "terraform/main.tf.json");
    assert!(infra.contains("\"addon_name\": \"metrics-server\""));
    assert!(infra.contains(r#"{\"enableNetworkPolicy\":\"true\"}"#));
    assert!(infra.contains("route53:ChangeResourceRecordSets"));
}

#[test]
fn platform_defaults_install_what_the_objects_need() {
    let s = stack(
        |c| {
            c.node_group(NodeGroup::new("batch").scaling(0, 0, 10))
                .platform_defaults()
        },
        |s, ns, _, svc| {
            autoscaled(s, ns);
            s.add(svc.expose_via_ingress("api.example.com", "/"));
        },
    );
    let out = render_one(&app_of(s));
    let cluster = file(&out, "cluster/main.tf.json");
    assert!(cluster.contains("\"name\": \"aws-load-balancer-controller\""));
    assert!(cluster.contains("\"name\": \"cluster-autoscaler\""));
    assert!(
        !cluster.contains("\"name\": \"cert-manager\""),
        "not needed"
    );
    let infra = file(&out, "terraform/main.tf.json");
    assert!(infra.contains("\"addon_name\": \"metrics-server\""));
    assert!(infra.contains("k8s.io/cluster-autoscaler/enabled"));
}

#[test]
fn warns_about_a_version_out_of_standard_support() {
    let text = diagnostics(stack(|c| c.version("1.33"), |_, _, _, _| {}));
    assert!(
        text.contains("SS0190") && text.contains("2026-07-29"),
        "{text}"
    );
    snap("warns__kubernetes_version_out_of_standard_support", &text);
}

#[test]
fn warns_about_a_private_endpoint_nobody_can_reach() {
    let mut stack = Stack::new("prod", "us-east-1");
    let network = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(EksCluster::new("eks", &network));
    let ns = stack.add(Namespace::new("web"));
    stack.add(ns.default_deny());
    let text = diagnostics(stack);
    assert!(text.contains("SS0191"), "{text}");
    snap("warns__private_endpoint_without_a_way_in", &text);
}

#[test]
fn api_access_opens_443_on_the_cluster_security_group() {
    let out = render_one(&app_of(stack(|c| c, |_, _, _, _| {})));
    let infra = file(&out, "terraform/main.tf.json");
    assert!(
        infra.contains("\"cidr_ipv4\": \"10.100.0.0/16\""),
        "{infra}"
    );
    assert!(infra.contains("vpc_config[0].cluster_security_group_id"));
    let manifest = file(&out, "manifest.json");
    assert!(manifest.contains("aws eks update-kubeconfig --name prod-eks --region us-east-1 && kubectl apply -k kubernetes"));
}

#[test]
fn warns_about_ingress_nginx() {
    let text = diagnostics(stack(
        |c| c,
        |s, _, _, svc| {
            s.add(
                svc.expose_via_ingress("api.example.com", "/")
                    .class("nginx"),
            );
        },
    ));
    assert!(text.contains("SS0451"), "{text}");
}

#[test]
fn fails_nginx_annotations_on_an_alb_ingress() {
    let text = diagnostics(stack(
        |c| c.addon(ClusterAddon::AwsLoadBalancerController),
        |s, _, _, svc| {
            s.add(
                svc.expose_via_ingress("api.example.com", "/")
                    .rate_limit_rpm(100),
            );
        },
    ));
    assert!(text.contains("SS0452"), "{text}");
    snap("fails__nginx_annotation_on_alb_ingress", &text);
}

#[test]
fn allow_from_cidr_admits_the_alb_from_the_vpc() {
    let s = stack(
        |c| c.addon(ClusterAddon::AwsLoadBalancerController),
        |s, _, api, svc| {
            s.add(svc.expose_via_ingress("api.example.com", "/"));
            s.add(api.allow_from_cidr("10.0.0.0/16").port("http"));
        },
    );
    let out = render_one(&app_of(s));
    let policy = file(
        &out,
        "kubernetes/web/networkpolicy-api-from-10-0-0-0-16.yaml",
    );
    assert!(policy.contains("cidr: \"10.0.0.0/16\""), "{policy}");
    assert!(policy.contains("port: 8000"), "{policy}");
}

/// Adds a worker Deployment reading Secret `worker-secrets`, which External Secrets syncs from
/// an `ApplicationSecret`, and a Job reading the same Secret.
fn reads_a_synced_secret(s: &mut Stack, ns: &NamespaceRef) {
    let token = s.add(ApplicationSecret::generated("worker-token"));
    let store = s.add(ClusterSecretStore::aws_secrets_manager(
        "aws-secrets-manager",
    ));
    let synced =
        s.add(ExternalSecret::new(ns, "worker-secrets", &store).key("token", &token.stored()));
    s.add(Deployment::new(ns, "worker").container(
        Container::new("worker", "example/worker:1.0.0").env_from_secret("TOKEN", &synced, "token"),
    ));
    s.add(
        Job::new(ns, "migrate").container(
            Container::new("migrate", "example/migrate:1.0.0")
                .env_from_secret("TOKEN", &synced, "token"),
        ),
    );
}

#[test]
fn fails_synced_secret_reader_without_reloader() {
    let text = diagnostics(stack(
        |c| c.addon(ClusterAddon::ExternalSecrets),
        |s, ns, _, _| reads_a_synced_secret(s, ns),
    ));
    assert!(
        text.contains("Deployment `web/worker`") && text.contains("ClusterAddon::Reloader"),
        "{text}"
    );
    assert!(
        !text.contains("Job `web/migrate`"),
        "a Job is not restarted: {text}"
    );
    snap("fails__synced_secret_reader_without_reloader", &text);
}

#[test]
fn platform_defaults_restart_what_reads_a_synced_secret() {
    let s = stack(
        |c| c.platform_defaults(),
        |s, ns, _, _| reads_a_synced_secret(s, ns),
    );
    let out = render_one(&app_of(s));
    let worker = file(&out, "kubernetes/web/deployment-worker.yaml");
    assert!(
        worker
            .contains("  annotations:\n    secret.reloader.stakater.com/reload: worker-secrets\n"),
        "{worker}"
    );
    let api = file(&out, "kubernetes/web/deployment-api.yaml");
    assert!(!api.contains("reloader"), "reads no synced Secret: {api}");
    let job = file(&out, "kubernetes/web/job-migrate.yaml");
    assert!(
        !job.contains("reloader"),
        "each run reads the current value: {job}"
    );
    let cluster = file(&out, "cluster/main.tf.json");
    assert!(cluster.contains("\"chart\": \"reloader\""), "{cluster}");
    // Scoped to the worker's namespace: Roles there, no ClusterRole.
    assert!(cluster.contains(r#"\"watchGlobally\":false"#), "{cluster}");
    assert!(cluster.contains(r#"\"namespaces\":[\"web\"]"#), "{cluster}");
}

#[test]
fn reloader_restarts_a_rollout_reading_a_synced_secret() {
    let s = stack(
        |c| c.platform_defaults().addon(ClusterAddon::ArgoRollouts),
        |s, ns, _, _| {
            let token = s.add(ApplicationSecret::generated("canary-token"));
            let store = s.add(ClusterSecretStore::aws_secrets_manager(
                "aws-secrets-manager",
            ));
            let synced = s.add(
                ExternalSecret::new(ns, "canary-secrets", &store).key("token", &token.stored()),
            );
            let release = s.add(
                ProgressiveCanary::new(ns, "shop", 80, "http").container(
                    Container::new("shop", "example/shop:1.0.0")
                        .port("http", 8000)
                        .env_from_secret("TOKEN", &synced, "token"),
                ),
            );
            s.add(release.expose_via_ingress("shop.example.com", "/"));
        },
    );
    let out = render_one(&app_of(s));
    let rollout = file(&out, "kubernetes/web/rollout-shop.yaml");
    assert!(
        rollout.contains("secret.reloader.stakater.com/reload: canary-secrets"),
        "{rollout}"
    );
    let cluster: serde_json::Value =
        serde_json::from_str(file(&out, "cluster/main.tf.json")).unwrap_or_default();
    let releases = &cluster["resource"]["helm_release"];
    let Some((_, reloader)) = releases
        .as_object()
        .and_then(|r| r.iter().find(|(_, r)| r["chart"] == "reloader"))
    else {
        panic!("no Reloader release in {cluster}");
    };
    let values = reloader["values"][0].as_str().unwrap_or_default();
    assert!(values.contains(r#""isArgoRollouts":true"#), "{values}");
    assert!(values.contains(r#""namespaces":["web"]"#), "{values}");
    let after = reloader["depends_on"].to_string();
    assert!(
        after.contains("argo_rollouts"),
        "installed after Argo Rollouts: {after}"
    );
    // Its Roles go into `web`, which must exist before the `cluster/` root is applied.
    let manifest = file(&out, "manifest.json");
    assert!(
        manifest
            .contains("kubectl apply -f kubernetes/namespace-web.yaml && terraform -chdir=cluster"),
        "{manifest}"
    );
}

#[test]
fn fails_canary_routed_through_an_ingress_the_stack_lacks() {
    let text = diagnostics(stack(
        |c| c.platform_defaults().addon(ClusterAddon::ArgoRollouts),
        |s, ns, _, _| {
            // Never exposed: the Rollout's ALB traffic routing names an Ingress nobody creates.
            s.add(
                ProgressiveCanary::new(ns, "shop", 80, "http")
                    .container(Container::new("shop", "example/shop:1.0.0").port("http", 8000)),
            );
        },
    ));
    assert!(
        text.contains("SS0221") && text.contains("ALB traffic routing of Rollout `shop`"),
        "{text}"
    );
    snap("fails__canary_without_its_ingress", &text);
}
