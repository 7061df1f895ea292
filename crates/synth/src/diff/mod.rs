//! `diff`: what a synth would change in `<out>/<stack>/`, for review. Terraform is compared
//! attribute by attribute (the bodies as written, nested paths like
//! `vpc_config.endpoint_public_access` and `ingress[0].cidr_blocks`, JSON-in-string attributes
//! such as policies and container definitions opened up), taking the renames synth would write
//! as `moved` blocks into account; Kubernetes file by file with a line diff of the YAML.
//!
//! Flags a reviewer must see come first: destroying or replacing a stateful resource, security
//! groups / IAM / network policies / RBAC changing, deletion protection or final snapshots
//! turned off, `force_destroy`, and public access opened.

mod against;
mod lines;
mod report;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value as Json;
use stacksmith_core::{App, Diagnostics};

use crate::SynthError;
pub use crate::moves::Move;
use crate::moves::{self, PreviousTerraform};
use crate::pipeline::{Planned, plan_app};
pub use against::{Comparison, Difference, NameOnly, Side, against, against_text};

/// What happens to a resource or a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Created (`+`).
    Create,
    /// Moved to a new address (`→`), possibly with changes.
    Move,
    /// Updated in place or replaced (`~`): see its attribute changes and the flags.
    Update,
    /// Destroyed (`-`).
    Destroy,
}

/// One attribute that differs. Values are JSON as written; `null` when absent on that side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttrChange {
    /// `vpc_config.endpoint_public_access`, `ingress[0].cidr_blocks`.
    pub path: String,
    /// The previous value.
    pub old: Option<Json>,
    /// The new value.
    pub new: Option<Json>,
}

/// A Terraform resource or data source that changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceChange {
    /// `aws_db_instance.orders` (`data.` for data sources).
    pub address: String,
    /// What happens to it.
    pub action: Action,
    /// The previous address, when a `moved` block renames it.
    pub moved_from: Option<String>,
    /// Whether it holds data (databases, caches, buckets, streams).
    pub stateful: bool,
    /// Attribute changes (empty for creates and destroys).
    pub changes: Vec<AttrChange>,
}

/// A Kubernetes file that changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// `kubernetes/web/deployment-api.yaml`.
    pub path: String,
    /// Create, update or destroy.
    pub action: Action,
    /// The object's kind as in its file name (`deployment`).
    pub kind: String,
    /// The line diff: `@@ line N` headers, then lines prefixed `-`, `+` or ` `.
    pub lines: Vec<String>,
}

/// Why a reviewer must look, most serious first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A stateful resource is destroyed: its data is lost.
    StatefulDestroy,
    /// A stateful resource is replaced (an attribute that forces a new resource changes).
    StatefulReplacement,
    /// Deletion protection or final snapshots turned off.
    DeletionProtection,
    /// `force_destroy` turned on: the bucket is deleted with its objects.
    ForceDestroy,
    /// Public access opened.
    PublicAccess,
    /// Security groups, IAM, KMS policies, network policies or RBAC change.
    Security,
}

impl FlagKind {
    fn title(self) -> &'static str {
        match self {
            FlagKind::StatefulDestroy => "STATEFUL DESTROY",
            FlagKind::StatefulReplacement => "STATEFUL REPLACEMENT",
            FlagKind::DeletionProtection => "DELETION PROTECTION OFF",
            FlagKind::ForceDestroy => "FORCE DESTROY",
            FlagKind::PublicAccess => "PUBLIC ACCESS",
            FlagKind::Security => "SECURITY",
        }
    }
}

/// Something a reviewer must see.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Flag {
    /// What kind of risk.
    pub kind: FlagKind,
    /// The resource address or file.
    pub subject: String,
    /// What happens, in one sentence.
    pub message: String,
}

/// One stack's diff.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StackDiff {
    /// The stack's name.
    pub stack: String,
    /// Whether `<out>/<stack>/` held a previous output (if not, everything is created).
    pub previous: bool,
    /// Flags, most serious first.
    pub flags: Vec<Flag>,
    /// The `moved` blocks synth writes (carried-over ones included).
    pub moves: Vec<Move>,
    /// Terraform changes, by address.
    pub terraform: Vec<ResourceChange>,
    /// Kubernetes changes, by path.
    pub kubernetes: Vec<FileChange>,
}

impl StackDiff {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.terraform.is_empty() && self.kubernetes.is_empty()
    }

    /// Resources created, moved, updated and destroyed, then files created, updated, removed.
    pub fn counts(&self) -> [usize; 7] {
        let t = |a| self.terraform.iter().filter(|c| c.action == a).count();
        let k = |a| self.kubernetes.iter().filter(|c| c.action == a).count();
        [
            t(Action::Create),
            t(Action::Move),
            t(Action::Update),
            t(Action::Destroy),
            k(Action::Create),
            k(Action::Update),
            k(Action::Destroy),
        ]
    }
}

/// Every stack's diff, and the app's warnings.
#[derive(Clone, Debug)]
pub struct AppDiff {
    /// One per stack, in the app's order.
    pub stacks: Vec<StackDiff>,
    /// Warnings from lowering (errors stop the diff).
    pub diagnostics: Diagnostics,
}

impl AppDiff {
    /// Terminal text, like `terraform plan`'s summary: flags first, then each change.
    pub fn text(&self) -> String {
        report::text(&self.stacks)
    }

    /// Markdown for a pull-request comment: flags, a summary table, collapsible details.
    pub fn markdown(&self) -> String {
        report::markdown(&self.stacks)
    }
}

/// Compares what `synth` would write with what `<out>/<stack>/` holds, for every stack. Errors
/// in the app stop it; a stateful resource that synth would refuse to destroy (SS0009) is
/// shown as a flag, not an error.
pub fn diff(app: &App, out: &Path) -> Result<AppDiff, SynthError> {
    let (planned, diagnostics) = plan_app(app, Some(out))?;
    let mut stacks = Vec::new();
    for p in &planned {
        let rendered = crate::render::render_moved(&p.graph, &p.moves)?;
        stacks.push(stack_diff(p, &rendered));
    }
    Ok(AppDiff {
        stacks,
        diagnostics,
    })
}

/// Attributes whose change makes the provider replace a stateful resource (a moved block keeps
/// the state, but not the resource): the cloud-side identity, the key, the engine.
const REPLACING: &[&str] = &[
    "identifier",
    "cluster_identifier",
    "replication_group_id",
    "cluster_id",
    "cluster_name",
    "bucket",
    "bucket_prefix",
    "name",
    "domain_name",
    "kms_key_id",
    "storage_encrypted",
    "engine",
    "availability_zone",
    "snapshot_identifier",
];

/// Types whose changes are security-relevant.
const SECURITY_KINDS: &[&str] = &[
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_network_acl",
    "aws_network_acl_rule",
    "aws_kms_key",
    "aws_kms_key_policy",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_eks_access_entry",
    "aws_eks_access_policy_association",
    "aws_lb_listener",
    "aws_wafv2_web_acl",
    "aws_wafv2_web_acl_association",
];

/// Kubernetes kinds (lowercase, as in file names) whose changes are security-relevant.
const SECURITY_OBJECTS: &[&str] = &[
    "networkpolicy",
    "role",
    "clusterrole",
    "rolebinding",
    "clusterrolebinding",
    "serviceaccount",
];

fn is_security(address: &str) -> bool {
    let kind = address.strip_prefix("data.").unwrap_or(address);
    let kind = kind.split_once('.').map_or(kind, |(k, _)| k);
    kind.starts_with("aws_iam_") || SECURITY_KINDS.contains(&kind)
}

fn stack_diff(p: &Planned, rendered: &crate::StackOutput) -> StackDiff {
    let empty = PreviousTerraform::default();
    let prev_tf = p
        .previous
        .as_ref()
        .and_then(|x| x.terraform.as_ref())
        .unwrap_or(&empty);
    let kinds = moves::stateful_kinds(&p.graph);
    let acknowledged: BTreeSet<String> = p
        .graph
        .acknowledged_removals
        .iter()
        .map(stacksmith_core::Address::expression)
        .collect();
    let renames = with_data_renames(p, prev_tf);
    let moved_to: BTreeMap<&str, &str> = renames
        .iter()
        .map(|m| (m.to.as_str(), m.from.as_str()))
        .collect();
    let moved_from: BTreeSet<&str> = renames.iter().map(|m| m.from.as_str()).collect();
    let rename = |v: &Json| renames.iter().fold(v.clone(), |v, m| rename_address(&v, m));

    // The new side: managed resources and data sources as written.
    let mut new: BTreeMap<String, (Json, bool)> = moves::new_bodies(&p.graph);
    for d in &p.graph.data {
        let body = serde_json::to_value(d).unwrap_or(Json::Null);
        new.insert(d.address.expression(), (body, false));
    }
    let mut old: BTreeMap<&str, &Json> = BTreeMap::new();
    for (a, b) in prev_tf.resources.iter().chain(&prev_tf.data) {
        old.insert(a, b);
    }

    let mut flags = Vec::new();
    let mut terraform = Vec::new();
    for (addr, (body, stateful)) in &new {
        let from = moved_to.get(addr.as_str()).copied();
        let before = from.or(Some(addr.as_str())).and_then(|a| old.get(a));
        let Some(before) = before else {
            if is_security(addr) && p.previous.is_some() {
                flags.push(flag(FlagKind::Security, addr, "created"));
            }
            terraform.push(ResourceChange {
                address: addr.clone(),
                action: Action::Create,
                moved_from: None,
                stateful: *stateful,
                changes: Vec::new(),
            });
            continue;
        };
        let mut changes = Vec::new();
        walk(
            String::new(),
            Some(&rename(before)),
            Some(body),
            &mut changes,
        );
        if changes.is_empty() && from.is_none() {
            continue;
        }
        for c in &changes {
            flags.extend(attribute_flags(&p.graph.stack, addr, *stateful, from, c));
        }
        if is_security(addr) && !changes.is_empty() {
            let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
            flags.push(flag(
                FlagKind::Security,
                addr,
                &format!("changes {}", paths.join(", ")),
            ));
        }
        terraform.push(ResourceChange {
            address: addr.clone(),
            action: if from.is_some() {
                Action::Move
            } else {
                Action::Update
            },
            moved_from: from.map(str::to_owned),
            stateful: *stateful,
            changes,
        });
    }
    for (addr, body) in &old {
        if new.contains_key(*addr) || moved_from.contains(addr) {
            continue;
        }
        let stateful = !addr.starts_with("data.") && moves::is_stateful(addr, body, &kinds);
        if stateful {
            let message = if acknowledged.contains(*addr) {
                "destroyed with its data (acknowledged with `acknowledge_removal`)".to_owned()
            } else {
                format!(
                    "destroyed with its data; synth refuses (SS0009) until \
                     `stack.acknowledge_removal(\"{addr}\")` or a recognised rename"
                )
            };
            flags.push(flag(FlagKind::StatefulDestroy, addr, &message));
        }
        if is_security(addr) {
            flags.push(flag(FlagKind::Security, addr, "destroyed"));
        }
        terraform.push(ResourceChange {
            address: (*addr).to_owned(),
            action: Action::Destroy,
            moved_from: None,
            stateful,
            changes: Vec::new(),
        });
    }
    terraform.sort_by(|a, b| a.address.cmp(&b.address));

    let kubernetes = kube_changes(p, rendered, &mut flags);
    flags.sort();
    flags.dedup();
    StackDiff {
        stack: p.graph.stack.clone(),
        previous: p.previous.is_some(),
        flags,
        moves: p.moves.clone(),
        terraform,
        kubernetes,
    }
}

/// The moves, plus the data sources of each renamed construct paired the same way (shown as
/// renamed; data sources hold no state, so they get no `moved` block).
fn with_data_renames(p: &Planned, prev: &PreviousTerraform) -> Vec<Move> {
    let mut out = p.moves.clone();
    let new: BTreeSet<String> = p
        .graph
        .data
        .iter()
        .map(|d| d.address.expression())
        .collect();
    for m in &p.moves {
        let (po, pn) = moves::prefixes(moves::local(&m.from), moves::local(&m.to));
        for old in prev.data.keys().filter(|a| !new.contains(*a)) {
            let Some((kind, name)) = old.strip_prefix("data.").and_then(|a| a.split_once('.'))
            else {
                continue;
            };
            let rest = if name == po {
                ""
            } else if name.starts_with(&format!("{po}_")) {
                &name[po.len()..]
            } else {
                continue;
            };
            let to = format!("data.{kind}.{pn}{rest}");
            if new.contains(&to) && !prev.data.contains_key(&to) {
                out.push(Move {
                    from: old.clone(),
                    to,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn kube_changes(
    p: &Planned,
    rendered: &crate::StackOutput,
    flags: &mut Vec<Flag>,
) -> Vec<FileChange> {
    let empty = BTreeMap::new();
    let old = p.previous.as_ref().map_or(&empty, |x| &x.kubernetes);
    let new: BTreeMap<&str, &str> = rendered
        .files
        .iter()
        .filter(|f| f.path.starts_with("kubernetes/"))
        .map(|f| (f.path.as_str(), f.contents.as_str()))
        .collect();
    let paths: BTreeSet<&str> = old
        .keys()
        .map(String::as_str)
        .chain(new.keys().copied())
        .collect();
    let mut out = Vec::new();
    for path in paths {
        let (before, after) = (old.get(path).map(String::as_str), new.get(path).copied());
        let action = match (before, after) {
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Destroy,
            (Some(a), Some(b)) if a != b => Action::Update,
            _ => continue,
        };
        let file = path.rsplit('/').next().unwrap_or(path);
        let kind = file.split_once('-').map_or("", |(k, _)| k).to_owned();
        let lines = match action {
            Action::Update => lines::diff(before.unwrap_or_default(), after.unwrap_or_default()),
            _ => Vec::new(),
        };
        if p.previous.is_some() && SECURITY_OBJECTS.contains(&kind.as_str()) {
            let what = match action {
                Action::Create => "created",
                Action::Destroy => "removed",
                _ => "changed",
            };
            flags.push(flag(FlagKind::Security, path, what));
        }
        if lines
            .iter()
            .any(|l| l.starts_with('-') && l.contains("deletionPolicy"))
        {
            flags.push(flag(
                FlagKind::DeletionProtection,
                path,
                "deletionPolicy changes",
            ));
        }
        out.push(FileChange {
            path: path.to_owned(),
            action,
            kind,
            lines,
        });
    }
    out
}

fn flag(kind: FlagKind, subject: &str, message: &str) -> Flag {
    Flag {
        kind,
        subject: subject.to_owned(),
        message: message.to_owned(),
    }
}

fn show(v: Option<&Json>) -> String {
    v.map_or_else(|| "(none)".to_owned(), Json::to_string)
}

/// The flags one attribute change raises.
fn attribute_flags(
    stack: &str,
    addr: &str,
    stateful: bool,
    from: Option<&str>,
    c: &AttrChange,
) -> Vec<Flag> {
    let leaf = c
        .path
        .rsplit(['.', '('])
        .next()
        .unwrap_or(&c.path)
        .split('[')
        .next()
        .unwrap_or_default();
    let top = c.path.split(['.', '[', '(']).next().unwrap_or_default();
    let (old, new) = (c.old.as_ref(), c.new.as_ref());
    let is = |v: Option<&Json>, b: bool| v == Some(&Json::Bool(b));
    let mut out = Vec::new();
    let change = format!("{}: {} → {}", c.path, show(old), show(new));
    if stateful && REPLACING.contains(&top) && top == c.path {
        let why = if from.is_some() {
            let (kind, name) = addr.split_once('.').unwrap_or((addr, ""));
            format!(
                "forces replacement: the `moved` block keeps the state, but the provider still \
                 destroys and re-creates the resource. The cloud name derives from the construct \
                 path; to keep the resource, pin the old value{}: `stack.override_attribute(\
                 &Address::resource(\"{stack}\", \"{kind}\", \"{name}\"), \"{}\", {})`",
                match (kind, c.path.as_str()) {
                    ("aws_db_instance", "identifier")
                    | ("aws_rds_cluster" | "aws_docdb_cluster", "cluster_identifier") => {
                        format!(" with `.identifier({})` on the Database, or", show(old))
                    }
                    _ => String::new(),
                },
                c.path,
                show(old)
            )
        } else {
            "forces replacement: the provider destroys and re-creates the resource".to_owned()
        };
        out.push(flag(
            FlagKind::StatefulReplacement,
            addr,
            &format!("{change} {why}"),
        ));
    }
    match leaf {
        "deletion_protection" | "enable_deletion_protection" if is(old, true) && !is(new, true) => {
            out.push(flag(FlagKind::DeletionProtection, addr, &change));
        }
        "skip_final_snapshot" if is(new, true) && !is(old, true) => {
            out.push(flag(FlagKind::DeletionProtection, addr, &change));
        }
        "force_destroy" if is(new, true) && !is(old, true) => {
            out.push(flag(FlagKind::ForceDestroy, addr, &change));
        }
        "publicly_accessible"
        | "endpoint_public_access"
        | "map_public_ip_on_launch"
        | "associate_public_ip_address"
            if is(new, true) && !is(old, true) =>
        {
            out.push(flag(FlagKind::PublicAccess, addr, &change));
        }
        "block_public_acls"
        | "block_public_policy"
        | "ignore_public_acls"
        | "restrict_public_buckets"
            if is(old, true) && !is(new, true) =>
        {
            out.push(flag(FlagKind::PublicAccess, addr, &change));
        }
        "internal" if is(old, true) && !is(new, true) => {
            out.push(flag(FlagKind::PublicAccess, addr, &change));
        }
        _ => {}
    }
    let open = |v: Option<&Json>| {
        v.is_some_and(|v| {
            let s = v.to_string();
            s.contains("0.0.0.0/0") || s.contains("::/0")
        })
    };
    if (leaf.contains("cidr") || leaf == "public_access_cidrs") && open(new) && !open(old) {
        out.push(flag(FlagKind::PublicAccess, addr, &change));
    }
    out
}

/// Renames references to a moved resource in a previous body, so that following the rename is
/// not shown as a change: `${from.` → `${to.`, and bare `depends_on` entries.
fn rename_address(v: &Json, m: &Move) -> Json {
    match v {
        Json::String(s) if *s == m.from => Json::String(m.to.clone()),
        Json::String(s) => {
            Json::String(s.replace(&format!("${{{}.", m.from), &format!("${{{}.", m.to)))
        }
        Json::Array(a) => Json::Array(a.iter().map(|x| rename_address(x, m)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), rename_address(x, m)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// JSON text inside a string (policies, container definitions), parsed to compare it by path.
fn embedded(v: Option<&Json>) -> Option<Json> {
    let s = v?.as_str()?;
    let t = s.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    serde_json::from_str(s).ok()
}

/// Collects the differences between two values under `path`.
fn walk(path: String, old: Option<&Json>, new: Option<&Json>, out: &mut Vec<AttrChange>) {
    if old == new {
        return;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (old, new) {
        (Some(Json::Object(a)), Some(Json::Object(b))) => {
            for (k, v) in b {
                walk(join(k), a.get(k), Some(v), out);
            }
            for (k, v) in a {
                if !b.contains_key(k) {
                    walk(join(k), Some(v), None, out);
                }
            }
        }
        (Some(Json::Array(a)), Some(Json::Array(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(format!("{path}[{i}]"), Some(x), Some(y), out);
            }
        }
        _ => match (embedded(old), embedded(new)) {
            (Some(a), Some(b)) => walk(format!("{path}(json)"), Some(&a), Some(&b), out),
            _ => out.push(AttrChange {
                path,
                old: old.cloned(),
                new: new.cloned(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walk_reports_nested_paths_and_embedded_json() {
        let old = json!({"a": 1, "vpc_config": [{"endpoint_public_access": false}],
                         "policy": "{\"Statement\":[{\"Effect\":\"Allow\"}]}", "gone": true});
        let new = json!({"a": 1, "vpc_config": [{"endpoint_public_access": true}],
                         "policy": "{\"Statement\":[{\"Effect\":\"Deny\"}]}", "added": "x"});
        let mut out = Vec::new();
        walk(String::new(), Some(&old), Some(&new), &mut out);
        let paths: Vec<&str> = out.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "vpc_config[0].endpoint_public_access",
                "policy(json).Statement[0].Effect",
                "added",
                "gone"
            ]
        );
        let flags: Vec<FlagKind> = out
            .iter()
            .flat_map(|c| attribute_flags("prod", "aws_eks_cluster.eks", false, None, c))
            .map(|f| f.kind)
            .collect();
        assert_eq!(flags, [FlagKind::PublicAccess]);
    }

    #[test]
    fn security_kinds() {
        assert!(is_security("aws_iam_role.x"));
        assert!(is_security("data.aws_iam_policy_document.x"));
        assert!(is_security("aws_security_group.x"));
        assert!(!is_security("aws_db_instance.x"));
    }
}
