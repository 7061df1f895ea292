//! The Kubernetes half of the RocketGraph Public API seed (Option 1), built with stacksmith-k8s
//! and snapshotted whole, so every default and name is reviewed in one place.

use stacksmith_core::{Graph, Stack};
use stacksmith_k8s::*;

fn rocketgraph() -> Graph {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("rocketgraph-api").label("environment", "production"));
    let sa = stack.add(ServiceAccount::new(&ns, "rocketgraph-api-sa"));
    let redis = stack.add(Secret::external(&ns, "redis-credentials", ["url"]));
    let mongo = stack.add(Secret::external(&ns, "mongodb-credentials", ["uri"]));
    let app = stack.add(Secret::external(&ns, "app-secrets", ["secret-key"]));
    let xgt = stack.add(ConfigMap::new(&ns, "xgt-config").data("host", "xgt.internal"));
    let health = "/api/v1/public/health";
    let api = stack.add(
        Deployment::new(&ns, "rocketgraph-public-api")
            .autoscale(
                HorizontalPodAutoscaler::new(6, 50)
                    .cpu_utilization(70)
                    .memory_utilization(80)
                    .scale_up(ScalingBehavior::new(60).percent(100, 15))
                    .scale_down(ScalingBehavior::new(300).percent(10, 60)),
            )
            .rolling_update(IntOrPercent::Count(1), IntOrPercent::Count(2))
            .label("version", "v1.0.0")
            .service_account(&sa)
            .run_as(1000, 2000)
            .container(
                Container::new("api", "rocketgraph/public-api:1.0.0")
                    .port("http", 8000)
                    .env("ENVIRONMENT", "production")
                    .env_from_secret("REDIS_URL", &redis, "url")
                    .env_from_secret("MONGODB_URI", &mongo, "uri")
                    .env_from_config_map("XGT_HOST", &xgt, "host")
                    .env_from_secret("SECRET_KEY", &app, "secret-key")
                    .requests(Cpu::millis(500), Memory::gib(1))
                    .limits(Cpu::millis(2000), Memory::gib(4))
                    .liveness(Probe::http_get(health, 8000).initial_delay(30).period(10))
                    .readiness(Probe::http_get(health, 8000).initial_delay(5).period(5)),
            ),
    );
    let svc = stack.add(api.expose_via_service(80, 8000));
    stack.add(api.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
    stack.add(svc.expose_via_ingress("api.rocketgraph.com", "/api/v1/public"));
    stack.lower()
}

#[test]
fn rocketgraph_lowers_without_diagnostics() {
    let g = rocketgraph();
    assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
    let names: Vec<String> = g
        .objects
        .iter()
        .map(|o| format!("{}/{}", o.kind, o.name))
        .collect();
    assert_eq!(
        names,
        [
            "Namespace/rocketgraph-api",
            "ServiceAccount/rocketgraph-api-sa",
            "ConfigMap/xgt-config",
            "Deployment/rocketgraph-public-api",
            "HorizontalPodAutoscaler/rocketgraph-public-api-hpa",
            "Service/rocketgraph-public-api-service",
            "PodDisruptionBudget/rocketgraph-public-api-pdb",
            "Ingress/rocketgraph-public-api-ingress"
        ]
    );
}

#[test]
fn rocketgraph_objects() {
    let g = rocketgraph();
    let bodies: Vec<&stacksmith_core::Body> = g.objects.iter().map(|o| &o.body).collect();
    insta::assert_json_snapshot!(bodies);
}
