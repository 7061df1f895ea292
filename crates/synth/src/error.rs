//! Synthesis errors: diagnostics that block writing, and I/O failures with the path involved.

use std::path::{Path, PathBuf};

use stacksmith_core::Diagnostics;

/// Why a synth produced no output.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The stack has errors; nothing was written.
    #[error("{0}")]
    Diagnostics(Diagnostics),
    /// Reading or writing the output failed before the new output was switched in; the
    /// previous output is intact.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Another synth is writing the same output folder; nothing was written.
    #[error(
        "another synth is writing `{}` right now (it holds the lock `{}`); wait for it to finish, or choose another output folder",
        dir.display(),
        lock.display()
    )]
    Locked {
        /// The output folder.
        dir: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// A path synth would write holds something synth did not make; nothing was replaced.
    #[error("`{}` {occupant}: move it away or choose another output folder", path.display())]
    Occupied {
        /// The path.
        path: PathBuf,
        /// What is there.
        occupant: Occupant,
    },
    /// The new output is live, but a stack folder written before generations (a real
    /// `out/<stack>`) still stands where its link goes.
    #[error(
        "the new output is in `{}`, but `{}` still holds the output written before it ({source}); run synth again to finish",
        live.display(),
        path.display()
    )]
    Unfinished {
        /// The new output of the stack.
        live: PathBuf,
        /// The stack folder not replaced yet.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A rendered file's path would not stay inside the output folder (absolute, empty, or with
    /// a `.`/`..` component). Names are validated before rendering (SS0001, SS0207), so this is
    /// a last guard: nothing is written.
    #[error("refusing to write `{path}`: the path must stay inside the output folder ({problem})")]
    PathOutside {
        /// The path as rendered, relative to the output folder.
        path: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// Serialising a document failed.
    #[error("cannot serialise {what}: {source}")]
    Json {
        /// Which document.
        what: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
}

/// What holds a path synth would write, when synth did not make it.
#[derive(Debug, thiserror::Error)]
pub enum Occupant {
    /// A file (or anything but a folder).
    #[error("is a file, not a directory")]
    File,
    /// A symbolic link synth did not make, to this target.
    #[error("is a symbolic link to `{}`, which stacksmith did not make", .0.display())]
    Link(PathBuf),
    /// A folder without the `manifest.json` synth writes in every stack folder.
    #[error("is a folder stacksmith did not write (it has no manifest.json)")]
    Foreign,
}

impl SynthError {
    /// Whether the previous output is still the live one: true for every error but
    /// [`SynthError::Unfinished`], which happens after the switch.
    #[must_use]
    pub fn previous_intact(&self) -> bool {
        !matches!(self, SynthError::Unfinished { .. })
    }

    /// For `map_err`: an I/O failure at `path`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
        move |source| SynthError::Io {
            path: path.to_owned(),
            source,
        }
    }
}
