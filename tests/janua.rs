//! The Janua example (seed 001's Terraform) end to end: every output file snapshotted in
//! `snapshots/`, byte-stable, the seed's sizes carried and its loose settings tightened.

#[path = "../examples/janua.rs"]
#[allow(dead_code)]
mod janua;

mod common;

use common::{render_one, snap_files, terraform};
use serde_json::json;
use stacksmith::synth_api::StackOutput;

fn output() -> StackOutput {
    render_one(&janua::app())
}

#[test]
fn janua_output_matches_snapshots() {
    snap_files("janua", &output());
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(output().files, output().files);
}

#[test]
fn seed_001_sizes_are_carried() {
    let tf = terraform(&output());
    let r = &tf["resource"];
    let task = &r["aws_ecs_task_definition"]["api_task"];
    assert_eq!(task["cpu"], "1024");
    assert_eq!(task["memory"], "2048");
    assert_eq!(task["requires_compatibilities"], json!(["FARGATE"]));
    let db = &r["aws_db_instance"]["db"];
    assert_eq!(db["engine"], "postgres");
    assert_eq!(db["instance_class"], "db.t3.medium");
    assert_eq!(db["allocated_storage"], 100);
    assert_eq!(db["max_allocated_storage"], 1000);
    assert_eq!(db["db_name"], "janua");
    assert_eq!(db["backup_window"], "03:00-04:00");
    let redis = &r["aws_elasticache_replication_group"]["redis"];
    assert_eq!(redis["node_type"], "cache.t3.micro");
    assert_eq!(redis["num_cache_clusters"], 2);
    assert_eq!(
        r["aws_ecs_cluster"]["cluster"]["setting"][0]["name"],
        "containerInsights"
    );
    assert_eq!(r["aws_lb"]["alb"]["enable_deletion_protection"], true);
}

#[test]
fn loose_seed_settings_are_tightened() {
    let tf = terraform(&output());
    let r = &tf["resource"];
    let db = &r["aws_db_instance"]["db"];
    // No password variable: AWS manages the master secret.
    assert!(db.get("password").is_none());
    assert_eq!(db["manage_master_user_password"], true);
    assert_eq!(db["multi_az"], true);
    assert_eq!(db["storage_encrypted"], true);
    // No auth-token variable: generated, kept in Secrets Manager.
    let redis = &r["aws_elasticache_replication_group"]["redis"];
    assert_eq!(redis["transit_encryption_enabled"], true);
    assert!(
        redis["auth_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("${random_password."))
    );
    // HTTP only redirects; HTTPS uses the validated certificate.
    let listeners = &r["aws_lb_listener"];
    assert_eq!(
        listeners["alb_http"]["default_action"][0]["type"],
        "redirect"
    );
    assert_eq!(listeners["alb_https"]["port"], 443);
    // The task reaches the database and the cache only through declared rules.
    let egress = r["aws_vpc_security_group_egress_rule"]
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(
        egress.iter().any(|k| k == "db_from_janua_api_egress"),
        "{egress:?}"
    );
    assert!(
        egress.iter().any(|k| k == "redis_from_janua_api_egress"),
        "{egress:?}"
    );
}

/// Issue 14, F05: what the stack uses but does not create (its state bucket, the hosted zone
/// and web ACL it looks up, the SSM parameter its tasks read) is listed in `manifest.json`,
/// each with a command that fails when it is missing.
#[test]
fn out_of_stack_prerequisites_are_listed_with_their_checks() {
    let o = output();
    let manifest: serde_json::Value =
        serde_json::from_str(common::file(&o, "manifest.json")).unwrap_or_default();
    let listed: Vec<(String, String)> = manifest["prerequisites"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["what"].as_str().unwrap_or_default().to_owned(),
                p["check"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (what, check) in [
        (
            "janua-terraform-state",
            "aws s3api head-bucket --bucket janua-terraform-state",
        ),
        (
            "`janua.dev`",
            "aws route53 list-hosted-zones-by-name --dns-name janua.dev",
        ),
        ("`/janua/database-url`", "aws ssm get-parameter"),
    ] {
        assert!(
            listed
                .iter()
                .any(|(w, c)| w.contains(what) && c.starts_with(check)),
            "{what} missing from {listed:#?}"
        );
    }
    assert_eq!(o.prerequisites.len(), listed.len());
}
