//! Diagnostics: every problem found in a stack, with its construct path, a stable code and a
//! hint. Rendered like a compiler's messages; all of them are collected before anything is written.

use serde::Serialize;
use std::fmt;

use crate::Path;

/// How bad a diagnostic is. Errors block synthesis; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks synthesis: nothing is written.
    Error,
    /// Reported, but the output is written.
    Warning,
}

/// One problem, in the user's terms: what is wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code such as `SS0101`; tools and allow-lists key on it.
    pub code: &'static str,
    /// The construct path the problem belongs to (`prod/api/deployment`).
    pub path: String,
    /// What is wrong, naming the field and the value received.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Diagnostic {
    /// An error at `path`.
    pub fn error(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            path: path.to_string(),
            message: message.into(),
            hint: String::new(),
        }
    }

    /// A warning at `path`.
    pub fn warning(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, path, message)
        }
    }

    /// Adds the hint: how to fix it.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{level}[{}]: {}", self.code, self.message)?;
        write!(f, "  --> {}", self.path)?;
        if !self.hint.is_empty() {
            write!(f, "\n  = help: {}", self.hint)?;
        }
        Ok(())
    }
}

/// All diagnostics of a synthesis, in a stable order (by path, then code, then message).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Records a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Whether there are none at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates in stable order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorts into the stable reporting order and removes exact duplicates.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (a.severity, &a.path, a.code, &a.message)
                .cmp(&(b.severity, &b.path, b.code, &b.message))
        });
        self.0.dedup();
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}\n")?;
        }
        let (e, w) = (self.error_count(), self.warning_count());
        write!(f, "{e} error(s), {w} warning(s)")
    }
}

impl std::error::Error for Diagnostics {}
