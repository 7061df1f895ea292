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
    /// Whether errors that only followed from this one were left out (a reference into a
    /// construct that failed to lower): such a root cause is reported first.
    #[serde(skip)]
    root_cause: bool,
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
            root_cause: false,
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

    /// Whether errors that only followed from this one were left out; see
    /// [`Diagnostics::sort`].
    pub fn is_root_cause(&self) -> bool {
        self.root_cause
    }
}

impl fmt::Display for Diagnostic {
    /// The compiler-style text: `error[CODE]: message`, `  --> path` and, with a hint,
    /// `  = help: hint`. Plain text: terminal colours are the CLI's business.
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

/// All diagnostics of a synthesis, in a stable order: errors first, root causes (errors whose
/// consequences were left out) first among them, then by path, code and message.
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
        self.0.len().saturating_sub(self.error_count())
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates in stable order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorts into the stable reporting order and removes duplicates: a problem recorded twice
    /// (by two constructs, or by two parts of a stack lowered apart) is reported once, as a
    /// root cause if either record was marked one.
    pub fn sort(&mut self) {
        let same = |a: &Diagnostic, b: &Diagnostic| {
            (a.severity, &a.path, a.code, &a.message, &a.hint)
                .cmp(&(b.severity, &b.path, b.code, &b.message, &b.hint))
        };
        // Duplicates side by side, the root cause first of each run, so `dedup` keeps it.
        self.0
            .sort_by(|a, b| same(a, b).then(b.root_cause.cmp(&a.root_cause)));
        self.0.dedup_by(|later, first| same(later, first).is_eq());
        self.0.sort_by(|a, b| {
            (a.severity, !a.root_cause, &a.path, a.code, &a.message).cmp(&(
                b.severity,
                !b.root_cause,
                &b.path,
                b.code,
                &b.message,
            ))
        });
    }

    /// Marks the errors at `path` as root causes: errors that only followed from them were
    /// left out.
    pub(crate) fn mark_root_cause(&mut self, path: &str) {
        self.mark_root_cause_among(path, self.0.len());
    }

    /// [`Diagnostics::mark_root_cause`] among the first `recorded` diagnostics only (those
    /// recorded before the mark, when a part of the stack lowered apart is merged).
    pub(crate) fn mark_root_cause_among(&mut self, path: &str, recorded: usize) {
        for d in self.0.iter_mut().take(recorded) {
            if d.severity == Severity::Error && d.path == path {
                d.root_cause = true;
            }
        }
    }

    /// Paths of the errors recorded so far.
    pub(crate) fn error_paths(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.path.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostics {
        let path = Path::root("prod").child("api");
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error("SS0303", &path, "image `api` has no tag")
                .hint("pin a release tag: `api:1.2.3`"),
        );
        d.push(Diagnostic::warning("SS0310", &path, "no readiness probe"));
        d
    }

    #[test]
    fn display_is_the_compiler_style_text() {
        assert_eq!(
            sample().to_string(),
            "error[SS0303]: image `api` has no tag\n  --> prod/api\n  = help: pin a release tag: \
             `api:1.2.3`\n\nwarning[SS0310]: no readiness probe\n  --> prod/api\n\n1 error(s), \
             1 warning(s)"
        );
    }

    #[test]
    fn serialises_as_objects_in_field_order() {
        insta::assert_snapshot!(
            serde_json::to_string_pretty(&sample()).unwrap_or_default(),
            @r#"
        [
          {
            "severity": "error",
            "code": "SS0303",
            "path": "prod/api",
            "message": "image `api` has no tag",
            "hint": "pin a release tag: `api:1.2.3`"
          },
          {
            "severity": "warning",
            "code": "SS0310",
            "path": "prod/api",
            "message": "no readiness probe",
            "hint": ""
          }
        ]
        "#
        );
    }
}
