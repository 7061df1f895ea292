//! The FlagWise example (seed 002) end to end: every output file snapshotted in `snapshots/`,
//! byte-stable, the seed's settings carried and its network policy reproduced and tightened.

#[path = "../examples/flagwise.rs"]
#[allow(dead_code)]
mod flagwise;

use stacksmith::synth_api::{StackOutput, render};

fn output() -> StackOutput {
    let graphs = flagwise::app().lower();
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
fn flagwise_output_matches_snapshots() {
    let o = output();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        for f in &o.files {
            let name = format!("flagwise__{}", f.path.replace('/', "__"));
            insta::assert_snapshot!(name, &f.contents);
        }
    });
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(output().files, output().files);
}

#[test]
fn seed_002_settings_are_carried() {
    let o = output();
    let api = file(&o, "kubernetes/flagwise/deployment-flagwise-api.yaml");
    for needle in [
        "replicas: 3",
        "containerPort: 8000",
        "path: /health",
        "memory: \"512Mi\"",
        "cpu: \"250m\"",
    ] {
        assert!(api.contains(needle), "api lacks {needle}");
    }
    let hpa = file(
        &o,
        "kubernetes/flagwise/horizontalpodautoscaler-flagwise-api-hpa.yaml",
    );
    assert!(
        hpa.contains("minReplicas: 3") && hpa.contains("maxReplicas: 10"),
        "{hpa}"
    );
    let tf = file(&o, "terraform/main.tf.json");
    // shared_buffers = 256MB, in RDS's 8 KiB pages.
    assert!(
        tf.contains("\"value\": \"32768\""),
        "shared_buffers not set"
    );
    assert!(tf.contains("\"aws_msk_serverless_cluster\""));
}

#[test]
fn the_namespace_denies_by_default_and_policies_open_only_declared_ports() {
    let o = output();
    let deny = file(&o, "kubernetes/flagwise/networkpolicy-default-deny.yaml");
    assert!(
        deny.contains("podSelector: {}") && deny.contains("- Egress"),
        "{deny}"
    );
    let policies: Vec<&str> = o
        .files
        .iter()
        .filter(|f| f.path.contains("/networkpolicy-"))
        .map(|f| f.path.as_str())
        .collect();
    assert!(policies.len() >= 7, "{policies:?}");
    // The seed's configuration never carries the database password.
    let config = file(&o, "kubernetes/flagwise/configmap-flagwise-config.yaml");
    assert!(!config.contains("DATABASE_URL"), "{config}");
}
