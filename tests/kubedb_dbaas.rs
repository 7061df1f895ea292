//! The KubeDB DBaaS example (seed 003) end to end: every output file snapshotted in
//! `snapshots/`, byte-stable, the seed's custom resources, RBAC and preStop carried.

#[path = "../examples/kubedb-dbaas.rs"]
#[allow(dead_code)]
mod kubedb_dbaas;

mod common;

use common::{file, render_one, snap_files};
use stacksmith::synth_api::StackOutput;

fn output() -> StackOutput {
    render_one(&kubedb_dbaas::app())
}

#[test]
fn kubedb_output_matches_snapshots() {
    snap_files("kubedb-dbaas", &output());
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(output().files, output().files);
}

#[test]
fn seed_003_custom_resources_and_api_are_carried() {
    let o = output();
    let mongo = file(&o, "kubernetes/dbaas-system/mongodb-dbaas-metadata.yaml");
    for needle in [
        "kind: MongoDB",
        "version: \"8.0.4\"",
        "name: rs0",
        "storage: \"20Gi\"",
        "sslMode: requireSSL",
        "deletionPolicy: DoNotTerminate",
    ] {
        assert!(mongo.contains(needle), "MongoDB lacks {needle}:\n{mongo}");
    }
    let redis = file(&o, "kubernetes/dbaas-system/redis-dbaas-redis.yaml");
    assert!(
        redis.contains("mode: Cluster") && redis.contains("shards: 3"),
        "{redis}"
    );
    let api = file(&o, "kubernetes/dbaas-system/deployment-dbaas-api.yaml");
    for needle in [
        "serviceAccountName: dbaas-api",
        "preStop:",
        "seconds: 15",
        "terminationGracePeriodSeconds: 45",
        "path: /health/ready",
    ] {
        assert!(api.contains(needle), "API lacks {needle}");
    }
    let role = file(&o, "kubernetes/dbaas-system/role-dbaas-api.yaml");
    assert!(
        role.contains("- mongodbs") && !role.contains("- '*'") && !role.contains("\"*\""),
        "{role}"
    );
}

/// Issue 14, F30: the platform's StorageClass does not orphan the volumes of deleted tenant
/// databases; KubeDB's deletion policy is what protects data.
#[test]
fn deleted_databases_do_not_leave_volumes_behind() {
    let o = output();
    let class = common::file(&o, "kubernetes/storageclass-gp3-encrypted.yaml");
    assert!(class.contains("reclaimPolicy: Delete"), "{class}");
}
