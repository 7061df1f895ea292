//! A stack written the way a new user writes one, from the README's tour only: a VPC, EKS with
//! `platform_defaults()`, PostgreSQL and Redis reachable from the cluster, and a web Deployment
//! behind the default ALB Ingress, autoscaled, in a default-deny namespace. It belongs to no
//! seed: CI runs `check-output --allow checkov-allow.txt` on its output to show that the
//! allow-list's reasons cover any stack built from the same constructs, not only the examples'.

use std::process::ExitCode;

use stacksmith::prelude::*;

/// The `shop` stack in eu-west-1.
pub fn app() -> App {
    let mut shop = Stack::new("shop", "eu-west-1").backend(Backend::s3("shop-terraform-state"));
    let vpc = shop.add(Network::new("vpc", "10.80.0.0/16").zones(3));
    let k8s = shop.add(
        EksCluster::new("k8s", &vpc)
            .node_group(
                NodeGroup::new("apps")
                    .instance_types(["m6i.large"])
                    .scaling(3, 3, 9),
            )
            .api_access_from(["10.200.0.0/22"])
            .platform_defaults(),
    );
    let orders = shop.add(Database::postgres("orders", &vpc).allow_from(&k8s));
    let sessions = shop.add(Cache::redis("sessions", &vpc).allow_from(&k8s));
    let ns = shop.add(Namespace::new("storefront"));
    let web = shop.add(
        Deployment::new(&ns, "storefront-web")
            .autoscale(HorizontalPodAutoscaler::new(3, 12).cpu_utilization(70))
            .container(
                Container::new("web", "acme/storefront:2.4.1")
                    .port("http", 8080)
                    .env_from_cloud("DB_HOST", orders.endpoint())
                    .env_from_cloud("REDIS_HOST", sessions.endpoint())
                    .secret_env_from_cloud("REDIS_TOKEN", sessions.auth_token())
                    .requests(Cpu::millis(250), Memory::mib(512))
                    .limits(Cpu::millis(1000), Memory::gib(1))
                    .readiness(Probe::http_get("/healthz", 8080)),
            ),
    );
    let svc = shop.add(web.expose_via_service(80, "http"));
    shop.add(svc.expose_via_ingress("shop.acme-retail.com", "/"));
    shop.add(ns.default_deny());
    shop.add(web.allow_from_cidr(vpc.cidr()).port("http"));
    shop.add(orders.allow_workload(&web, &k8s));
    shop.add(sessions.allow_workload(&web, &k8s));
    let mut app = App::new();
    app.add(shop);
    app
}

fn main() -> ExitCode {
    stacksmith::run(&app())
}
