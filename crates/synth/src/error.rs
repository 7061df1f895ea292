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
