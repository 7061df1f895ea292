//! FlagWise in production (seed 002): a web front end, an API and a Kafka consumer on EKS,
//! with PostgreSQL, Redis and Kafka from AWS, network policies, autoscaling and container logs
//! shipped to CloudWatch Logs.
//!
//! Stricter than the seed: the database URL (with its password) lives in a Secret instead of
//! the ConfigMap; images are pinned instead of `latest`; the namespace denies all traffic but
//! DNS unless a policy allows it; pods run as non-root with read-only root filesystems; the web
//! container listens on 8080 (non-root) behind a Service on port 80; Kafka uses TLS and IAM
//! authentication instead of plaintext 9092.
//!
//! The Secret `flagwise-secrets` is made by External Secrets from Secrets Manager and kept
//! current: `DATABASE_URL` assembled from the database's master secret (which the stack keeps,
//! `MasterPassword::StackSecret`: an RDS-managed one cannot be named from Kubernetes) and the
//! cache's AUTH token. `REDIS_URL` is assembled in the pod from that token and the cache's
//! endpoint (a cloud value), and `KAFKA_BOOTSTRAP_SERVERS` is a cloud value too: the stack
//! publishes MSK Serverless's brokers in an SSM parameter, which the `cluster/` root reads
//! (no data source finds the serverless cluster itself). Nothing is made by hand. Reloader
//! restarts the API and the consumer when External Secrets writes a rotated value.
//!
//! `cargo run --example flagwise` writes `out/flagwise/`.

use std::process::ExitCode;

use stacksmith::prelude::*;

/// The whole FlagWise production app.
pub fn app() -> App {
    let mut flagwise = Stack::new("flagwise", "us-east-1")
        .tag("project", "flagwise")
        .tag("environment", "production")
        .backend(Backend::s3("flagwise-terraform-state"));

    // Cloud: network, cluster, and the seed's PostgreSQL, Redis and Kafka.
    let network = flagwise.add(Network::new("network", "10.30.0.0/16").zones(3));
    // Kubernetes 1.35 (the default); platform defaults install what the objects below need:
    // metrics-server (HPA), the Cluster Autoscaler (3–9 nodes), the AWS Load Balancer
    // Controller (ALB Ingress).
    let cluster = flagwise.add(
        EksCluster::new("eks", &network)
            .node_group(
                NodeGroup::new("general")
                    .instance_types(["m7i.large"])
                    .scaling(3, 3, 9),
            )
            .platform_defaults()
            // Log shipping (the seed's Fluentd DaemonSet): Fluent Bit on every node sends
            // container logs to an encrypted CloudWatch Logs group the stack creates, instead
            // of an Elasticsearch nothing creates.
            .addon(ClusterAddon::container_logs())
            // The API and the consumer authenticate to MSK as their Pod Identity roles.
            .pod_identity_agent()
            // The operators' client VPN range, routed into the VPC (kubectl, `cluster/` root).
            .api_access_from(["10.255.0.0/22"]),
    );
    // The seed's tuning: shared_buffers = 256MB.
    // The stack keeps the master password in its own Secrets Manager secret, which External
    // Secrets syncs below (an RDS-managed one cannot be named from Kubernetes, SS0505).
    let db = flagwise.add(
        Database::postgres("db", &network)
            .master_password(MasterPassword::StackSecret)
            .database_name("flagwise")
            .setting(Setting::SharedBuffersMib(256)),
    );
    let redis = flagwise.add(Cache::redis("redis", &network));
    let kafka = flagwise.add(Kafka::serverless("events", &network));

    // Workloads.
    let ns = flagwise.add(Namespace::new("flagwise").label("environment", "production"));
    flagwise.add(ns.default_deny());
    flagwise.add(
        ResourceQuota::new(&ns)
            .requests(Cpu::cores(8), Memory::gib(16))
            .limits(Cpu::cores(16), Memory::gib(32))
            .pods(60)
            .load_balancers(0),
    );
    flagwise.add(LimitRange::new(&ns));

    let config = flagwise.add(
        ConfigMap::new(&ns, "flagwise-config")
            .data("ENVIRONMENT", "production")
            .data("KAFKA_TOPIC", "llm_requests"),
    );
    // Synced by External Secrets (installed by the platform defaults) from the database's
    // master secret (`username`, `password`, `host`, `port`) and the cache's AUTH token.
    let store = flagwise.add(ClusterSecretStore::aws_secrets_manager(
        "aws-secrets-manager",
    ));
    // The database's root CAs, so the clients verify whom they talk to (`verify-full`), not
    // only encrypt (`require`).
    let db_ca = flagwise.add(DatabaseCa::new(&ns, "database-ca", &db));
    let secrets = flagwise.add(
        ExternalSecret::new(&ns, "flagwise-secrets", &store)
            .fields_for_template(&db.stored_master_secret())
            .template(
                "DATABASE_URL",
                SyncedTemplate::connection_url("postgresql")
                    .text("/flagwise?sslmode=verify-full&sslrootcert=/etc/ssl/database/ca.pem"),
            )
            .key("REDIS_AUTH_TOKEN", &redis.stored_auth_token()),
    );
    // `REDIS_URL` from the cache's endpoint (a cloud value) and the synced token, by
    // Kubernetes' own `$(VAR)` expansion: no token in the `cluster/` root or its state.
    let redis_url = format!(
        "rediss://:$(REDIS_AUTH_TOKEN)@$(REDIS_HOST):{}",
        redis.port()
    );

    // MSK Serverless accepts only IAM authentication: the API and the consumer each run as a
    // ServiceAccount with an EKS Pod Identity role, whose Kafka statements `allow_client`
    // below writes.
    let api_sa = flagwise.add(ServiceAccount::new(&ns, "flagwise-api"));
    let api_identity = flagwise.add(cluster.pod_identity(&api_sa));
    let consumer_sa = flagwise.add(ServiceAccount::new(&ns, "flagwise-consumer"));
    let consumer_identity = flagwise.add(cluster.pod_identity(&consumer_sa));

    // The API: 3 replicas, port 8000, probes on /health, scaling 3-10 on CPU and memory.
    let api = flagwise.add(
        Deployment::new(&ns, "flagwise-api")
            .autoscale(
                HorizontalPodAutoscaler::new(3, 10)
                    .cpu_utilization(70)
                    .memory_utilization(80),
            )
            .label("app", "flagwise-api")
            .service_account(&api_identity.service_account())
            .container(
                Container::new("api", "flagwise/api:1.0.0")
                    .port("http", 8000)
                    .env_from_config_map("ENVIRONMENT", &config, "ENVIRONMENT")
                    .env_from_config_map("KAFKA_TOPIC", &config, "KAFKA_TOPIC")
                    .env_from_secret("DATABASE_URL", &secrets, "DATABASE_URL")
                    .mount(
                        Volume::config_map("database-ca", &db_ca),
                        "/etc/ssl/database",
                    )
                    .env_from_cloud("REDIS_HOST", redis.endpoint())
                    .env_from_secret("REDIS_AUTH_TOKEN", &secrets, "REDIS_AUTH_TOKEN")
                    .env("REDIS_URL", redis_url.as_str())
                    .env_from_cloud("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap_brokers())
                    .requests(Cpu::millis(250), Memory::mib(512))
                    .limits(Cpu::millis(500), Memory::gib(1))
                    .liveness(
                        Probe::http_get("/health", 8000)
                            .initial_delay(30)
                            .period(10),
                    )
                    .readiness(Probe::http_get("/health", 8000).initial_delay(5).period(5)),
            )
            .require_zone_spread(),
    );
    let api_service = flagwise.add(api.expose_via_service(8000, "http"));
    flagwise.add(api.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));

    // The web front end: 2 replicas of an unprivileged nginx build on 8080.
    let web = flagwise.add(
        Deployment::new(&ns, "flagwise-web")
            .replicas(2)
            .label("app", "flagwise-web")
            .container(
                Container::new("web", "flagwise/web:1.0.0")
                    .port("http", 8080)
                    .requests(Cpu::millis(100), Memory::mib(256))
                    .limits(Cpu::millis(200), Memory::mib(512))
                    .readiness(Probe::http_get("/", 8080).period(5))
                    .liveness(Probe::http_get("/", 8080).initial_delay(10).period(10)),
            ),
    );
    let web_service = flagwise.add(web.expose_via_service(80, "http"));
    flagwise.add(web.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));

    // The Kafka consumer: reads `llm_requests`, writes to PostgreSQL and Redis.
    let consumer = flagwise.add(
        Deployment::new(&ns, "flagwise-consumer")
            .replicas(2)
            .label("app", "flagwise-consumer")
            .service_account(&consumer_identity.service_account())
            .container(
                Container::new("consumer", "flagwise/consumer:1.0.0")
                    .port("health", 8081)
                    .env_from_config_map("KAFKA_TOPIC", &config, "KAFKA_TOPIC")
                    .env_from_secret("DATABASE_URL", &secrets, "DATABASE_URL")
                    .mount(
                        Volume::config_map("database-ca", &db_ca),
                        "/etc/ssl/database",
                    )
                    .env_from_cloud("REDIS_HOST", redis.endpoint())
                    .env_from_secret("REDIS_AUTH_TOKEN", &secrets, "REDIS_AUTH_TOKEN")
                    .env("REDIS_URL", redis_url.as_str())
                    .env_from_cloud("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap_brokers())
                    .requests(Cpu::millis(250), Memory::mib(512))
                    .limits(Cpu::millis(500), Memory::gib(1))
                    .liveness(
                        Probe::http_get("/healthz", 8081)
                            .initial_delay(30)
                            .period(10),
                    )
                    .readiness(Probe::http_get("/healthz", 8081).period(10)),
            ),
    );

    // The seed's nginx, as an ALB: `/` to the web front end, `/api/` to the API with the prefix
    // removed (`proxy_pass http://flagwise-api:8000/;`: the API serves `/health`, not
    // `/api/health`), TLS with the ACM certificate of the host, HTTP redirected to HTTPS. The host
    // is the seed's placeholder: synth warns (SS0443) until it is replaced with the real one.
    flagwise.add(
        web_service
            .expose_via_ingress("flagwise.example.com", "/")
            .name("flagwise")
            .route_stripping_prefix("/api/", &api_service),
    );

    // The seed's policy, and further: the ALB (from the VPC) reaches web and API on their HTTP
    // ports only; the web front end may call the API; the API and the consumer reach the
    // VPC's data stores on their ports only.
    flagwise.add(web.allow_from_cidr(network.cidr()).port("http"));
    flagwise.add(api.allow_from_cidr(network.cidr()).port("http"));
    flagwise.add(api.allow_from(&web));
    for workload in [&api, &consumer] {
        flagwise.add(db.allow_workload(workload, &cluster));
        flagwise.add(redis.allow_workload(workload, &cluster));
    }
    // Kafka: the API produces to `llm_requests`, the consumer reads it as group
    // `flagwise-consumer`; each call writes the IAM statements on the workload's role, the
    // cluster's security-group rule and the pod's egress policy (9098).
    flagwise.add(kafka.allow_client(&api, &api_identity, KafkaAccess::produce("llm_requests")));
    flagwise.add(kafka.allow_client(
        &consumer,
        &consumer_identity,
        KafkaAccess::consume("llm_requests"),
    ));
    // The topic exists before either uses it: MSK Serverless does not create topics on first
    // use, so a Job creates `llm_requests` (6 partitions) with Kafka's admin client, as its own
    // Pod Identity role that may create exactly that topic.
    let topics = [KafkaTopic::new("llm_requests").partitions(6)];
    let topics_sa = flagwise.add(ServiceAccount::new(&ns, "kafka-topics"));
    let topics_identity = flagwise.add(cluster.pod_identity(&topics_sa));
    let topics_job =
        flagwise.add(kafka.topics_job(&ns, &topics_identity, &topics, KafkaBootstrap::Cloud));
    flagwise.add(kafka.allow_client(&topics_job, &topics_identity, KafkaAccess::create(&topics)));

    let mut app = App::new();
    app.add(flagwise);
    app
}

fn main() -> ExitCode {
    stacksmith::run(&app())
}
