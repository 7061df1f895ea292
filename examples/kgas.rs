//! KGAS in production (seed 004): an EKS cluster whose node group scales 1–10 on t3.medium and
//! t3.large, in a primary region and a hot-standby region, each its own Terraform state. The
//! primary holds the PostgreSQL writer; the standby holds a cross-region read replica that can
//! be promoted on failover.
//!
//! Stricter than the seed: Kubernetes 1.33 instead of the end-of-life 1.27, a private API
//! endpoint, nodes only in private subnets, encrypted secrets, and a database that is Multi-AZ,
//! encrypted, IAM-authenticated and replicated to the standby region; the API server released
//! as an automated canary (Argo Rollouts, rolled back on the canary's ALB error rate) behind
//! default-deny network policies, with pinned image tags pulled from each region's own ECR
//! repository (KMS-encrypted, immutable tags, scanned on push).
//!
//! `cargo run --example kgas` writes `out/kgas-primary/` and `out/kgas-standby/`; apply the
//! primary first (the standby's replica is found by the primary's ARN).

use std::process::ExitCode;

use stacksmith::prelude::*;

/// The stack of one region and its network. Each region keeps its Terraform state in a bucket
/// of its own region (`bucket`), so the standby can be planned and promoted while the primary
/// region is down. Both are in KGAS's AWS account, whose id names the ECR registry the pods
/// pull from.
fn region(name: &str, region: &str, bucket: &str, cidr: &str) -> (Stack, NetworkRef) {
    let mut stack = Stack::new(name, region)
        .account("123456789012")
        .tag("project", "kgas")
        .tag("environment", "production")
        .backend(Backend::s3(bucket));
    let network = stack.add(Network::new("network", cidr).zones(3));
    (stack, network)
}

/// The seed's cluster (Kubernetes 1.35, the default) and node group, with its Cluster
/// Autoscaler (IAM role for `kube-system/cluster-autoscaler`, allowed to resize only this
/// cluster's node groups), metrics-server for the HPAs and the AWS Load Balancer Controller for
/// the seed's Application Load Balancer, and the seed's Prometheus monitoring and alerting
/// (Prometheus, Alertmanager publishing to the region's alarm topic, the on-call's pager).
fn eks(stack: &mut Stack, network: &NetworkRef, alerts: &AlarmTopicRef) -> EksClusterRef {
    stack.add(
        EksCluster::new("eks", network)
            .addon(ClusterAddon::MetricsServer)
            .addon(ClusterAddon::AwsLoadBalancerController)
            .addon(ClusterAddon::Prometheus(
                PrometheusStack::new().alerts_to(alerts),
            ))
            // Runs the API server's progressive canary (Argo Rollouts, CloudWatch analysis).
            .addon(ClusterAddon::ArgoRollouts)
            // Publishes the region's entry host (api-<region>.kgas.dev), which the failover
            // health check requests, in Route 53, that zone only.
            .addon(ClusterAddon::external_dns("kgas.dev"))
            .node_group(
                NodeGroup::new("workers")
                    .instance_types(["t3.medium", "t3.large"])
                    .scaling(1, 3, 10),
            )
            // The seed's spot instances for non-critical workloads: 0–6 spot nodes of three
            // interchangeable 2-vCPU/8-GiB types, tainted so only pods that tolerate
            // `kgas.dev/capacity=spot` (batch, reprocessing) run there; the API stays on demand.
            .node_group(
                NodeGroup::new("spot")
                    .instance_types(["t3.large", "t3a.large", "m5.large"])
                    .spot()
                    .label("kgas.dev/capacity", "spot")
                    .taint("kgas.dev/capacity", "spot", NodeTaintEffect::NoSchedule)
                    .scaling(0, 0, 6),
            )
            .cluster_autoscaler()
            // Syncs `kgas-secrets` from the database's master secret (the primary region; the
            // standby's stays idle, reading nothing, until a promoted database has a secret).
            .addon(ClusterAddon::ExternalSecrets)
            // Restarts the API server's Rollout when `kgas-secrets` changes (a new template
            // goes through the canary steps like any release); idle in the standby region.
            .addon(ClusterAddon::Reloader)
            // The operators' client VPN range, routed into both VPCs (kubectl, `cluster/` root).
            .api_access_from(["10.255.0.0/22"]),
    )
}

/// The seed's API server (port 8000, 250m/512Mi requests, 500m/1Gi limits, DATABASE_URL from
/// `kgas-secrets`) released as the seed's canary: a new image gets 5%, 25%, then 50% of the
/// region's traffic for 5 minutes each and then all of it, while Argo Rollouts watches the
/// canary's 5xx ratio on the ALB (CloudWatch) and rolls back to the stable version as soon as it
/// exceeds the seed's 0.1% error-rate target. Releasing is changing the tag below. The seed's
/// HPA (2-20 on CPU 70% and memory 80%) scales the rollout; the seed's Application Load
/// Balancer (an Ingress of class `alb`, TLS with the host's ACM certificate) weighs the
/// region's hostname between the stable and canary Services; only the load balancer (from the
/// VPC's block) reaches the pods, which reach only DNS and the database.
///
/// `kgas-secrets` (`database-url`): in the primary region, assembled by External Secrets from
/// the database's master secret (`db_secret`: user, password, host and port), kept current; in
/// the standby region, whose replica has no secret of its own until it is promoted, a
/// prerequisite made by hand (listed in the summary and `manifest.json`).
///
/// The image comes from the region's own ECR repository (`kgas-<region stack>-api-server`),
/// so a failover does not depend on the failed region's registry: CI pushes each release to
/// both repositories before the tag below changes. The nodes pull with their role's
/// `AmazonEC2ContainerRegistryPullOnly`.
fn api_server(
    stack: &mut Stack,
    network: &NetworkRef,
    db_port: u16,
    db_secret: Option<&StoredSecret>,
) {
    let images = stack.add(EcrRepository::new("api-server"));
    let ns = stack.add(Namespace::new("kgas").label("environment", "production"));
    stack.add(ns.default_deny());
    let secrets = match db_secret {
        Some(master) => {
            let store = stack.add(ClusterSecretStore::aws_secrets_manager(
                "aws-secrets-manager",
            ));
            stack.add(
                ExternalSecret::new(&ns, "kgas-secrets", &store)
                    .fields_for_template(master)
                    .template(
                        "database-url",
                        SyncedTemplate::connection_url("postgresql").text("/kgas?sslmode=require"),
                    ),
            )
        }
        None => stack.add(Secret::external(&ns, "kgas-secrets", ["database-url"])),
    };
    let release = stack.add(
        ProgressiveCanary::new(&ns, "kgas-api-server", 80, "http")
            .container(
                Container::new("kgas-api-server", images.image("v1.0.0"))
                    .port("http", 8000)
                    .env_from_secret("DATABASE_URL", &secrets, "database-url")
                    .requests(Cpu::millis(250), Memory::mib(512))
                    .limits(Cpu::millis(500), Memory::gib(1))
                    .readiness(Probe::http_get("/health", 8000).period(5))
                    .liveness(
                        Probe::http_get("/health", 8000)
                            .initial_delay(15)
                            .period(10),
                    ),
            )
            .steps([5, 25, 50])
            .max_error_rate(ErrorRate::per_mille(1))
            // The seed's `replicas: 3` beside an HPA of 2–20: the autoscaler owns the count
            // (it would undo a 3 at once), so the rollout starts at its minimum.
            .autoscale(
                HorizontalPodAutoscaler::new(2, 20)
                    .cpu_utilization(70)
                    .memory_utilization(80),
            )
            .require_zone_spread(),
    );
    // The region's entry: an ALB Ingress (AWS Load Balancer Controller) for the region's own
    // hostname, behind the region's WAF web ACL (rate limit, AWS managed rules, logged). The
    // controller finds the ACL by the name stacksmith gave it.
    let waf = stack.add(WebAcl::regional("waf"));
    stack.add(
        release
            .expose_via_ingress(entry_host(stack), "/")
            .health_check_path("/health")
            .web_acl(&waf),
    );
    let pods = release.pods();
    stack.add(pods.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
    stack.add(pods.allow_from_cidr(network.cidr()).port("http"));
    stack.add(pods.allow_egress_to_cidr(network.cidr(), db_port));
    // The seed's SLOs: Prometheus scrapes the stable version's `/metrics`; the API server is
    // held to 99.9% availability and a p99 under 500 ms, and alerts on crash loops and on its
    // HPA at 20. (The canary itself is judged by the rollout's CloudWatch analysis.)
    stack.add(release.stable_service().monitor("http"));
    stack.add(
        pods.alert_on(Slo::availability(99.9))
            .and(Slo::latency(99.0, std::time::Duration::from_millis(500)))
            .and(Slo::restarts(3))
            .and(Slo::autoscaler_at_max()),
    );
    stack.add(
        pods.allow_from_namespace("monitoring")
            .pods("app.kubernetes.io/name", "prometheus")
            .port("http"),
    );
}

/// The public hostname of a region's entry (its Ingress host): `api-us-east-1.kgas.dev`.
fn entry_host(stack: &Stack) -> String {
    format!("api-{}.kgas.dev", stack.region())
}

/// The seed's automatic DNS failover: `api.kgas.dev` answers with the primary region while
/// Route 53's HTTPS health check of its entry passes, and with the standby region otherwise.
/// Each region's stack holds its own side of the pair and its own health check; the check
/// requests the region's public hostname, because the ALB behind it is created by the AWS Load
/// Balancer Controller from the Ingress, not by Terraform, so it has no Terraform address an
/// alias record or an ELB health check could name. The regional hostname is published by
/// the cluster's DNS controller (external-dns) from the Ingress host.
fn failover_dns(stack: &mut Stack, role: Failover) {
    let zone = stack.add(HostedZone::existing("zone", "kgas.dev"));
    let host = entry_host(stack);
    let check = stack.add(HealthCheck::https("entry-health", &host, "/health"));
    stack.add(DnsRecord::new("api-dns", &zone, "api.kgas.dev", host).failover(role, &check));
}

/// The whole KGAS app: primary in us-east-1, standby in us-west-2.
pub fn app() -> App {
    let (mut primary, network) = region(
        "kgas-primary",
        "us-east-1",
        "kgas-terraform-state",
        "10.60.0.0/16",
    );
    let alerts = primary.add(AlarmTopic::new("alerts").email("oncall@kgas.dev"));
    let cluster = eks(&mut primary, &network, &alerts);
    let db: DatabaseRef = primary.add(
        Database::postgres("db", &network)
            .engine_version("16")
            .instance_class("db.m7g.large")
            .storage_gib(100, 1000)
            .read_replicas(1)
            // Replicated here and to the standby region: AWS refuses replicas of a database
            // whose password RDS manages, so the stack keeps it in its own secret.
            .master_password(MasterPassword::StackSecret)
            .database_name("kgas")
            .setting(Setting::SharedBuffersMib(2048))
            .allow_from(&cluster),
    );
    api_server(
        &mut primary,
        &network,
        db.port(),
        Some(&db.stored_master_secret()),
    );
    primary.add(Alarms::for_database(&db, &alerts));
    // The seed's CDN for static assets: CloudFront (global, so made once, in us-east-1) at
    // static.kgas.dev, behind a CloudFront web ACL.
    let edge_waf = primary.add(WebAcl::cloudfront("edge-waf"));
    primary.add(Distribution::static_assets(
        "assets",
        "static.kgas.dev",
        "kgas.dev",
        &edge_waf,
    ));
    // The seed's budget alerts: the project's monthly spend (both regions, by the `project`
    // cost allocation tag every resource carries) at 80% and 100%, and its forecast at 100%.
    primary.add(
        CostBudget::monthly_usd("budget", 5000)
            .only_tagged("project", "kgas")
            .email("finance@kgas.dev"),
    );
    failover_dns(&mut primary, Failover::Primary);

    let (mut standby, network) = region(
        "kgas-standby",
        "us-west-2",
        "kgas-terraform-state-us-west-2",
        "10.61.0.0/16",
    );
    let alerts = standby.add(AlarmTopic::new("alerts").email("oncall@kgas.dev"));
    let cluster = eks(&mut standby, &network, &alerts);
    let replica = standby.add(
        Database::postgres("db", &network)
            .engine_version("16")
            .instance_class("db.m7g.large")
            .storage_gib(100, 1000)
            .setting(Setting::SharedBuffersMib(2048))
            .replica_of(&db)
            .allow_from(&cluster),
    );
    api_server(&mut standby, &network, db.port(), None);
    standby.add(Alarms::for_database(&replica, &alerts));
    failover_dns(&mut standby, Failover::Secondary);

    let mut app = App::new();
    app.add(primary);
    app.add(standby);
    app
}

fn main() -> ExitCode {
    stacksmith::run(&app())
}
