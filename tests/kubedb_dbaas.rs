//! The KubeDB DBaaS example (seed 003) end to end: every output file snapshotted in
//! `snapshots/`, byte-stable, the seed's custom resources, RBAC and preStop carried.

#[path = "../examples/kubedb-dbaas.rs"]
#[allow(dead_code)]
mod kubedb_dbaas;

use stacksmith::synth_api::{StackOutput, render};

fn output() -> StackOutput {
    let graphs = kubedb_dbaas::app().lower();
    assert_eq!(graphs.len(), 1);
    let g = &graphs[0];
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    match render(g) {
        Ok(o) => o,
        Err(e) => panic!("render failed: {e}"),
    }
}

fn file<'a>(o: &'a StackOutput, path: &str) -> &'a str {
    o.files
        .iter()
        .find(|f| f.path == path)
        .map_or("", |f| f.contents.as_str())
}

#[test]
fn kubedb_output_matches_snapshots() {
    let o = output();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        for f in &o.files {
            let name = format!("kubedb-dbaas__{}", f.path.replace('/', "__"));
            insta::assert_snapshot!(name, &f.contents);
        }
    });
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
