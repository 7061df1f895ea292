//! The synth pipeline, top-down: lower the app → validate (any error stops here) → plan renames
//! against the previous output in `<out>/<stack>/` → render each stack in memory → write the
//! stack folders atomically. `diff` runs the same pipeline up to rendering and compares instead
//! of writing.

use std::path::Path;

use stacksmith_core::{App, Diagnostics, Graph};

use crate::moves::{self, Move};
use crate::previous::{Previous, load_previous};
use crate::write::{Report, write_outputs};
use crate::{StackOutput, SynthError, render};

/// Lowers, validates, renders and writes every stack of `app` under `out` (`out/<stack>/`).
/// On any error diagnostic nothing is written.
///
/// When `out/<stack>/terraform/main.tf.json` exists, renamed stateful resources are matched to
/// their previous addresses and written as `moved` blocks in `terraform/moved.tf.json` (see the `moves`
/// module); a stateful resource that disappears unmatched and unacknowledged is error SS0009.
pub fn synth(app: &App, out: &Path) -> Result<Report, SynthError> {
    let (outputs, diagnostics) = render_planned(app, Some(out))?;
    let stacks = write_outputs(out, &outputs)?;
    Ok(Report {
        stacks,
        diagnostics,
    })
}

/// Lowers, validates and renders in memory; errors if any diagnostic is an error.
pub(crate) fn render_app(app: &App) -> Result<(Vec<StackOutput>, Diagnostics), SynthError> {
    render_planned(app, None)
}

/// Like [`render_app`], matching renames against the previous output under `out` if given.
fn render_planned(
    app: &App,
    out: Option<&Path>,
) -> Result<(Vec<StackOutput>, Diagnostics), SynthError> {
    let (planned, mut diagnostics) = plan_app(app, out)?;
    for p in &planned {
        diagnostics.extend(p.diagnostics.clone());
    }
    diagnostics.sort();
    if diagnostics.has_errors() {
        return Err(SynthError::Diagnostics(diagnostics));
    }
    let outputs = planned
        .iter()
        .map(|p| render::render_moved(&p.graph, &p.moves))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((outputs, diagnostics))
}

/// One lowered stack, its previous output, and the moves synth writes for it.
pub(crate) struct Planned {
    pub graph: Graph,
    pub previous: Option<Previous>,
    pub moves: Vec<Move>,
    /// SS0009 (errors) and SS0010 (warnings) from matching against the previous output.
    pub diagnostics: Diagnostics,
}

/// Lowers the app (stopping on its errors) and plans each stack against `<out>/<stack>/`.
pub(crate) fn plan_app(
    app: &App,
    out: Option<&Path>,
) -> Result<(Vec<Planned>, Diagnostics), SynthError> {
    let graphs = app.lower();
    let mut diagnostics = Diagnostics::default();
    for g in &graphs {
        diagnostics.extend(g.diagnostics.clone());
    }
    diagnostics.sort();
    if diagnostics.has_errors() {
        return Err(SynthError::Diagnostics(diagnostics));
    }
    let mut planned = Vec::new();
    for graph in graphs {
        let previous = match out {
            Some(out) => load_previous(out, &graph.stack)?,
            None => None,
        };
        let (moves, d) = match previous.as_ref().and_then(|p| p.terraform.as_ref()) {
            Some(tf) => moves::plan(&graph, tf),
            None => (Vec::new(), Diagnostics::default()),
        };
        planned.push(Planned {
            graph,
            previous,
            moves,
            diagnostics: d,
        });
    }
    Ok((planned, diagnostics))
}
