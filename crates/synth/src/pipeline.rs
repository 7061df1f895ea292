//! The synth pipeline, top-down:
//! 1. lower every stack of the app into a [`Graph`] (its checks run as it lowers);
//! 2. validate: any error diagnostic stops here, nothing is written;
//! 3. plan renames against the previous output in `<out>/<stack>/` ([`crate::previous`]):
//!    `moved` blocks, or SS0009 for a stateful resource that would be destroyed;
//! 4. render each stack in memory ([`render`]);
//! 5. write the stack folders atomically ([`crate::write`]).
//!
//! `validate` and `graph` run steps 1–4 without a previous output; `diff` runs steps 1–3, renders,
//! and compares instead of writing.

use std::path::Path;

use stacksmith_core::{App, Diagnostics, Graph};

use crate::moves::{self, Move, Renamed};
use crate::previous::{Previous, Reading, load_previous};
use crate::write::{self, Report};
use crate::{SynthError, render};

/// Lowers, validates, renders and writes every stack of `app` under `out` (`out/<stack>/`).
/// On any error diagnostic nothing is written.
///
/// When `out/<stack>/terraform/main.tf.json` exists, renamed stateful resources are matched to
/// their previous addresses and written as `moved` blocks in `terraform/moved.tf.json` (see the `moves`
/// module), and the renamed construct keeps its cloud names (recorded in `manifest.json`; one
/// line in the summary); a stateful resource that disappears unmatched and unacknowledged is error SS0009.
///
/// The output folder's lock is taken before the previous output is read (when `out` exists:
/// a failed synth of a new folder creates nothing), so a second synth into it is refused.
pub fn synth(app: &App, out: &Path) -> Result<Report, SynthError> {
    let held = if out.is_dir() {
        Some(write::lock(out)?)
    } else {
        None
    };
    let (mut planned, diagnostics) = plan_checked(app, Some(out))?;
    for p in &mut planned {
        // Read for matching renames, done: not held while the stacks render.
        p.previous = None;
    }
    let made = held.is_none();
    let held = match held {
        Some(held) => held,
        None => write::lock(out)?,
    };
    // The files are written on another core as they are rendered.
    let stacks: Vec<String> = planned.iter().map(|p| p.graph.stack.clone()).collect();
    let written = write::write_rendering(out, &held, &stacks, planned, render_all);
    match written {
        Ok(stacks) => Ok(Report {
            stacks,
            diagnostics,
        }),
        Err(e) => {
            if made {
                // Made for the lock by this synth, which failed before writing any stack.
                write::remove_if_unused(out);
            }
            Err(e)
        }
    }
}

/// Lowers, validates and renders in memory; errors if any diagnostic is an error (the
/// command line's `check` and `diff`).
#[cfg(feature = "cli")]
pub(crate) fn render_app(app: &App) -> Result<(Vec<crate::StackOutput>, Diagnostics), SynthError> {
    let (mut planned, diagnostics) = plan_checked(app, None)?;
    let rendered = render_all(&mut planned, &drop)?;
    Ok((
        rendered
            .into_iter()
            .map(render::Rendered::into_output)
            .collect(),
        diagnostics,
    ))
}

/// Steps 1–3, matching renames against the previous output under `out` if given; errors if any
/// diagnostic, of lowering or of the match, is an error.
fn plan_checked(app: &App, out: Option<&Path>) -> Result<(Vec<Planned>, Diagnostics), SynthError> {
    let (planned, mut diagnostics) = plan_app(app, out, Reading::Outline)?;
    for p in &planned {
        diagnostics.extend(p.diagnostics.clone());
    }
    diagnostics.sort();
    if diagnostics.has_errors() {
        return Err(SynthError::Diagnostics(diagnostics));
    }
    Ok((planned, diagnostics))
}

/// Step 4: renders every stack, each part of its files handed to `stage` once rendered.
fn render_all(
    planned: &mut [Planned],
    stage: &render::Stage<'_>,
) -> Result<Vec<render::Rendered>, SynthError> {
    // Stacks render independently: on several cores at once, in order. Each stack's objects
    // are taken out of its graph as they are rendered, and the graphs are dropped before the
    // files are written.
    let rendered = stacksmith_core::parallel::map_mut_with(planned, 2, |p| {
        render::render_taking(&mut p.graph, &p.moves, &p.renamed, stage)
    });
    crate::yaml::release_buffer();
    rendered.into_iter().collect()
}

/// One lowered stack, its previous output, and the moves synth writes for it.
pub(crate) struct Planned {
    pub graph: Graph,
    pub previous: Option<Previous>,
    pub moves: Vec<Move>,
    /// The renamed constructs keeping their cloud names (already kept in `graph`).
    pub renamed: Vec<Renamed>,
    /// SS0009 (errors) and SS0010 (warnings) from matching against the previous output.
    pub diagnostics: Diagnostics,
}

/// Steps 1–3: lowers the app (stopping on its errors) and plans each stack against
/// `<out>/<stack>/` (as much of it as `reading` says). The warnings of lowering come back
/// beside the plans.
pub(crate) fn plan_app(
    app: &App,
    out: Option<&Path>,
    reading: Reading,
) -> Result<(Vec<Planned>, Diagnostics), SynthError> {
    let (graphs, diagnostics) = lower(app)?;
    let planned = graphs
        .into_iter()
        .map(|graph| plan(graph, out, reading))
        .collect::<Result<_, _>>()?;
    Ok((planned, diagnostics))
}

/// Steps 1 and 2: every stack lowered, and every diagnostic in the stable order; an error stops
/// the pipeline.
pub(crate) fn lower(app: &App) -> Result<(Vec<Graph>, Diagnostics), SynthError> {
    let graphs = app.lower();
    let mut diagnostics = Diagnostics::default();
    for g in &graphs {
        diagnostics.extend(g.diagnostics.clone());
    }
    diagnostics.sort();
    if diagnostics.has_errors() {
        return Err(SynthError::Diagnostics(diagnostics));
    }
    Ok((graphs, diagnostics))
}

/// Step 3 for one stack: reads `<out>/<stack>/` back, if any, and matches renames against it.
fn plan(mut graph: Graph, out: Option<&Path>, reading: Reading) -> Result<Planned, SynthError> {
    let mut previous = match out {
        Some(out) => load_previous(out, &graph.stack, reading)?,
        None => None,
    };
    // An outline has no bodies: once a previous resource is gone (renamed or removed), the
    // root is read again whole, for the comparisons only then made.
    if let Some(out) = out
        && previous
            .as_ref()
            .and_then(|p| p.terraform.as_ref())
            .is_some_and(|tf| tf.outline && tf.loses_any(&graph))
    {
        previous = load_previous(out, &graph.stack, Reading::Terraform)?;
    }
    let (moves, renamed, d) = match previous.as_ref().and_then(|p| p.terraform.as_ref()) {
        Some(tf) => {
            let (moves, d) = moves::plan(&graph, tf);
            let renamed = moves::keep_names(&mut graph, tf, &moves);
            (moves, renamed, d)
        }
        None => (Vec::new(), Vec::new(), Diagnostics::default()),
    };
    Ok(Planned {
        graph,
        previous,
        moves,
        renamed,
        diagnostics: d,
    })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use stacksmith_core::terraform::{Map, Resource, Value};
    use stacksmith_core::{Address, Graph, Path};

    use super::plan;
    use crate::previous::Reading;

    /// A graph of `prod` with one bucket per name.
    fn buckets(names: &[&str]) -> Graph {
        let mut g = Graph::new("prod", "us-east-1");
        for name in names {
            let mut body = Map::new();
            body.insert("bucket".into(), Value::String(format!("prod-{name}")));
            g.resources.push(Resource::new(
                Address::resource("prod", "aws_s3_bucket", name),
                Path::root("prod").child(name),
                body,
            ));
        }
        g
    }

    #[test]
    fn the_previous_root_is_read_whole_only_once_a_resource_is_gone() {
        let out = std::env::temp_dir().join(format!("stacksmith-plan-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        let tf = out.join("prod/terraform");
        assert!(fs::create_dir_all(&tf).is_ok());
        let root = r#"{"resource": {"aws_s3_bucket": {"logs": {"bucket": "prod-logs"},
                                                     "old": {"bucket": "prod-old"}}}}"#;
        assert!(fs::write(tf.join("main.tf.json"), root).is_ok());
        assert!(
            fs::write(
                out.join("prod/manifest.json"),
                r#"{"schema": 2, "files": []}"#
            )
            .is_ok()
        );

        // Every previous resource still synthesized (one more added): the outline suffices.
        let Ok(p) = plan(
            buckets(&["logs", "old", "new"]),
            Some(&out),
            Reading::Outline,
        ) else {
            panic!("planned");
        };
        let Some(prev) = p.previous.and_then(|p| p.terraform) else {
            panic!("the previous root was read");
        };
        assert!(prev.outline);
        assert_eq!(prev.resources.len(), 2);
        assert!(prev.resources.values().all(serde_json::Value::is_null));

        // `old` gone: the bodies are read, for the rename comparison.
        let Ok(p) = plan(buckets(&["logs", "new"]), Some(&out), Reading::Outline) else {
            panic!("planned");
        };
        let Some(prev) = p.previous.and_then(|p| p.terraform) else {
            panic!("the previous root was read");
        };
        assert!(!prev.outline);
        assert_eq!(
            prev.resources.get("aws_s3_bucket.old"),
            Some(&serde_json::json!({"bucket": "prod-old"}))
        );
        let _ = fs::remove_dir_all(&out);
    }
}
