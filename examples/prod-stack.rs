//! The RocketGraph Public API in production (seed 000): a three-zone network, an EKS cluster,
//! ElastiCache Redis, a MongoDB-compatible DocumentDB cluster, and the API's Kubernetes objects.
//!
//! `cargo run --example prod-stack` writes `out/prod/`; `-- validate` and `-- list` check and
//! list without writing.

use std::process::ExitCode;

use stacksmith::prelude::*;

/// The whole RocketGraph production app.
pub fn app() -> App {
    let mut prod = Stack::new("prod", "us-east-1")
        .tag("project", "rocketgraph")
        .tag("environment", "production")
        .backend(Backend::s3("rocketgraph-terraform-state"));

    // Cloud: network, cluster, managed data stores (the seed's "Managed Services").
    let network = prod.add(Network::new("network", "10.40.0.0/16").zones(3));
    // Kubernetes 1.35 (the default, in EKS standard support), with the add-ons the objects
    // below need: metrics-server for the HPA, the Cluster Autoscaler for the 3–20 node group,
    // the AWS Load Balancer Controller for the ALB Ingress.
    let cluster = prod.add(
        EksCluster::new("eks", &network)
            .node_group(
                NodeGroup::new("general")
                    .instance_types(["m6i.xlarge"])
                    .scaling(3, 6, 20),
            )
            .addon(ClusterAddon::MetricsServer)
            .addon(ClusterAddon::AwsLoadBalancerController)
            .cluster_autoscaler()
            // Syncs the application's secrets from Secrets Manager (below).
            .addon(ClusterAddon::ExternalSecrets)
            // The operators' client VPN range, routed into the VPC: kubectl and the `cluster/`
            // root reach the private API endpoint from there.
            .api_access_from(["10.255.0.0/22"]),
    );
    let cache = prod.add(
        Cache::redis("cache", &network)
            .node_type("cache.m7g.large")
            .replicas(1),
    );
    let metadata = prod.add(
        Database::documentdb("metadata", &network)
            .instance_class("db.r6g.xlarge")
            .instances(3)
            .backup_retention_days(30),
    );
    // The seed's `rocketgraph-backups` bucket: daily dumps, kept 30 days. The backup job's
    // service account may only write into it.
    let backups = prod.add(
        Bucket::new("backups").lifecycle_rule(
            LifecycleRule::new("keep-30-days")
                .expire_after_days(30)
                .noncurrent_versions_expire_after_days(7),
        ),
    );
    prod.add(
        cluster
            .service_account_role("backup", "rocketgraph-api", "rocketgraph-backup")
            .allow(backups.write_statements()),
    );

    // Workloads: the seed's namespace, deployment, service, HPA and ingress.
    let ns = prod.add(Namespace::new("rocketgraph-api").label("environment", "production"));
    // The application's secrets: made by the stack in Secrets Manager and synced into the
    // namespace by External Secrets, which keeps them current.
    let store = prod.add(ClusterSecretStore::aws_secrets_manager(
        "aws-secrets-manager",
    ));
    let secret_key = prod.add(ApplicationSecret::generated("secret-key"));
    let app_secrets = prod.add(
        ExternalSecret::new(&ns, "app-secrets", &store).key("secret-key", &secret_key.stored()),
    );
    let redis = prod.add(
        ExternalSecret::new(&ns, "redis-credentials", &store)
            .key("auth-token", &cache.stored_auth_token()),
    );
    // The DocumentDB master secret (the stack keeps it: `MasterPassword::StackSecret`, the
    // DocumentDB default) holds `username`, `password`, `host` and `port`.
    let master = metadata.stored_master_secret();
    let mongodb = prod.add(
        ExternalSecret::new(&ns, "mongodb-credentials", &store)
            .fields_for_template(&master)
            .template(
                "uri",
                SyncedTemplate::new()
                    .text("mongodb://")
                    .key("username")
                    .text(":")
                    .key("password")
                    .text("@")
                    .key("host")
                    .text(":")
                    .key("port")
                    .text("/?tls=true&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false"),
            ),
    );
    let xgt = prod.add(
        ConfigMap::new(&ns, "xgt-config")
            .data("host", "xgt-cluster.internal")
            .data("port", "4367"),
    );
    let sa = prod.add(ServiceAccount::new(&ns, "rocketgraph-api-sa"));

    let api = prod.add(
        Deployment::new(&ns, "rocketgraph-public-api")
            .autoscale(
                HorizontalPodAutoscaler::new(6, 50)
                    .cpu_utilization(70)
                    .memory_utilization(80)
                    .scale_up(ScalingBehavior::new(60).percent(100, 15))
                    .scale_down(ScalingBehavior::new(300).percent(10, 60)),
            )
            .rolling_update(IntOrPercent::Count(1), IntOrPercent::Count(2))
            .label("app", "rocketgraph-public-api")
            .label("version", "v1.0.0")
            .service_account(&sa)
            .run_as(1000, 2000)
            .container(
                Container::new("api", "rocketgraph/public-api:1.0.0")
                    .port("http", 8000)
                    .env("ENVIRONMENT", "production")
                    // Cloud values, written by the generated `cluster/` root into the
                    // `rocketgraph-public-api-cloud` ConfigMap: no hand-copied host.
                    .env_from_cloud("REDIS_HOST", cache.endpoint())
                    // The token from its synced Secret; the URL from both, by Kubernetes' own
                    // `$(VAR)` expansion: no token in the `cluster/` root or its state.
                    .env_from_secret("REDIS_AUTH_TOKEN", &redis, "auth-token")
                    .env(
                        "REDIS_URL",
                        format!(
                            "rediss://:$(REDIS_AUTH_TOKEN)@$(REDIS_HOST):{}",
                            cache.port()
                        ),
                    )
                    .env_from_cloud("MONGODB_HOST", metadata.endpoint())
                    .env_from_secret("MONGODB_URI", &mongodb, "uri")
                    .env_from_config_map("XGT_HOST", &xgt, "host")
                    .env_from_config_map("XGT_PORT", &xgt, "port")
                    .env_from_secret("SECRET_KEY", &app_secrets, "secret-key")
                    .requests(Cpu::millis(500), Memory::gib(1))
                    .limits(Cpu::millis(2000), Memory::gib(4))
                    .liveness(
                        Probe::http_get("/api/v1/public/health", 8000)
                            .initial_delay(30)
                            .period(10),
                    )
                    .readiness(
                        Probe::http_get("/api/v1/public/health", 8000)
                            .initial_delay(5)
                            .period(5),
                    ),
            ),
    );
    let service = prod.add(api.expose_via_service(80, "http"));
    prod.add(api.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
    prod.add(
        service
            .expose_via_ingress("api.rocketgraph.com", "/api/v1/public")
            .health_check_path("/api/v1/public/health"),
    );

    // Only the ALB (its nodes in the VPC send to the pods' IPs) may reach the API pods, and only
    // on their HTTP port; the
    // pods may reach DNS, Redis and DocumentDB inside the VPC, and nothing else.
    prod.add(ns.default_deny());
    prod.add(
        api.allow_from_cidr(network.cidr())
            .port("http")
            .name("rocketgraph-public-api-from-ingress"),
    );
    // Each connection declared once: the data store admits the cluster's pods, and the API's
    // pods may open connections to it (egress policy).
    prod.add(cache.allow_workload(&api, &cluster));
    prod.add(metadata.allow_workload(&api, &cluster));
    // XGT (the graph database, outside this stack) runs in the VPC's private subnets and is
    // resolved as `xgt-cluster.internal`: the API's pods may reach it on 4367, and the health
    // check that includes XGT can pass.
    prod.add(api.allow_egress_to_host("xgt-cluster.internal", network.cidr(), 4367));

    let mut app = App::new();
    app.add(prod);
    app
}

fn main() -> ExitCode {
    stacksmith::run(&app())
}
