//! `diff --against OTHER_STACK_DIR`: two synthesized stacks of one app compared (staging with
//! prod), both read from their folders. Terraform resources and data sources are paired by
//! address and compared attribute by attribute, Kubernetes files by path and line by line.
//!
//! A difference is *name only* when both values are equal once each stack's name and region are
//! masked where they stand as a word (`staging-db` / `prod-db`, `/stacksmith/prod-network/…`,
//! `arn:…:us-east-1:…`, zone `us-east-1a`; not `production`); those are folded into one line per
//! construct. Everything else is a real difference (sizes, counts, protections, NAT gateways,
//! network ranges) and comes first.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value as Json;
use stacksmith_core::{App, Graph};

use super::{AttrChange, lines, show, walk};
use crate::SynthError;
use crate::previous::{Previous, Reading, read};

/// Which folders hold a compared resource or file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Both, with different values.
    Both,
    /// Only the compared stack (`+`).
    OnlyHere,
    /// Only the other stack (`-`).
    OnlyOther,
}

/// A real difference: one resource, data source or Kubernetes file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// `aws_db_instance.db`, `data.aws_ami.node`, or `kubernetes/web/deployment-api.yaml`
    /// (the compared stack's name, or the other's when only it has one).
    pub subject: String,
    /// The construct that creates it, below the stack (`orders/db`); empty when unknown.
    pub construct: String,
    /// Where it exists.
    pub side: Side,
    /// Attribute differences that are not name only: `old` is the other stack's value, `new`
    /// this stack's.
    pub changes: Vec<AttrChange>,
    /// For a Kubernetes file in both: the line diff from the other stack's file to this one's,
    /// stack names masked.
    pub lines: Vec<String>,
}

/// The differences of one construct that come only from the stack name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameOnly {
    /// The construct, below the stack (`orders/db`); the subject itself when unknown.
    pub construct: String,
    /// Its resources, data sources and files that differ by name only.
    pub subjects: Vec<String>,
    /// The attribute paths that differ (`identifier`, `tags.Name`, `statement[].values[]`),
    /// list indices left out; `(file)` for a file.
    pub attributes: Vec<String>,
}

/// One stack compared with another stack's folder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The compared stack's name.
    pub stack: String,
    /// Its folder, `<out>/<stack>`.
    pub dir: PathBuf,
    /// The other stack's name (from its `manifest.json`, else the folder's name).
    pub other: String,
    /// The other stack's folder.
    pub other_dir: PathBuf,
    /// Real differences, by subject.
    pub real: Vec<Difference>,
    /// Name-only differences, one per construct.
    pub name_only: Vec<NameOnly>,
}

/// Compares every stack of `app` synthesized under `out` (`<out>/<stack>/`) with the stack
/// folder `other`; the stack whose folder is `other` itself is skipped. Errors when `other`
/// holds no stack output, or when the app has errors.
pub fn against(app: &App, out: &Path, other: &Path) -> Result<Vec<Comparison>, SynthError> {
    let (graphs, _) = crate::pipeline::lower(app)?;
    let Some(theirs) = read(other, Reading::Everything)? else {
        return Err(SynthError::Io {
            path: other.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no stack folder here"),
        });
    };
    let other_names = names_of(other)?;
    let other_real = fs::canonicalize(other).ok();
    let mut owners = BTreeMap::new();
    if let Some(g) = graphs.iter().find(|g| g.stack == other_names.stack) {
        owners = owners_of(g);
    }
    let mut out_list = Vec::new();
    for g in &graphs {
        let dir = out.join(&g.stack);
        if other_real.is_some() && fs::canonicalize(&dir).ok() == other_real {
            continue;
        }
        let Some(ours) = read(&dir, Reading::Everything)? else {
            continue;
        };
        let mut names = owners.clone();
        names.extend(owners_of(g));
        let mut c = Comparison {
            stack: g.stack.clone(),
            dir,
            other: other_names.stack.clone(),
            other_dir: other.to_owned(),
            real: Vec::new(),
            name_only: Vec::new(),
        };
        let here = Names {
            stack: g.stack.clone(),
            region: g.region.clone(),
        };
        compare(&mut c, (&ours, &here), (&theirs, &other_names), &names);
        out_list.push(c);
    }
    Ok(out_list)
}

/// What stands for the stack's name once masked (no stack name or JSON text holds `⟨`).
const STACK: &str = "⟨stack⟩";
/// What stands for the region once masked.
const REGION: &str = "⟨region⟩";

/// What a stack's output carries of its identity besides its settings.
struct Names {
    stack: String,
    region: String,
}

impl Names {
    /// `text` with the stack's name and region masked where they stand as words.
    fn mask(&self, text: &str) -> String {
        let text = mask_word(text, &self.stack, STACK, false);
        // Terraform names write the stack's `-` as `_` (`db_from_prod_eks`).
        let text = mask_word(&text, &self.stack.replace('-', "_"), STACK, false);
        mask_word(&text, &self.region, REGION, true)
    }

    /// `text` with the placeholders [`Names::mask`] writes replaced by the names again.
    fn unmask(&self, text: &str) -> String {
        text.replace(STACK, &self.stack)
            .replace(REGION, &self.region)
    }
}

/// The stack's name and region as its `manifest.json` says (the folder's name, no region,
/// without one).
fn names_of(dir: &Path) -> Result<Names, SynthError> {
    let path = dir.join(crate::manifest::MANIFEST);
    let manifest = match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str::<Json>(&text).ok(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(SynthError::Io { path, source }),
    };
    let field = |key: &str| {
        manifest
            .as_ref()
            .and_then(|d| Some(d.get(key)?.as_str()?.to_owned()))
    };
    Ok(Names {
        stack: field("stack").unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        region: field("region").unwrap_or_default(),
    })
}

/// Each resource, data source and Kubernetes file of a graph → its construct below the stack.
fn owners_of(g: &Graph) -> BTreeMap<String, String> {
    let below = |p: &stacksmith_core::Path| p.below_stack().join("/");
    let mut out = BTreeMap::new();
    for r in &g.resources {
        out.insert(r.address.expression(), below(&r.owner));
    }
    for d in &g.data {
        out.insert(d.address.expression(), below(&d.owner));
    }
    for o in &g.objects {
        out.insert(
            format!("kubernetes/{}", crate::kubernetes::file_name(o)),
            below(&o.owner),
        );
    }
    out
}

/// `text` with every occurrence of `name` that stands as a word (not inside a longer run of
/// letters and digits) replaced by `placeholder`; with `zone`, also when one lowercase letter
/// follows (`us-east-1a`, an availability zone of region `us-east-1`).
fn mask_word(text: &str, name: &str, placeholder: &str, zone: bool) -> String {
    if name.is_empty() {
        return text.to_owned();
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(name) {
        let before = if i > 0 {
            rest[..i].chars().next_back()
        } else {
            out.chars().next_back()
        };
        let mut after = rest[i + name.len()..].chars();
        let (next, then) = (after.next(), after.next());
        let zone_letter = zone && next.is_some_and(|c| c.is_ascii_lowercase()) && !word(then);
        out.push_str(&rest[..i]);
        if word(before) || (word(next) && !zone_letter) {
            out.push_str(name);
        } else {
            out.push_str(placeholder);
        }
        rest = &rest[i + name.len()..];
    }
    out.push_str(rest);
    out
}

/// `v` with `f` applied to every string and object key.
fn strings(v: &Json, f: &dyn Fn(&str) -> String) -> Json {
    match v {
        Json::String(s) => Json::String(f(s)),
        Json::Array(a) => Json::Array(a.iter().map(|x| strings(x, f)).collect()),
        Json::Object(o) => Json::Object(o.iter().map(|(k, x)| (f(k), strings(x, f))).collect()),
        other => other.clone(),
    }
}

/// Fills `c` from the two folders, each with the names to mask in it.
fn compare(
    c: &mut Comparison,
    ours: (&Previous, &Names),
    theirs: (&Previous, &Names),
    owners: &BTreeMap<String, String>,
) {
    let ((ours, here), (theirs, there)) = (ours, theirs);
    let mut folded: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let construct = |subject: &str| owners.get(subject).cloned().unwrap_or_default();
    let mut fold = |subject: &str, attribute: &str| {
        let key = owners
            .get(subject)
            .filter(|o| !o.is_empty())
            .cloned()
            .unwrap_or_else(|| subject.to_owned());
        let entry = folded.entry(key).or_default();
        entry.0.insert(subject.to_owned());
        entry.1.insert(without_indices(attribute));
    };

    // Terraform: resources and data sources, paired by address (stack names masked).
    let bodies = |p: &Previous, name: &Names| -> BTreeMap<String, (String, Json)> {
        p.terraform
            .iter()
            .flat_map(|t| t.resources.iter().chain(&t.data))
            .map(|(a, b)| (name.mask(a), (a.clone(), b.clone())))
            .collect()
    };
    let (mine, other) = (bodies(ours, here), bodies(theirs, there));
    let keys: BTreeSet<&String> = mine.keys().chain(other.keys()).collect();
    for key in keys {
        match (mine.get(key), other.get(key)) {
            (Some((a, _)), None) => c.real.push(one_side(a, construct(a), Side::OnlyHere)),
            (None, Some((a, _))) => c.real.push(one_side(a, construct(a), Side::OnlyOther)),
            (Some((addr, new)), Some((_, old))) => {
                // What differs with the names masked is real; shown with the names again.
                let mut real = Vec::new();
                let (old_masked, new_masked) = (
                    strings(old, &|t| there.mask(t)),
                    strings(new, &|t| here.mask(t)),
                );
                walk(
                    String::new(),
                    Some(&old_masked),
                    Some(&new_masked),
                    &mut real,
                );
                let real_paths: BTreeSet<String> = real.iter().map(|ch| ch.path.clone()).collect();
                // The rest of what differs as written comes from the names.
                let mut all = Vec::new();
                walk(String::new(), Some(old), Some(new), &mut all);
                for ch in all {
                    let path = match (here.mask(&ch.path), there.mask(&ch.path)) {
                        (p, _) if p != ch.path => p,
                        (_, p) => p,
                    };
                    if !real_paths.contains(&path) {
                        fold(addr, &path);
                    }
                }
                for ch in &mut real {
                    ch.path = here.unmask(&ch.path);
                    ch.old = ch.old.as_ref().map(|v| strings(v, &|t| there.unmask(t)));
                    ch.new = ch.new.as_ref().map(|v| strings(v, &|t| here.unmask(t)));
                }
                if !real.is_empty() {
                    c.real.push(Difference {
                        subject: addr.clone(),
                        construct: construct(addr),
                        side: Side::Both,
                        changes: real,
                        lines: Vec::new(),
                    });
                }
            }
            (None, None) => {}
        }
    }

    // Kubernetes: files paired by path, compared line by line.
    let files = |p: &Previous, name: &Names| -> BTreeMap<String, (String, String)> {
        p.kubernetes
            .iter()
            .map(|(path, text)| (name.mask(path), (path.clone(), text.clone())))
            .collect()
    };
    let (mine, other) = (files(ours, here), files(theirs, there));
    let keys: BTreeSet<&String> = mine.keys().chain(other.keys()).collect();
    for key in keys {
        match (mine.get(key), other.get(key)) {
            (Some((p, _)), None) => c.real.push(one_side(p, construct(p), Side::OnlyHere)),
            (None, Some((p, _))) => c.real.push(one_side(p, construct(p), Side::OnlyOther)),
            (Some((path, new)), Some((_, old))) if new != old => {
                if there.mask(old) == here.mask(new) {
                    fold(path, "(file)");
                } else {
                    c.real.push(Difference {
                        subject: path.clone(),
                        construct: construct(path),
                        side: Side::Both,
                        changes: Vec::new(),
                        lines: lines::diff_by(old, new, |l| there.mask(l), |l| here.mask(l)),
                    });
                }
            }
            _ => {}
        }
    }
    c.real
        .sort_by(|a, b| (a.side, &a.subject).cmp(&(b.side, &b.subject)));
    c.name_only = folded
        .into_iter()
        .map(|(construct, (subjects, attributes))| NameOnly {
            construct,
            subjects: subjects.into_iter().collect(),
            attributes: attributes.into_iter().collect(),
        })
        .collect();
}

/// `statement[1].values[0]` → `statement[].values[]`: one line per construct stays short.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for ch in path.chars() {
        match ch {
            '[' => in_index = true,
            ']' => {
                in_index = false;
                out.push_str("[]");
                continue;
            }
            _ => {}
        }
        if !in_index {
            out.push(ch);
        }
    }
    out
}

fn one_side(subject: &str, construct: String, side: Side) -> Difference {
    Difference {
        subject: subject.to_owned(),
        construct,
        side,
        changes: Vec::new(),
        lines: Vec::new(),
    }
}

/// Terminal text: per compared stack, the real differences first, then one line per construct
/// that differs by name only.
pub fn against_text(comparisons: &[Comparison]) -> String {
    let mut out = String::new();
    for c in comparisons {
        let real = c.real.len();
        let folded = c.name_only.len();
        out.push_str(&format!(
            "stack `{}` ({}) against `{}` ({}): {real} real difference(s), {folded} construct(s) \
             differing by the stack name or region only\n",
            c.stack,
            c.dir.display(),
            c.other,
            c.other_dir.display()
        ));
        if c.real.is_empty() && c.name_only.is_empty() {
            out.push_str("  no differences\n");
            continue;
        }
        if !c.real.is_empty() {
            out.push_str(&format!(
                "\nreal differences (`{}` → `{}`):\n",
                c.other, c.stack
            ));
        }
        for d in &c.real {
            let (sign, note) = match d.side {
                Side::Both => ("~", String::new()),
                Side::OnlyHere => ("+", format!(": only in `{}`", c.stack)),
                Side::OnlyOther => ("-", format!(": only in `{}`", c.other)),
            };
            let construct = if d.construct.is_empty() {
                String::new()
            } else {
                format!(" ({})", d.construct)
            };
            out.push_str(&format!("  {sign} {}{construct}{note}\n", d.subject));
            for ch in &d.changes {
                out.push_str(&format!(
                    "      {}: {} → {}\n",
                    ch.path,
                    show(ch.old.as_ref()),
                    show(ch.new.as_ref())
                ));
            }
            for l in &d.lines {
                out.push_str(&format!("      {l}\n"));
            }
        }
        if !c.name_only.is_empty() {
            out.push_str(&format!(
                "\nname only (`{}` → `{}`: the stack name or region in identifiers, names and tags), \
                 one line per construct:\n",
                c.other, c.stack
            ));
        }
        for n in &c.name_only {
            out.push_str(&format!(
                "  {}: {} ({})\n",
                n.construct,
                n.attributes.join(", "),
                match n.subjects.len() {
                    1 => n.subjects.join(""),
                    k => format!("{k} resources or files"),
                }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_name_and_region_are_masked_as_words_only() {
        let names = |stack: &str, region: &str| Names {
            stack: stack.into(),
            region: region.into(),
        };
        let prod = names("prod", "us-east-1");
        let m = |s: &str| prod.mask(s);
        assert_eq!(m("prod-db"), "⟨stack⟩-db");
        assert_eq!(
            m("/stacksmith/prod-network/flow"),
            "/stacksmith/⟨stack⟩-network/flow"
        );
        assert_eq!(m("production"), "production");
        assert_eq!(m("reprod"), "reprod");
        assert_eq!(m("prod"), names("staging", "x").mask("staging"));
        assert_eq!(m("arn:aws:logs:us-east-1:1"), "arn:aws:logs:⟨region⟩:1");
        assert_eq!(m("us-east-1a"), "⟨region⟩a");
        assert_eq!(m("us-east-1ab"), "us-east-1ab");
        assert_eq!(m("us-east-12"), "us-east-12");
        let two_words = names("kgas-primary", "us-east-1");
        assert_eq!(
            two_words.mask("db_from_kgas_primary_eks kgas-primary-db"),
            "db_from_⟨stack⟩_eks ⟨stack⟩-db"
        );
    }
}
