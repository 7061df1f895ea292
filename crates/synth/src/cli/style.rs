//! Terminal colours for what the CLI writes to stderr, in rustc's style: bold red `error`, bold
//! yellow `warning`, bold blue `-->` and `=`, a bold message. Without colour the text is
//! exactly the diagnostic's `Display`, so the two renderings differ only by escape sequences.

use std::fmt;

use anstyle::{AnsiColor, Style};
use stacksmith_core::{Diagnostic, Severity};

/// `error`.
pub(super) const ERROR: Style = AnsiColor::Red.on_default().bold();
/// `warning`.
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
/// The message and `help`.
const EMPHASIS: Style = Style::new().bold();
/// `-->` and `=`.
const GUTTER: Style = AnsiColor::Blue.on_default().bold();

/// `text` in `style` when `color` is on; `text` alone otherwise.
pub(super) fn paint<T: fmt::Display>(style: Style, color: bool, text: T) -> impl fmt::Display {
    Painted {
        style: if color { style } else { Style::new() },
        text,
    }
}

struct Painted<T> {
    style: Style,
    text: T,
}

impl<T: fmt::Display> fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.style;
        write!(f, "{}{}{}", s.render(), self.text, s.render_reset())
    }
}

/// `d` in the compiler's layout, coloured when `color` is on.
pub(super) fn diagnostic(d: &Diagnostic, color: bool) -> impl fmt::Display + '_ {
    Styled { d, color }
}

struct Styled<'a> {
    d: &'a Diagnostic,
    color: bool,
}

impl fmt::Display for Styled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, c) = (self.d, self.color);
        let (level, style) = match d.severity {
            Severity::Error => ("error", ERROR),
            Severity::Warning => ("warning", WARNING),
        };
        let label = format!("{level}[{}]", d.code);
        let message = format!(": {}", d.message);
        writeln!(
            f,
            "{}{}",
            paint(style, c, label),
            paint(EMPHASIS, c, message)
        )?;
        write!(f, "  {} {}", paint(GUTTER, c, "-->"), d.path)?;
        if !d.hint.is_empty() {
            write!(
                f,
                "\n  {} {}: {}",
                paint(GUTTER, c, "="),
                paint(EMPHASIS, c, "help"),
                d.hint
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Path;

    fn sample() -> [Diagnostic; 2] {
        let path = Path::root("prod").child("api");
        [
            Diagnostic::error("SS0303", &path, "image `api` has no tag")
                .hint("pin a release tag: `api:1.2.3`"),
            Diagnostic::warning("SS0310", &path, "no readiness probe"),
        ]
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn without_colour_is_the_display_text() {
        for d in sample() {
            assert_eq!(diagnostic(&d, false).to_string(), d.to_string());
        }
    }

    #[test]
    fn with_colour_differs_only_by_escape_sequences() {
        for d in sample() {
            let coloured = diagnostic(&d, true).to_string();
            assert!(coloured.contains('\x1b'));
            assert_eq!(strip_ansi(&coloured), d.to_string());
        }
        let [error, warning] = sample().map(|d| diagnostic(&d, true).to_string());
        assert!(
            error.starts_with("\x1b[1m\x1b[31merror[SS0303]\x1b[0m\x1b[1m: image"),
            "{error:?}"
        );
        assert!(warning.starts_with("\x1b[1m\x1b[33mwarning[SS0310]\x1b[0m"));
    }
}
