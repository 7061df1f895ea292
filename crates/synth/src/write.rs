//! Writing stack folders atomically: every stack is rendered into a staging folder beside its
//! target, and only when all are complete is each swapped into place. A failed synth leaves
//! the previous output exactly as it was.

use std::collections::HashSet;
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
    /// What the stack uses but does not create, with the command that checks each.
    pub prerequisites: Vec<stacksmith_core::Prerequisite>,
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

/// Writes rendered stacks under `out`, each swapped into place only once all are staged.
pub fn write_outputs(out: &Path, outputs: &[StackOutput]) -> Result<Vec<StackReport>, SynthError> {
    fs::create_dir_all(out).map_err(SynthError::io(out))?;
    let pid = std::process::id();
    let mut staged: Vec<PathBuf> = Vec::new();
    for o in outputs {
        let staging = out.join(format!(".{}.staging-{pid}", o.stack));
        if let Err(e) = stage(&staging, &out.join(&o.stack), o) {
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
            prerequisites: o.prerequisites.clone(),
            renamed: o.renamed.iter().filter(|r| r.moves > 0).cloned().collect(),
        });
    }
    Ok(reports)
}

/// Writes a stack's files into `dir`, a staging folder swapped in place of `previous` later.
/// A file whose bytes equal those of the same file in `previous` is hard-linked from there
/// instead of written: re-synthesizing writes only what changed (unchanged files keep their
/// modification time), and the swap stays atomic since no file is ever changed in place.
/// Files are staged on every core; each folder is created once.
fn stage(dir: &Path, previous: &Path, o: &StackOutput) -> Result<(), SynthError> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(SynthError::io(dir))?;
    }
    let mut made: HashSet<&Path> = HashSet::new();
    made.insert(Path::new(""));
    for f in &o.files {
        if let Some(parent) = Path::new(&f.path).parent()
            && made.insert(parent)
        {
            let parent = dir.join(parent);
            fs::create_dir_all(&parent).map_err(SynthError::io(&parent))?;
        }
    }
    let reuse = previous.is_dir();
    stacksmith_core::parallel::map(&o.files, |f| {
        let path = dir.join(&f.path);
        if reuse {
            let old = previous.join(&f.path);
            if unchanged(&old, f.contents.as_bytes()) && fs::hard_link(&old, &path).is_ok() {
                return Ok(());
            }
        }
        fs::write(&path, &f.contents).map_err(SynthError::io(&path))
    })
    .into_iter()
    .collect()
}

/// Whether the file at `path` holds exactly `bytes` (size first: most changes change it).
fn unchanged(path: &Path, bytes: &[u8]) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|old| old == bytes)
}

/// Moves `staging` to `target`; the old `target` is moved aside first and restored if the
/// second rename fails.
fn swap(staging: &Path, target: &Path, previous: &Path) -> Result<(), SynthError> {
    let had_previous = target.exists();
    if had_previous {
        if previous.exists() {
            fs::remove_dir_all(previous).map_err(SynthError::io(previous))?;
        }
        fs::rename(target, previous).map_err(SynthError::io(target))?;
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
        fs::remove_dir_all(previous).map_err(SynthError::io(previous))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::File;

    fn output(files: &[(&str, &str)]) -> StackOutput {
        StackOutput {
            stack: "prod".into(),
            files: files
                .iter()
                .map(|(p, c)| File {
                    path: (*p).to_owned(),
                    contents: (*c).to_owned(),
                })
                .collect(),
            resources: 0,
            objects: 0,
            apply_order: Vec::new(),
            after: Vec::new(),
            prerequisites: Vec::new(),
            renamed: Vec::new(),
        }
    }

    #[cfg(unix)]
    #[test]
    fn resynthesizing_writes_only_the_files_that_changed() -> Result<(), Box<dyn std::error::Error>>
    {
        use std::os::unix::fs::MetadataExt;
        let out = std::env::temp_dir().join(format!("stacksmith-write-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        let inode = |p: &str| fs::metadata(out.join("prod").join(p)).map(|m| m.ino()).ok();
        write_outputs(
            &out,
            &[output(&[("a/same.yaml", "same\n"), ("b.json", "old\n")])],
        )?;
        let (same, changed) = (inode("a/same.yaml"), inode("b.json"));
        write_outputs(
            &out,
            &[output(&[
                ("a/same.yaml", "same\n"),
                ("b.json", "new\n"),
                ("c/d/e.txt", "added\n"),
            ])],
        )?;
        assert_eq!(
            inode("a/same.yaml"),
            same,
            "an unchanged file is kept, not rewritten"
        );
        assert_ne!(inode("b.json"), changed);
        let read = |p: &str| fs::read_to_string(out.join("prod").join(p));
        assert_eq!(read("b.json")?, "new\n");
        assert_eq!(read("c/d/e.txt")?, "added\n");
        assert_eq!(
            fs::read_dir(&out)?.count(),
            1,
            "no staging or previous folder is left behind"
        );
        fs::remove_dir_all(&out)?;
        Ok(())
    }
}
