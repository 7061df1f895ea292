//! What the example tests share: rendering an app in memory, reading a file of the output, and
//! snapshotting into the project's `snapshots/` folder.

#![allow(dead_code)]

use stacksmith::core::App;
use stacksmith::synth_api::{StackOutput, render};

/// Lowers and renders every stack of `app`, failing the test on any error diagnostic.
pub fn render_app(app: &App) -> Vec<StackOutput> {
    app.lower()
        .iter()
        .map(|g| {
            assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
            match render(g) {
                Ok(o) => o,
                Err(e) => panic!("render failed: {e}"),
            }
        })
        .collect()
}

/// The output of an app of exactly one stack.
pub fn render_one(app: &App) -> StackOutput {
    let mut outputs = render_app(app);
    assert_eq!(outputs.len(), 1);
    outputs.remove(0)
}

/// A file's contents (empty when the output has no such file).
pub fn file<'a>(o: &'a StackOutput, path: &str) -> &'a str {
    o.files
        .iter()
        .find(|f| f.path == path)
        .and_then(|f| f.as_text())
        .unwrap_or_default()
}

/// The stack's `terraform/main.tf.json`, parsed (null when absent).
pub fn terraform(o: &StackOutput) -> serde_json::Value {
    serde_json::from_str(file(o, "terraform/main.tf.json")).unwrap_or_default()
}

/// Snapshots `text` as `snapshots/<name>.snap`.
pub fn snap(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Snapshots every text file of `o` as `<prefix>__<path, with `/` as `__`>`. A shipped binary
/// file (a Lambda's zip) is pinned by its sha256 and size in the snapshotted `manifest.json`.
pub fn snap_files(prefix: &str, o: &StackOutput) {
    for f in &o.files {
        if let Some(text) = f.as_text() {
            snap(&format!("{prefix}__{}", f.path.replace('/', "__")), text);
        }
    }
}
