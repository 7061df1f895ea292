//! The service's deployment, described once with stacksmith. The build script includes this
//! file (`#[path = "deploy.rs"] mod deploy;`) and synthesizes it; `tests/deploy.rs` tests it.
//! The crate root including it must also declare `mod service;` (the shared constants).

use stacksmith::prelude::*;

use crate::service::{HEALTH_PATH, NAME, PORT};

/// The app: one Kubernetes-only stack `api` running `example/api:<version>`, three replicas
/// behind a Service, autoscaled to ten, with a disruption budget, in a namespace that denies
/// all traffic but DNS and the ingress controller's. The cluster it is applied to is someone
/// else's, so the metrics-server its HPA reads is declared a prerequisite (listed in
/// `manifest.json`).
pub fn app(version: &str) -> App {
    let mut stack = Stack::new("api", "us-east-1").prerequisite(
        Capability::ResourceMetrics,
        "metrics-server on the target cluster (EKS add-on `metrics-server`)",
    );
    let ns = stack.add(Namespace::new("example-api"));
    stack.add(ns.default_deny());
    let api = stack.add(
        Deployment::new(&ns, NAME)
            .autoscale(HorizontalPodAutoscaler::new(3, 10).cpu_utilization(70))
            .container(
                Container::new(NAME, format!("example/{NAME}:{version}"))
                    .port("http", PORT)
                    .requests(Cpu::millis(100), Memory::mib(128))
                    .limits(Cpu::millis(500), Memory::mib(256))
                    .readiness(Probe::http_get(HEALTH_PATH, PORT).period(5))
                    .liveness(Probe::http_get(HEALTH_PATH, PORT).initial_delay(10)),
            ),
    );
    stack.add(api.expose_via_service(80, "http"));
    stack.add(api.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
    stack.add(api.allow_from_namespace("ingress-nginx").port("http"));

    let mut app = App::new();
    app.add(stack);
    app
}
