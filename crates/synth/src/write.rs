//! Writing stack folders atomically: every stack is rendered into a staging folder beside its
//! target, and only when all are complete is each swapped into place. A failed synth leaves
//! the previous output exactly as it was.

use std::fs;
use std::path::{Path, PathBuf};

use stacksmith_core::Diagnostics;

use crate::manifest::ApplyStep;
use crate::{StackOutput, SynthError};

/// What one stack's synth wrote.
#[derive(Clone, Debug)]
pub struct StackReport {
    /// The stack's name.
    pub stack: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Terraform resources and data sources.
    pub resources: usize,
    /// Kubernetes objects.
    pub objects: usize,
    /// Files written.
    pub files: usize,
    /// The apply steps, in order.
    pub apply_order: Vec<ApplyStep>,
    /// Stacks to apply before this one.
    pub after: Vec<String>,
    /// Constructs renamed by this synth that keep their cloud names (one summary line each).
    pub renamed: Vec<crate::moves::Renamed>,
}

/// What a synth did: the stacks written and the warnings found.
#[derive(Clone, Debug)]
pub struct Report {
    /// One per stack.
    pub stacks: Vec<StackReport>,
    /// Warnings (errors would have stopped the synth).
    pub diagnostics: Diagnostics,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes rendered stacks under `out`, each swapped into place only once all are staged.
pub fn write_outputs(out: &Path, outputs: &[StackOutput]) -> Result<Vec<StackReport>, SynthError> {
    fs::create_dir_all(out).map_err(io(out))?;
    let pid = std::process::id();
    let mut staged: Vec<PathBuf> = Vec::new();
    for o in outputs {
        let staging = out.join(format!(".{}.staging-{pid}", o.stack));
        if let Err(e) = stage(&staging, o) {
            let _ = fs::remove_dir_all(&staging);
            for s in &staged {
                let _ = fs::remove_dir_all(s);
            }
            return Err(e);
        }
        staged.push(staging);
    }
    let mut reports = Vec::new();
    for (o, staging) in outputs.iter().zip(&staged) {
        let target = out.join(&o.stack);
        swap(
            staging,
            &target,
            &out.join(format!(".{}.previous-{pid}", o.stack)),
        )?;
        reports.push(StackReport {
            stack: o.stack.clone(),
            dir: target,
            resources: o.resources,
            objects: o.objects,
            files: o.files.len(),
            apply_order: o.apply_order.clone(),
            after: o.after.clone(),
            renamed: o.renamed.iter().filter(|r| r.moves > 0).cloned().collect(),
        });
    }
    Ok(reports)
}

fn stage(dir: &Path, o: &StackOutput) -> Result<(), SynthError> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    for f in &o.files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        fs::write(&path, &f.contents).map_err(io(&path))?;
    }
    Ok(())
}

/// Moves `staging` to `target`; the old `target` is moved aside first and restored if the
/// second rename fails.
fn swap(staging: &Path, target: &Path, previous: &Path) -> Result<(), SynthError> {
    let had_previous = target.exists();
    if had_previous {
        if previous.exists() {
            fs::remove_dir_all(previous).map_err(io(previous))?;
        }
        fs::rename(target, previous).map_err(io(target))?;
    }
    if let Err(source) = fs::rename(staging, target) {
        if had_previous {
            let _ = fs::rename(previous, target);
        }
        return Err(SynthError::Io {
            path: target.to_owned(),
            source,
        });
    }
    if had_previous {
        fs::remove_dir_all(previous).map_err(io(previous))?;
    }
    Ok(())
}
