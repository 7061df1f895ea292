//! An app: the stacks of one system (say `prod` in us-east-1 and `dr` in us-west-2).

use crate::hash::{HashMap, HashMapExt};

use crate::{Diagnostic, Graph, Path, Stack};

/// The root of a stacksmith program: one or more stacks, each synthesized to its own folder.
#[derive(Default)]
pub struct App {
    stacks: Vec<Stack>,
}

impl App {
    /// An empty app.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a stack.
    pub fn add(&mut self, stack: Stack) {
        self.stacks.push(stack);
    }

    /// The stacks, in the order they were added.
    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    /// Lowers and validates every stack.
    pub fn lower(&self) -> Vec<Graph> {
        // Stacks lower independently: on several cores at once, in order.
        let mut graphs: Vec<Graph> = crate::parallel::map_with(&self.stacks, 2, Stack::lower);
        // Where each stack name first appears.
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(self.stacks.len());
        for (i, s) in self.stacks.iter().enumerate() {
            first.entry(s.name()).or_insert(i);
        }
        for (i, g) in graphs.iter_mut().enumerate() {
            if first.get(g.stack.as_str()).is_some_and(|&j| j < i) {
                g.diagnostics.push(
                    Diagnostic::error(
                        "SS0003",
                        &Path::root(&g.stack),
                        format!("duplicate stack name `{}`", g.stack),
                    )
                    .hint("each stack writes its own folder; give every stack a distinct name"),
                );
            }
            for after in &g.after {
                let hint = match first.get(after.as_str()).copied() {
                    Some(j) if j < i => continue,
                    Some(_) => format!("add stack `{after}` to the app before `{}`", g.stack),
                    None => format!("add stack `{after}` to this app, before `{}`", g.stack),
                };
                let problem = if first.contains_key(after.as_str()) {
                    "is added after it"
                } else {
                    "is not part of this app"
                };
                g.diagnostics.push(
                    Diagnostic::error(
                        "SS0007",
                        &Path::root(&g.stack),
                        format!(
                            "stack `{}` must be applied after stack `{after}`, which {problem}",
                            g.stack
                        ),
                    )
                    .hint(hint),
                );
            }
        }
        overlapping_networks(&mut graphs);
        graphs
    }
}

/// Warns (SS0011) when two networks of the app claim overlapping address space: they can never
/// be peered or joined by a transit gateway or VPN, so a later connection means renumbering.
fn overlapping_networks(graphs: &mut [Graph]) {
    let claims: Vec<(Path, crate::Cidr)> = graphs
        .iter()
        .flat_map(|g| g.address_space.iter().cloned())
        .collect();
    for (i, (path, cidr)) in claims.iter().enumerate() {
        for (other, other_cidr) in claims.iter().take(i) {
            if cidr.overlaps(other_cidr) {
                let d = Diagnostic::warning(
                    "SS0011",
                    path,
                    format!(
                        "network {cidr} overlaps {other_cidr} of {other}: the two can never be peered or joined by a transit gateway or VPN"
                    ),
                )
                .hint("give every network of the app its own range, e.g. 10.60.0.0/16 and 10.61.0.0/16");
                if let Some(g) = graphs.iter_mut().find(|g| g.stack == path.stack()) {
                    g.diagnostics.push(d);
                }
            }
        }
    }
}
