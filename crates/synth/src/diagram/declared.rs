//! The boxes and edges the constructs declared while they lowered ([`stacksmith_core::drawing`]):
//! networks first (with their routes), then clusters, entry points and services, data stores;
//! identities after the Kubernetes objects, so a namespace the stack creates is drawn where its
//! objects are. Edges are drawn by kind: security rules, forwarding, grants, replication.

use stacksmith_core::hash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

use stacksmith_core::drawing::{self, EdgeKind as Kind, Label, NodeKind as Declared, Within};
use stacksmith_core::{Edge, Node, Path};

use super::model::{EdgeKind, End, GroupKind, NodeKind};
use super::{Builder, kube, tick};

/// When a declared box is drawn: networks, clusters, entry points and services, data stores;
/// identities come after the Kubernetes objects.
fn layer(kind: Declared) -> u8 {
    match kind {
        Declared::NetworkGroup | Declared::ZoneGroup | Declared::Network => 0,
        Declared::ClusterGroup | Declared::KubernetesGroup => 1,
        Declared::Entry | Declared::Compute => 2,
        Declared::Data => 3,
        Declared::Identity => 4,
    }
}

/// Each declared box's layer: its kind's, or, for a part inside another part of the same
/// construct (a cluster's control plane), the layer of the box it sits in.
fn layers(nodes: &[Node]) -> Vec<u8> {
    let mut of_part: HashMap<(&Path, &str), u8> = HashMap::new();
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        let l = match &n.within {
            Within::Part(p) => of_part
                .get(&(&n.path, p.as_str()))
                .copied()
                .unwrap_or_else(|| layer(n.kind)),
            _ => layer(n.kind),
        };
        of_part.insert((&n.path, n.part.as_str()), l);
        out.push(l);
    }
    out
}

/// Draws the declared boxes of every layer before the Kubernetes objects, and the routes.
pub(super) fn nodes(b: &mut Builder<'_>) {
    let g = b.g;
    let layers = layers(&g.nodes);
    let ports = ingress_ports(b);
    for l in 0..4 {
        for (n, _) in g.nodes.iter().zip(&layers).filter(|(_, x)| **x == l) {
            draw(b, n, &ports);
        }
        if l == 0 {
            edges_of(b, Kind::Route);
        }
    }
    empty_clusters(b);
}

/// Draws the declared identities (after the Kubernetes objects) and learns which service
/// accounts run as which.
pub(super) fn identities(b: &mut Builder<'_>) {
    let g = b.g;
    let layers = layers(&g.nodes);
    let ports = HashMap::new();
    for (n, _) in g.nodes.iter().zip(&layers).filter(|(_, x)| **x == 4) {
        draw(b, n, &ports);
    }
    for e in g.edges.iter().filter(|e| e.kind == Kind::RunsAs) {
        if let drawing::End::ServiceAccount(ns, name) = &e.from
            && let Some(to) = b.end(&e.to)
        {
            b.service_accounts.insert((ns.clone(), name.clone()), to);
        }
    }
}

fn draw(b: &mut Builder<'_>, n: &Node, ports: &HashMap<&Path, Vec<String>>) {
    tick();
    let parent = match &n.within {
        Within::Top => None,
        Within::Construct(p) => b.group_of(p),
        Within::Part(part) => match b.parts.get(&(n.path.clone(), part.clone())) {
            Some(End::Group(g)) => Some(*g),
            _ => None,
        },
        Within::Namespace(ns) => Some(kube::namespace(b, ns)),
        Within::Placed => b.placed(&n.path).and_then(|p| b.group_of(&p)),
    };
    let end = if n.kind.is_group() {
        let kind = match n.kind {
            Declared::NetworkGroup => GroupKind::Network,
            Declared::ZoneGroup => GroupKind::Zone,
            _ => GroupKind::Cluster,
        };
        let detail = n.lines.first().cloned().unwrap_or_default();
        let g = b.d.group(&n.id, parent, kind, n.title.clone(), detail);
        match n.kind {
            Declared::KubernetesGroup => b.kubernetes_clusters.push(g),
            Declared::ClusterGroup => b.clusters.push(g),
            _ => {}
        }
        End::Group(g)
    } else {
        let kind = match n.kind {
            Declared::Network => NodeKind::Network,
            Declared::Entry => NodeKind::Entry,
            Declared::Data => NodeKind::Data,
            Declared::Identity => NodeKind::Identity,
            _ => NodeKind::Compute,
        };
        let mut lines = n.lines.clone();
        if n.ports_from_rules
            && let Some(p) = ports.get(&n.path).filter(|p| !p.is_empty())
        {
            let bare: Vec<&str> = p.iter().map(|p| p.trim_start_matches(':')).collect();
            lines.push(format!("port {}", bare.join(", ")));
        }
        End::Node(b.d.node(&n.id, parent, kind, n.title.clone(), lines))
    };
    if n.part.is_empty() {
        b.ends.entry(n.path.clone()).or_insert(end);
    }
    b.parts.insert((n.path.clone(), n.part.clone()), end);
}

/// The ports the ingress rules into each construct open, by the construct the rule's
/// receiving end belongs to, in declaration order.
fn ingress_ports<'g>(b: &Builder<'g>) -> HashMap<&'g Path, Vec<String>> {
    let mut out: HashMap<&'g Path, Vec<String>> = HashMap::new();
    for e in &b.g.edges {
        let Label::Port {
            port,
            ingress: true,
        } = &e.label
        else {
            continue;
        };
        let owner = match &e.to {
            drawing::End::Construct(p) => Some(p),
            drawing::End::Owner(a) => b.owner(a),
            _ => None,
        };
        if let Some(p) = owner {
            let ports = out.entry(p).or_default();
            if !ports.contains(port) {
                ports.push(port.clone());
            }
        }
    }
    out
}

/// A cluster no node is drawn in is drawn as a node: an empty box would not be drawn.
fn empty_clusters(b: &mut Builder<'_>) {
    let mut node_of: HashMap<usize, usize> = HashMap::new();
    for g in std::mem::take(&mut b.clusters) {
        if b.d.group_has_nodes(g) {
            continue;
        }
        let group = b.d.groups[g].clone();
        let n = b.d.node(
            &format!("{}_node", group.id),
            group.parent,
            NodeKind::Compute,
            group.title.clone(),
            vec![group.detail.clone()],
        );
        node_of.insert(g, n);
    }
    if node_of.is_empty() {
        return;
    }
    for e in b.ends.values_mut().chain(b.parts.values_mut()) {
        if let End::Group(g) = *e
            && let Some(&n) = node_of.get(&g)
        {
            *e = End::Node(n);
        }
    }
}

/// Draws the declared edges after the Kubernetes ones: security rules, forwarding, grants,
/// replication.
pub(super) fn edges(b: &mut Builder<'_>) {
    edges_of(b, Kind::Traffic);
    edges_of(b, Kind::Forward);
    grants(b);
    edges_of(b, Kind::Replication);
}

/// Whether an end is outside the stack (drawn on demand, so only once the other end is).
fn outside(e: &drawing::End) -> bool {
    matches!(
        e,
        drawing::End::Internet
            | drawing::End::Cidr(_)
            | drawing::End::Outbound(_)
            | drawing::End::External { .. }
    )
}

/// Both ends of an edge, the one inside the stack first: nothing outside is drawn for an
/// edge whose own end is not drawn.
fn ends(b: &mut Builder<'_>, e: &Edge) -> Option<(End, End)> {
    if outside(&e.from) && !outside(&e.to) {
        let to = b.end(&e.to)?;
        Some((b.end(&e.from)?, to))
    } else {
        let from = b.end(&e.from)?;
        Some((from, b.end(&e.to)?))
    }
}

fn edges_of(b: &mut Builder<'_>, kind: Kind) {
    let g = b.g;
    for e in g.edges.iter().filter(|e| e.kind == kind) {
        tick();
        let Some((from, to)) = ends(b, e) else {
            continue;
        };
        let drawn = match kind {
            Kind::Route => EdgeKind::Route,
            Kind::Replication => EdgeKind::Replication,
            _ => EdgeKind::Traffic,
        };
        match &e.label {
            Label::Port { port, .. } => b.d.port_edge(from, to, drawn, port.clone()),
            Label::Text(t) => b.d.edge(from, to, drawn, t.clone()),
            _ => b.d.edge(from, to, drawn, ""),
        }
    }
}

/// Grants between two boxes, joined into one label: `IAM s3 write, kms read`.
fn grants(b: &mut Builder<'_>) {
    /// Per service: whether every action only reads, and whether it goes without saying.
    type Services = BTreeMap<String, (bool, bool)>;
    let g = b.g;
    let mut grants: HashMap<(End, End), (&'static str, Services)> = HashMap::new();
    let mut order: Vec<(End, End)> = Vec::new();
    for e in g.edges.iter().filter(|e| e.kind == Kind::Grant) {
        tick();
        let Label::Access {
            via,
            service,
            read,
            incidental,
        } = &e.label
        else {
            continue;
        };
        let Some((from, to)) = ends(b, e) else {
            continue;
        };
        if from == to {
            continue;
        }
        let (_, services) = grants.entry((from, to)).or_insert_with(|| {
            order.push((from, to));
            (via, BTreeMap::new())
        });
        services
            .entry(service.clone())
            .and_modify(|(r, _)| *r = *r && *read)
            .or_insert((*read, *incidental));
    }
    for key in order {
        let Some((via, services)) = grants.get(&key) else {
            continue;
        };
        let shown: Vec<String> = services
            .iter()
            .filter(|(_, (_, incidental))| services.len() == 1 || !incidental)
            .map(|(s, (read, _))| format!("{s} {}", if *read { "read" } else { "write" }))
            .collect();
        b.d.edge(
            key.0,
            key.1,
            EdgeKind::Grant,
            format!("{via} {}", shown.join(", ")),
        );
    }
}
