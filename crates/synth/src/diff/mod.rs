//! `diff`: what a synth would change in `<out>/<stack>/`, for review. Terraform is compared
//! attribute by attribute (the bodies as written, nested paths like
//! `vpc_config.endpoint_public_access` and `ingress[0].cidr_blocks`, JSON-in-string attributes
//! such as policies and container definitions opened up), taking the renames synth would write
//! as `moved` blocks into account; the `cluster/` root the same way (its data sources renamed
//! with a renamed construct); Kubernetes file by file with a line diff of the YAML.
//!
//! Flags a reviewer must see come first: destroying or replacing a stateful resource, a
//! Kubernetes field the API server will not update (a workload's selector, a StatefulSet's
//! volume claim templates), security-relevant resources (as their constructs declare them:
//! security groups, IAM, KMS keys, bucket policies, listeners) and network policies / RBAC
//! changing, deletion protection or final snapshots turned off, `force_destroy`, and public
//! access opened. What a resource of the previous output was (stateful, security-relevant)
//! comes from the facts its `manifest.json` recorded.

mod against;
mod lines;
mod report;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value as Json;
use stacksmith_core::{App, Diagnostics, Facts};

use crate::SynthError;
use crate::moves::{self, Known, PreviousTerraform};
pub use crate::moves::{Move, Renamed, ResourceFacts};
use crate::pipeline::{Planned, plan_app};
use crate::previous::Reading;
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
    /// A Kubernetes field that cannot be updated changes (a workload's selector, a
    /// StatefulSet's volume claim templates, a Service's cluster IP): the API server rejects
    /// the apply.
    ImmutableField,
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
            FlagKind::ImmutableField => "IMMUTABLE FIELD",
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
    /// Changes to the `cluster/` root's resources and data sources (addresses as written
    /// there), by address.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cluster: Vec<ResourceChange>,
    /// What the reader should know about how the diff was made.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl StackDiff {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.terraform.is_empty() && self.kubernetes.is_empty() && self.cluster.is_empty()
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
    let (planned, diagnostics) = plan_app(app, Some(out), Reading::Everything)?;
    let mut stacks = Vec::new();
    for p in &planned {
        let rendered = crate::render::render_moved(&p.graph, &p.moves, &p.renamed)?;
        stacks.push(stack_diff(p, &rendered));
    }
    Ok(AppDiff {
        stacks,
        diagnostics,
    })
}

/// Kubernetes kinds (lowercase, as in file names) whose changes are security-relevant.
const SECURITY_OBJECTS: &[&str] = &[
    "networkpolicy",
    "role",
    "clusterrole",
    "rolebinding",
    "clusterrolebinding",
    "serviceaccount",
];

fn stack_diff(p: &Planned, rendered: &crate::StackOutput) -> StackDiff {
    let empty = PreviousTerraform::default();
    let prev_tf = p
        .previous
        .as_ref()
        .and_then(|x| x.terraform.as_ref())
        .unwrap_or(&empty);
    let known = Known::new(&p.graph, prev_tf);
    let acknowledged: BTreeSet<String> = p
        .graph
        .acknowledged_removals
        .iter()
        .map(stacksmith_core::Address::expression)
        .collect();
    // Moves carried over from an earlier synth point at addresses the previous output
    // already has: nothing moves for this diff.
    let mut renames = with_data_renames(p, prev_tf);
    renames
        .retain(|m| prev_tf.resources.contains_key(&m.from) || prev_tf.data.contains_key(&m.from));
    let moved_to: BTreeMap<&str, &str> = renames
        .iter()
        .map(|m| (m.to.as_str(), m.from.as_str()))
        .collect();
    let moved_from: BTreeSet<&str> = renames.iter().map(|m| m.from.as_str()).collect();
    let rename = |v: &Json| renames.iter().fold(v.clone(), |v, m| rename_address(&v, m));

    // The new side: managed resources and data sources as written.
    let mut new = moves::new_bodies(&p.graph);
    for d in &p.graph.data {
        let body = serde_json::to_value(d).unwrap_or(Json::Null);
        new.insert(d.address.expression(), (body, d));
    }
    let mut old: BTreeMap<&str, &Json> = BTreeMap::new();
    for (a, b) in prev_tf.resources.iter().chain(&prev_tf.data) {
        old.insert(a, b);
    }

    let mut flags = Vec::new();
    let mut terraform = Vec::new();
    for (addr, (body, r)) in &new {
        let facts = &r.facts;
        let from = moved_to.get(addr.as_str()).copied();
        let before = from.or(Some(addr.as_str())).and_then(|a| old.get(a));
        let Some(before) = before else {
            if facts.security && p.previous.is_some() {
                flags.push(flag(FlagKind::Security, addr, "created"));
            }
            terraform.push(ResourceChange {
                address: addr.clone(),
                action: Action::Create,
                moved_from: None,
                stateful: facts.stateful,
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
            flags.extend(attribute_flags(&p.graph.stack, addr, facts, from, c));
        }
        if facts.security && !changes.is_empty() {
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
            stateful: facts.stateful,
            changes,
        });
    }
    for addr in old.keys() {
        if new.contains_key(*addr) || moved_from.contains(addr) {
            continue;
        }
        let stateful = known.stateful(addr);
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
        if known.security(addr) {
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
    let cluster = cluster_changes(p, rendered);
    flags.sort();
    flags.dedup();
    let mut notes = Vec::new();
    if p.previous.as_ref().is_some_and(|x| x.terraform.is_some()) && !known.recorded() {
        notes.push(
            "the previous manifest.json records no resource facts (written before schema 2): \
             removed resources are taken to be what this app's resources of the same type are"
                .to_owned(),
        );
    }
    StackDiff {
        notes,
        stack: p.graph.stack.clone(),
        previous: p.previous.is_some(),
        flags,
        moves: p.moves.clone(),
        terraform,
        kubernetes,
        cluster,
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
    let old: BTreeMap<&str, &str> = old
        .iter()
        .filter(|(k, _)| k.starts_with("kubernetes/"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let new: BTreeMap<&str, &str> = rendered
        .files
        .iter()
        .filter(|f| f.path.starts_with("kubernetes/"))
        .filter_map(|f| Some((f.path.as_str(), f.as_text()?)))
        .collect();
    let paths: BTreeSet<&str> = old.keys().copied().chain(new.keys().copied()).collect();
    let mut out = Vec::new();
    for path in paths {
        let (before, after) = (old.get(path).copied(), new.get(path).copied());
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
        if let (Some(a), Some(b)) = (before, after) {
            for field in immutable_fields(&kind) {
                if yaml_field(a, field) != yaml_field(b, field) {
                    flags.push(flag(
                        FlagKind::ImmutableField,
                        path,
                        &format!(
                            "{} changes: Kubernetes rejects the update; delete the object and apply \
                             again (its pods are re-created)",
                            field.join(".")
                        ),
                    ));
                }
            }
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

/// The previous and new `cluster/` root.
use crate::render::CLUSTER_ROOT;

/// The `cluster/` root's resources and data sources compared attribute by attribute.
fn cluster_changes(p: &Planned, rendered: &crate::StackOutput) -> Vec<ResourceChange> {
    let parse = |text: Option<&str>| {
        let doc: Json = text
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Json::Null);
        let tf = PreviousTerraform::from_json(doc);
        tf.resources
            .into_iter()
            .chain(tf.data)
            .collect::<BTreeMap<_, _>>()
    };
    let old = parse(
        p.previous
            .as_ref()
            .and_then(|x| x.kubernetes.get(CLUSTER_ROOT))
            .map(String::as_str),
    );
    let new = parse(
        rendered
            .files
            .iter()
            .find(|f| f.path == CLUSTER_ROOT)
            .and_then(crate::File::as_text),
    );
    // The data sources that find a renamed construct are renamed with it.
    let mut renames: Vec<Move> = Vec::new();
    for m in &p.moves {
        let (po, pn) = moves::prefixes(moves::local(&m.from), moves::local(&m.to));
        for a in old.keys().filter(|a| !new.contains_key(*a)) {
            let Some((kind, name)) = a.strip_prefix("data.").and_then(|a| a.split_once('.')) else {
                continue;
            };
            let rest = match name.strip_prefix(po) {
                Some(r) if r.is_empty() || r.starts_with('_') => r,
                _ => continue,
            };
            let to = format!("data.{kind}.{pn}{rest}");
            if new.contains_key(&to) && !old.contains_key(&to) {
                renames.push(Move {
                    from: a.clone(),
                    to,
                });
            }
        }
    }
    renames.sort();
    renames.dedup();
    let rename = |v: &Json| renames.iter().fold(v.clone(), |v, m| rename_address(&v, m));
    let addresses: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for a in addresses {
        let from = renames.iter().find(|m| m.to == *a).map(|m| m.from.clone());
        if from.is_none() && renames.iter().any(|m| m.from == *a) {
            continue;
        }
        let before = old.get(from.as_ref().unwrap_or(a)).map(&rename);
        let (before, after) = (before.as_ref(), new.get(a));
        let mut changes = Vec::new();
        walk(String::new(), before, after, &mut changes);
        let action = match (before, after) {
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Destroy,
            _ if from.is_some() => Action::Move,
            (Some(_), Some(_)) if !changes.is_empty() => Action::Update,
            _ => continue,
        };
        if matches!(action, Action::Create | Action::Destroy) {
            changes.clear();
        }
        out.push(ResourceChange {
            address: format!("cluster/{a}"),
            action,
            moved_from: from.map(|f| format!("cluster/{f}")),
            stateful: false,
            changes,
        });
    }
    out
}

/// The fields of a Kubernetes kind (as in file names) the API server does not let an update
/// change.
fn immutable_fields(kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "deployment" | "daemonset" | "replicaset" => &[&["spec", "selector"]],
        "statefulset" => &[
            &["spec", "selector"],
            &["spec", "volumeClaimTemplates"],
            &["spec", "serviceName"],
        ],
        "service" => &[&["spec", "clusterIP"]],
        "job" => &[&["spec", "selector"], &["spec", "template"]],
        _ => &[],
    }
}

/// The lines of the field at `path` in YAML as synth writes it (block style, two-space
/// indentation, sequence items at their key's indentation); `None` when absent.
fn yaml_field(text: &str, path: &[&str]) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let (mut from, mut to, mut indent) = (0, lines.len(), 0);
    for (depth, key) in path.iter().enumerate() {
        let head = format!("{key}:");
        let at = (from..to).find(|&i| {
            let l = lines[i];
            let t = l.trim_start();
            indent_of(l) == indent && (t == head || t.starts_with(&format!("{head} ")))
        })?;
        let mut end = at + 1;
        while end < to {
            let l = lines[end];
            let inside = l.trim().is_empty()
                || indent_of(l) > indent
                || (indent_of(l) == indent && l.trim_start().starts_with("- "));
            if !inside {
                break;
            }
            end += 1;
        }
        let last = depth + 1 == path.len();
        (from, to, indent) = (if last { at } else { at + 1 }, end, indent + 2);
    }
    Some(lines[from..to].join("\n"))
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
    facts: &Facts,
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
    let replacing = facts.identity.contains(&top) || facts.replaced_on.contains(&top);
    if facts.stateful && replacing && top == c.path {
        let why = if from.is_some() {
            let (kind, name) = addr.split_once('.').unwrap_or((addr, ""));
            format!(
                "forces replacement: the `moved` block keeps the state, but the provider still \
                 destroys and re-creates the resource; to keep the resource, pin the old value: \
                 `stack.override_attribute(&Address::resource(\"{stack}\", \"{kind}\", \
                 \"{name}\"), \"{}\", {})`",
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
            // Write-only arguments (`password_wo`, `data_wo`, ...) are never compared by
            // Terraform, which writes them again only when their `*_wo_version` changes: a
            // change in their text (a renamed ephemeral resource) changes nothing.
            let write_only = |k: &str| k.ends_with("_wo");
            for (k, v) in b.iter().filter(|(k, _)| !write_only(k)) {
                walk(join(k), a.get(k), Some(v), out);
            }
            for (k, v) in a.iter().filter(|(k, _)| !write_only(k)) {
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
            .flat_map(|c| attribute_flags("prod", "aws_eks_cluster.eks", &Facts::new(), None, c))
            .map(|f| f.kind)
            .collect();
        assert_eq!(flags, [FlagKind::PublicAccess]);
    }

    #[test]
    fn yaml_fields_are_found_by_path() {
        let yaml = "kind: StatefulSet\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      a: b\n  volumeClaimTemplates:\n  - metadata:\n      name: data\n  template:\n    spec: {}\n";
        assert_eq!(
            yaml_field(yaml, &["spec", "selector"]).as_deref(),
            Some("  selector:\n    matchLabels:\n      a: b")
        );
        assert_eq!(
            yaml_field(yaml, &["spec", "volumeClaimTemplates"]).as_deref(),
            Some("  volumeClaimTemplates:\n  - metadata:\n      name: data")
        );
        assert_eq!(yaml_field(yaml, &["spec", "clusterIP"]), None);
        assert_eq!(
            yaml_field(yaml, &["spec", "replicas"]).as_deref(),
            Some("  replicas: 2")
        );
    }
}
