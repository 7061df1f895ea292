//! The synth pipeline runs one way: no module of `src/` reaches, through `crate::` paths, a
//! module that reaches back to it. Modules are the top-level ones (`diff/against.rs` is part of
//! `diff`); an item re-exported by `lib.rs` (`crate::StackOutput`) counts as its module's.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `crate::a::b`, `crate::{a, b::c}` → the first segment of each path.
fn crate_paths(text: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(inner) => {
                let group = inner.split('}').next().unwrap_or_default();
                out.extend(group.split(',').map(ident));
            }
            None => out.push(ident(rest)),
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

#[test]
fn synth_modules_import_each_other_without_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    // `pub use module::{A, B};` in lib.rs: item → module.
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut modules: BTreeSet<String> = BTreeSet::new();
    for line in lib.lines() {
        let line = line.trim();
        if let Some(m) = line
            .strip_prefix("mod ")
            .or_else(|| line.strip_prefix("pub mod "))
        {
            modules.insert(m.trim_end_matches(';').to_owned());
        }
        if let Some(rest) = line.strip_prefix("pub use ")
            && let Some((module, items)) = rest.trim_end_matches(';').split_once("::")
        {
            for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
                owner.insert(item.trim().to_owned(), module.to_owned());
            }
        }
    }
    assert!(modules.contains("pipeline") && modules.contains("render"));

    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap_or(&file);
        let top = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .unwrap_or_default();
        if top == "lib" || rel.ends_with("tests.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap_or_default();
        // Inline test modules may reach anywhere.
        let text = text
            .split("#[cfg(test)]\nmod tests {")
            .next()
            .unwrap_or_default();
        for name in crate_paths(text) {
            let target = if modules.contains(&name) {
                Some(name.clone())
            } else {
                owner.get(&name).cloned()
            };
            let Some(target) = target else {
                panic!(
                    "{}: `crate::{name}` names no module of lib.rs",
                    rel.display()
                );
            };
            if target != top {
                edges.entry(top.clone()).or_default().insert(target);
            }
        }
    }

    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, bool>,
        path: &mut Vec<String>,
    ) {
        state.insert(m.to_owned(), false);
        path.push(m.to_owned());
        for next in edges.get(m).into_iter().flatten() {
            match state.get(next) {
                Some(false) => panic!("import circle: {} → {next}", path.join(" → ")),
                Some(true) => {}
                None => visit(next, edges, state, path),
            }
        }
        path.pop();
        state.insert(m.to_owned(), true);
    }
    let mut state = BTreeMap::new();
    for m in edges.keys() {
        if !state.contains_key(m) {
            visit(m, &edges, &mut state, &mut Vec::new());
        }
    }
    // The pipeline is above rendering; diff above the pipeline.
    let reaches = |a: &str, b: &str| edges.get(a).is_some_and(|e| e.contains(b));
    assert!(reaches("diff", "pipeline") && !reaches("pipeline", "diff"));
    assert!(!reaches("render", "diff") && !reaches("terraform_json", "diff"));
}
