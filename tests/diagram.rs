//! Architecture diagrams of every example, derived from the lowered graph: Mermaid and DOT
//! snapshotted in `snapshots/`, byte-stable, and the facts the picture must show present.

mod common;

use common::snap;
#[path = "../examples/prod-stack.rs"]
#[allow(dead_code)]
mod prod_stack;

#[path = "../examples/janua.rs"]
#[allow(dead_code)]
mod janua;

#[path = "../examples/kgas.rs"]
#[allow(dead_code)]
mod kgas;

use stacksmith::core::{App, Graph};
use stacksmith_synth::diagram;

fn graphs(app: &App) -> Vec<Graph> {
    let graphs = app.lower();
    for g in &graphs {
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    }
    graphs
}

fn snapshot(example: &str, app: &App) {
    let graphs = graphs(app);
    let single = graphs.len() == 1;
    for g in &graphs {
        let prefix = if single {
            example.to_owned()
        } else {
            format!("{example}__{}", g.stack)
        };
        snap(&format!("{prefix}__architecture.mmd"), &diagram::mermaid(g));
        snap(&format!("{prefix}__architecture.dot"), &diagram::dot(g));
    }
}

#[test]
fn prod_stack_diagrams_match_snapshots() {
    snapshot("prod-stack", &prod_stack::app());
}

#[test]
fn janua_diagrams_match_snapshots() {
    snapshot("janua", &janua::app());
}

#[test]
fn kgas_diagrams_match_snapshots() {
    snapshot("kgas", &kgas::app());
}

#[test]
fn same_input_same_diagram() {
    let (a, b) = (graphs(&prod_stack::app()), graphs(&prod_stack::app()));
    assert_eq!(diagram::files(&a[0]), diagram::files(&b[0]));
}

#[test]
fn prod_stack_diagram_shows_the_seed_architecture() {
    let g = &graphs(&prod_stack::app())[0];
    let m = diagram::mermaid(g);
    for needle in [
        // Zones and subnets from the subnets' bodies, NAT gateways, the VPC.
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
        "VPC 10.40.0.0/16",
        "<b>public subnet</b><br/>10.40.96.0/19<br/>NAT gateway",
        "<b>private subnet</b><br/>10.40.0.0/19",
        // The cluster, its node group, the workloads.
        "<b>prod/eks</b> · EKS prod-eks",
        "m6i.xlarge · on-demand<br/>3–20 nodes (desired 6)",
        "<b>Deployment rocketgraph-public-api</b><br/>HPA 6–50 · PDB max unavailable 1",
        // Managed services with their ports, one node per construct.
        "<b>prod/metadata</b><br/>DocumentDB 5.0.0<br/>3 × db.r6g.xlarge<br/>port 27017",
        "<b>prod/cache</b><br/>ElastiCache Redis 7.1<br/>2 × cache.m7g.large · Multi-AZ<br/>port 6379",
        // Connections: security-group rules, Ingress → Service → Deployment, the policy.
        "eks_eks -->|\":27017\"| data_metadata",
        "eks_eks -->|\":6379\"| data_cache",
        "-->|\"/api/v1/public → :80\"| k8s_rocketgraph_api_service_rocketgraph_public_api_service",
        "-->|\":80 → 8000\"| k8s_rocketgraph_api_deployment_rocketgraph_public_api",
        "ext_cidr_10_40_0_0_16 -.->|\"policy :8000\"|",
        "pod_identity_eks_rocketgraph_api_rocketgraph_backup -.->|\"IAM s3 write\"| data_backups",
        "k8s_rocketgraph_api_cronjob_rocketgraph_backup -.->|\"runs as\"| pod_identity_eks_rocketgraph_api_rocketgraph_backup",
    ] {
        assert!(m.contains(needle), "the diagram lacks `{needle}`:\n{m}");
    }
    for noise in ["aws_kms_key", "log group", "random_password", "ConfigMap"] {
        assert!(!m.contains(noise), "the diagram shows `{noise}`:\n{m}");
    }
}

#[test]
fn janua_diagram_routes_the_load_balancer_to_the_service() {
    let g = &graphs(&janua::app())[0];
    let m = diagram::mermaid(g);
    for needle in [
        "ext_internet -->|\":80, :443\"| lb_alb",
        "lb_alb -->|\"api.janua.dev → :8000\"| ecs_api",
        "ecs_api -->|\":5432\"| data_db",
        "ecs_api -->|\":6379\"| data_redis",
        "ecs_api -->|\":443\"| ext_out_0_0_0_0_0",
    ] {
        assert!(m.contains(needle), "the diagram lacks `{needle}`:\n{m}");
    }
}

#[test]
fn kgas_standby_diagram_shows_replication_from_the_primary() {
    let gs = graphs(&kgas::app());
    let standby = gs.iter().find(|g| g.stack == "kgas-standby");
    let m = standby.map(diagram::mermaid).unwrap_or_default();
    assert!(
        m.contains("ext_rds_kgas_primary_db ==>|\"replication\"| data_db"),
        "{m}"
    );
}
