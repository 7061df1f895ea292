//! Safe renames: when a stateful resource of the previous output disappears, find the resource
//! it became and write a Terraform `moved` block (in `terraform/moved.tf.json`), so `terraform plan` moves its state instead
//! of destroying it; otherwise stop the synth (SS0009) unless the removal was acknowledged.
//!
//! The heuristic, in order, for each stateful resource of the previous output whose address is
//! gone (an address is `<type>.<name>`; stateful as the previous `manifest.json` records it, see
//! [`Known`]):
//! 1. acknowledged with `Stack::acknowledge_removal`: destroyed on purpose, nothing to match;
//! 2. candidates: new addresses of the same type that the previous output did not have and no
//!    other move claimed;
//! 3. a candidate matches when its body equals the old body exactly, or equals it once the
//!    candidate keeps the old cloud names ([`Renamed`]: its identity attributes, as its facts
//!    declare them, take their old values, and the construct's cloud name `prod-orders` becomes
//!    the old `prod-db` in every other string) and references in the old body are renamed the
//!    way the construct was (`${aws_kms_key.db_key.arn}` → `${aws_kms_key.orders_key.arn}` when
//!    `aws_db_instance.db` is compared with `aws_db_instance.orders`: the common `_suffix` of
//!    the two names is the part, the rest is the construct's name);
//! 4. exactly one candidate must match; none or several is SS0009;
//! 5. the rest of the renamed construct follows: every gone address `<type>.<old>` or
//!    `<type>.<old>_<part>` whose `<type>.<new>[_<part>]` is new gets a `moved` block too, so
//!    its key, subnet group and alarms keep their state;
//! 6. the renamed construct keeps its cloud names ([`keep_names`]): every resource and data source
//!    of the construct is written with the old names (identifiers, names, name prefixes, tags,
//!    descriptions, names inside policies), so Terraform replaces nothing. The names kept are
//!    recorded in `manifest.json` (`renamed`) and kept again by every later synth while the
//!    construct keeps its new path.
//!
//! `moved` blocks of the previous output are carried over while their target is still
//! synthesized (Terraform recommends keeping them until every state has been applied).

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use stacksmith_core::hash::HashSet;
use stacksmith_core::terraform::{Map, Resource, Value};
use stacksmith_core::{Diagnostic, Diagnostics, Graph, Part, Path, Template, cloud_name};

/// The version of `manifest.json`'s schema: 2 added `resources` (the facts of every resource)
/// and `renamed`; a manifest without `schema` is version 1.
pub(crate) const MANIFEST_SCHEMA: u32 = 2;

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
    /// Managed resources: address → body (`null` in an [outline](Self::outline)).
    pub resources: BTreeMap<String, Json>,
    /// Data sources: `data.<type>.<name>` → body (`null` in an outline).
    pub data: BTreeMap<String, Json>,
    /// Whether only the addresses were read, not the bodies ([`PreviousTerraform::outline`]):
    /// enough to plan while every previous resource is still synthesized, since bodies are
    /// compared only for a resource that is gone ([`PreviousTerraform::loses_any`]).
    pub outline: bool,
    /// Its `moved` blocks.
    pub moved: Vec<Move>,
    /// The facts of its resources and data sources as `manifest.json` recorded them, by address;
    /// `None` when the manifest predates them (schema 1).
    pub facts: Option<BTreeMap<String, ResourceFacts>>,
    /// The renamed constructs that keep their old cloud names.
    pub renamed: Vec<Renamed>,
}

/// What `manifest.json` records about one resource or data source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceFacts {
    /// `aws_db_instance.orders` (`data.` for data sources).
    pub address: String,
    /// The construct that created it: `prod/orders`.
    pub path: String,
    /// Whether it holds data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stateful: bool,
    /// Whether a change to it is security-relevant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security: bool,
    /// The attributes carrying its cloud identity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity: Vec<String>,
}

impl ResourceFacts {
    /// The facts of a lowered resource (`data` for a data source).
    pub(crate) fn of(r: &Resource) -> Self {
        Self {
            address: r.address.expression(),
            path: r.owner.to_string(),
            stateful: r.facts.stateful,
            security: r.facts.security,
            identity: r.facts.identity.iter().map(|a| (*a).to_owned()).collect(),
        }
    }
}

/// A construct recognised as renamed, and the cloud names it keeps so that Terraform replaces
/// nothing: names derived from its new path, mapped to the names its resources already have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renamed {
    /// Its path now: `prod/orders`.
    pub path: String,
    /// Its path when it was renamed: `prod/db`.
    pub from: String,
    /// Name derived from the new path → name kept (`prod-orders` → `prod-db`, and each
    /// identity attribute's value).
    pub names: BTreeMap<String, String>,
    /// The `moved` blocks this synth wrote for it (0 when kept from an earlier rename).
    #[serde(skip)]
    pub moves: usize,
}

/// The previous output's facts, with a fallback for a manifest that predates them: the facts
/// the new graph declares for the same address, else for any resource of the same type.
pub(crate) struct Known<'a> {
    recorded: Option<&'a BTreeMap<String, ResourceFacts>>,
    by_address: BTreeMap<String, &'a Resource>,
    by_kind: BTreeMap<&'a str, (bool, bool)>,
}

impl<'a> Known<'a> {
    pub(crate) fn new(g: &'a Graph, prev: &'a PreviousTerraform) -> Self {
        let mut by_kind: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
        let mut by_address = BTreeMap::new();
        // The fallbacks, built only for a manifest without facts.
        if prev.facts.is_none() {
            for r in g.resources.iter().chain(&g.data) {
                let e = by_kind.entry(r.address.kind()).or_default();
                e.0 |= r.facts.stateful;
                e.1 |= r.facts.security;
                by_address.insert(r.address.expression(), r);
            }
        }
        Self {
            recorded: prev.facts.as_ref(),
            by_address,
            by_kind,
        }
    }

    /// Whether the previous manifest recorded facts.
    pub(crate) fn recorded(&self) -> bool {
        self.recorded.is_some()
    }

    fn get(&self, address: &str) -> Option<(bool, bool)> {
        if let Some(rec) = self.recorded {
            return rec.get(address).map(|f| (f.stateful, f.security));
        }
        if let Some(r) = self.by_address.get(address) {
            return Some((r.facts.stateful, r.facts.security));
        }
        let kind = kind(address.strip_prefix("data.").unwrap_or(address));
        self.by_kind.get(kind).copied()
    }

    /// Whether the previous output's resource at `address` holds data.
    pub(crate) fn stateful(&self, address: &str) -> bool {
        !address.starts_with("data.") && self.get(address).is_some_and(|f| f.0)
    }

    /// Whether a change to the previous output's resource at `address` is security-relevant.
    pub(crate) fn security(&self, address: &str) -> bool {
        self.get(address).is_some_and(|f| f.1)
    }

    /// The construct path that created it, when recorded.
    fn path(&self, address: &str) -> Option<&str> {
        Some(self.recorded?.get(address)?.path.as_str())
    }
}

impl PreviousTerraform {
    /// Reads the parsed document (absent blocks are empty), moving its bodies out of it rather
    /// than copying them: a large root is held once, not twice.
    pub(crate) fn from_json(mut doc: Json) -> Self {
        let mut blocks = |key: &str, prefix: &str| {
            let mut out = BTreeMap::new();
            if let Some(Json::Object(types)) = doc.get_mut(key).map(Json::take) {
                for (kind, names) in types {
                    let Json::Object(names) = names else {
                        continue;
                    };
                    for (name, body) in names {
                        out.insert(format!("{prefix}{kind}.{name}"), body);
                    }
                }
            }
            out
        };
        let resources = blocks("resource", "");
        let data = blocks("data", "data.");
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
            resources,
            data,
            moved,
            outline: false,
            facts: None,
            renamed: Vec::new(),
        }
    }

    /// The addresses and `moved` blocks of a root's text, without its bodies (each `null`): a
    /// scan that builds no tree, where a re-synthesis of 10,000 units would otherwise parse
    /// 150 MB into a gigabyte of JSON values only to compare none of them. `None` when the text is not
    /// shaped as stacksmith writes it (`resource` and `data` objects of objects, `moved` a list
    /// of `from`/`to` pairs): the caller reads it whole instead.
    pub(crate) fn outline(text: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Root {
            #[serde(default)]
            resource: BTreeMap<String, BTreeMap<String, IgnoredAny>>,
            #[serde(default)]
            data: BTreeMap<String, BTreeMap<String, IgnoredAny>>,
            #[serde(default)]
            moved: Vec<Moved>,
        }
        #[derive(Deserialize)]
        struct Moved {
            from: String,
            to: String,
        }
        let root: Root = serde_json::from_str(text).ok()?;
        let addresses = |blocks: BTreeMap<String, BTreeMap<String, IgnoredAny>>, prefix: &str| {
            blocks
                .into_iter()
                .flat_map(|(kind, names)| {
                    names
                        .into_keys()
                        .map(move |name| (format!("{prefix}{kind}.{name}"), Json::Null))
                })
                .collect()
        };
        Some(Self {
            resources: addresses(root.resource, ""),
            data: addresses(root.data, "data."),
            moved: root
                .moved
                .into_iter()
                .map(|m| Move {
                    from: m.from,
                    to: m.to,
                })
                .collect(),
            outline: true,
            facts: None,
            renamed: Vec::new(),
        })
    }

    /// Whether a managed resource of the previous output is no longer in `g`: the only case
    /// in which planning looks at a previous body (the candidates of a rename, SS0009, the
    /// names a renamed construct keeps).
    pub(crate) fn loses_any(&self, g: &Graph) -> bool {
        let new: HashSet<String> = g.resources.iter().map(|r| r.address.expression()).collect();
        self.resources.keys().any(|a| !new.contains(a))
    }

    /// Takes the facts and renames a previous `manifest.json` records (schema 2); an older
    /// manifest leaves them unknown.
    pub(crate) fn read_manifest(&mut self, m: RecordedManifest) {
        if m.schema < 2 {
            return;
        }
        self.facts = Some(
            m.resources
                .into_iter()
                .map(|f| (f.address.clone(), f))
                .collect(),
        );
        self.renamed = m.renamed;
    }
}

/// What a later synth reads back from a `manifest.json`: its schema, the facts of its
/// resources, its renames and the paths of its files (the rest is skipped unparsed).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecordedManifest {
    /// 1 when absent (a manifest before `schema`).
    #[serde(default = "schema_one")]
    pub schema: u64,
    #[serde(default)]
    pub resources: Vec<ResourceFacts>,
    #[serde(default)]
    pub renamed: Vec<Renamed>,
    /// `files[].path`.
    #[serde(default)]
    pub files: Vec<RecordedFile>,
}

/// One entry of a manifest's `files`, as read back.
#[derive(Debug, Deserialize)]
pub(crate) struct RecordedFile {
    pub path: String,
}

fn schema_one() -> u64 {
    1
}

impl RecordedManifest {
    /// Reads `text`: in one typed pass, or, when a part is not shaped as stacksmith writes it
    /// (an edited manifest), part by part, each malformed part left empty.
    pub(crate) fn parse(text: &str) -> Result<Self, serde_json::Error> {
        if let Ok(m) = serde_json::from_str(text) {
            return Ok(m);
        }
        let mut doc: Json = serde_json::from_str(text)?;
        let schema = doc.get("schema").and_then(Json::as_u64).unwrap_or(1);
        let mut part = |key: &str| doc.get_mut(key).map(Json::take).unwrap_or(Json::Null);
        Ok(Self {
            schema,
            resources: Vec::deserialize(part("resources")).unwrap_or_default(),
            renamed: Vec::deserialize(part("renamed")).unwrap_or_default(),
            files: part("files")
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| {
                    Some(RecordedFile {
                        path: f.get("path")?.as_str()?.to_owned(),
                    })
                })
                .collect(),
        })
    }
}

/// The new graph's managed resources as JSON bodies (exactly as written) with their facts,
/// by address.
pub(crate) fn new_bodies(g: &Graph) -> BTreeMap<String, (Json, &Resource)> {
    g.resources
        .iter()
        .map(|r| (r.address.expression(), (body(r), r)))
        .collect()
}

/// A resource's body as JSON, exactly as written.
fn body(r: &Resource) -> Json {
    serde_json::to_value(r).unwrap_or(Json::Null)
}

fn kind(address: &str) -> &str {
    address.split_once('.').map_or(address, |(k, _)| k)
}

pub(crate) fn local(address: &str) -> &str {
    address.split_once('.').map_or("", |(_, n)| n)
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

/// Replaces every name of `names` (longest first) where it stands alone: not preceded or
/// followed by a letter or digit (`prod-orders` in `prod-orders-sg`, not in `prod-ordersx`).
fn substitute(s: &str, names: &[(&str, &str)]) -> String {
    let bytes = s.as_bytes();
    let bounded = |i: usize| i >= bytes.len() || !bytes[i].is_ascii_alphanumeric();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    'outer: while i < s.len() {
        if i == 0 || !bytes[i - 1].is_ascii_alphanumeric() {
            for (from, to) in names {
                if !from.is_empty() && s[i..].starts_with(from) && bounded(i + from.len()) {
                    out.push_str(to);
                    i += from.len();
                    continue 'outer;
                }
            }
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `names` as substitution pairs, longest first.
fn ordered(names: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    let mut v: Vec<(&str, &str)> = names
        .iter()
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    v.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    v
}

/// `v` with the names replaced in every literal string.
fn keep_in_value(v: &Value, names: &[(&str, &str)]) -> Value {
    match v {
        Value::String(s) => Value::String(substitute(s, names)),
        Value::Template(t) => {
            Value::Template(t.parts().iter().fold(Template::new(), |t, p| match p {
                Part::Literal(s) => t.lit(substitute(s, names)),
                Part::Ref(r) => t.with(r),
            }))
        }
        Value::List(l) => Value::List(l.iter().map(|x| keep_in_value(x, names)).collect()),
        Value::Map(m) => Value::Map(keep_in_map(m, names)),
        other => other.clone(),
    }
}

fn keep_in_map(m: &Map, names: &[(&str, &str)]) -> Map {
    m.iter()
        .map(|(k, v)| (k.clone(), keep_in_value(v, names)))
        .collect()
}

/// The same for a JSON body.
fn keep_in_json(v: &Json, names: &[(&str, &str)]) -> Json {
    match v {
        Json::String(s) => Json::String(substitute(s, names)),
        Json::Array(a) => Json::Array(a.iter().map(|x| keep_in_json(x, names)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), keep_in_json(x, names)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The path a resource's construct had in the previous output: as recorded, else the new path
/// with the old construct name (`prod/db` for `aws_db_instance.db`).
fn old_path(known: &Known<'_>, stack: &str, from: &str, old_prefix: &str) -> String {
    known
        .path(from)
        .map_or_else(|| format!("{stack}/{old_prefix}"), str::to_owned)
}

fn path_of(text: &str) -> Path {
    let mut segments = text.split('/');
    let mut p = Path::root(segments.next().unwrap_or_default());
    for s in segments {
        p = p.child(s);
    }
    p
}

/// The names a resource moved from `from` keeps: the construct's cloud name (the old one,
/// itself possibly kept from an earlier rename) and each identity attribute's old value.
fn names_kept(
    known: &Known<'_>,
    prev: &PreviousTerraform,
    from: &str,
    old: &Json,
    to: &Resource,
) -> (String, BTreeMap<String, String>) {
    let to_addr = to.address.expression();
    let (po, pn) = prefixes(local(from), local(&to_addr));
    let old_path = old_path(known, to.address.stack(), from, po);
    let mut old_name = cloud_name(&path_of(&old_path), "");
    if let Some(r) = prev.renamed.iter().find(|r| r.path == old_path) {
        old_name = substitute(&old_name, &ordered(&r.names));
    }
    let mut names = BTreeMap::new();
    names.insert(cloud_name(&to.owner, ""), old_name);
    let old = rename_refs(old, po, pn);
    for attr in to.facts.identity {
        if let (Some(Value::String(new)), Some(Json::String(old))) =
            (to.body.get(*attr), old.get(*attr))
        {
            names.insert(new.clone(), old.clone());
        }
    }
    names.retain(|a, b| a != b);
    (old_path, names)
}

/// Whether `new` is `old` renamed (step 3 of the module's heuristic).
fn same_resource(
    known: &Known<'_>,
    prev: &PreviousTerraform,
    old_addr: &str,
    old: &Json,
    new: &Resource,
    new_body: &Json,
) -> bool {
    if old == new_body {
        return true;
    }
    let new_addr = new.address.expression();
    let (po, pn) = prefixes(local(old_addr), local(&new_addr));
    let (_, names) = names_kept(known, prev, old_addr, old, new);
    rename_refs(old, po, pn) == keep_in_json(new_body, &ordered(&names))
}

/// Step 6: every renamed construct keeps its cloud names. Renames recognised now (`moves`
/// whose source is in the previous output) and those recorded in the previous manifest whose
/// construct still has that path; each rewrites the strings of its construct's resources and
/// data sources (and those of constructs below it). Returns what is kept, for the manifest
/// and the synth summary.
pub(crate) fn keep_names(g: &mut Graph, prev: &PreviousTerraform, moves: &[Move]) -> Vec<Renamed> {
    if moves.is_empty() && prev.renamed.is_empty() {
        // Nothing moved, now or before: the common re-synthesis builds no index.
        return Vec::new();
    }
    let mut renamed: BTreeMap<String, Renamed> = BTreeMap::new();
    {
        let known = Known::new(g, prev);
        let resources: BTreeMap<String, &Resource> = g
            .resources
            .iter()
            .map(|r| (r.address.expression(), r))
            .collect();
        // Outer constructs first, so that a resource of a construct below a renamed one (a
        // rule of its security group) is kept under it.
        let mut fresh: Vec<(&Move, &Json, &Resource)> = moves
            .iter()
            .filter_map(|m| Some((m, prev.resources.get(&m.from)?, *resources.get(&m.to)?)))
            .collect();
        fresh.sort_by_key(|(m, _, to)| (to.owner.segments().len(), m.to.clone()));
        for (m, old, to) in fresh {
            let (from, mut names) = names_kept(&known, prev, &m.from, old, to);
            let outer = renamed
                .keys()
                .find(|p| to.owner.starts_with(&path_of(p)))
                .cloned();
            let key = outer.unwrap_or_else(|| to.owner.to_string());
            if key != to.owner.to_string() {
                names.remove(&cloud_name(&to.owner, ""));
            }
            let e = renamed.entry(key.clone()).or_insert_with(|| Renamed {
                path: key,
                from,
                names: BTreeMap::new(),
                moves: 0,
            });
            e.moves += 1;
            for (a, b) in names {
                e.names.entry(a).or_insert(b);
            }
        }
        let paths: BTreeSet<String> = g.resources.iter().map(|r| r.owner.to_string()).collect();
        for r in &prev.renamed {
            if paths.contains(&r.path) && !renamed.contains_key(&r.path) {
                renamed.insert(r.path.clone(), r.clone());
            }
        }
    }
    // Names the construct's own name already keeps (`prod-orders-sg` with `prod-orders`)
    // need no entry of their own.
    for r in renamed.values_mut() {
        let base = cloud_name(&path_of(&r.path), "");
        if let Some(kept) = r.names.get(&base).cloned() {
            let pair = [(base.as_str(), kept.as_str())];
            r.names
                .retain(|a, b| *a == base || substitute(a, &pair) != *b);
        }
    }
    renamed.retain(|_, r| !r.names.is_empty() || r.moves > 0);
    for r in renamed.values().filter(|r| !r.names.is_empty()) {
        let names = ordered(&r.names);
        let path = path_of(&r.path);
        for res in g.resources.iter_mut().chain(g.data.iter_mut()) {
            if res.owner.starts_with(&path) {
                res.body = keep_in_map(&res.body, &names);
            }
        }
    }
    renamed.into_values().collect()
}

/// The moves for one stack, and SS0009/SS0010 for what cannot be moved.
pub(crate) fn plan(g: &Graph, prev: &PreviousTerraform) -> (Vec<Move>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let root = Path::root(&g.stack);
    // By address; a body is made only for a resource compared with a removed one (usually
    // none: most synths rename nothing).
    let new: BTreeMap<String, (OnceCell<Json>, &Resource)> = g
        .resources
        .iter()
        .map(|r| (r.address.expression(), (OnceCell::new(), r)))
        .collect();
    let known = Known::new(g, prev);
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
            || !known.stateful(old_addr)
            || acknowledged.contains(old_addr)
        {
            continue;
        }
        let matches: Vec<&str> = added
            .iter()
            .copied()
            .filter(|a| kind(a) == kind(old_addr))
            .filter(|a| {
                new.get(*a).is_some_and(|(b, r)| {
                    let b = b.get_or_init(|| body(r));
                    same_resource(&known, prev, old_addr, old_body, r, b)
                })
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
    fn an_outline_reads_addresses_and_moved_blocks_without_bodies() {
        let text = r#"{
            "terraform": {"required_version": ">= 1.10"},
            "resource": {"aws_db_instance": {"orders": {"engine": "postgres"}},
                         "aws_kms_key": {"orders_key": {}, "cache_key": {"x": [1, {"y": 2}]}}},
            "data": {"aws_region": {"current": {}}},
            "moved": [{"from": "aws_kms_key.db_key", "to": "aws_kms_key.orders_key"}]
        }"#;
        let Some(tf) = PreviousTerraform::outline(text) else {
            panic!("stacksmith's own shape is outlined");
        };
        assert!(tf.outline);
        assert_eq!(
            tf.resources.keys().collect::<Vec<_>>(),
            [
                "aws_db_instance.orders",
                "aws_kms_key.cache_key",
                "aws_kms_key.orders_key"
            ]
        );
        assert!(tf.resources.values().all(Json::is_null));
        assert_eq!(
            tf.data.keys().collect::<Vec<_>>(),
            ["data.aws_region.current"]
        );
        assert_eq!(
            tf.moved,
            [Move {
                from: "aws_kms_key.db_key".into(),
                to: "aws_kms_key.orders_key".into()
            }]
        );
        // The same addresses as the whole read.
        let Ok(doc) = serde_json::from_str::<Json>(text) else {
            panic!("valid JSON");
        };
        let whole = PreviousTerraform::from_json(doc);
        assert!(!whole.outline);
        assert!(whole.resources.keys().eq(tf.resources.keys()));
        assert!(whole.data.keys().eq(tf.data.keys()));
        assert_eq!(whole.moved, tf.moved);
    }

    #[test]
    fn a_root_of_another_shape_is_not_outlined() {
        // A `moved` block without `to`, a list where stacksmith writes an object: read whole.
        assert!(PreviousTerraform::outline(r#"{"moved": [{"from": "a.b"}]}"#).is_none());
        assert!(PreviousTerraform::outline(r#"{"resource": [{"aws_s3_bucket": {}}]}"#).is_none());
        assert!(PreviousTerraform::outline("not json").is_none());
    }

    #[test]
    fn a_manifest_with_a_malformed_part_keeps_the_others() {
        let text = r#"{"schema": 2, "resources": [{"address": "aws_s3_bucket.logs"}],
                      "files": [{"path": "terraform/main.tf.json", "sha256": "00"}]}"#;
        let Ok(m) = RecordedManifest::parse(text) else {
            panic!("valid JSON is read");
        };
        assert_eq!(m.schema, 2);
        assert!(
            m.resources.is_empty(),
            "a fact without `path` leaves the facts empty"
        );
        assert_eq!(m.files.len(), 1);
        let Ok(old) = RecordedManifest::parse(r#"{"files": []}"#) else {
            panic!("valid JSON is read");
        };
        assert_eq!(old.schema, 1);
        assert!(RecordedManifest::parse("{").is_err());
    }

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
    fn names_are_replaced_where_they_stand_alone() {
        let names = [("prod-orders", "prod-db"), ("prod-orders-sg", "prod-db-sg")];
        let mut names = names.to_vec();
        names.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        assert_eq!(
            substitute("/aws/rds/instance/prod-orders/postgresql", &names),
            "/aws/rds/instance/prod-db/postgresql"
        );
        assert_eq!(substitute("prod-orders-sg", &names), "prod-db-sg");
        assert_eq!(
            substitute("prod-ordersx xprod-orders", &names),
            "prod-ordersx xprod-orders"
        );
        assert_eq!(
            substitute("Settings of prod-orders", &names),
            "Settings of prod-db"
        );
    }
}
