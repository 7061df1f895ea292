//! Terraform JSON for one stack's root: `terraform` (pinned providers, backend), `provider`,
//! `data`, `ephemeral`, `resource`, `output`. Types and names sorted, so the same graph gives
//! the same bytes.
//!
//! Written as `serde_json::to_string_pretty` writes the same document (a test holds it to
//! that), with these choices: a block without resources is left out; of two resources at one
//! address the later one is written; keys and names are escaped as JSON strings, and an
//! attribute key also as a Terraform template ([`stacksmith_core::terraform`]). A large root's
//! blocks are written in pieces on the machine's cores and joined in order.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Serialize;
use serde_json::{Map, Value as Json, json};
use stacksmith_core::Graph;
use stacksmith_core::hash::{HashMap, HashMapExt};
use stacksmith_core::terraform::{Resource, Value};

use crate::SynthError;
use crate::moves::Move;
use crate::pretty::{Object, Pretty, indent};

/// Renders the root module as pretty JSON with a trailing newline.
pub(crate) fn render(g: &Graph) -> Result<Vec<u8>, SynthError> {
    render_beside(g, || ()).0
}

/// Resources and data sources written as one piece of the JSON (on whichever core is free).
const PIECE: usize = 256;

/// Resources of a block from which its types' names are sorted on the machine's cores.
const SORTED_APART_FROM: usize = 4096;

/// [`render`], with `beside` computed meanwhile: the blocks are written in pieces of
/// [`PIECE`] resources on every core (joined in order, so the bytes are a serial render's),
/// `beside` first on this one.
pub(crate) fn render_beside<B>(
    g: &Graph,
    beside: impl FnOnce() -> B,
) -> (Result<Vec<u8>, SynthError>, B) {
    let json_err = |source| SynthError::Json {
        what: format!("{}/terraform/main.tf.json", g.stack),
        source,
    };
    let blocks = [
        ("data", sorted(&g.data)),
        ("ephemeral", sorted(&g.ephemeral)),
        ("resource", sorted(&g.resources)),
    ];
    let pieces: Vec<(&str, &[Entry<'_>], Range<usize>)> = blocks
        .iter()
        .flat_map(|(key, entries)| {
            (0..entries.len()).step_by(PIECE).map(|at| {
                (
                    *key,
                    entries.as_slice(),
                    at..entries.len().min(at.saturating_add(PIECE)),
                )
            })
        })
        .collect();
    let mut out = Vec::with_capacity(1 << 16);
    // The root object, key by key in Terraform's customary order; each block's pieces
    // joined as they are written.
    let mut root = Object::new(&mut out);
    let mut written = head(g, &mut root);
    let mut block = "";
    let beside = stacksmith_core::parallel::for_each_beside(
        &pieces,
        |(key, entries, range)| (*key, piece(entries, range.clone())),
        beside,
        |(key, text)| {
            if written.is_ok() {
                written = text.and_then(|text| {
                    if key != block {
                        root.key(key)?;
                        block = key;
                    }
                    root.raw(&text);
                    Ok(())
                });
            }
        },
    );
    let written = written.and_then(|()| {
        let outputs = outputs(g)?;
        if !outputs.is_empty() {
            root.value("output", &outputs)?;
        }
        root.end();
        Ok(())
    });
    out.push(b'\n');
    (written.map(|()| out).map_err(json_err), beside)
}

/// The root's first keys: `terraform`, and `provider` when a provider is configured.
fn head(g: &Graph, root: &mut Object<'_>) -> Result<(), serde_json::Error> {
    root.value("terraform", &terraform(g)?)?;
    let configs = configs(g)?;
    if !configs.is_empty() {
        root.value("provider", &configs)?;
    }
    Ok(())
}

/// The `terraform` block: pinned providers and the backend.
fn terraform(g: &Graph) -> Result<Json, serde_json::Error> {
    let mut providers = Map::new();
    for (name, p) in &g.providers {
        providers.insert(
            name.clone(),
            json!({ "source": p.source, "version": p.version }),
        );
    }
    let mut terraform = Map::new();
    // No `required_version`: checkov 3.3's Terraform JSON parser rejects a plain attribute in
    // the `terraform` block and then scans nothing. The S3 backend's `use_lockfile` already
    // makes Terraform older than 1.10 fail at `init` with "unsupported argument".
    terraform.insert("required_providers".into(), Json::Object(providers));
    if let Some(b) = &g.backend {
        terraform.insert(
            "backend".into(),
            json!({ "s3": serde_json::to_value(Value::Map(b.clone()))? }),
        );
    }
    Ok(Json::Object(terraform))
}

/// The providers' configurations, by provider name.
fn configs(g: &Graph) -> Result<Map<String, Json>, serde_json::Error> {
    let mut configs = Map::new();
    for (name, p) in &g.providers {
        if let Some(c) = &p.config {
            configs.insert(name.clone(), serde_json::to_value(Value::Map(c.clone()))?);
        }
    }
    Ok(configs)
}

/// The outputs, by name.
fn outputs(g: &Graph) -> Result<BTreeMap<&str, Json>, serde_json::Error> {
    let mut outputs = BTreeMap::new();
    for o in &g.outputs {
        let mut m = Map::new();
        m.insert("description".into(), json!(o.description));
        m.insert("value".into(), serde_json::to_value(&o.value)?);
        if o.sensitive {
            m.insert("sensitive".into(), json!(true));
        }
        outputs.insert(o.name.as_str(), Json::Object(m));
    }
    Ok(outputs)
}

/// `terraform/moved.tf.json`: `{"moved": [{"from": "<type>.<old name>", "to": "<type>.<new name>"}]}`,
/// sorted, plain addresses as Terraform's JSON syntax reads them (no `${}`). A file of its
/// own, beside `main.tf.json`: checkov's Terraform JSON parser rejects a `moved` key and would
/// then scan nothing of `main.tf.json`.
pub(crate) fn moved(stack: &str, moves: &[Move]) -> Result<String, SynthError> {
    let mut text = serde_json::to_string_pretty(&json!({ "moved": moves })).map_err(|source| {
        SynthError::Json {
            what: format!("{stack}/terraform/moved.tf.json"),
            source,
        }
    })?;
    text.push('\n');
    Ok(text)
}

/// A block's resources in the order they are written: by type, then name (a later resource at
/// the same address replaces an earlier one).
type Entry<'a> = (&'a str, &'a str, &'a Resource);

fn sorted(resources: &[Resource]) -> Vec<Entry<'_>> {
    // Grouped by type (a stack has a few dozen), then each type's resources sorted by name:
    // a stable sort, so that of two at one address the later stays last. Names are compared
    // by their first 16 bytes held beside them first ([`lead`]), which orders them as the
    // names do and spares most comparisons a read of two names elsewhere in memory.
    let mut by_type: HashMap<&str, Vec<(u128, &str, &Resource)>> = HashMap::new();
    for r in resources {
        let name = r.address.name();
        by_type
            .entry(r.address.kind())
            .or_default()
            .push((lead(name), name, r));
    }
    let mut types: Vec<_> = by_type.into_iter().collect();
    types.sort_unstable_by_key(|(kind, _)| *kind);
    // The types' names sorted on the machine's cores when there are many.
    let apart_from = if resources.len() < SORTED_APART_FROM {
        usize::MAX
    } else {
        2
    };
    stacksmith_core::parallel::map_mut_with(&mut types, apart_from, |(_, named)| {
        named.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    });
    let mut entries = Vec::with_capacity(resources.len());
    for (kind, named) in types {
        let mut named = named.into_iter().peekable();
        while let Some((_, name, r)) = named.next() {
            if named.peek().is_none_or(|(_, next, _)| *next != name) {
                entries.push((kind, name, r));
            }
        }
    }
    entries
}

/// A name's first 16 bytes as a number (zeros past its end): if one name's is below
/// another's, the name sorts before it.
fn lead(name: &str) -> u128 {
    let mut bytes = [0u8; 16];
    for (b, n) in bytes.iter_mut().zip(name.bytes()) {
        *b = n;
    }
    u128::from_be_bytes(bytes)
}

/// `{ type: { name: body } }` (a root key's value), written for the entries in `range`: the
/// pieces of one block's entries, joined in order, are the whole block.
fn piece(entries: &[Entry<'_>], range: Range<usize>) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(range.len().saturating_mul(1024));
    for i in range {
        let Some(&(kind, name, r)) = entries.get(i) else {
            break;
        };
        let previous = i.checked_sub(1).and_then(|p| entries.get(p));
        match previous {
            None => out.push(b'{'),
            Some((k, ..)) if *k == kind => {
                out.extend_from_slice(b",\n");
                indent(&mut out, 3);
            }
            Some(_) => {
                out.push(b'\n');
                indent(&mut out, 2);
                out.extend_from_slice(b"},");
            }
        }
        if previous.is_none_or(|(k, ..)| *k != kind) {
            out.push(b'\n');
            indent(&mut out, 2);
            serde_json::to_writer(&mut out, kind)?;
            out.extend_from_slice(b": {\n");
            indent(&mut out, 3);
        }
        serde_json::to_writer(&mut out, name)?;
        out.extend_from_slice(b": ");
        r.serialize(&mut serde_json::Serializer::with_formatter(
            &mut out,
            Pretty::at(3),
        ))?;
        if i.saturating_add(1) == entries.len() {
            out.push(b'\n');
            indent(&mut out, 2);
            out.extend_from_slice(b"}\n");
            indent(&mut out, 1);
            out.push(b'}');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value as Json;
    use stacksmith_core::terraform::{Map, Output, Provider, Resource, Value};
    use stacksmith_core::{Address, Graph, Path, tf};

    /// Names ordered by their leading bytes first are in the names' order, wherever they differ
    /// (within the first 16 bytes, past them, by length, by a NUL).
    #[test]
    fn names_sort_as_text() {
        let mut names = vec![
            "b",
            "a",
            "ab",
            "a\0",
            "a\0b",
            "",
            "app_0000000000000002",
            "app_0000000000000001",
            "app_00000000000000",
            "zz",
            "app_00000000000000\0",
            "é",
            "app_0000000000000001_x",
        ];
        let mut by_lead = names.clone();
        by_lead.sort_by(|a, b| super::lead(a).cmp(&super::lead(b)).then_with(|| a.cmp(b)));
        names.sort_unstable();
        assert_eq!(by_lead, names);
    }

    fn resource(kind: &str, name: &str, i: i64) -> Resource {
        let body = tf! {
            "name" => format!("x-{i}"),
            "empty_block" => Map::new(),
            "empty_list" => Value::List(Vec::new()),
            "nested" => Value::List(vec![
                Value::Map(tf! { "k" => i, "on" => true }),
                Value::Null,
                Value::List(vec![Value::Map(Map::new())]),
            ]),
        };
        Resource::new(
            Address::resource("prod", kind, name),
            Path::root("prod").child(name),
            body,
        )
    }

    /// A root of many pieces (one type over several, types changing within a piece and at a
    /// piece's edge, a type of one resource, resources out of order, a later one at an address
    /// taken, data sources, outputs) is the document serde_json's pretty printer writes, with
    /// the blocks sorted by type and name and the later resource kept.
    #[test]
    fn pieces_join_into_the_pretty_printed_document() {
        let mut g = Graph::new("prod", "us-east-1");
        g.providers.insert(
            "aws".into(),
            Provider {
                source: "hashicorp/aws".into(),
                version: "6.47.0".into(),
                config: Some(tf! { "region" => "us-east-1" }),
            },
        );
        for i in 0..1000_i64 {
            let kind = match i {
                0..300 => "aws_b",
                300 => "aws_single",
                301..513 => "aws_a",
                _ => "aws_c",
            };
            g.resources
                .push(resource(kind, &format!("n{:04}", (i * 7919) % 1000), i));
        }
        g.resources.push(resource("aws_b", "n0000", -1));
        for i in 0..300_i64 {
            let mut r = resource("aws_d", &format!("d{i:03}"), i);
            r.address = Address::data("prod", "aws_d", &format!("d{i:03}"));
            g.data.push(r);
        }
        for i in 0..3_i64 {
            let mut r = resource("aws_e", &format!("e{i}"), i);
            r.address = Address::ephemeral("prod", "aws_e", &format!("e{i}"));
            r.body.insert("${key}".into(), Value::from("%{ x }"));
            g.ephemeral.push(r);
        }
        g.outputs.push(Output {
            name: "url".into(),
            owner: Path::root("prod").child("app"),
            value: Value::from("https://example.com"),
            description: "where it answers".into(),
            sensitive: false,
        });
        let out = super::render(&g).unwrap_or_default();
        let doc: Json = serde_json::from_slice(&out).unwrap_or_default();
        let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default();
        assert!(
            pretty.len() > 100_000 && out == format!("{pretty}\n").as_bytes(),
            "not the pretty-printed document"
        );
        let blocks = |rs: &[Resource]| {
            let mut by_type: BTreeMap<&str, BTreeMap<&str, Json>> = BTreeMap::new();
            for r in rs {
                let body = serde_json::to_value(r).unwrap_or_default();
                by_type
                    .entry(r.address.kind())
                    .or_default()
                    .insert(r.address.name(), body);
            }
            serde_json::to_string_pretty(&by_type).unwrap_or_default()
        };
        for (key, rs) in [
            ("resource", &g.resources),
            ("data", &g.data),
            ("ephemeral", &g.ephemeral),
        ] {
            assert_eq!(
                serde_json::to_string_pretty(&doc[key]).unwrap_or_default(),
                blocks(rs),
                "{key}"
            );
        }
        assert_eq!(doc["resource"]["aws_b"]["n0000"]["name"], "x--1");
        assert_eq!(doc["output"]["url"]["value"], "https://example.com");
        assert_eq!(doc["provider"]["aws"]["region"], "us-east-1");
        assert_eq!(doc["ephemeral"]["aws_e"]["e2"]["$${key}"], "%%{ x }");
        let keys: Vec<&String> = doc
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "terraform",
                "provider",
                "data",
                "ephemeral",
                "resource",
                "output"
            ]
        );
    }
}
