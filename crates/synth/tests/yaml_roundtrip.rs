//! Every string `to_yaml` writes, as a key or a value, reads back as the same string through two
//! independent readers: a YAML 1.2 loader (saphyr, core schema) and libyaml (the parser go-yaml
//! v2 was ported from, so what `kubectl` and sigs.k8s.io/yaml read) with YAML 1.1's resolution of
//! plain scalars (https://yaml.org/type/, plus go-yaml v2's own wider rules) applied on top.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use libyaml_safer::{EventData, Parser, ScalarStyle};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use regex_lite::Regex;
use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};
use serde_json::{Map, Value, json};
use stacksmith_synth::to_yaml;

/// The strings that broke, or could break, a YAML emitter: YAML 1.1 booleans in every case,
/// numbers in every base, sexagesimals, dates, nulls, indicators, whitespace and line breaks.
const NASTY: &[&str] = &[
    "",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "a\r\nb",
    "a\rb",
    " a",
    "a ",
    "a\n",
    "a\n\n",
    "\na",
    " \n",
    "a\n ",
    "a \nb",
    "a\n  \nb",
    "\ta\n",
    "a\t\nb",
    "a\n\tb",
    "  a\nb",
    "\n  a",
    "a\n\n\n",
    "a\nb\n",
    "y",
    "Y",
    "n",
    "N",
    "yes",
    "Yes",
    "YES",
    "yEs",
    "no",
    "No",
    "NO",
    "on",
    "On",
    "ON",
    "oN",
    "off",
    "Off",
    "OFF",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "false",
    "False",
    "FALSE",
    "~",
    "null",
    "Null",
    "NULL",
    "nUll",
    "0",
    "-0",
    "+1",
    "+0",
    "1",
    "-1",
    "012",
    "0777",
    "0o17",
    "0O17",
    "0x1F",
    "0X1f",
    "0b101",
    "0B1",
    "-0b1",
    "1_000",
    "1__0",
    "0_7",
    ".5",
    "-.5",
    "5.",
    "1.0",
    "1e3",
    "1E3",
    "1e+3",
    "1.0e+16",
    "-1.5e-7",
    ".inf",
    ".Inf",
    ".INF",
    "-.inf",
    "+.inf",
    ".nan",
    ".NaN",
    ".NAN",
    "inf",
    "nan",
    "1:20",
    "190:20:30",
    "-1:20",
    "1:20.5",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-15T02:59:43.1Z",
    "2002-12-14",
    "2001-1-1 1:00:00",
    "<<",
    "=",
    "-",
    "?",
    ":",
    ",",
    "[",
    "]",
    "{",
    "}",
    "#",
    "&",
    "*",
    "!",
    "|",
    ">",
    "'",
    "\"",
    "%",
    "@",
    "`",
    "- a",
    "? a",
    ": a",
    "a: b",
    "a :b",
    "a #b",
    "a# b",
    "#a",
    "&a",
    "*a",
    "!a",
    "!!str",
    "|a",
    ">a",
    "'a'",
    "\"a\"",
    "%YAML",
    "@a",
    "`a",
    "---",
    "...",
    "--- a",
    "... a",
    "a\n---\nb",
    "a\n...\nb",
    "a,b",
    "[a]",
    "{a: b}",
    "\\",
    "\\n",
    "\u{0}",
    "\u{7}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{feff}a",
    "\u{fffe}",
    "\u{ffff}",
    "\u{fffd}",
    "\u{10000}",
    "\u{1f600}",
    "\u{10ffff}",
    "é",
    "日本語",
    "a\u{85}b",
    "a\u{2028}b",
    "\u{e000}",
    "\u{d7ff}",
    "_",
    "/",
    "/a",
    "_a",
    ".a",
    "a.b",
    "a/b",
    "a@b",
    "a-b",
    "a_b",
    "app.kubernetes.io/name",
    "500m",
    "1Gi",
    "8080",
    "80:8080",
    "10.0.0.0/16",
    "::1",
    "#!/bin/sh",
    "#!/bin/sh\nset -eu\necho \"$X\"\n",
    "key=value\nother=1\n",
    "  indented\n    more\n",
    "\n\nleading\n",
    "trailing\n\n",
    "nbsp\u{a0}\nline",
    "q'uote\n\"dq\"\n",
    "a\\\nb",
];

/// Pieces the generated strings are made of: the nasty strings and single characters from every
/// plane.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(NASTY).prop_map(str::to_owned),
        2 => proptest::sample::select(&[
            " ", "\t", "\n", "\r", "\r\n", "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*",
            "!", "|", ">", "'", "\"", "%", "@", "`", "\\", ".", "0", "1", "x", "e", "_", "/",
        ][..]).prop_map(str::to_owned),
        2 => any::<char>().prop_map(String::from),
        1 => "[a-z]{1,12}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => proptest::collection::vec(piece(), 0..8).prop_map(|v| v.concat()),
        // Long enough to pass YAML's 1,024-character simple-key limit once quoted.
        1 => (piece(), 1000usize..1100).prop_map(|(p, n)| p.repeat(n.div_ceil(p.len().max(1))).chars().take(n).collect()),
    ]
}

/// A document holding `s` as a key and as a value, at the top, in a nested map, as a list item
/// and in a map inside a list.
fn document(s: &str) -> Value {
    let mut top = Map::new();
    top.insert("value".into(), Value::String(s.into()));
    top.insert(s.into(), json!("key"));
    top.insert("nested".into(), json!({ "inner": { "value": s, s: s } }));
    top.insert("list".into(), json!([s, [s], { s: s, "k": s }]));
    Value::Object(top)
}

fn check(s: &str) -> Result<(), String> {
    let doc = document(s);
    let yaml = to_yaml(&doc);
    let fail =
        |reader: &str, why: String| Err(format!("{reader}: {why}\n input: {s:?}\n yaml:\n{yaml}"));
    match read_yaml_1_2(&yaml) {
        Ok(v) if v == doc => {}
        Ok(v) => return fail("YAML 1.2 (saphyr)", format!("read back {v}")),
        Err(e) => return fail("YAML 1.2 (saphyr)", e),
    }
    match read_yaml_1_1(&yaml) {
        Ok(v) if v == doc => {}
        Ok(v) => return fail("YAML 1.1 (libyaml)", format!("read back {v}")),
        Err(e) => return fail("YAML 1.1 (libyaml)", e),
    }
    Ok(())
}

/// Loads with saphyr's YAML 1.2 core schema; every scalar must be a string.
fn read_yaml_1_2(yaml: &str) -> Result<Value, String> {
    fn convert(y: &YamlOwned) -> Result<Value, String> {
        match y {
            YamlOwned::Value(ScalarOwned::String(s)) => Ok(Value::String(s.clone())),
            YamlOwned::Sequence(items) => items
                .iter()
                .map(convert)
                .collect::<Result<_, _>>()
                .map(Value::Array),
            YamlOwned::Mapping(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    let Value::String(k) = convert(k)? else {
                        return Err(format!("non-string key {k:?}"));
                    };
                    out.insert(k, convert(v)?);
                }
                Ok(Value::Object(out))
            }
            other => Err(format!("not a string: {other:?}")),
        }
    }
    let docs = YamlOwned::load_from_str(yaml).map_err(|e| e.to_string())?;
    match docs.as_slice() {
        [one] => convert(one),
        _ => Err(format!("{} documents", docs.len())),
    }
}

/// Parses with libyaml; a plain scalar YAML 1.1 (or go-yaml v2) resolves to anything but a
/// string is an error.
fn read_yaml_1_1(yaml: &str) -> Result<Value, String> {
    let mut input = yaml.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut events = Vec::new();
    for e in parser {
        events.push(e.map_err(|e| e.to_string())?.data);
    }
    let mut it = events.into_iter();
    let mut docs = Vec::new();
    while let Some(e) = it.next() {
        match e {
            EventData::StreamStart { .. } | EventData::DocumentEnd { .. } => {}
            EventData::StreamEnd => break,
            EventData::DocumentStart { .. } => {
                let first = it.next().ok_or("document without a node")?;
                docs.push(node(first, &mut it)?);
            }
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    match <[Value; 1]>::try_from(docs) {
        Ok([one]) => Ok(one),
        Err(d) => Err(format!("{} documents", d.len())),
    }
}

fn node(e: EventData, it: &mut impl Iterator<Item = EventData>) -> Result<Value, String> {
    match e {
        EventData::Scalar {
            value, style, tag, ..
        } => {
            if tag.is_some() {
                return Err(format!("tagged scalar {value:?}"));
            }
            if style == ScalarStyle::Plain
                && let Some(kind) = yaml_1_1_type(&value)
            {
                return Err(format!("plain {value:?} is a YAML 1.1 {kind}"));
            }
            Ok(Value::String(value))
        }
        EventData::SequenceStart { .. } => {
            let mut items = Vec::new();
            loop {
                match it.next().ok_or("unterminated sequence")? {
                    EventData::SequenceEnd => return Ok(Value::Array(items)),
                    e => items.push(node(e, it)?),
                }
            }
        }
        EventData::MappingStart { .. } => {
            let mut m = Map::new();
            loop {
                match it.next().ok_or("unterminated mapping")? {
                    EventData::MappingEnd => return Ok(Value::Object(m)),
                    k => {
                        let Value::String(k) = node(k, it)? else {
                            return Err("non-string key".into());
                        };
                        let v = node(it.next().ok_or("key without value")?, it)?;
                        if m.insert(k.clone(), v).is_some() {
                            return Err(format!("duplicate key {k:?}"));
                        }
                    }
                }
            }
        }
        other => Err(format!("unexpected {other:?}")),
    }
}

/// What YAML 1.1 (https://yaml.org/type/) or go-yaml v2's resolver makes of a plain scalar, if
/// anything but a string.
fn yaml_1_1_type(s: &str) -> Option<&'static str> {
    use std::sync::LazyLock;
    static TYPES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
        [
            ("bool", r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
            ("null", r"^(~|null|Null|NULL|)$"),
            ("int", r"^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$"),
            ("float", r"^([-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"),
            ("merge", r"^<<$"),
            ("value", r"^=$"),
            ("timestamp", r"^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\.[0-9]*)?(([ \t]*)Z|[-+][0-9][0-9]?(:[0-9][0-9])?)?)$"),
            // go-yaml v2: strconv.ParseInt(s, 0, 64) with `_` removed takes any case of the
            // 0b/0o/0x prefixes; its float rule needs no dot (`1e3`).
            ("int (go-yaml)", r"^[-+]?(0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)$"),
            ("float (go-yaml)", r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"),
        ]
        .into_iter()
        .map(|(kind, re)| (kind, Regex::new(re).unwrap()))
        .collect()
    });
    TYPES
        .iter()
        .find(|(_, re)| re.is_match(s))
        .map(|(kind, _)| *kind)
}

#[test]
fn the_resolver_knows_yaml_1_1() {
    for s in [
        "yes",
        "Off",
        "~",
        "",
        "0x1F",
        "0777",
        "1_000",
        "1:20",
        "190:20:30",
        ".5",
        "1e3",
        ".NaN",
        "-.inf",
        "2001-12-14",
        "<<",
        "=",
    ] {
        assert!(yaml_1_1_type(s).is_some(), "{s:?}");
    }
    for s in ["yEs", "api", "500m", "1Gi", "a-b", "/x"] {
        assert_eq!(yaml_1_1_type(s), None, "{s:?}");
    }
}

#[test]
fn nasty_strings_read_back_unchanged() {
    let failures: Vec<String> = NASTY.iter().filter_map(|s| check(s).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn generated_strings_read_back_unchanged() {
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&text(), |s| {
        check(&s).map_err(TestCaseError::fail)?;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
