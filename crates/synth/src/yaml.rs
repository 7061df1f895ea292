//! A small YAML emitter for Kubernetes objects, written so every consumer reads the same
//! values: YAML 1.2 parsers (kubectl, Go yaml.v3) and YAML 1.1 parsers (PyYAML, Ruby, older
//! Helm tooling) alike.
//!
//! Corner cases, decided once here:
//! - A string is written plain only if it is made of letters, digits and `_ . / @ -`, starts
//!   with a letter, `_` or `/`, and is not one of YAML 1.1's booleans or nulls (`y`, `n`, `yes`,
//!   `no`, `on`, `off`, `true`, `false`, `null`, `~`, any case). Everything else is double-quoted
//!   with JSON escapes (a subset of YAML's): `"1.0"`, `"0755"`, `"on"`, `"500m"`, `"a: b"`.
//! - Keys follow the same rule.
//! - Numbers and booleans are written as JSON writes them; `null` as `null`.
//! - Empty maps and lists are written `{}` and `[]`; nothing is dropped or reordered.
//! - Indentation is two spaces; list items under a key are not indented further (kubectl style).

use std::fmt::Write;

use serde_json::Value;

/// Renders one YAML document (no `---`), ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::with_capacity(1024);
    match value {
        Value::Object(m) if !m.is_empty() => map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => list(&mut out, a, 0),
        other => {
            scalar(&mut out, other);
            out.push('\n');
        }
    }
    // Held until written: without the spare capacity (up to half of it).
    out.shrink_to_fit();
    out
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

fn map(out: &mut String, m: &serde_json::Map<String, Value>, depth: usize) {
    let mut first = true;
    for (k, v) in m {
        if !first {
            indent(out, depth);
        }
        first = false;
        string(out, k);
        out.push(':');
        nested(out, v, depth);
    }
}

fn list(out: &mut String, a: &[Value], depth: usize) {
    let mut first = true;
    for v in a {
        if !first {
            indent(out, depth);
        }
        first = false;
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => map(out, m, depth + 2),
            Value::Array(inner) if !inner.is_empty() => list(out, inner, depth + 2),
            other => {
                scalar(out, other);
                out.push('\n');
            }
        }
    }
}

/// After `key:`: a scalar on the same line, or a block on the next lines.
fn nested(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, depth + 2);
            map(out, m, depth + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, depth);
            list(out, a, depth);
        }
        other => {
            out.push(' ');
            scalar(out, other);
            out.push('\n');
        }
    }
}

fn scalar(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => string(out, s),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

const YAML11_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '@' | '-'))
        && !YAML11_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

fn string(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else if !s.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
        // Nothing to escape: double-quoted as is.
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // JSON string escapes are valid YAML double-quoted escapes.
        out.push_str(&Value::String(s.to_owned()).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_ambiguous_scalars_are_quoted() {
        let v = json!({ "a": "on", "b": "yes", "c": "1.0", "d": "0755", "e": "NO", "f": "~", "g": "500m", "h": "1:30", "i": "plain-text" });
        insta::assert_snapshot!(to_yaml(&v));
    }

    #[test]
    fn nested_maps_and_lists_render_kubectl_style() {
        let v = json!({
            "metadata": { "name": "api", "labels": { "app.kubernetes.io/name": "api" } },
            "spec": { "ports": [ { "name": "http", "port": 80 } ], "empty": {}, "none": [], "args": ["--x", "y"] },
            "nested": [["a"], []]
        });
        insta::assert_snapshot!(to_yaml(&v));
    }

    #[test]
    fn strings_with_specials_are_json_escaped() {
        let v = json!({ "s": "line\nbreak \"q\" # not a comment", "k: v": true });
        assert_eq!(
            to_yaml(&v),
            "s: \"line\\nbreak \\\"q\\\" # not a comment\"\n\"k: v\": true\n"
        );
    }
}
