//! The two renderings of a diff: terminal text and Markdown for a pull-request comment.

use std::fmt::Write;

use super::{Action, ResourceChange, StackDiff, show};

fn sign(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Move => "→",
        Action::Update => "~",
        Action::Destroy => "-",
    }
}

fn summary(s: &StackDiff) -> String {
    let [c, m, u, d, kc, ku, kd] = s.counts();
    let mut out = format!(
        "Terraform: {c} to add, {u} to change, {m} moved, {d} to destroy; \
         Kubernetes: {kc} to add, {ku} to change, {kd} to remove"
    );
    if !s.cluster.is_empty() {
        let n = |a| s.cluster.iter().filter(|c| c.action == a).count();
        let _ = write!(
            out,
            "; cluster root: {} to add, {} to change, {} renamed, {} to destroy",
            n(Action::Create),
            n(Action::Update),
            n(Action::Move),
            n(Action::Destroy)
        );
    }
    out
}

/// The lines of one resource change (without a trailing newline).
fn resource_lines(r: &ResourceChange, out: &mut Vec<String>) {
    let stateful = if r.stateful { " (stateful)" } else { "" };
    let sign = if r.action == Action::Move && !r.changes.is_empty() {
        "~"
    } else {
        sign(r.action)
    };
    out.push(format!("{sign} {}{stateful}", r.address));
    if let Some(from) = &r.moved_from {
        if from.trim_start_matches("cluster/").starts_with("data.") {
            out.push(format!(
                "    → renamed from {from} (a data source: read again, no state)"
            ));
        } else {
            out.push(format!("    → moved from {from}"));
        }
    }
    for c in &r.changes {
        out.push(format!(
            "    {}: {} → {}",
            c.path,
            show(c.old.as_ref()),
            show(c.new.as_ref())
        ));
    }
}

fn file_lines(s: &StackDiff, out: &mut Vec<String>, indent: &str) {
    for f in &s.kubernetes {
        out.push(format!("{} {}", sign(f.action), f.path));
        for l in &f.lines {
            out.push(format!("{indent}{l}"));
        }
    }
}

/// Terminal text.
pub(super) fn text(stacks: &[StackDiff]) -> String {
    let mut o = String::new();
    for (i, s) in stacks.iter().enumerate() {
        if i > 0 {
            o.push('\n');
        }
        let _ = writeln!(o, "stack `{}`", s.stack);
        if !s.previous {
            let _ = writeln!(o, "  no previous output: everything is created");
        }
        for n in &s.notes {
            let _ = writeln!(o, "  note: {n}");
        }
        if s.is_empty() {
            let _ = writeln!(o, "  no changes");
            continue;
        }
        let _ = writeln!(o, "  {}", summary(s));
        if !s.flags.is_empty() {
            let _ = writeln!(o, "\n  Review first:");
            for f in &s.flags {
                let _ = writeln!(o, "  ! {} {}: {}", f.kind.title(), f.subject, f.message);
            }
        }
        let mut lines = Vec::new();
        for r in &s.terraform {
            resource_lines(r, &mut lines);
        }
        if !lines.is_empty() {
            let _ = writeln!(o, "\n  Terraform:");
            for l in &lines {
                let _ = writeln!(o, "  {l}");
            }
        }
        let mut lines = Vec::new();
        for r in &s.cluster {
            resource_lines(r, &mut lines);
        }
        if !lines.is_empty() {
            let _ = writeln!(o, "\n  Cluster root (cluster/):");
            for l in &lines {
                let _ = writeln!(o, "  {l}");
            }
        }
        let mut lines = Vec::new();
        file_lines(s, &mut lines, "      ");
        if !lines.is_empty() {
            let _ = writeln!(o, "\n  Kubernetes:");
            for l in &lines {
                let _ = writeln!(o, "  {l}");
            }
        }
    }
    o
}

/// Text safe in a Markdown list item (our messages hold no HTML; pipes are escaped).
fn md(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Markdown for a pull-request comment.
pub(super) fn markdown(stacks: &[StackDiff]) -> String {
    let mut o = String::new();
    for s in stacks {
        let _ = writeln!(o, "### stacksmith diff: `{}`\n", s.stack);
        if !s.previous {
            let _ = writeln!(o, "No previous output: everything is created.\n");
        }
        for n in &s.notes {
            let _ = writeln!(o, "Note: {}.\n", md(n));
        }
        if s.is_empty() {
            let _ = writeln!(o, "No changes.\n");
            continue;
        }
        if !s.flags.is_empty() {
            let _ = writeln!(o, "> [!WARNING]\n> **Review first** ({})", s.flags.len());
            for f in &s.flags {
                let _ = writeln!(
                    o,
                    "> - **{}** `{}`: {}",
                    f.kind.title(),
                    md(&f.subject),
                    md(&f.message)
                );
            }
            o.push('\n');
        }
        let [c, m, u, d, kc, ku, kd] = s.counts();
        let _ = writeln!(o, "| | add | change | move | destroy |");
        let _ = writeln!(o, "|---|---:|---:|---:|---:|");
        let _ = writeln!(o, "| Terraform resources | {c} | {u} | {m} | {d} |");
        let _ = writeln!(o, "| Kubernetes files | {kc} | {ku} | – | {kd} |");
        o.push('\n');
        if !s.terraform.is_empty() {
            let mut lines = Vec::new();
            for r in &s.terraform {
                resource_lines(r, &mut lines);
            }
            details(
                &mut o,
                &format!("Terraform: {} change(s)", s.terraform.len()),
                &lines,
            );
        }
        if !s.cluster.is_empty() {
            let mut lines = Vec::new();
            for r in &s.cluster {
                resource_lines(r, &mut lines);
            }
            details(
                &mut o,
                &format!("Cluster root: {} change(s)", s.cluster.len()),
                &lines,
            );
        }
        if !s.kubernetes.is_empty() {
            let mut lines = Vec::new();
            file_lines(s, &mut lines, "    ");
            details(
                &mut o,
                &format!("Kubernetes: {} file(s)", s.kubernetes.len()),
                &lines,
            );
        }
    }
    o
}

fn details(o: &mut String, summary: &str, lines: &[String]) {
    let _ = writeln!(o, "<details><summary>{summary}</summary>\n\n```diff");
    for l in lines {
        // `diff` highlighting keys on the first column: `+`, `-`, else context.
        let _ = writeln!(o, "{}", l.replace("```", "`\u{200b}``"));
    }
    let _ = writeln!(o, "```\n\n</details>\n");
}
