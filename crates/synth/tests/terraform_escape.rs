//! Literal strings stay literal through real Terraform: generated strings written as object keys,
//! values and template literals of a `main.tf.json` (HCL's JSON syntax evaluates all three as
//! templates) come back from `terraform console` unchanged. Skipped, with a notice, when
//! `terraform` is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value as Json;
use stacksmith_core::terraform::{Map, Value};
use stacksmith_core::{Address, Template};
use unicode_normalization::UnicodeNormalization;

const TERRAFORM: &str = "/usr/local/bin/terraform";

/// Template syntax in every arrangement, and strings that are only that.
const NASTY: &[&str] = &[
    "",
    "$",
    "%",
    "{",
    "}",
    "${",
    "%{",
    "$${",
    "%%{",
    "$$${",
    "%%%{",
    "$$",
    "%%",
    "${x}",
    "$${x}",
    "%{ if true }a%{ endif }",
    "%%{ if true }",
    "${\"$\"}",
    "~}",
    "${~",
    "$\n{",
    "$ {",
    "a$",
    "a$$",
    "a%",
    "{x}",
    "${local.r.v}",
    "\\${x}",
    "\\",
    "\"",
    "\n",
    "\r",
    "a\r",
    "$\r",
    "\r\n",
    "\t",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "é",
    "e\u{301}",
    "日本",
    "\u{1f600}",
    "\u{10ffff}",
    "$\u{1f600}{",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(NASTY).prop_map(str::to_owned),
        3 => proptest::sample::select(&["$", "%", "{", "}", "~", "\\", "\"", " ", "x", "if", "for"][..])
            .prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..6).prop_map(|v| v.concat())
}

/// One literal, as Terraform holds strings.
fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Writes the strings as keys, values and templates, runs `terraform console` once, and lists
/// every string that did not come back as itself.
fn check(strings: &[String]) -> Vec<String> {
    let reference = Address::resource("test", "local", "r").attr::<String>("v");
    let mut values = Map::new();
    let mut keys = Map::new();
    let mut templates = Map::new();
    for (i, s) in strings.iter().enumerate() {
        values.insert(format!("k{i}").into(), Value::from(s.as_str()));
        keys.insert(s.clone().into(), Value::from(format!("{i}")));
        // A reference between literals, and two literals side by side.
        let t = Template::new()
            .lit(s.as_str())
            .with(&reference)
            .lit(s.as_str())
            .lit(s.as_str());
        templates.insert(format!("k{i}").into(), Value::from(t));
    }
    let mut r = Map::new();
    r.insert("v".into(), Value::from("R"));
    let mut locals = Map::new();
    locals.insert("r".into(), Value::Map(r));
    locals.insert("values".into(), Value::Map(values));
    locals.insert("keys".into(), Value::Map(keys));
    locals.insert("templates".into(), Value::Map(templates));
    let mut root = Map::new();
    root.insert("locals".into(), Value::Map(locals));

    let dir = std::env::temp_dir().join(format!("stacksmith-tf-escape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf.json"),
        serde_json::to_string(&Value::Map(root)).unwrap(),
    )
    .unwrap();
    let mut child = Command::new(TERRAFORM)
        .arg("console")
        .current_dir(&dir)
        .args(["-no-color"])
        .env("TF_IN_AUTOMATION", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"base64encode(jsonencode([local.values, local.keys, local.templates]))\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let encoded = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix('"').and_then(|l| l.strip_suffix('"')));
    let Some(encoded) = encoded.filter(|_| !stderr.contains("Error")) else {
        let errors: String = stderr.chars().take(4000).collect();
        return vec![format!("terraform console failed:\n{errors}")];
    };
    let read: Json = serde_json::from_slice(&base64_decode(encoded)).unwrap();
    let mut failures = Vec::new();
    for (i, s) in strings.iter().enumerate() {
        let want = nfc(s);
        let key = format!("k{i}");
        if read[0][&key] != Json::String(want.clone()) {
            failures.push(format!("value {s:?} came back as {}", read[0][&key]));
        }
        if read[1][&want] != Json::String(format!("{i}")) {
            failures.push(format!("key {s:?} is missing (keys read: {})", read[1]));
        }
        let template = format!("{want}R{want}{want}");
        if read[2][&key] != Json::String(template.clone()) {
            failures.push(format!(
                "template {s:?}+ref+{s:?}+{s:?} came back as {}, not {template:?}",
                read[2][&key]
            ));
        }
    }
    failures
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let mut out = Vec::new();
    for chunk in s.trim_end_matches('=').as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, c)| n | u32::from(value(*c)) << (18 - 6 * i));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// Distinct strings (as Terraform compares them) for one batch.
fn distinct(strings: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    strings
        .into_iter()
        .filter(|s| seen.insert(nfc(s)))
        .collect()
}

#[test]
fn escaped_literals_read_back_through_terraform() {
    if !std::path::Path::new(TERRAFORM).exists() {
        println!("skipped: {TERRAFORM} is not installed");
        return;
    }
    // The fixed corpus, each string alone and every pair of them.
    let mut corpus: Vec<String> = NASTY.iter().map(|s| (*s).to_owned()).collect();
    for a in NASTY {
        for b in NASTY {
            corpus.push(format!("{a}{b}"));
        }
    }
    let failures = check(&distinct(corpus));
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Generated batches of a few hundred strings, one terraform run each; no shrinking (every
    // failing string of a batch is listed).
    let mut runner = TestRunner::new(Config {
        cases: 4,
        max_shrink_iters: 0,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(text(), 400), |strings| {
        let failures = check(&distinct(strings));
        prop_assert!(failures.is_empty(), "{}", failures.join("\n"));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
