//! The flagship example end to end: every output file snapshotted in `snapshots/`, byte-stable
//! across runs, and the seed's settings present.

#[path = "../examples/prod-stack.rs"]
#[allow(dead_code)]
mod prod_stack;

mod common;

use common::{file, render_one, snap_files};
use stacksmith::synth_api::StackOutput;

fn output() -> StackOutput {
    render_one(&prod_stack::app())
}

#[test]
fn prod_stack_output_matches_snapshots() {
    snap_files("prod-stack", &output());
}

#[test]
fn same_input_same_bytes() {
    let (a, b) = (output(), output());
    assert_eq!(a.files, b.files);
}

#[test]
fn seed_000_settings_are_carried() {
    let o = output();
    let deployment = file(
        &o,
        "kubernetes/rocketgraph-api/deployment-rocketgraph-public-api.yaml",
    );
    // The seed's `replicas: 6` is the HPA's minimum: the HPA owns the count, so the
    // Deployment does not write it (issue 14, item 6).
    assert!(
        !deployment.contains("replicas:"),
        "deployment writes replicas:\n{deployment}"
    );
    for needle in [
        "maxUnavailable: 1",
        "maxSurge: 2",
        "runAsNonRoot: true",
        "runAsUser: 1000",
        "fsGroup: 2000",
        "readOnlyRootFilesystem: true",
        "allowPrivilegeEscalation: false",
        "- ALL",
        "RuntimeDefault",
        "serviceAccountName: rocketgraph-api-sa",
        "/api/v1/public/health",
        "initialDelaySeconds: 30",
        "topologyKey: kubernetes.io/hostname",
    ] {
        assert!(
            deployment.contains(needle),
            "deployment lacks `{needle}`:\n{deployment}"
        );
    }
    let hpa = file(
        &o,
        "kubernetes/rocketgraph-api/horizontalpodautoscaler-rocketgraph-public-api-hpa.yaml",
    );
    for needle in [
        "minReplicas: 6",
        "maxReplicas: 50",
        "averageUtilization: 70",
        "averageUtilization: 80",
        "stabilizationWindowSeconds: 300",
    ] {
        assert!(hpa.contains(needle), "hpa lacks `{needle}`:\n{hpa}");
    }
    let ingress = file(
        &o,
        "kubernetes/rocketgraph-api/ingress-rocketgraph-public-api-ingress.yaml",
    );
    for needle in [
        "api.rocketgraph.com",
        "/api/v1/public",
        "ingressClassName: alb",
        "alb.ingress.kubernetes.io/ssl-redirect: \"443\"",
        "alb.ingress.kubernetes.io/healthcheck-path: /api/v1/public/health",
    ] {
        assert!(
            ingress.contains(needle),
            "ingress lacks `{needle}`:\n{ingress}"
        );
    }
}

#[test]
fn namespace_is_applied_first() {
    let o = output();
    let kustomization = file(&o, "kubernetes/Kustomization");
    let first = kustomization.lines().find(|l| l.starts_with("- "));
    assert_eq!(first, Some("- namespace-rocketgraph-api.yaml"));
}

#[test]
fn no_secret_value_is_written() {
    let o = output();
    for f in &o.files {
        assert!(
            !f.as_text()
                .unwrap_or_default()
                .contains("master_password\""),
            "{} sets a master password",
            f.path
        );
        assert!(
            !f.as_text().unwrap_or_default().contains("kind: Secret\n"),
            "{} writes a Secret object",
            f.path
        );
    }
}

#[test]
fn cloud_values_reach_the_pods_through_the_cluster_root() {
    let o = output();
    let roots: Vec<&str> = o.apply_order.iter().map(|s| s.root.as_str()).collect();
    assert_eq!(roots, ["terraform", "cluster", "kubernetes"]);
    let cluster = file(&o, "cluster/main.tf.json");
    for needle in [
        r#""cluster_identifier": "prod-metadata""#,
        r#""replication_group_id": "prod-cache""#,
        r#""--cluster-name","#,
        "${data.aws_elasticache_replication_group.cache.primary_endpoint_address}",
        "${data.aws_rds_cluster.metadata.endpoint}",
    ] {
        assert!(
            cluster.contains(needle),
            "cluster root lacks `{needle}`:\n{cluster}"
        );
    }
    // Issue 16: the cluster root keeps only non-secret values; the AUTH token, the database
    // credentials and the app's key reach the pods through External Secrets.
    for needle in ["secret_string", "kubernetes_secret_v1", "random_password"] {
        assert!(
            !cluster.contains(needle),
            "cluster root holds `{needle}`:\n{cluster}"
        );
    }
    for synced in ["app-secrets", "mongodb-credentials", "redis-credentials"] {
        let es = file(
            &o,
            &format!("kubernetes/rocketgraph-api/externalsecret-{synced}.yaml"),
        );
        assert!(es.contains("name: aws-secrets-manager"), "{es}");
    }
    let deployment = file(
        &o,
        "kubernetes/rocketgraph-api/deployment-rocketgraph-public-api.yaml",
    );
    assert!(deployment.contains("name: rocketgraph-public-api-cloud"));
    assert!(
        !deployment.contains("prod-cache"),
        "a cloud value was copied into the YAML"
    );
}

#[test]
fn diff_of_the_unchanged_app_against_its_own_output_is_empty() {
    let out = std::env::temp_dir().join(format!("stacksmith-prod-same-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    assert!(stacksmith::synth(&prod_stack::app(), &out).is_ok());
    let Ok(d) = stacksmith_synth::diff(&prod_stack::app(), &out) else {
        panic!("diff failed");
    };
    assert!(
        d.stacks
            .iter()
            .all(|s| s.is_empty() && s.flags.is_empty() && s.notes.is_empty()),
        "{}",
        d.text()
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Issue 14, F21: the API's external dependency XGT (seed 000, `xgt-cluster.internal:4367`) is
/// declared where its traffic is allowed: an egress policy under the namespace's default deny.
#[test]
fn the_api_may_reach_xgt() {
    let o = output();
    let policy = common::file(
        &o,
        "kubernetes/rocketgraph-api/networkpolicy-rocketgraph-public-api-to-xgt-cluster-internal-4367.yaml",
    );
    assert!(
        policy.contains("stacksmith.io/destination-host: xgt-cluster.internal"),
        "{policy}"
    );
    assert!(policy.contains("port: 4367"), "{policy}");
    assert!(policy.contains("cidr: \"10.40.0.0/16\""), "{policy}");
}
