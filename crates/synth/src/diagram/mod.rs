//! Architecture diagrams derived from a lowered stack, never drawn by hand: the boxes and
//! edges the constructs declared while they lowered (networks with their zones and subnets,
//! clusters, load balancers, services and data stores, connected by the security rules,
//! listeners, grants and replication they created; see [`stacksmith_core::drawing`]) and the
//! Kubernetes objects, connected by Ingress backends, Service selectors and NetworkPolicies.
//! Nothing here recognises a cloud resource by its type name.
//!
//! One construct is one node: what a construct folds into its label is its own choice. Edges
//! to a construct land on its box or its nearest drawn ancestor's. Kubernetes Ingresses,
//! Services and workloads are one node each (HPAs and PDBs fold into their workload). Every
//! pass is linear in the number of objects (indexes by path, address, name and label, built
//! once). Output is deterministic: declaration order, no hashing.
//!
//! Two renderers share one model: [`mermaid`] (a `flowchart` that GitHub renders; labels are
//! entity-escaped, ids stable and `[A-Za-z0-9_]`) and [`dot`] (Graphviz, with clusters for the
//! VPC, zones, clusters and namespaces; `dot -Tpng`).

mod declared;
mod dot;
mod kube;
mod mermaid;
mod model;

use stacksmith_core::hash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

use stacksmith_core::{Address, Graph, Path};

use crate::File;
use model::{Diagram, End, NodeKind};

/// The stack's architecture as a Mermaid `flowchart`, for `architecture.mmd` or a Markdown
/// ```` ```mermaid ```` block.
pub fn mermaid(g: &Graph) -> String {
    mermaid::render(&build(g))
}

/// The stack's architecture as a Graphviz digraph, for `architecture.dot`
/// (`dot -Tsvg architecture.dot > architecture.svg`).
pub fn dot(g: &Graph) -> String {
    dot::render(&build(g))
}

/// Both diagrams as output files of the stack's folder: `architecture.mmd` and
/// `architecture.dot`.
pub fn files(g: &Graph) -> Vec<File> {
    draw(g).files()
}

/// Nodes from which a diagram's Mermaid and Graphviz texts are written on two cores.
const TEXTS_APART_FROM: usize = 512;

/// A stack's diagram, drawn while its graph still holds the Kubernetes objects' bodies and
/// written out as text later, once the bodies are freed (the text and the bodies are then never
/// in memory at once).
pub(crate) struct Drawn(Diagram);

/// Draws the diagram of `g`.
pub(crate) fn draw(g: &Graph) -> Drawn {
    Drawn(build(g))
}

impl Drawn {
    /// The Mermaid and Graphviz files; a large diagram's two on two cores.
    pub(crate) fn files(&self) -> Vec<File> {
        let (mermaid, dot) = if self.0.nodes.len() < TEXTS_APART_FROM {
            (mermaid::render(&self.0), dot::render(&self.0))
        } else {
            let (dot, mermaid) = stacksmith_core::parallel::join(
                || dot::render(&self.0),
                || mermaid::render(&self.0),
            );
            (mermaid, dot)
        };
        vec![
            File::text("architecture.mmd", mermaid),
            File::text("architecture.dot", dot),
        ]
    }
}

fn build(g: &Graph) -> Diagram {
    let mut b = Builder::new(g);
    b.d.title = format!("{} ({})", g.stack, g.region);
    declared::nodes(&mut b);
    kube::nodes(&mut b);
    declared::identities(&mut b);
    kube::edges(&mut b);
    declared::edges(&mut b);
    b.d.finish();
    b.d
}

#[cfg(test)]
thread_local! {
    /// Unit steps taken (see [`tick`]); read by the tests only.
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one unit step of the diagram's work in tests: an object or declared fact visited,
/// a lookup, a selector checked. A test asserts the count per object stays flat as the stack
/// grows, so that no pass scans every object for each object. Nothing outside tests.
pub(crate) fn tick() {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get() + 1));
}

/// The unit steps counted on this thread so far.
#[cfg(test)]
pub(crate) fn work() -> u64 {
    WORK.with(std::cell::Cell::get)
}

/// What the diagram is built from, and what has been drawn so far.
pub(crate) struct Builder<'g> {
    pub g: &'g Graph,
    pub d: Diagram,
    /// The construct owning each resource and data source, by address.
    owners: HashMap<&'g Address, &'g Path>,
    /// The first placement of each construct declared [`stacksmith_core::Within::Placed`].
    placements: HashMap<&'g Path, &'g Path>,
    /// What each construct drawn is drawn as.
    pub ends: BTreeMap<Path, End>,
    /// What each declared part is drawn as, by (construct, part).
    pub parts: HashMap<(Path, String), End>,
    /// Nodes outside the stack, by key (`internet`, `cidr_10.0.0.0/8`).
    externals: BTreeMap<String, usize>,
    /// Kubernetes cluster groups, in order (namespaces go in the only one).
    pub kubernetes_clusters: Vec<usize>,
    /// Other cluster groups, in order (drawn as a node when nothing is drawn in them).
    pub clusters: Vec<usize>,
    /// What each Kubernetes service account runs as, by `(namespace, name)`.
    pub service_accounts: BTreeMap<(String, String), End>,
    /// Namespace groups by name.
    pub namespaces: BTreeMap<String, usize>,
    /// The group Kubernetes objects go in when the stack has no single Kubernetes cluster.
    pub kubernetes: Option<usize>,
    /// Nodes of Kubernetes objects, by the object's index in the graph.
    pub kube_nodes: BTreeMap<usize, usize>,
}

impl<'g> Builder<'g> {
    fn new(g: &'g Graph) -> Self {
        let mut owners = HashMap::with_capacity(g.resources.len().saturating_add(g.data.len()));
        for r in g.resources.iter().chain(&g.data) {
            tick();
            owners.entry(&r.address).or_insert(&r.owner);
        }
        let mut placements = HashMap::new();
        for p in &g.placements {
            placements.entry(&p.of).or_insert(&p.within);
        }
        Self {
            g,
            d: Diagram::default(),
            owners,
            placements,
            ends: BTreeMap::new(),
            parts: HashMap::new(),
            externals: BTreeMap::new(),
            kubernetes_clusters: Vec::new(),
            clusters: Vec::new(),
            service_accounts: BTreeMap::new(),
            namespaces: BTreeMap::new(),
            kubernetes: None,
            kube_nodes: BTreeMap::new(),
        }
    }

    /// The construct owning the resource at an address.
    pub fn owner(&self, a: &Address) -> Option<&'g Path> {
        tick();
        self.owners.get(a).copied()
    }

    /// Where another construct placed the box of the construct at `p`.
    pub fn placed(&self, p: &Path) -> Option<Path> {
        self.placements.get(p).map(|p| (*p).clone())
    }

    /// The group the construct at `p` is drawn as, if it is drawn as one.
    pub fn group_of(&self, p: &Path) -> Option<usize> {
        match self.ends.get(p) {
            Some(End::Group(g)) => Some(*g),
            _ => None,
        }
    }

    /// What a declared edge end is drawn as (drawing outside nodes on first use).
    pub fn end(&mut self, e: &stacksmith_core::End) -> Option<End> {
        use stacksmith_core::End as E;
        match e {
            E::Construct(p) => self.end_of_path(p),
            E::Part(p, part) => self.parts.get(&(p.clone(), part.clone())).copied(),
            E::Owner(a) => self.owner(a).and_then(|p| self.end_of_path(p)),
            E::Internet => Some(self.internet()),
            E::Cidr(c) => Some(self.cidr(c)),
            E::Outbound(c) => Some(self.outbound(c)),
            E::External { key, title, lines } => Some(self.external(key, title, lines.clone())),
            E::ServiceAccount(..) => None,
        }
    }

    /// The construct a resource belongs to, as drawn: its owner, or the nearest drawn
    /// ancestor (a connection's rules belong to the database that owns the connection).
    pub fn end_of_path(&self, p: &Path) -> Option<End> {
        tick();
        let segments = p.segments();
        for n in (1..=segments.len()).rev() {
            let mut q = Path::root(&segments[0]);
            for s in &segments[1..n] {
                q = q.child(s);
            }
            if let Some(e) = self.ends.get(&q) {
                return Some(*e);
            }
        }
        None
    }

    /// A node outside the stack, added once per key.
    pub fn external(&mut self, key: &str, title: &str, lines: Vec<String>) -> End {
        self.external_in(None, key, title, lines)
    }

    /// A node outside the stack drawn inside a group (a namespace of the same cluster that
    /// the stack does not manage), added once per key.
    pub fn external_in(
        &mut self,
        group: Option<usize>,
        key: &str,
        title: &str,
        lines: Vec<String>,
    ) -> End {
        if let Some(&n) = self.externals.get(key) {
            return End::Node(n);
        }
        let n = self.d.node(
            &format!("ext_{key}"),
            group,
            NodeKind::External,
            title,
            lines,
        );
        self.externals.insert(key.to_owned(), n);
        End::Node(n)
    }

    /// The internet (`0.0.0.0/0`, `::/0`).
    pub fn internet(&mut self) -> End {
        self.external("internet", "Internet", Vec::new())
    }

    /// Where traffic leaves to: `Internet` (outbound) for `0.0.0.0/0`, otherwise the CIDR.
    pub fn outbound(&mut self, cidr: &str) -> End {
        let title = if cidr == "0.0.0.0/0" || cidr == "::/0" {
            "Internet"
        } else {
            cidr
        };
        self.external(&format!("out_{cidr}"), title, vec!["outbound".into()])
    }

    /// A peer given by CIDR: the internet for `0.0.0.0/0`, otherwise a node per CIDR.
    pub fn cidr(&mut self, cidr: &str) -> End {
        if cidr == "0.0.0.0/0" || cidr == "::/0" {
            self.internet()
        } else {
            self.external(&format!("cidr_{cidr}"), cidr, vec!["CIDR".into()])
        }
    }
}

#[cfg(test)]
mod tests;
