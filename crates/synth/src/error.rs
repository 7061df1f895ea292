//! Synthesis errors: diagnostics that block writing, and I/O failures with the path involved.

use std::path::{Path, PathBuf};

use stacksmith_core::Diagnostics;

/// Why a synth produced no output.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The stack has errors; nothing was written.
    #[error("{0}")]
    Diagnostics(Diagnostics),
    /// Writing the output failed; the previous output is intact.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or directory involved.
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

impl SynthError {
    /// For `map_err`: an I/O failure at `path`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
        move |source| SynthError::Io {
            path: path.to_owned(),
            source,
        }
    }
}
