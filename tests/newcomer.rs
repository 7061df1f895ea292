//! The newcomer example (a stack from the README's constructs, belonging to no seed): every
//! output file snapshotted, and no error or warning on the way.

#[path = "../examples/newcomer.rs"]
#[allow(dead_code)]
mod newcomer;

mod common;

use common::{render_one, snap_files};

#[test]
fn newcomer_output_matches_snapshots() {
    snap_files("newcomer", &render_one(&newcomer::app()));
}

#[test]
fn newcomer_lowers_without_diagnostics() {
    let graphs = newcomer::app().lower();
    assert!(
        graphs.iter().all(|g| g.diagnostics.is_empty()),
        "{}",
        graphs
            .iter()
            .map(|g| g.diagnostics.to_string())
            .collect::<String>()
    );
}
