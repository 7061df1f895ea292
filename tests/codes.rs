//! The code table (`stacksmith::core::CODES`) against the sources: every `"SSxxxx"` literal in
//! non-test code of `crates/*/src` and `src` has an entry, and every entry is emitted somewhere.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use stacksmith::core::CODES;

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `text` without its test code: a `tests.rs` file is all test code, and elsewhere the
/// `#[cfg(test)] mod … {` block closes the file (checked: nothing follows it).
fn non_test(path: &Path, text: &str) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let mut kept = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let next = lines.peek().map(|l| l.trim_start()).unwrap_or_default();
        if line.trim() == "#[cfg(test)]" && next.starts_with("mod ") && next.ends_with('{') {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// Every `"SS" + 4 digits + "` literal in `text`.
fn literals(text: &str, out: &mut BTreeSet<String>) {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices("\"SS") {
        let Some(code) = bytes.get(i + 1..i + 7) else {
            continue;
        };
        if code[2..].iter().all(u8::is_ascii_digit) && bytes.get(i + 7) == Some(&b'"') {
            out.insert(String::from_utf8_lossy(code).into_owned());
        }
    }
}

fn emitted() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for krate in fs::read_dir(root.join("crates"))
        .into_iter()
        .flatten()
        .flatten()
    {
        rust_files(&krate.path().join("src"), &mut files);
    }
    let table = root.join("crates/core/src/codes.rs");
    let mut codes = BTreeSet::new();
    for f in files.iter().filter(|f| **f != table) {
        let text = fs::read_to_string(f).unwrap_or_default();
        literals(&non_test(f, &text), &mut codes);
    }
    codes
}

#[test]
fn every_emitted_code_is_in_the_table_and_every_entry_is_emitted() {
    let emitted = emitted();
    assert!(
        emitted.len() > 100,
        "found only {emitted:?}: is the walk broken?"
    );
    let table: BTreeSet<String> = CODES.iter().map(|c| c.code.to_owned()).collect();
    let missing: Vec<_> = emitted.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "emitted but not in crates/core/src/codes.rs: {missing:?}"
    );
    let unused: Vec<_> = table.difference(&emitted).collect();
    assert!(
        unused.is_empty(),
        "in crates/core/src/codes.rs but emitted nowhere: {unused:?}"
    );
}

#[test]
fn test_code_is_left_out() {
    let text = "fn a() { d(\"SS0101\"); }\n#[cfg(test)]\nmod tests {\n    d(\"SS9001\");\n}\n";
    let mut found = BTreeSet::new();
    literals(&non_test(Path::new("x.rs"), text), &mut found);
    assert_eq!(found, BTreeSet::from(["SS0101".to_owned()]));
    let mut none = BTreeSet::new();
    literals(&non_test(Path::new("a/tests.rs"), text), &mut none);
    assert!(none.is_empty());
}

/// `docs/rules.md`, the rule catalogue, is the text [`catalogue`] generates from the code table
/// and its sources. `STACKSMITH_BLESS=1 cargo test --test codes` rewrites it.
#[test]
fn rule_catalogue_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let want = stacksmith::core::codes::catalogue();
    if std::env::var_os("STACKSMITH_BLESS").is_some_and(|v| v == "1") {
        if let Err(e) = fs::write(&path, &want) {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let have = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date with crates/core/src/codes.rs and code_sources.rs; regenerate it with `STACKSMITH_BLESS=1 cargo test --test codes` and commit it"
    );
}
