//! Renames without replacement, per stateful kind: a construct renamed between two synths is
//! written with `moved` blocks and keeps every cloud identity attribute (identifiers, names,
//! name prefixes of its security group, role, key alias, log groups, subnet and parameter
//! groups), so `diff` shows only moves and flags nothing; once synthesized, `diff` of the
//! unchanged app against its own output is empty.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use stacksmith::core::App;
use stacksmith::prelude::*;
use stacksmith_synth::diff::Action;

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("stacksmith-renames-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn read_json(path: &Path) -> Json {
    let text = fs::read_to_string(path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

/// `address` → body of a `main.tf.json`'s managed resources.
fn bodies(doc: &Json) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    for (kind, names) in doc
        .get("resource")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
    {
        for (name, body) in names.as_object().into_iter().flatten() {
            out.push((format!("{kind}.{name}"), body.clone()));
        }
    }
    out
}

fn body<'a>(all: &'a [(String, Json)], address: &str) -> Option<&'a Json> {
    all.iter().find(|(a, _)| a == address).map(|(_, b)| b)
}

/// Synthesizes the app built with construct id `old`, renames it to `new`, and checks the
/// rename is a pure move; `stateful` is the stateful resource's type.
fn renames_without_replacement(
    name: &str,
    stateful: &str,
    build: impl Fn(&mut Stack, &str, &NetworkRef),
) {
    let app = |id: &str| {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        build(&mut stack, id, &net);
        let mut app = App::new();
        app.add(stack);
        app
    };
    let out = scratch(name);
    let tf = out.join("prod/terraform/main.tf.json");
    assert!(stacksmith::synth(&app("store"), &out).is_ok());
    let before = bodies(&read_json(&tf));

    // The diff of the rename: moves only, nothing flagged.
    let renamed = app("orders");
    let Ok(d) = stacksmith_synth::diff(&renamed, &out) else {
        panic!("diff failed");
    };
    let [s] = &d.stacks[..] else {
        panic!("one stack expected");
    };
    assert!(s.flags.is_empty(), "{}", d.text());
    assert!(
        s.terraform
            .iter()
            .all(|r| r.action == Action::Move && r.changes.is_empty()),
        "{}",
        d.text()
    );
    let main = format!("{stateful}.orders");
    assert!(
        s.terraform
            .iter()
            .any(|r| r.address == main && r.stateful && r.action == Action::Move),
        "{}",
        d.text()
    );

    // The synth: moved blocks, every identity attribute as before.
    let report = match stacksmith::synth(&renamed, &out) {
        Ok(r) => r,
        Err(e) => panic!("synth of the renamed app failed: {e}"),
    };
    let [r] = &report.stacks[0].renamed[..] else {
        panic!("one renamed construct expected");
    };
    assert_eq!(
        (r.from.as_str(), r.path.as_str()),
        ("prod/store", "prod/orders")
    );
    let moved = read_json(&out.join("prod/terraform/moved.tf.json"));
    let moves: Vec<(String, String)> = moved
        .get("moved")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some((
                m.get("from")?.as_str()?.to_owned(),
                m.get("to")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    assert!(
        moves.contains(&(format!("{stateful}.store"), main.clone())),
        "{moves:?}"
    );
    let after = bodies(&read_json(&tf));
    let manifest = read_json(&out.join("prod/manifest.json"));
    let mut checked = 0;
    for (from, to) in &moves {
        let facts = manifest
            .get("resources")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .find(|f| f.get("address").and_then(Json::as_str) == Some(to));
        let identity = facts
            .and_then(|f| f.get("identity"))
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        for attr in identity.iter().filter_map(Json::as_str) {
            let old = body(&before, from).and_then(|b| b.get(attr));
            let new = body(&after, to).and_then(|b| b.get(attr));
            assert_eq!(old, new, "{to}.{attr} changed in the rename");
            checked += usize::from(old.is_some());
        }
    }
    assert!(checked > 1, "no identity attribute was compared");

    // Unchanged app against its own output: nothing, and a second synth writes the same.
    let Ok(d) = stacksmith_synth::diff(&renamed, &out) else {
        panic!("diff failed");
    };
    assert!(
        d.stacks.iter().all(|s| s.is_empty() && s.flags.is_empty()),
        "{}",
        d.text()
    );
    let first = fs::read_to_string(&tf).unwrap_or_default();
    assert!(stacksmith::synth(&renamed, &out).is_ok());
    assert_eq!(first, fs::read_to_string(&tf).unwrap_or_default());
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn rds_instance() {
    renames_without_replacement("rds", "aws_db_instance", |s, id, net| {
        s.add(Database::postgres(id, net).instances(2));
    });
}

#[test]
fn aurora_cluster() {
    renames_without_replacement("aurora", "aws_rds_cluster", |s, id, net| {
        s.add(Database::aurora_postgres(id, net));
    });
}

#[test]
fn documentdb_cluster() {
    renames_without_replacement("docdb", "aws_docdb_cluster", |s, id, net| {
        s.add(Database::documentdb(id, net));
    });
}

#[test]
fn elasticache_replication_group() {
    renames_without_replacement(
        "cache",
        "aws_elasticache_replication_group",
        |s, id, net| {
            s.add(Cache::valkey(id, net));
        },
    );
}

#[test]
fn s3_bucket() {
    renames_without_replacement("bucket", "aws_s3_bucket", |s, id, _| {
        s.add(Bucket::new(id));
    });
}

#[test]
fn msk_cluster() {
    renames_without_replacement("msk", "aws_msk_cluster", |s, id, net| {
        s.add(Kafka::provisioned(id, net));
    });
}

#[test]
fn msk_serverless_cluster() {
    renames_without_replacement(
        "msk-serverless",
        "aws_msk_serverless_cluster",
        |s, id, net| {
            s.add(Kafka::serverless(id, net));
        },
    );
}

/// A database whose endpoint a workload reads through the `cluster/` root, under `id`.
fn with_workload(id: &str, size_gib: u32) -> App {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let eks = stack.add(EksCluster::new("eks", &net));
    let db = stack.add(Database::postgres(id, &net));
    let ns = stack.add(Namespace::new("shop"));
    let api = stack.add(
        Deployment::new(&ns, "api").container(
            Container::new("api", "shop/api:1.0.0")
                .port("http", 8000)
                .env_from_cloud("DB_HOST", db.endpoint()),
        ),
    );
    stack.add(db.allow_workload(&api, &eks));
    let data = VolumeClaim::new("data", Memory::gib(size_gib));
    stack.add(
        StatefulSet::new(&ns, "search")
            .volume_claim(&data)
            .container(
                Container::new("search", "shop/search:1.0.0")
                    .port("http", 9200)
                    .mount_writable(&data, "/data"),
            ),
    );
    let mut app = App::new();
    app.add(stack);
    app
}

#[test]
fn the_cluster_root_follows_a_rename_and_immutable_fields_are_flagged() {
    let out = scratch("cluster");
    assert!(stacksmith::synth(&with_workload("store", 10), &out).is_ok());

    // Renamed: the cluster root's data source is renamed with the database and still finds
    // it by the same identifier; nothing else changes there.
    let Ok(d) = stacksmith_synth::diff(&with_workload("orders", 10), &out) else {
        panic!("diff failed");
    };
    let s = &d.stacks[0];
    // Not kept yet: the NetworkPolicy named after the database's id (`api-to-store`) is
    // re-created under the new id; Terraform replaces nothing.
    assert!(
        s.flags
            .iter()
            .all(|f| f.subject.contains("/networkpolicy-api-to-")),
        "{}",
        d.text()
    );
    assert!(
        s.terraform
            .iter()
            .all(|r| r.action == Action::Move && r.changes.is_empty()),
        "{}",
        d.text()
    );
    assert!(!s.cluster.is_empty(), "{}", d.text());
    assert!(
        s.cluster
            .iter()
            .all(|c| c.action == Action::Move && c.changes.is_empty()),
        "{}",
        d.text()
    );
    assert!(stacksmith::synth(&with_workload("orders", 10), &out).is_ok());
    let Ok(d) = stacksmith_synth::diff(&with_workload("orders", 10), &out) else {
        panic!("diff failed");
    };
    assert!(d.stacks.iter().all(|s| s.is_empty()), "{}", d.text());

    // A StatefulSet's volume claim templates cannot be updated: flagged.
    let Ok(d) = stacksmith_synth::diff(&with_workload("orders", 20), &out) else {
        panic!("diff failed");
    };
    let flag = d.stacks[0]
        .flags
        .iter()
        .find(|f| f.kind == stacksmith_synth::diff::FlagKind::ImmutableField);
    assert!(
        flag.is_some_and(|f| f.subject.ends_with("statefulset-search.yaml")
            && f.message.starts_with("spec.volumeClaimTemplates changes")),
        "{}",
        d.text()
    );
    let _ = fs::remove_dir_all(&out);
}
