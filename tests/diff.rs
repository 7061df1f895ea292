//! `diff` and safe renames: a database construct renamed between two synths keeps its state
//! through `moved` blocks, a removed one stops the synth (SS0009) unless acknowledged, and the
//! diff shows moves, replacements and destroys with flags first.

mod common;

use common::snap;
use std::fs;
use std::path::{Path, PathBuf};

use stacksmith::core::{Address, App};
use stacksmith::prelude::*;
use stacksmith_synth::diff::{Action, FlagKind};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stacksmith-diff-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// A network and, if `db` is given, a PostgreSQL database with that construct id.
fn stack(db: Option<&str>) -> Stack {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    if let Some(id) = db {
        stack.add(Database::postgres(id, &net));
    }
    stack
}

fn app_of(stack: Stack) -> App {
    let mut app = App::new();
    app.add(stack);
    app
}

fn main_tf(out: &Path) -> serde_json::Value {
    let text = fs::read_to_string(out.join("prod/terraform/main.tf.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

/// `terraform/moved.tf.json`, `null` when absent.
fn moved_tf(out: &Path) -> serde_json::Value {
    let text = fs::read_to_string(out.join("prod/terraform/moved.tf.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

fn read_all(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap_or(&p).to_owned(),
                    fs::read(&p).unwrap_or_default(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// The moved blocks of a main.tf.json as `from → to`.
fn moved(doc: &serde_json::Value) -> Vec<String> {
    doc.get("moved")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .map(|m| {
            format!(
                "{} → {}",
                m.get("from").and_then(|v| v.as_str()).unwrap_or_default(),
                m.get("to").and_then(|v| v.as_str()).unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn resynth_without_changes_is_byte_identical_and_has_no_moved_blocks() {
    let out = scratch("same");
    let fresh = scratch("same-fresh");
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &fresh).is_ok());
    let first = read_all(&out);
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    assert_eq!(first, read_all(&out));
    assert_eq!(first, read_all(&fresh));
    assert!(main_tf(&out).get("moved").is_none());
    assert!(moved_tf(&out).is_null());
    let d = stacksmith_synth::diff(&app_of(stack(Some("db"))), &out);
    assert!(
        d.as_ref()
            .is_ok_and(|d| d.stacks.iter().all(|s| s.is_empty()))
    );
    assert_eq!(
        d.map(|d| d.text()).ok().as_deref(),
        Some("stack `prod`\n  no changes\n")
    );
    let _ = fs::remove_dir_all(&out);
    let _ = fs::remove_dir_all(&fresh);
}

#[test]
fn renamed_database_moves_and_keeps_its_cloud_names() {
    let out = scratch("rename");
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    let renamed = app_of(stack(Some("orders")));

    let Ok(d) = stacksmith_synth::diff(&renamed, &out) else {
        panic!("diff failed");
    };
    let [s] = &d.stacks[..] else {
        panic!("one stack expected");
    };
    let db = s
        .terraform
        .iter()
        .find(|r| r.address == "aws_db_instance.orders");
    assert!(db.is_some_and(|r| r.action == Action::Move
        && r.moved_from.as_deref() == Some("aws_db_instance.db")
        && r.stateful));
    // The identifier, names, tags and descriptions keep their old values: only moves.
    assert!(
        s.terraform
            .iter()
            .all(|r| r.action == Action::Move && r.changes.is_empty()),
        "{}",
        d.text()
    );
    assert!(s.flags.is_empty(), "{}", d.text());
    snap("diff__rename_text", &d.text());
    snap("diff__rename_markdown", &d.markdown());

    let Ok(report) = stacksmith::synth(&renamed, &out) else {
        panic!("synth of the renamed stack failed");
    };
    assert!(report.diagnostics.is_empty(), "{}", report.diagnostics);
    let [r] = &report.stacks[0].renamed[..] else {
        panic!("one renamed construct expected");
    };
    assert_eq!(
        (r.from.as_str(), r.path.as_str()),
        ("prod/db", "prod/orders")
    );
    assert!(main_tf(&out).get("moved").is_none());
    let doc = moved_tf(&out);
    let moves = moved(&doc);
    assert!(
        moves.contains(&"aws_db_instance.db → aws_db_instance.orders".to_owned()),
        "{moves:?}"
    );
    assert!(
        moves.contains(&"aws_kms_key.db_key → aws_kms_key.orders_key".to_owned()),
        "{moves:?}"
    );
    snap("diff__rename_moved_blocks", &moves.join("\n"));
    let identifier = main_tf(&out)
        .pointer("/resource/aws_db_instance/orders/identifier")
        .cloned();
    assert_eq!(identifier, Some(serde_json::json!("prod-db")));

    // Synthesizing again keeps the moved blocks until they are removed by hand, and the
    // names; the diff of the unchanged app against its own output is empty.
    let before = read_all(&out);
    let again = stacksmith::synth(&renamed, &out);
    assert!(again.is_ok_and(|r| r.stacks[0].renamed.is_empty()));
    assert_eq!(before, read_all(&out));
    assert_eq!(moved(&moved_tf(&out)), moves);
    let d = stacksmith_synth::diff(&renamed, &out);
    assert!(d.is_ok_and(|d| d.stacks.iter().all(|s| s.is_empty() && s.flags.is_empty())));
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn pinning_the_old_identifier_makes_the_rename_a_pure_move() {
    let out = scratch("pinned");
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    let mut s = stack(Some("orders"));
    let a = Address::resource("prod", "aws_db_instance", "orders");
    s.override_attribute(&a, "identifier", "prod-db");
    s.override_attribute(&a, "final_snapshot_identifier", "prod-db-final");
    let Ok(d) = stacksmith_synth::diff(&app_of(s), &out) else {
        panic!("diff failed");
    };
    let flags: Vec<FlagKind> = d
        .stacks
        .iter()
        .flat_map(|s| &s.flags)
        .map(|f| f.kind)
        .collect();
    assert!(
        !flags.contains(&FlagKind::StatefulReplacement),
        "{}",
        d.text()
    );
    assert!(!flags.contains(&FlagKind::StatefulDestroy), "{}", d.text());
    let db = d
        .stacks
        .iter()
        .flat_map(|s| &s.terraform)
        .find(|r| r.address == "aws_db_instance.orders");
    assert!(db.is_some_and(|r| r.action == Action::Move), "{}", d.text());
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn removed_database_is_a_flagged_destroy_and_stops_synth_unless_acknowledged() {
    let out = scratch("remove");
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    let before = read_all(&out);

    let Ok(d) = stacksmith_synth::diff(&app_of(stack(None)), &out) else {
        panic!("diff failed");
    };
    let first = d.stacks.first().and_then(|s| s.flags.first());
    assert!(first.is_some_and(|f| f.kind == FlagKind::StatefulDestroy
        && f.subject == "aws_db_instance.db"
        && f.message.contains("SS0009")));
    snap("diff__remove_text", &d.text());
    snap("diff__remove_markdown", &d.markdown());

    match stacksmith::synth(&app_of(stack(None)), &out) {
        Err(stacksmith::SynthError::Diagnostics(d)) => snap("diff__remove_fails", &d.to_string()),
        Err(e) => panic!("expected diagnostics, got {e}"),
        Ok(_) => panic!("removing a database without acknowledging it must fail"),
    }
    assert_eq!(
        before,
        read_all(&out),
        "a failed synth changed the output folder"
    );

    let mut acknowledged = stack(None);
    acknowledged.acknowledge_removal("aws_db_instance.db");
    let Ok(report) = stacksmith::synth(&app_of(acknowledged), &out) else {
        panic!("an acknowledged removal must synthesize");
    };
    assert!(report.diagnostics.is_empty(), "{}", report.diagnostics);
    assert!(moved_tf(&out).is_null());

    // Once applied, the acknowledgement is stale: a warning says to remove it.
    let mut stale = stack(None);
    stale.acknowledge_removal("aws_db_instance.db");
    let Ok(report) = stacksmith::synth(&app_of(stale), &out) else {
        panic!("a stale acknowledgement is only a warning");
    };
    assert!(
        report.diagnostics.iter().any(|d| d.code == "SS0010"),
        "{}",
        report.diagnostics
    );
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn diff_against_nothing_creates_everything() {
    let out = scratch("nothing");
    let Ok(d) = stacksmith_synth::diff(&app_of(stack(Some("db"))), &out) else {
        panic!("diff failed");
    };
    assert!(d.stacks.iter().all(|s| !s.previous && s.flags.is_empty()));
    assert!(
        d.stacks
            .iter()
            .flat_map(|s| &s.terraform)
            .all(|r| r.action == Action::Create)
    );
}

#[test]
fn a_database_keeping_its_identifier_is_renamed_without_replacement() {
    let out = scratch("identifier");
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    // The construct is renamed; `.identifier` keeps the cloud-side database the same.
    let mut s = Stack::new("prod", "us-east-1");
    let net = s.add(Network::new("network", "10.0.0.0/16"));
    s.add(Database::postgres("orders", &net).identifier("prod-db"));
    let Ok(d) = stacksmith_synth::diff(&app_of(s), &out) else {
        panic!("diff failed");
    };
    let flags: Vec<FlagKind> = d
        .stacks
        .iter()
        .flat_map(|s| &s.flags)
        .map(|f| f.kind)
        .collect();
    assert!(
        !flags.contains(&FlagKind::StatefulReplacement)
            && !flags.contains(&FlagKind::StatefulDestroy),
        "{}",
        d.text()
    );
    let db = d
        .stacks
        .iter()
        .flat_map(|s| &s.terraform)
        .find(|r| r.address == "aws_db_instance.orders");
    assert!(db.is_some_and(|r| r.action == Action::Move), "{}", d.text());
    let _ = fs::remove_dir_all(&out);
}

/// A stack of the two-environment app: a network and a PostgreSQL database of `class`.
fn environment(name: &str, cidr: &str, class: &str) -> Stack {
    let mut stack = Stack::new(name, "us-east-1");
    let net = stack.add(Network::new("network", cidr));
    stack.add(Database::postgres("db", &net).instance_class(class));
    stack
}

#[test]
fn against_compares_two_environments_real_differences_first() {
    let out = scratch("against");
    let mut app = App::new();
    app.add(environment("staging", "10.0.0.0/16", "db.t4g.medium"));
    app.add(environment("prod", "10.0.0.0/16", "db.m7g.large"));
    assert!(stacksmith::synth(&app, &out).is_ok());

    let Ok(comparisons) = stacksmith_synth::diff::against(&app, &out, &out.join("prod")) else {
        panic!("compare failed");
    };
    // prod itself is skipped: staging against prod only.
    let [c] = &comparisons[..] else {
        panic!("one comparison expected: {comparisons:?}");
    };
    assert_eq!((c.stack.as_str(), c.other.as_str()), ("staging", "prod"));
    // The one real difference is the instance size; every name, identifier and tag that only
    // carries the stack name is folded per construct.
    let [real] = &c.real[..] else {
        panic!("one real difference expected: {:#?}", c.real);
    };
    assert_eq!(real.subject, "aws_db_instance.db");
    assert_eq!(real.construct, "db");
    let paths: Vec<&str> = real.changes.iter().map(|ch| ch.path.as_str()).collect();
    assert_eq!(paths, ["instance_class"]);
    assert_eq!(
        real.changes[0].new,
        Some(serde_json::json!("db.t4g.medium"))
    );
    assert!(
        c.name_only
            .iter()
            .any(|n| n.construct == "db" && n.attributes.iter().any(|a| a == "identifier"))
    );
    let text = stacksmith_synth::diff::against_text(&comparisons)
        .replace(&out.display().to_string(), "<out>");
    let real_at = text.find("real differences");
    let names_at = text.find("\nname only");
    assert!(real_at.is_some() && real_at < names_at, "{text}");
    snap("diff__against_text", &text);
}

#[test]
fn removing_a_read_replica_needs_no_acknowledgement() {
    let out = scratch("replica");
    let app = |instances: u32| {
        let mut s = Stack::new("prod", "us-east-1");
        let net = s.add(Network::new("network", "10.0.0.0/16"));
        s.add(Database::postgres("db", &net).instances(instances));
        app_of(s)
    };
    assert!(stacksmith::synth(&app(2), &out).is_ok());
    // The construct declares the in-stack replica not stateful; the manifest remembers it.
    let Ok(d) = stacksmith_synth::diff(&app(1), &out) else {
        panic!("diff failed");
    };
    assert!(
        d.stacks
            .iter()
            .flat_map(|s| &s.terraform)
            .any(|r| r.address == "aws_db_instance.db_replica_1"
                && r.action == Action::Destroy
                && !r.stateful),
        "{}",
        d.text()
    );
    assert!(stacksmith::synth(&app(1), &out).is_ok());
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn a_manifest_without_facts_falls_back_to_the_apps_resources_and_says_so() {
    let out = scratch("old-manifest");
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    // As an older stacksmith wrote it: no schema, no resources.
    let path = out.join("prod/manifest.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap_or_default()).unwrap_or_default();
    if let Some(o) = doc.as_object_mut() {
        o.remove("schema");
        o.remove("resources");
    }
    assert!(fs::write(&path, doc.to_string()).is_ok());
    let Ok(d) = stacksmith_synth::diff(&app_of(stack(Some("orders"))), &out) else {
        panic!("diff failed");
    };
    let s = &d.stacks[0];
    assert!(s.notes.iter().any(|n| n.contains("no resource facts")));
    assert!(
        d.text()
            .contains("note: the previous manifest.json records no resource facts")
    );
    assert!(
        s.terraform
            .iter()
            .any(|r| r.address == "aws_db_instance.orders" && r.action == Action::Move),
        "{}",
        d.text()
    );
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn renaming_back_restores_the_original_addresses_and_keeps_the_names() {
    let out = scratch("back");
    assert!(stacksmith::synth(&app_of(stack(Some("db"))), &out).is_ok());
    assert!(stacksmith::synth(&app_of(stack(Some("orders"))), &out).is_ok());
    let Ok(d) = stacksmith_synth::diff(&app_of(stack(Some("db"))), &out) else {
        panic!("diff failed");
    };
    assert!(
        d.stacks
            .iter()
            .flat_map(|s| &s.terraform)
            .all(|r| r.action == Action::Move && r.changes.is_empty()),
        "{}",
        d.text()
    );
    let Ok(report) = stacksmith::synth(&app_of(stack(Some("db"))), &out) else {
        panic!("synth failed");
    };
    assert!(
        report.stacks[0]
            .renamed
            .iter()
            .all(|r| r.from == "prod/orders" && r.path == "prod/db" && r.names.is_empty())
    );
    let identifier = main_tf(&out)
        .pointer("/resource/aws_db_instance/db/identifier")
        .cloned();
    assert_eq!(identifier, Some(serde_json::json!("prod-db")));
    let manifest = fs::read_to_string(out.join("prod/manifest.json")).unwrap_or_default();
    assert!(!manifest.contains("\"renamed\""), "{manifest}");
    let _ = fs::remove_dir_all(&out);
}
