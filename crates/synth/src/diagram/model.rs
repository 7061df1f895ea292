//! The diagram both renderers draw: nested groups (VPC, zone, cluster, namespace), nodes (one
//! per construct or Kubernetes object worth drawing) and labelled edges, all in creation order.

use stacksmith_core::hash::HashMap;
use std::collections::{BTreeMap, BTreeSet};

/// What a group stands for; decides its colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupKind {
    /// A network (a VPC).
    Network,
    /// An availability zone inside a network.
    Zone,
    /// A cluster that runs containers (Kubernetes or not).
    Cluster,
    /// Kubernetes objects of a stack without exactly one Kubernetes cluster.
    Kubernetes,
    /// A Kubernetes namespace.
    Namespace,
}

/// A box around nodes and other groups.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub id: String,
    pub parent: Option<usize>,
    pub title: String,
    pub detail: String,
    pub kind: GroupKind,
}

/// What a node stands for; decides its shape and colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// Outside the stack: the internet, a CIDR, a namespace or stack not drawn here.
    External,
    /// Subnets, NAT and internet gateways.
    Network,
    /// Where traffic enters: load balancers, Ingresses.
    Entry,
    /// What runs code: node groups, services, workloads, control planes.
    Compute,
    /// A Kubernetes Service.
    Service,
    /// Databases, caches, Kafka, buckets.
    Data,
    /// An identity (a role) a workload runs as.
    Identity,
}

/// One box on the picture.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub id: String,
    pub group: Option<usize>,
    pub title: String,
    pub lines: Vec<String>,
    pub kind: NodeKind,
}

/// An edge's end: a node, or a whole group (a cluster's security group, a network).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum End {
    Node(usize),
    Group(usize),
}

/// How an edge is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EdgeKind {
    /// Traffic a security rule, listener or Service lets through.
    Traffic,
    /// Traffic a NetworkPolicy allows.
    Policy,
    /// Routing inside the network, drawn from the internet inwards with arrows both ways
    /// (internet ↔ internet gateway ↔ public subnet ↔ private subnet through its NAT).
    Route,
    /// Permissions granted (an IAM policy).
    Grant,
    /// Replication between data stores.
    Replication,
}

/// One arrow.
#[derive(Clone, Debug)]
pub(crate) struct Edge {
    pub from: End,
    pub to: End,
    pub kind: EdgeKind,
    pub label: String,
}

/// Labels collected for one edge before they are joined: free text, and ports that a free-text
/// label already names (`host → 8000`) are not repeated.
#[derive(Clone, Debug, Default)]
struct Labels {
    texts: Vec<String>,
    ports: Vec<String>,
}

/// The whole picture of one stack.
#[derive(Clone, Debug, Default)]
pub(crate) struct Diagram {
    pub title: String,
    pub groups: Vec<Group>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pending: BTreeMap<(End, End, EdgeKind), Labels>,
    order: Vec<(End, End, EdgeKind)>,
    ids: BTreeSet<String>,
    /// The last suffix given for each wanted id (1: none).
    suffixes: HashMap<String, usize>,
    /// Groups directly inside each group, by the group's index.
    inner_groups: Vec<Vec<usize>>,
    /// Nodes directly inside each group, by the group's index.
    inner_nodes: Vec<Vec<usize>>,
    /// Top-level groups and nodes.
    top_groups: Vec<usize>,
    top_nodes: Vec<usize>,
    /// How many nodes each group holds, nested groups included.
    within: Vec<usize>,
}

impl Diagram {
    /// A unique id from a wanted one: `[A-Za-z0-9_]` only, suffixed `_2`, `_3` on collision.
    fn unique_id(&mut self, wanted: &str) -> String {
        let mut base: String = wanted
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        // Mermaid reads a leading `o`/`x` after `--` as an edge end, and `end` closes a
        // subgraph.
        if !base.starts_with(|c: char| c.is_ascii_alphabetic())
            || base.starts_with(['o', 'x', 'O', 'X'])
            || base.eq_ignore_ascii_case("end")
        {
            base.insert_str(0, "n_");
        }
        // Suffixes below the last one given for this base are all taken (ids are never
        // released), so the search starts there: many nodes wanting one id stay linear.
        let mut n = self.suffixes.get(&base).copied().unwrap_or(1);
        let mut id = if n == 1 {
            base.clone()
        } else {
            format!("{base}_{n}")
        };
        while self.ids.contains(&id) {
            super::tick();
            n += 1;
            id = format!("{base}_{n}");
        }
        self.suffixes.insert(base, n);
        self.ids.insert(id.clone());
        id
    }

    /// Adds a group and returns its index.
    pub fn group(
        &mut self,
        id: &str,
        parent: Option<usize>,
        kind: GroupKind,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> usize {
        let id = self.unique_id(id);
        let g = self.groups.len();
        self.groups.push(Group {
            id,
            parent,
            title: title.into(),
            detail: detail.into(),
            kind,
        });
        self.inner_groups.push(Vec::new());
        self.inner_nodes.push(Vec::new());
        self.within.push(0);
        match parent {
            Some(p) => self.inner_groups[p].push(g),
            None => self.top_groups.push(g),
        }
        g
    }

    /// Adds a node and returns its index.
    pub fn node(
        &mut self,
        id: &str,
        group: Option<usize>,
        kind: NodeKind,
        title: impl Into<String>,
        lines: Vec<String>,
    ) -> usize {
        super::tick();
        let id = self.unique_id(id);
        let n = self.nodes.len();
        self.nodes.push(Node {
            id,
            group,
            title: title.into(),
            lines: lines.into_iter().filter(|l| !l.is_empty()).collect(),
            kind,
        });
        match group {
            Some(g) => self.inner_nodes[g].push(n),
            None => self.top_nodes.push(n),
        }
        let mut up = self.nodes[n].group;
        while let Some(g) = up {
            self.within[g] += 1;
            up = self.groups[g].parent;
        }
        n
    }

    fn labels(&mut self, from: End, to: End, kind: EdgeKind) -> Option<&mut Labels> {
        super::tick();
        if from == to {
            return None;
        }
        let key = (from, to, kind);
        if !self.pending.contains_key(&key) {
            self.order.push(key);
        }
        Some(self.pending.entry(key).or_default())
    }

    /// Adds an edge, or a label to the edge already drawn between the same ends.
    pub fn edge(&mut self, from: End, to: End, kind: EdgeKind, label: impl Into<String>) {
        let label = label.into();
        if let Some(l) = self.labels(from, to, kind)
            && !label.is_empty()
            && !l.texts.contains(&label)
        {
            l.texts.push(label);
        }
    }

    /// Adds a port to an edge (`:5432`), unless a text label already ends with it.
    pub fn port_edge(&mut self, from: End, to: End, kind: EdgeKind, port: String) {
        if let Some(l) = self.labels(from, to, kind)
            && !l.ports.contains(&port)
        {
            l.ports.push(port);
        }
    }

    /// Joins every edge's labels; call once, after the last edge.
    pub fn finish(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for key in std::mem::take(&mut self.order) {
            let Some(l) = pending.get(&key) else { continue };
            let mut parts = l.texts.clone();
            let mut ports: Vec<&String> = l
                .ports
                .iter()
                .filter(|p| {
                    let bare = p.trim_start_matches(':');
                    !l.texts.iter().any(|t| {
                        t.rsplit(' ')
                            .next()
                            .is_some_and(|last| last.trim_start_matches(':') == bare)
                    })
                })
                .collect();
            ports.sort_by_key(|p| port_sort_key(p));
            if !ports.is_empty() {
                parts.push(
                    ports
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            let (from, to, kind) = key;
            self.edges.push(Edge {
                from,
                to,
                kind,
                label: parts.join(" · "),
            });
        }
    }

    /// The groups directly inside `parent` (`None`: top level), in creation order.
    pub fn child_groups(&self, parent: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        match parent {
            Some(p) => &self.inner_groups[p],
            None => &self.top_groups,
        }
        .iter()
        .copied()
    }

    /// The nodes directly inside `group` (`None`: top level), in creation order.
    pub fn child_nodes(&self, group: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        match group {
            Some(g) => &self.inner_nodes[g],
            None => &self.top_nodes,
        }
        .iter()
        .copied()
    }

    /// Whether a group holds any node, directly or in a nested group.
    pub fn group_has_nodes(&self, g: usize) -> bool {
        self.within[g] > 0
    }

    /// Every node inside a group, nested groups included.
    pub fn nodes_within(&self, g: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.child_nodes(Some(g)).collect();
        for c in self.child_groups(Some(g)) {
            out.extend(self.nodes_within(c));
        }
        out
    }

    /// A node inside a group (depth first), to anchor edges that start or end at the group.
    pub fn anchor(&self, g: usize) -> Option<usize> {
        self.child_nodes(Some(g))
            .next()
            .or_else(|| self.child_groups(Some(g)).find_map(|c| self.anchor(c)))
    }

    /// What to keep one above the other with invisible edges, so both renderers draw a
    /// VPC's zones above what runs in it, a cluster's control plane and node groups above its
    /// namespaces, and a VPC's data stores below their users. A group stands for all of it.
    pub fn layout_hints(&self) -> Vec<Hint> {
        let mut out = Vec::new();
        for (v, g) in self.groups.iter().enumerate() {
            if !self.group_has_nodes(v) {
                continue;
            }
            match g.kind {
                GroupKind::Network => {
                    let zones: Vec<usize> = self
                        .child_groups(Some(v))
                        .filter(|&z| {
                            self.groups[z].kind == GroupKind::Zone && self.group_has_nodes(z)
                        })
                        .collect();
                    let below: Vec<End> = self
                        .child_groups(Some(v))
                        .filter(|&c| self.groups[c].kind != GroupKind::Zone)
                        .filter(|&c| self.group_has_nodes(c))
                        .map(End::Group)
                        .chain(
                            self.child_nodes(Some(v))
                                .filter(|&n| self.nodes[n].kind != NodeKind::Network)
                                .map(End::Node),
                        )
                        .collect();
                    if let Some(bottom) = zones
                        .get(zones.len() / 2)
                        .and_then(|&z| self.child_nodes(Some(z)).last())
                    {
                        out.push(Hint {
                            above: vec![End::Node(bottom)],
                            below: below.clone(),
                        });
                    }
                    let (data, users): (Vec<End>, Vec<End>) = below.into_iter().partition(
                        |e| matches!(e, End::Node(n) if self.nodes[*n].kind == NodeKind::Data),
                    );
                    if !data.is_empty() && !users.is_empty() {
                        out.push(Hint {
                            above: users,
                            below: data,
                        });
                    }
                }
                GroupKind::Cluster => {
                    let below: Vec<End> = self
                        .child_groups(Some(v))
                        .filter(|&c| self.group_has_nodes(c))
                        .map(End::Group)
                        .collect();
                    for top in self.child_nodes(Some(v)) {
                        out.push(Hint {
                            above: vec![End::Node(top)],
                            below: below.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// Everything in `above` is drawn above everything in `below`.
#[derive(Clone, Debug)]
pub(crate) struct Hint {
    pub above: Vec<End>,
    pub below: Vec<End>,
}

impl Hint {
    /// The (above, below) pairs, below-major: each end of `below` under every end of `above`.
    pub fn pairs(&self) -> impl Iterator<Item = (End, End)> + '_ {
        self.below
            .iter()
            .flat_map(|&b| self.above.iter().map(move |&a| (a, b)))
    }
}

/// Sorts `:80` before `:443` and `:8000`, numbers before names.
fn port_sort_key(p: &str) -> (u32, String) {
    let digits: String = p
        .trim_start_matches(':')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (digits.parse().unwrap_or(u32::MAX), p.to_owned())
}
