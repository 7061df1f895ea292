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
    // Where alerts go: an encrypted SNS topic the on-call subscribes to (Prometheus's
    // Alertmanager and the CloudWatch alarms below publish to it).
    let alerts = prod.add(AlarmTopic::new("alerts").email("oncall@rocketgraph.com"));
    let cluster = prod.add(
        EksCluster::new("eks", &network)
            .node_group(
                NodeGroup::new("general")
                    .instance_types(["m6i.xlarge"])
                    .scaling(3, 6, 20),
            )
            .addon(ClusterAddon::MetricsServer)
            .addon(ClusterAddon::AwsLoadBalancerController)
            // Publishes api.rocketgraph.com (the Ingress host) in Route 53, that zone only.
            .addon(ClusterAddon::external_dns("rocketgraph.com"))
            .cluster_autoscaler()
            // The seed's Prometheus (its scrape of the API and its rule files): Prometheus with
            // Alertmanager, reading the ServiceMonitor and alerting rules below.
            .addon(ClusterAddon::Prometheus(
                PrometheusStack::new().alerts_to(&alerts),
            ))
            // The backup job's role reaches its pods through EKS Pod Identity.
            .pod_identity_agent()
            // Syncs the application's secrets from Secrets Manager (below).
            .addon(ClusterAddon::ExternalSecrets)
            // Restarts the API when External Secrets writes a rotated value into a Secret it
            // reads (env vars are read once, at start).
            .addon(ClusterAddon::Reloader)
            // The operators' client VPN range, routed into the VPC: kubectl and the `cluster/`
            // root reach the private API endpoint from there.
            .api_access_from(["10.255.0.0/22"]),
    );
    let cache = prod.add(
        Cache::redis("cache", &network)
            .node_type("cache.m7g.large")
            .replicas(1),
    );
    prod.add(Alarms::for_cache(&cache, &alerts));
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

    // Workloads: the seed's namespace, deployment, service, HPA and ingress.
    let ns = prod.add(Namespace::new("rocketgraph-api").label("environment", "production"));
    // The application's secrets: made by the stack in Secrets Manager and synced into the
    // namespace by External Secrets, which keeps them current.
    let store = prod.add(ClusterSecretStore::aws_secrets_manager(
        "aws-secrets-manager",
    ));
    // The seed's `secret-key`, which its `secrets-rotation.sh` replaces by hand: rotated every
    // 30 days by a function the stack ships, never through Terraform. The trade-off: whatever
    // the API signed with the old key stops verifying once its pods restart on the new one
    // (Reloader rolls them after External Secrets syncs, within the hour), so short-lived signed
    // values end early; the API authenticates clients by API key, which this does not touch.
    // The seed's `api-key-salt` must never be rotated (every stored key hash would stop
    // matching), nor an encryption key without re-encrypting.
    let secret_key = prod.add(ApplicationSecret::generated("secret-key").rotate_every(30));
    let app_secrets = prod.add(
        ExternalSecret::new(&ns, "app-secrets", &store).key("secret-key", &secret_key.stored()),
    );
    let redis = prod.add(
        ExternalSecret::new(&ns, "redis-credentials", &store)
            .key("auth-token", &cache.stored_auth_token()),
    );
    // DocumentDB requires TLS, and its certificate chains to the Amazon RDS CAs no image
    // trusts by default: the region's roots, in a ConfigMap the pods mount.
    let metadata_ca = prod.add(DatabaseCa::new(&ns, "metadata-ca", &metadata));
    // The DocumentDB master secret (the stack keeps it: `MasterPassword::StackSecret`, the
    // DocumentDB default) holds `username`, `password`, `host` and `port`.
    let master = metadata.stored_master_secret();
    let mongodb = prod.add(
        ExternalSecret::new(&ns, "mongodb-credentials", &store)
            .fields_for_template(&master)
            .template(
                "uri",
                SyncedTemplate::connection_url("mongodb").text("/?tls=true&tlsCAFile=/etc/ssl/metadata/ca.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false"),
            ),
    );
    let xgt = prod.add(
        ConfigMap::new(&ns, "xgt-config")
            .data("host", "xgt-cluster.internal")
            .data("port", "4367"),
    );
    let sa = prod.add(ServiceAccount::new(&ns, "rocketgraph-api-sa"));
    // The seed's daily backup: a CronJob running as `rocketgraph-backup`, whose Pod Identity
    // role may only write into the backups bucket. It dumps the metadata database (the
    // application's MongoDB URI, read from a file rather than the environment) and uploads the
    // archive to the bucket.
    let backup_sa = prod.add(ServiceAccount::new(&ns, "rocketgraph-backup"));
    let backup_identity = prod.add(
        cluster
            .pod_identity(&backup_sa)
            .allow(backups.write_statements()),
    );
    let backup = prod.add(
        CronJob::new(&ns, "rocketgraph-backup", "0 3 * * *")
            .label("app", "rocketgraph-backup")
            .service_account(&backup_identity.service_account())
            .container(
                Container::new("backup", "rocketgraph/backup:1.0.0")
                    .mount(
                        Volume::secret("mongodb-credentials", &mongodb).item("uri", "uri"),
                        "/etc/mongodb",
                    )
                    .mount(
                        Volume::config_map("metadata-ca", &metadata_ca),
                        "/etc/ssl/metadata",
                    )
                    .env("MONGODB_URI_FILE", "/etc/mongodb/uri")
                    .env_from_cloud("BACKUP_BUCKET", backups.name())
                    .requests(Cpu::millis(250), Memory::mib(512))
                    .limits(Cpu::millis(1000), Memory::gib(1)),
            ),
    );

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
                    .port("metrics", 9090)
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
                    .mount(
                        Volume::config_map("metadata-ca", &metadata_ca),
                        "/etc/ssl/metadata",
                    )
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
    // The seed's scrape of the API's `/metrics` on 9090 every 10 s, and its alerts: the API's
    // 99.9% availability objective, p99 latency under 500 ms, crash loops, the HPA at 50.
    let metrics = prod.add(
        api.expose_via_service(9090, "metrics")
            .id("metrics")
            .name("rocketgraph-public-api-metrics"),
    );
    prod.add(
        metrics
            .monitor("metrics")
            .interval(std::time::Duration::from_secs(10)),
    );
    prod.add(
        api.alert_on(Slo::availability(99.9))
            .and(Slo::latency(99.0, std::time::Duration::from_millis(500)))
            .and(Slo::restarts(3))
            .and(Slo::autoscaler_at_max()),
    );
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
    // Prometheus (namespace `monitoring`) scrapes the metrics port, nothing else.
    prod.add(
        api.allow_from_namespace("monitoring")
            .pods("app.kubernetes.io/name", "prometheus")
            .port("metrics"),
    );
    prod.add(metadata.allow_workload(&api, &cluster));
    // The backup job reads DocumentDB; S3 is reached on 443 through its identity's AWS egress.
    prod.add(metadata.allow_workload(&backup, &cluster));
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
