//! Safe renames: when a stateful resource of the previous output disappears, find the resource
//! it became and write a Terraform `moved` block (in `terraform/moved.tf.json`), so `terraform plan` moves its state instead
//! of destroying it; otherwise stop the synth (SS0009) unless the removal was acknowledged.
//!
//! The heuristic, in order, for each stateful resource of the previous output whose address is
//! gone (an address is `<type>.<name>`; stateful as in [`is_stateful`]):
//! 1. acknowledged with `Stack::acknowledge_removal`: destroyed on purpose, nothing to match;
//! 2. candidates: new addresses of the same type that the previous output did not have and no
//!    other move claimed;
//! 3. a candidate matches when its body equals the old body exactly, or equals it once both
//!    sides drop the name-like attributes ([`NAME_LIKE`]: identifiers, names, tags,
//!    descriptions, final snapshot names) and references in the old body are renamed the way
//!    the construct was (`${aws_kms_key.db_key.arn}` → `${aws_kms_key.orders_key.arn}` when
//!    `aws_db_instance.db` is compared with `aws_db_instance.orders`: the common `_suffix` of
//!    the two names is the part, the rest is the construct's name);
//! 4. exactly one candidate must match; none or several is SS0009;
//! 5. the rest of the renamed construct follows: every gone address `<type>.<old>` or
//!    `<type>.<old>_<part>` whose `<type>.<new>[_<part>]` is new gets a `moved` block too, so
//!    its key, subnet group and alarms keep their state (they may still be updated or replaced
//!    for their new cloud names; `diff` shows what).
//!
//! `moved` blocks of the previous output are carried over while their target is still
//! synthesized (Terraform recommends keeping them until every state has been applied).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value as Json;
use stacksmith_core::{Diagnostic, Diagnostics, Graph, Path};

/// Resource types that hold data a destroy loses, besides those the new graph marks stateful
/// (a removed resource has no mark: its type decides).
const STATEFUL_KINDS: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_elasticache_serverless_cache",
    "aws_memorydb_cluster",
    "aws_s3_bucket",
    "aws_msk_cluster",
    "aws_msk_serverless_cluster",
    "aws_dynamodb_table",
    "aws_efs_file_system",
    "aws_ebs_volume",
    "aws_opensearch_domain",
    "aws_kinesis_stream",
];

/// Attributes that carry the cloud name (derived from the construct path), ignored when a
/// renamed resource is compared with its previous self.
pub(crate) const NAME_LIKE: &[&str] = &[
    "identifier",
    "identifier_prefix",
    "cluster_identifier",
    "cluster_identifier_prefix",
    "replication_group_id",
    "cluster_id",
    "cluster_name",
    "bucket",
    "bucket_prefix",
    "name",
    "name_prefix",
    "domain_name",
    "description",
    "final_snapshot_identifier",
    "tags",
    "tags_all",
];

/// One `moved` block: Terraform addresses, `aws_db_instance.old` → `aws_db_instance.new`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Move {
    /// The previous address.
    pub from: String,
    /// The new address.
    pub to: String,
}

/// The previous `terraform/main.tf.json`, as the planner needs it.
#[derive(Clone, Debug, Default)]
pub(crate) struct PreviousTerraform {
    /// Managed resources: address → body.
    pub resources: BTreeMap<String, Json>,
    /// Data sources: `data.<type>.<name>` → body.
    pub data: BTreeMap<String, Json>,
    /// Its `moved` blocks.
    pub moved: Vec<Move>,
}

impl PreviousTerraform {
    /// Reads the parsed document (absent blocks are empty).
    pub(crate) fn from_json(doc: &Json) -> Self {
        let blocks = |key: &str, prefix: &str| {
            let mut out = BTreeMap::new();
            if let Some(types) = doc.get(key).and_then(Json::as_object) {
                for (kind, names) in types {
                    for (name, body) in names.as_object().into_iter().flatten() {
                        out.insert(format!("{prefix}{kind}.{name}"), body.clone());
                    }
                }
            }
            out
        };
        let moved = doc
            .get("moved")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some(Move {
                    from: m.get("from")?.as_str()?.to_owned(),
                    to: m.get("to")?.as_str()?.to_owned(),
                })
            })
            .collect();
        Self {
            resources: blocks("resource", ""),
            data: blocks("data", "data."),
            moved,
        }
    }
}

/// The new graph's managed resources as JSON bodies (exactly as written), by address.
pub(crate) fn new_bodies(g: &Graph) -> BTreeMap<String, (Json, bool)> {
    g.resources
        .iter()
        .map(|r| {
            let body = serde_json::to_value(r).unwrap_or(Json::Null);
            (r.address.expression(), (body, r.facts.stateful))
        })
        .collect()
}

fn kind(address: &str) -> &str {
    address.split_once('.').map_or(address, |(k, _)| k)
}

pub(crate) fn local(address: &str) -> &str {
    address.split_once('.').map_or("", |(_, n)| n)
}

/// Whether a resource of the previous output holds data: its type is marked stateful by the
/// new graph or listed in [`STATEFUL_KINDS`], and it is not an in-stack read replica (an
/// `aws_db_instance` whose `replicate_source_db` is a reference: removing it loses nothing).
pub(crate) fn is_stateful(address: &str, body: &Json, stateful_kinds: &BTreeSet<String>) -> bool {
    let k = kind(address);
    let in_stack_replica = body
        .get("replicate_source_db")
        .and_then(Json::as_str)
        .is_some_and(|s| s.starts_with("${"));
    (stateful_kinds.contains(k) || STATEFUL_KINDS.contains(&k)) && !in_stack_replica
}

/// The kinds the new graph marks stateful.
pub(crate) fn stateful_kinds(g: &Graph) -> BTreeSet<String> {
    g.resources
        .iter()
        .filter(|r| r.facts.stateful)
        .map(|r| r.address.kind().to_owned())
        .collect()
}

/// `(old_prefix, new_prefix)`: the construct names of two local names sharing a part suffix
/// (`db_key`, `orders_key` → `db`, `orders`); the whole names when they share none.
pub(crate) fn prefixes<'a>(old: &'a str, new: &'a str) -> (&'a str, &'a str) {
    let mut best = (old, new);
    for (i, _) in old.match_indices('_') {
        let suffix = &old[i..];
        if let Some(p) = new.strip_suffix(suffix)
            && !p.is_empty()
            && i > 0
        {
            best = (&old[..i], p);
            break;
        }
    }
    best
}

/// Renames references to the construct `old` (`${kind.old.` / `${kind.old_part.`) into `new`.
fn rename_refs(v: &Json, old: &str, new: &str) -> Json {
    match v {
        Json::String(s) => {
            let mut out = s.clone();
            for sep in ['.', '_'] {
                out = out.replace(&format!(".{old}{sep}"), &format!(".{new}{sep}"));
            }
            // `depends_on` entries are bare addresses.
            if let Some((k, n)) = out.split_once('.')
                && !k.contains('$')
                && (n == old || n.starts_with(&format!("{old}_")))
            {
                out = format!("{k}.{new}{}", &n[old.len()..]);
            }
            Json::String(out)
        }
        Json::Array(a) => Json::Array(a.iter().map(|x| rename_refs(x, old, new)).collect()),
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), rename_refs(x, old, new)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn without_names(v: &Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(k, _)| !NAME_LIKE.contains(&k.as_str()))
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `new` is `old` renamed (step 3 of the module's heuristic).
fn same_resource(old_addr: &str, old: &Json, new_addr: &str, new: &Json) -> bool {
    if old == new {
        return true;
    }
    let (po, pn) = prefixes(local(old_addr), local(new_addr));
    without_names(&rename_refs(old, po, pn)) == without_names(new)
}

/// The moves for one stack, and SS0009/SS0010 for what cannot be moved.
pub(crate) fn plan(g: &Graph, prev: &PreviousTerraform) -> (Vec<Move>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let root = Path::root(&g.stack);
    let new = new_bodies(g);
    let kinds = stateful_kinds(g);
    let acknowledged: BTreeSet<String> = g
        .acknowledged_removals
        .iter()
        .map(stacksmith_core::Address::expression)
        .collect();
    let mut gone: BTreeSet<&str> = prev
        .resources
        .keys()
        .filter(|a| !new.contains_key(*a))
        .map(String::as_str)
        .collect();
    let mut added: BTreeSet<&str> = new
        .keys()
        .filter(|a| !prev.resources.contains_key(*a))
        .map(String::as_str)
        .collect();
    let mut moves: Vec<Move> = Vec::new();
    let mut renamed: Vec<(String, String)> = Vec::new();

    for (old_addr, old_body) in &prev.resources {
        if !gone.contains(old_addr.as_str())
            || !is_stateful(old_addr, old_body, &kinds)
            || acknowledged.contains(old_addr)
        {
            continue;
        }
        let matches: Vec<&str> = added
            .iter()
            .copied()
            .filter(|a| kind(a) == kind(old_addr))
            .filter(|a| {
                new.get(*a)
                    .is_some_and(|(b, _)| same_resource(old_addr, old_body, a, b))
            })
            .collect();
        if let [to] = matches[..] {
            gone.remove(old_addr.as_str());
            added.remove(to);
            moves.push(Move {
                from: old_addr.clone(),
                to: to.to_owned(),
            });
            let (po, pn) = prefixes(local(old_addr), local(to));
            renamed.push((po.to_owned(), pn.to_owned()));
            continue;
        }
        let why = if matches.is_empty() {
            "no new resource of the same type has the same settings".to_owned()
        } else {
            format!(
                "it could have become any of {}",
                matches
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        diagnostics.push(
            Diagnostic::error(
                "SS0009",
                &root,
                format!(
                    "stateful resource `{old_addr}` of the previous output is no longer synthesized \
                     ({why}): applying would destroy it and its data"
                ),
            )
            .hint(format!(
                "if the construct was renamed, rename it without changing its settings (one at a \
                 time) so synth writes a `moved` block; to destroy it on purpose, call \
                 `stack.acknowledge_removal(\"{old_addr}\")`; run `diff` to see the plan"
            )),
        );
    }

    // Step 5: the rest of each renamed construct.
    renamed.sort();
    renamed.dedup();
    for (po, pn) in &renamed {
        let followers: Vec<(String, String)> = gone
            .iter()
            .filter_map(|old| {
                let n = local(old);
                let rest = if n == po {
                    ""
                } else {
                    n.strip_prefix(po.as_str())?
                        .strip_prefix('_')
                        .map(|_| &n[po.len()..])?
                };
                let to = format!("{}.{pn}{rest}", kind(old));
                added.contains(to.as_str()).then(|| ((*old).to_owned(), to))
            })
            .collect();
        for (from, to) in followers {
            gone.remove(from.as_str());
            added.remove(to.as_str());
            moves.push(Move { from, to });
        }
    }

    // Carried over: earlier moves whose target is still synthesized (or moved on again).
    for m in &prev.moved {
        let mut target = m.to.clone();
        if let Some(next) = moves.iter().find(|n| n.from == target) {
            target = next.to.clone();
        }
        let still = new.contains_key(&target) && !new.contains_key(&m.from);
        if still && !moves.iter().any(|n| n.from == m.from) {
            moves.push(m.clone());
        }
    }

    for a in &acknowledged {
        if !prev.resources.contains_key(a) || new.contains_key(a) {
            let state = if new.contains_key(a) {
                "is still synthesized"
            } else {
                "is not in the previous output"
            };
            diagnostics.push(
                Diagnostic::warning(
                    "SS0010",
                    &root,
                    format!("acknowledge_removal(\"{a}\") has no effect: `{a}` {state}"),
                )
                .hint("remove the acknowledgement once the destroy has been applied"),
            );
        }
    }
    moves.sort();
    (moves, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefixes_split_the_part_off() {
        assert_eq!(prefixes("db_key", "orders_key"), ("db", "orders"));
        assert_eq!(prefixes("db", "orders"), ("db", "orders"));
        assert_eq!(
            prefixes("metadata_db_key", "main_db_key"),
            ("metadata", "main")
        );
    }

    #[test]
    fn references_follow_the_construct() {
        let v = json!({"k": "${aws_kms_key.db_key.arn}", "d": ["aws_cloudwatch_log_group.db_x"],
                       "other": "${aws_kms_key.dbx.arn}"});
        assert_eq!(
            rename_refs(&v, "db", "orders"),
            json!({"k": "${aws_kms_key.orders_key.arn}", "d": ["aws_cloudwatch_log_group.orders_x"],
                   "other": "${aws_kms_key.dbx.arn}"})
        );
    }

    #[test]
    fn a_read_replica_is_not_stateful() {
        let kinds = BTreeSet::new();
        let replica = json!({"replicate_source_db": "${aws_db_instance.db.identifier}"});
        assert!(!is_stateful(
            "aws_db_instance.db_replica_1",
            &replica,
            &kinds
        ));
        assert!(is_stateful("aws_db_instance.db", &json!({}), &kinds));
        assert!(!is_stateful("aws_security_group.db", &json!({}), &kinds));
    }
}
