//! The KubeDB DBaaS platform (seed 003): MongoDB and Redis as KubeDB custom resources, the
//! FastAPI backend that manages tenants' databases through the Kubernetes API (with a preStop
//! grace period), its RBAC, an ALB ingress, and autoscaling.
//!
//! Stricter than the seed: KubeDB v1 resources with `deletionPolicy: DoNotTerminate` (a
//! `kubectl delete` cannot drop the metadata database); volumes on an encrypted gp3
//! StorageClass instead of `standard`; TLS to both databases with certificates from the
//! platform's CA; the API reads the database credentials KubeDB
//! generates instead of a hand-made `dbaas-secrets`; a pinned image tag instead of `latest`;
//! the API's Role names the KubeDB kinds it manages instead of `*` and is limited to its own
//! namespace instead of every namespace's Secrets, and only reads core objects (Secrets by name:
//! it cannot list them, create pods or change Secrets); an EKS cluster of its own with the
//! operators the objects need (KubeDB, cert-manager) and an ALB in front of the API; the preStop
//! pause uses the kubelet's `sleep` action (no
//! shell needed in the image).
//!
//! `cargo run --example kubedb-dbaas` writes `out/dbaas/`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use stacksmith::k8s_openapi::api::storage::v1::StorageClass;
use stacksmith::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use stacksmith::prelude::*;

/// The whole DBaaS platform.
pub fn app() -> App {
    let mut dbaas = Stack::new("dbaas", "us-east-1")
        .tag("project", "dbaas")
        .backend(Backend::s3("dbaas-terraform-state"));

    // The cluster the platform runs on (Kubernetes 1.35), with the KubeDB operator (its
    // community license in Secret `kubedb/kubedb-license`, created before the `cluster/` root)
    // and, from platform defaults, what the objects below need: cert-manager (ClusterIssuer),
    // metrics-server (HPA) and the AWS Load Balancer Controller (ALB Ingress); the node group
    // keeps its fixed 3 nodes, so no autoscaler is needed.
    let network = dbaas.add(Network::new("network", "10.50.0.0/16").zones(3));
    let vpc = network.cidr();
    let alerts = dbaas.add(AlarmTopic::new("alerts").email("oncall@dbaas-platform.io"));
    dbaas.add(
        EksCluster::new("eks", &network)
            .node_group(NodeGroup::new("general").instance_types(["m6i.xlarge"]))
            .addon(ClusterAddon::kubedb("kubedb-license"))
            // The seed's Prometheus and Alertmanager: they read the ServiceMonitors KubeDB and
            // the API's monitor create, and the API's alerting rules; alerts go to the on-call.
            .addon(ClusterAddon::Prometheus(
                PrometheusStack::new().alerts_to(&alerts),
            ))
            // Publishes api.dbaas-platform.io (the Ingress host) in Route 53, that zone only.
            .addon(ClusterAddon::external_dns("dbaas-platform.io"))
            .platform_defaults()
            // The operators' client VPN range, routed into the VPC (kubectl, `cluster/` root).
            .api_access_from(["10.255.0.0/22"]),
    );
    let ns = dbaas.add(Namespace::new("dbaas-system").label("environment", "production"));

    // Encrypted gp3 volumes from the EBS CSI driver for the databases. Volumes go with their
    // claims (`Delete`): the platform creates and deletes many tenant databases, and `Retain`
    // would leave every deleted one's EBS volume behind, billed. What keeps data is KubeDB's
    // `deletionPolicy` (DoNotTerminate here: the claims are never deleted under a database).
    dbaas.add(RawObject::new(
        "gp3-encrypted",
        StorageClass {
            metadata: ObjectMeta {
                name: Some("gp3-encrypted".into()),
                ..ObjectMeta::default()
            },
            provisioner: "ebs.csi.aws.com".into(),
            parameters: Some(BTreeMap::from([
                ("type".to_owned(), "gp3".to_owned()),
                ("encrypted".to_owned(), "true".to_owned()),
            ])),
            reclaim_policy: Some("Delete".into()),
            volume_binding_mode: Some("WaitForFirstConsumer".into()),
            allow_volume_expansion: Some(true),
            ..StorageClass::default()
        },
    ));

    // Database certificates come from the platform's own CA (its key pair, the Secret
    // `dbaas-ca-key-pair` in cert-manager's namespace, is provisioned by the platform team).
    let ca = dbaas.add(ClusterIssuer::ca("dbaas-ca", "dbaas-ca-key-pair"));

    // The seed's databases: MongoDB 8.0.4 as a 3-member replica set `rs0` with 20 GiB each and
    // its Prometheus exporter; Redis 7.2.4 as a cluster of 3 shards with 1 replica.
    let metadata = dbaas.add(
        MongoDb::new(&ns, "dbaas-metadata", "8.0.4")
            .topology(MongoTopology::replica_set("rs0", 3))
            .storage(StorageSize::gib(20))
            .storage_class("gp3-encrypted")
            .tls(&ca)
            // KubeDB's exporter, scraped through the ServiceMonitor KubeDB creates for the
            // Prometheus Operator (the seed's `prometheus.io/builtin` needs an annotation-scraping
            // Prometheus, which the operator's is not).
            .monitor(DatabaseMonitor::prometheus_operator()),
    );
    let cache = dbaas.add(
        Redis::new(&ns, "dbaas-redis", "7.2.4")
            .mode(RedisMode::cluster(3, 1))
            .storage(StorageSize::gib(10))
            .storage_class("gp3-encrypted")
            .tls(&ca),
    );

    // The API's identity and what it may do through the Kubernetes API: the seed's rules, in
    // the platform's namespace only (a Role, not a ClusterRole: it never sees other
    // namespaces' Secrets).
    let sa = dbaas.add(ServiceAccount::new(&ns, "api-account").name("dbaas-api"));
    let role = dbaas.add(
        Role::new(&ns, "api-role")
            .name("dbaas-api")
            .rule(
                Rule::new()
                    .api_groups(["kubedb.com"])
                    .resources(["mongodbs", "redises", "postgreses", "mysqls"])
                    .verbs([
                        Verb::Get,
                        Verb::List,
                        Verb::Watch,
                        Verb::Create,
                        Verb::Update,
                        Verb::Patch,
                        Verb::Delete,
                    ]),
            )
            // Reads what KubeDB makes for each database (its Services, pods and events), and
            // gets a database's credentials Secret by name; the seed's create/update/patch on
            // these (and `list` of Secrets) would let the API start any pod as any account and
            // read every Secret of the namespace. KubeDB creates the pods, not the API.
            .rule(
                Rule::new()
                    .api_groups([""])
                    .resources(["services", "pods", "events"])
                    .verbs(Verb::READ),
            )
            .rule(
                Rule::new()
                    .api_groups([""])
                    .resources(["secrets"])
                    .verbs([Verb::Get]),
            )
            .rule(
                Rule::new()
                    .api_groups(["apps.k8s.appscode.com"])
                    .resources(["petsets"])
                    .verbs(Verb::READ),
            ),
    );
    dbaas.add(role.bind_to(&sa));

    // The seed's FastAPI backend: 3 replicas on 8000, probes, 15 s preStop pause.
    let api = dbaas.add(
        Deployment::new(&ns, "dbaas-api")
            .autoscale(
                HorizontalPodAutoscaler::new(3, 10)
                    .cpu_utilization(70)
                    .memory_utilization(80),
            )
            .label("app", "dbaas-api")
            .service_account(&sa)
            .mount_service_account_token()
            .termination_grace_period(45)
            .container(
                Container::new("api", "kubedb-dbaas/api:1.0.0")
                    .port("http", 8000)
                    .env("ENVIRONMENT", "production")
                    .env("LOG_LEVEL", "INFO")
                    .env("MONGODB_HOST", metadata.host())
                    .env("MONGODB_PORT", metadata.port().to_string())
                    .env_from_secret("MONGODB_USERNAME", metadata.auth_secret(), "username")
                    .env_from_secret("MONGODB_PASSWORD", metadata.auth_secret(), "password")
                    .env("REDIS_HOST", cache.host())
                    .env("REDIS_PORT", cache.port().to_string())
                    .env_from_secret("REDIS_PASSWORD", cache.auth_secret(), "password")
                    // Both databases serve TLS only and verify clients: the API gets their CA
                    // and its client certificate (mounted from the `<db>-client-cert` Secret
                    // cert-manager issues for KubeDB), named in MONGODB_TLS_* and REDIS_TLS_*.
                    .tls_to(&metadata)
                    .tls_to(&cache)
                    .requests(Cpu::millis(500), Memory::mib(512))
                    .limits(Cpu::millis(2000), Memory::gib(2))
                    .liveness(
                        Probe::http_get("/health/live", 8000)
                            .initial_delay(30)
                            .period(10),
                    )
                    .readiness(
                        Probe::http_get("/health/ready", 8000)
                            .initial_delay(10)
                            .period(5),
                    )
                    .pre_stop_sleep(15),
            )
            .require_zone_spread(),
    );
    let service = dbaas.add(api.expose_via_service(80, "http").name("dbaas-api"));
    dbaas.add(api.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
    // The API's metrics (`/metrics` on its HTTP port, the FastAPI instrumentator's
    // `http_requests_total{status="5xx"}` and `http_request_duration_seconds`), and its alerts.
    dbaas.add(service.monitor("http"));
    dbaas.add(
        api.alert_on(Slo::availability(99.9).requests_metric("http_requests_total", "status"))
            .and(Slo::latency(99.0, std::time::Duration::from_secs(1)))
            .and(Slo::restarts(3))
            .and(Slo::autoscaler_at_max()),
    );

    // HTTPS through an ALB with the host's ACM certificate (the seed's ingress-nginx and Let's
    // Encrypt: ingress-nginx is retired).
    dbaas.add(
        service
            .expose_via_ingress("api.dbaas-platform.io", "/")
            .name("dbaas-api"),
    );
    // Only the ALB (its nodes in the VPC) reaches the API pods, on their HTTP port. (No default
    // deny here: KubeDB's operator and the database members talk to each other in this
    // namespace.)
    dbaas.add(api.allow_from_cidr(vpc).port("http"));

    let mut app = App::new();
    app.add(dbaas);
    app
}

fn main() -> ExitCode {
    stacksmith::run(&app())
}
