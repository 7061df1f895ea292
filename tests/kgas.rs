//! The KGAS example (seed 004) end to end: two regions, each its own state, every output file
//! snapshotted in `snapshots/`, and the seed's cluster settings carried.

#[path = "../examples/kgas.rs"]
#[allow(dead_code)]
mod kgas;

mod common;

use common::{render_app, snap_files, terraform};
use stacksmith::synth_api::StackOutput;

fn outputs() -> Vec<StackOutput> {
    render_app(&kgas::app())
}

#[test]
fn kgas_output_matches_snapshots() {
    for o in outputs() {
        snap_files(&format!("kgas__{}", o.stack), &o);
    }
}

#[test]
fn same_input_same_bytes() {
    let (a, b) = (outputs(), outputs());
    assert_eq!(a.len(), 2);
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(a.files, b.files);
    }
}

#[test]
fn two_regions_two_states() {
    let outs = outputs();
    let tf: Vec<_> = outs.iter().map(terraform).collect();
    assert_eq!(tf[0]["provider"]["aws"]["region"], "us-east-1");
    assert_eq!(tf[1]["provider"]["aws"]["region"], "us-west-2");
    let key = |t: &serde_json::Value| t["terraform"]["backend"]["s3"]["key"].clone();
    assert_ne!(key(&tf[0]), key(&tf[1]));
}

#[test]
fn seed_004_node_group_scales_one_to_ten_on_t3() {
    for o in outputs() {
        let tf = terraform(&o);
        let group = &tf["resource"]["aws_eks_node_group"]["eks_nodes_workers"];
        assert_eq!(group["scaling_config"]["min_size"], 1);
        assert_eq!(group["scaling_config"]["max_size"], 10);
        assert_eq!(
            group["instance_types"],
            serde_json::json!(["t3.medium", "t3.large"])
        );
    }
}

#[test]
fn the_standby_database_replicates_the_primary_across_regions() {
    let outs = outputs();
    let standby = terraform(&outs[1]);
    let replica = &standby["resource"]["aws_db_instance"]["db"];
    let source = replica["replicate_source_db"].as_str().unwrap_or_default();
    assert!(
        source.contains(":rds:us-east-1:") && source.ends_with(":db:kgas-primary-db"),
        "{source}"
    );
    assert!(replica["kms_key_id"].is_string());
    assert!(replica.get("username").is_none());
    assert_eq!(outs[1].after, vec!["kgas-primary".to_owned()]);
}

/// Issue 14, F25: each region's state lives in that region, so the standby can be planned and
/// promoted during an outage of the primary's region.
#[test]
fn each_region_keeps_its_state_in_its_own_region() {
    for o in outputs() {
        let tf = terraform(&o);
        let region = tf["provider"]["aws"]["region"].clone();
        assert_eq!(
            tf["terraform"]["backend"]["s3"]["region"], region,
            "{}",
            o.stack
        );
    }
}

/// Issue 14, F01: neither the primary's same-region replica nor the standby's cross-region one
/// replicates a database whose master password RDS manages (AWS refuses to create them).
#[test]
fn replicated_database_keeps_its_password_in_the_stacks_secret() {
    let outs = outputs();
    let primary = terraform(&outs[0]);
    let db = &primary["resource"]["aws_db_instance"]["db"];
    assert!(db.get("manage_master_user_password").is_none(), "{db}");
    assert_eq!(db["password_wo_version"], 2);
    assert!(db["password_wo"].is_string());
    let secret = &primary["resource"]["aws_secretsmanager_secret"]["db_master"];
    assert_eq!(secret["kms_key_id"], "${aws_kms_key.db_key.arn}");
}
