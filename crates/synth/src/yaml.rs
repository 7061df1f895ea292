//! A small YAML emitter for Kubernetes objects, written so every consumer reads the same
//! values: YAML 1.2 parsers (kubectl, Go yaml.v3) and YAML 1.1 parsers (PyYAML, Ruby, older
//! Helm tooling) alike.
//!
//! Corner cases, decided once here:
//! - A string is written plain only if it is made of letters, digits and `_ . / @ -`, starts
//!   with a letter, `_` or `/`, and is not one of YAML 1.1's booleans or nulls (`y`, `n`, `yes`,
//!   `no`, `on`, `off`, `true`, `false`, `null`, `~`, any case). Everything else is double-quoted
//!   with JSON escapes (a subset of YAML's): `"1.0"`, `"0755"`, `"on"`, `"500m"`, `"a: b"`.
//! - A multi-line string (one with a `\n`) that is a map value or a list item is a literal block
//!   scalar: `|` when it ends in one line break, `|-` when it ends in none, `|+` when it ends in
//!   more, with an indentation indicator (`|2`) when its first line starts with a space or a tab
//!   (libyaml cannot find the indentation past a tab). Its lines are indented two spaces past
//!   the node holding it; empty lines are written empty.
//!   A string a block scalar cannot hold exactly is double-quoted instead: one with a character
//!   a double-quoted scalar escapes (other than `\n` and tab; CR among them), a line of only
//!   spaces, or no line with text at all.
//! - Keys follow the plain-or-quoted rule (never a block scalar).
//! - Numbers and booleans are written as JSON writes them; `null` as `null`.
//! - Empty maps and lists are written `{}` and `[]`; nothing is dropped or reordered.
//! - Indentation is two spaces; list items under a key are not indented further (kubectl style).

use std::fmt::Write;

use serde_json::Value;
use stacksmith_core::{Body, BodyMap};

thread_local! {
    /// The buffer documents are rendered into on this thread, reused from one to the next.
    static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Frees this thread's buffer (see [`body_to_yaml`]) once a synth has rendered its documents:
/// a thread that synthesizes once holds no document's worth of memory afterwards, and a large
/// block is not freed at the thread's exit, after the graphs were freed (glibc then merges
/// every small block freed since: ~0.1 s at exit after 10,000 services).
pub(crate) fn release_buffer() {
    BUFFER.with(|buffer| {
        if let Ok(mut buffer) = buffer.try_borrow_mut() {
            *buffer = String::new();
        }
    });
}

/// Renders one YAML document (no `---`), ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    body_to_yaml(&Body::from(value.clone()))
}

/// Renders one object body as a YAML document (no `---`), ending in a newline: the bytes
/// [`to_yaml`] writes for the same value.
///
/// Written into a buffer reused across calls on the thread, then copied out at exactly its
/// length: the buffer grows a few times per thread rather than a few times per document, and
/// what is held until written carries no spare capacity.
pub fn body_to_yaml(value: &Body) -> String {
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            write_yaml(&mut buffer, value);
            buffer.as_str().to_owned()
        }
        // Not reached (nothing here calls back into `to_yaml`); a fresh buffer is as good.
        Err(_) => {
            let mut out = String::new();
            write_yaml(&mut out, value);
            out
        }
    })
}

fn write_yaml(out: &mut String, value: &Body) {
    match value {
        Body::Object(m) if !m.is_empty() => map(out, m, 0),
        Body::Array(a) if !a.is_empty() => list(out, a, 0),
        other => {
            scalar(out, other);
            out.push('\n');
        }
    }
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

fn map(out: &mut String, m: &BodyMap, depth: usize) {
    let mut first = true;
    for (k, v) in m {
        if !first {
            indent(out, depth);
        }
        first = false;
        let start = out.len();
        string(out, k);
        if out.len() - start > 1024 {
            // Past 1,024 characters a key must be an explicit `? key` (YAML's simple-key limit).
            let key = out.split_off(start);
            out.push_str("? ");
            out.push_str(&key);
            out.push('\n');
            indent(out, depth);
        }
        out.push(':');
        nested(out, v, depth);
    }
}

fn list(out: &mut String, a: &[Body], depth: usize) {
    let mut first = true;
    for v in a {
        if !first {
            indent(out, depth);
        }
        first = false;
        out.push_str("- ");
        match v {
            Body::Object(m) if !m.is_empty() => map(out, m, depth + 2),
            Body::Array(inner) if !inner.is_empty() => list(out, inner, depth + 2),
            Body::String(s) if block_ok(s) => block(out, s, depth + 2),
            other => {
                scalar(out, other);
                out.push('\n');
            }
        }
    }
}

/// After `key:`: a scalar on the same line, or a block on the next lines.
fn nested(out: &mut String, v: &Body, depth: usize) {
    match v {
        Body::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, depth + 2);
            map(out, m, depth + 2);
        }
        Body::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, depth);
            list(out, a, depth);
        }
        Body::String(s) if block_ok(s) => {
            out.push(' ');
            block(out, s, depth + 2);
        }
        other => {
            out.push(' ');
            scalar(out, other);
            out.push('\n');
        }
    }
}

fn scalar(out: &mut String, v: &Body) {
    match v {
        Body::Null => out.push_str("null"),
        Body::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Body::Number(n) => number(out, n),
        Body::String(s) => string(out, s),
        Body::Object(_) => out.push_str("{}"),
        Body::Array(_) => out.push_str("[]"),
    }
}

/// A number as JSON writes it, except that a float in exponent form gets a fraction and a
/// signed exponent (`1e16` → `1.0e+16`): YAML 1.1 reads `1e16` as a string.
fn number(out: &mut String, n: &serde_json::Number) {
    if !n.is_f64() {
        // An integer: as JSON writes it, with no exponent.
        let _ = write!(out, "{n}");
        return;
    }
    let text = n.to_string();
    match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) if n.is_f64() => {
            out.push_str(mantissa);
            if !mantissa.contains('.') {
                out.push_str(".0");
            }
            out.push('e');
            if !exponent.starts_with(['+', '-']) {
                out.push('+');
            }
            out.push_str(exponent);
        }
        _ => out.push_str(&text),
    }
}

const YAML11_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// Byte by byte: every character allowed plain is ASCII, and no byte of a multi-byte
/// character is.
fn plain_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == b'_' || first == b'/')
        && bytes
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'@' | b'-'))
        && !(bytes.len() <= 5 && YAML11_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)))
}

/// Whether `s` has a character [`escaped`] writes as an escape; printable ASCII other than
/// `"` and backslash is checked by byte, anything else by character.
fn has_escaped(s: &str) -> bool {
    let ascii_plain = s
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    !ascii_plain && s.chars().any(escaped)
}

/// Characters a double-quoted scalar writes as an escape: what JSON escapes, and every other
/// character YAML does not allow in a stream (DEL, C1 controls, U+FFFE, U+FFFF) or that a
/// YAML 1.1 reader turns into a line break (NEL, LS, PS), and the byte-order mark.
fn escaped(c: char) -> bool {
    c.is_control() // C0, DEL, C1 (NEL among them)
        || matches!(c, '"' | '\\' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `s` is written as a literal block scalar (see the module's corner cases).
fn block_ok(s: &str) -> bool {
    s.contains('\n')
        && !s
            .chars()
            .any(|c| !matches!(c, '\n' | '\t' | '"' | '\\') && escaped(c))
        && s.split('\n')
            .all(|line| line.is_empty() || !line.trim_start_matches(' ').is_empty())
        && s.split('\n').any(|line| !line.is_empty())
}

/// A literal block scalar after `key: ` or `- `: the header, then each line at `column`.
fn block(out: &mut String, s: &str, column: usize) {
    out.push('|');
    let first = s.split('\n').find(|line| !line.is_empty());
    if first.is_some_and(|line| line.starts_with([' ', '\t'])) {
        // The content sits two columns past the node holding it.
        out.push('2');
    }
    let body = s.trim_end_matches('\n');
    let breaks = s.bytes().rev().take_while(|b| *b == b'\n').count();
    match breaks {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, column);
            out.push_str(line);
        }
        out.push('\n');
    }
    // Kept trailing line breaks past the one ending the last line.
    for _ in 1..breaks {
        out.push('\n');
    }
}

fn string(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else if !has_escaped(s) {
        // Nothing to escape: double-quoted as is.
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // JSON's escapes for what JSON escapes (valid YAML double-quoted escapes), `\uXXXX`
        // for the rest.
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if escaped(c) => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn characters_yaml_readers_reject_or_change_are_escaped() {
        let y = to_yaml(&json!({
            "del": "a\u{7f}b", "nel": "a\u{85}b", "c1": "a\u{9b}b", "ls": "a\u{2028}b",
            "ps": "a\u{2029}b", "bom": "\u{feff}a", "nonchars": "\u{fffe}\u{ffff}",
            "json": "q\"b\\n\r\nt\t", "plain unicode": "é ü 日本"
        }));
        assert_eq!(
            y,
            "del: \"a\\u007fb\"\nnel: \"a\\u0085b\"\nc1: \"a\\u009bb\"\nls: \"a\\u2028b\"\n\
             ps: \"a\\u2029b\"\nbom: \"\\ufeffa\"\nnonchars: \"\\ufffe\\uffff\"\n\
             json: \"q\\\"b\\\\n\\r\\nt\\t\"\n\"plain unicode\": \"é ü 日本\"\n"
        );
    }

    #[test]
    fn exponent_floats_read_as_floats_in_yaml_1_1() {
        let y = to_yaml(
            &json!({"big": 1e16, "small": 1.5e-7, "int": 10_000_000_000_000_000_i64, "f": 2.5}),
        );
        assert_eq!(
            y,
            "big: 1.0e+16\nsmall: 1.5e-7\nint: 10000000000000000\nf: 2.5\n"
        );
    }

    #[test]
    fn keys_past_1024_characters_are_explicit() {
        let long = "k".repeat(1100);
        let y = to_yaml(&json!({ "a": { long.clone(): "v" } }));
        assert_eq!(y, format!("a:\n  ? {long}\n  : v\n"));
    }

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
        let v = json!({ "s": "one line \"q\" # not a comment", "k: v": true, "a\nb": 1 });
        assert_eq!(
            to_yaml(&v),
            "s: \"one line \\\"q\\\" # not a comment\"\n\"k: v\": true\n\"a\\nb\": 1\n"
        );
    }

    #[test]
    fn multi_line_strings_are_literal_block_scalars() {
        let v = json!({
            "clip": "a \"b\"\n  c\n", "strip": "a\nb", "keep": "a\n\n\n", "lead": "  x\ny\n",
            "blank": "\n\na\n\nb", "list": ["x\ny", { "k": " z\n" }],
            "cr": "a\r\nb", "spaces": "a\n  \nb", "empty": "\n\n", "ctl": "a\u{7}\nb"
        });
        assert_eq!(
            to_yaml(&v),
            "clip: |\n  a \"b\"\n    c\nstrip: |-\n  a\n  b\nkeep: |+\n  a\n\n\n\
             lead: |2\n    x\n  y\nblank: |-\n\n\n  a\n\n  b\nlist:\n- |-\n  x\n  y\n\
             - k: |2\n     z\ncr: \"a\\r\\nb\"\nspaces: \"a\\n  \\nb\"\nempty: \"\\n\\n\"\n\
             ctl: \"a\\u0007\\nb\"\n"
        );
    }
}
