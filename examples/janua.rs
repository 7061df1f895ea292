//! The Janua API on AWS (seed 001's Terraform): an ECS Fargate service behind an Application
//! Load Balancer, RDS PostgreSQL and an ElastiCache Redis replication group, with the seed's
//! sizes: 1 vCPU / 2 GiB tasks on port 8000, `db.t3.medium` with 100 GiB growing to 1000 GiB,
//! two `cache.t3.micro` nodes.
//!
//! Stricter than the seed, and said so in the code: PostgreSQL 16 (14.9 is out of standard
//! support soon) with an AWS-managed master password instead of `var.db_password`, Multi-AZ,
//! TLS required, IAM auth and Performance Insights; a generated Redis AUTH token kept in Secrets
//! Manager instead of `var.redis_auth_token`; HTTPS with an ACM certificate and HTTP only
//! redirecting; a pinned image tag instead of `latest`; tasks in private subnets that can reach
//! only the database, the cache and HTTPS; everything encrypted with customer keys.
//!
//! `cargo run --example janua` writes `out/janua/`.

use std::process::ExitCode;

use stacksmith::prelude::*;

/// The whole Janua production app.
pub fn app() -> App {
    let mut janua = Stack::new("janua", "us-east-1")
        .tag("project", "janua")
        .tag("environment", "production")
        .backend(Backend::s3("janua-terraform-state"));

    let network = janua.add(Network::new("network", "10.20.0.0/16").zones(3));

    // The seed's WAF, created with the stack: a per-IP rate limit, then AWS's common,
    // known-bad-inputs and IP-reputation rule groups, every request logged (encrypted).
    let waf = janua.add(WebAcl::regional("waf"));

    // The seed's `janua-alb`: internet-facing, deletion protection on, HTTPS for api.janua.dev,
    // behind that web ACL.
    let alb = janua.add(
        LoadBalancer::new("alb", &network)
            .certificate("api.janua.dev", "janua.dev")
            .alias("api.janua.dev")
            .web_acl(&waf)
            .open_to_internet(),
    );

    // The seed's CDN: static assets at static.janua.dev from CloudFront (HTTPS only, TLS 1.2+),
    // out of a private bucket only the distribution reads, behind a CloudFront web ACL.
    let edge_waf = janua.add(WebAcl::cloudfront("edge-waf"));
    janua.add(Distribution::static_assets(
        "assets",
        "static.janua.dev",
        "janua.dev",
        &edge_waf,
    ));

    // The seed's `janua-cluster` with Container Insights.
    let cluster = janua.add(EcsCluster::new("cluster"));

    // The seed's `janua-db`: PostgreSQL on db.t3.medium, 100 GiB autoscaling to 1000 GiB,
    // database `janua`, backups kept 7 days in the 03:00-04:00 window, final snapshot on.
    let db = janua.add(
        Database::postgres("db", &network)
            .engine_version("16")
            .instance_class("db.t3.medium")
            .storage_gib(100, 1000)
            .database_name("janua")
            .master_username("janua_admin")
            .backup_retention_days(7),
    );

    // The seed's `janua-redis`: two cache.t3.micro nodes, encrypted at rest and in transit,
    // with an AUTH token.
    let redis = janua.add(
        Cache::redis("redis", &network)
            .node_type("cache.t3.micro")
            .replicas(1),
    );

    // The API's images: pushed by CI, scanned on push, tags immutable, KMS-encrypted. The task
    // pulls `janua-api-images:1.0.0` from this account's repository (never a copied account id),
    // and its execution role may pull from this repository only.
    let images = janua.add(EcrRepository::new("api-images"));

    // The seed's task definition: 1024 CPU units, 2048 MiB, port 8000, ENVIRONMENT=production,
    // DATABASE_URL from SSM, logs to CloudWatch, `curl -f http://localhost:8000/health`. The
    // Redis host and AUTH token are wired from the cache, not copied.
    let api = janua.add(
        EcsService::new("api", &cluster, &network)
            .image(images.image("1.0.0"))
            .cpu(1024)
            .memory(2048)
            .port(8000)
            .env("ENVIRONMENT", "production")
            .secret(
                "DATABASE_URL",
                SecretSource::ssm_parameter("/janua/database-url"),
            )
            .env_ref("REDIS_HOST", &redis.endpoint())
            .secret(
                "REDIS_AUTH_TOKEN",
                SecretSource::secrets_manager(&redis.auth_secret_arn())
                    .decrypted_with(&redis.key_arn()),
            )
            .health_path("/health")
            // The seed's uvicorn command, with a keep-alive longer than the ALB's 60 s idle
            // timeout: uvicorn's default 5 s would close connections the ALB reuses (502s).
            .command([
                "uvicorn",
                "app.main:app",
                "--host",
                "0.0.0.0",
                "--port",
                "8000",
                "--workers",
                "4",
                "--timeout-keep-alive",
                "65",
            ])
            .keep_alive_seconds(65)
            .desired_count(3)
            .serve_via(&alb, Route::host("api.janua.dev"))
            .autoscale(3, 12)
            .target_cpu_percent(70),
    );

    // Alarms on the database (CPU, free storage) and the load balancer (5xx answers), sent to
    // an encrypted SNS topic the on-call address subscribes to.
    let alerts = janua.add(AlarmTopic::new("alerts").email("oncall@janua.dev"));
    janua.add(Alarms::for_database(&db, &alerts));
    janua.add(Alarms::for_load_balancer(&alb, &alerts));
    // ... the cache's nodes (engine CPU, memory, evictions) and the API's targets (unhealthy for
    // 10 minutes, none healthy).
    janua.add(Alarms::for_cache(&redis, &alerts));
    janua.add(Alarms::for_targets(&api, &alb, &alerts));

    // Only the API's tasks reach the database and the cache (ingress there, egress here).
    janua.add(db.allow_from(&api));
    janua.add(redis.allow_from(&api));

    let mut app = App::new();
    app.add(janua);
    app
}

fn main() -> ExitCode {
    stacksmith::run(&app())
}
