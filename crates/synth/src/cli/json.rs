//! `--format json`: one document per run, keys in a fixed order (struct field order), every key
//! always present (`null` when it does not apply), so scripts can rely on the shape.

use std::io::{self, Write};

use serde::Serialize;
use stacksmith_core::{Diagnostics, Graph, Path};

use crate::manifest::ApplyStep;
use crate::{StackOutput, StackReport, SynthError};

/// Bumped when a key is removed or changes meaning; new keys may appear without a bump.
const SCHEMA_VERSION: u32 = 1;

/// The document every command prints.
#[derive(Serialize)]
pub(super) struct Document<'a, S: Serialize> {
    schema_version: u32,
    /// `synth`, `validate` or `list`.
    command: &'static str,
    /// Whether the command succeeded (exit code 0).
    ok: bool,
    /// Why it failed, in one line; `null` when `ok`.
    error: Option<String>,
    /// Number of error diagnostics.
    errors: usize,
    /// Number of warning diagnostics.
    warnings: usize,
    /// Every diagnostic: `{severity, code, path, message, hint}`, in the stable order.
    diagnostics: &'a Diagnostics,
    /// Per stack, in the app's order; empty when nothing was rendered.
    stacks: Vec<S>,
}

impl<'a, S: Serialize> Document<'a, S> {
    pub(super) fn ok(command: &'static str, diagnostics: &'a Diagnostics, stacks: Vec<S>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            command,
            ok: true,
            error: None,
            errors: diagnostics.error_count(),
            warnings: diagnostics.warning_count(),
            diagnostics,
            stacks,
        }
    }

    /// A failure with a listing (`list` of an app with errors).
    pub(super) fn failed_with(
        command: &'static str,
        diagnostics: &'a Diagnostics,
        stacks: Vec<S>,
    ) -> Self {
        Self {
            ok: false,
            error: Some(format!(
                "the app has {} error(s)",
                diagnostics.error_count()
            )),
            ..Self::ok(command, diagnostics, stacks)
        }
    }

    pub(super) fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}

impl<'a> Document<'a, Stack> {
    /// A synth or validate that stopped: on errors in the app (`other` is `None`), or on an I/O
    /// or serialisation failure.
    pub(super) fn failed(
        command: &'static str,
        diagnostics: &'a Diagnostics,
        other: Option<&SynthError>,
    ) -> Self {
        let error = match other {
            Some(e) if e.previous_intact() => format!("{e}; the previous output is unchanged"),
            Some(e) => e.to_string(),
            None => format!(
                "the app has {} error(s); nothing was written",
                diagnostics.error_count()
            ),
        };
        Self {
            ok: false,
            error: Some(error),
            ..Self::ok(command, diagnostics, Vec::new())
        }
    }
}

/// One stack in `synth` and `validate` documents.
#[derive(Serialize)]
pub(super) struct Stack {
    /// The stack's name.
    stack: String,
    /// The folder written (`synth`); `null` for `validate`.
    dir: Option<String>,
    /// Terraform resources and data sources.
    resources: usize,
    /// Kubernetes objects.
    objects: usize,
    /// Files in the stack's folder, `manifest.json` included.
    files: usize,
    /// Stacks to apply before this one.
    after: Vec<String>,
    /// `{what, by, check}` per thing the stack uses but does not create.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    prerequisites: Vec<stacksmith_core::Prerequisite>,
    /// `{root, what, command}` per step, in order, each run from the stack's folder.
    apply_order: Vec<ApplyStep>,
    /// Constructs this synth recognised as renamed: `{path, from, names}` (name derived from
    /// the new path → cloud name kept).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    renamed: Vec<crate::moves::Renamed>,
}

impl From<&StackReport> for Stack {
    fn from(s: &StackReport) -> Self {
        Self {
            stack: s.stack.clone(),
            dir: Some(s.dir.display().to_string()),
            resources: s.resources,
            objects: s.objects,
            files: s.files,
            after: s.after.clone(),
            prerequisites: s.prerequisites.clone(),
            apply_order: s.apply_order.clone(),
            renamed: s.renamed.clone(),
        }
    }
}

impl From<&StackOutput> for Stack {
    fn from(s: &StackOutput) -> Self {
        Self {
            stack: s.stack.clone(),
            dir: None,
            resources: s.resources,
            objects: s.objects,
            files: s.files.len(),
            after: s.after.clone(),
            prerequisites: s.prerequisites.clone(),
            apply_order: s.apply_order.clone(),
            renamed: Vec::new(),
        }
    }
}

/// One stack in a `list` document.
#[derive(Serialize)]
pub(super) struct Listing {
    stack: String,
    constructs: Vec<Construct>,
}

/// A construct and what it lowered to.
#[derive(Serialize)]
struct Construct {
    /// Its path, `prod/api/deployment`.
    path: String,
    /// Terraform resource addresses: `aws_vpc.network`.
    resources: Vec<String>,
    /// Kubernetes objects.
    objects: Vec<Object>,
}

/// A Kubernetes object in a listing.
#[derive(Serialize)]
pub(super) struct Object {
    /// `Deployment`.
    pub(super) kind: String,
    /// `null` for cluster-scoped objects.
    pub(super) namespace: Option<String>,
    /// `metadata.name`.
    pub(super) name: String,
}

impl From<&Graph> for Listing {
    fn from(g: &Graph) -> Self {
        Self {
            stack: g.stack.clone(),
            constructs: constructs(g)
                .into_iter()
                .map(|(path, resources, objects)| Construct {
                    path: path.to_string(),
                    resources,
                    objects,
                })
                .collect(),
        }
    }
}

/// Each construct owning something, in path order, with its Terraform addresses and Kubernetes
/// objects (shared by the human and the JSON listing).
pub(super) fn constructs(g: &Graph) -> Vec<(&Path, Vec<String>, Vec<Object>)> {
    let mut paths: Vec<&Path> = g
        .resources
        .iter()
        .map(|r| &r.owner)
        .chain(g.objects.iter().map(|o| &o.owner))
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|p| {
            let resources = g
                .resources
                .iter()
                .filter(|r| &r.owner == p)
                .map(|r| r.address.expression())
                .collect();
            let objects = g
                .objects
                .iter()
                .filter(|o| &o.owner == p)
                .map(|o| Object {
                    kind: o.kind.clone(),
                    namespace: o.namespace.clone(),
                    name: o.name.clone(),
                })
                .collect();
            (p, resources, objects)
        })
        .collect()
}
