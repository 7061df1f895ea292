//! Architecture diagrams derived from a lowered stack, never drawn by hand: the VPC with its
//! zones and subnets, clusters, load balancers, workloads and data stores, connected by what the
//! security-group rules, listeners, Services, NetworkPolicies and IAM policies actually allow.
//!
//! One construct is one node: a construct's keys, roles, log groups, subnet groups and
//! parameter groups are folded into its label or left out. Terraform resources are grouped by
//! their owner path; Kubernetes Ingresses, Services and workloads are one node each (HPAs and
//! PDBs fold into their workload). Output is deterministic: the graph's own order, no hashing.
//!
//! Two renderers share one model: [`mermaid`] (a `flowchart` that GitHub renders; labels are
//! entity-escaped, ids stable and `[A-Za-z0-9_]`) and [`dot`] (Graphviz, with clusters for the
//! VPC, zones, clusters and namespaces; `dot -Tpng`).

mod aws;
mod connections;
mod dot;
mod kube;
mod mermaid;
mod model;
mod network;
mod stores;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use stacksmith_core::terraform::{Map, Resource, Value};
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
    let d = build(g);
    vec![
        File {
            path: "architecture.mmd".into(),
            contents: mermaid::render(&d),
        },
        File {
            path: "architecture.dot".into(),
            contents: dot::render(&d),
        },
    ]
}

fn build(g: &Graph) -> Diagram {
    let mut b = Builder::new(g);
    b.d.title = format!("{} ({})", g.stack, g.region);
    aws::nodes(&mut b);
    kube::nodes(&mut b);
    aws::identities(&mut b);
    kube::edges(&mut b);
    connections::edges(&mut b);
    b.d.finish();
    b.d
}

thread_local! {
    /// Unit steps taken (see [`tick`]); read by the tests only.
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one unit step of the diagram's work: an object or resource visited, a reference
/// resolved, a selector checked. A test asserts the count per object stays flat as the stack
/// grows, so that no pass scans every object for each object.
pub(crate) fn tick() {
    WORK.with(|w| w.set(w.get() + 1));
}

/// The unit steps counted on this thread so far.
#[cfg(test)]
pub(crate) fn work() -> u64 {
    WORK.with(std::cell::Cell::get)
}

/// A construct's resources and data sources, in the order it created them.
pub(crate) struct Construct<'g> {
    pub path: Path,
    pub resources: Vec<&'g Resource>,
    pub data: Vec<&'g Resource>,
}

impl<'g> Construct<'g> {
    /// Its resources of one type.
    pub fn of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'g Resource> + 'a {
        self.resources
            .iter()
            .copied()
            .filter(move |r| r.address.kind() == kind)
    }

    /// Its first resource of one type.
    pub fn first(&self, kind: &str) -> Option<&'g Resource> {
        self.of(kind).next()
    }
}

/// Resources of a type by the resource one of their arguments refers to, per (type, argument).
type ReferrerMaps<'g> = HashMap<(&'static str, &'static str), HashMap<Address, Vec<&'g Resource>>>;

/// What the diagram is built from, and what has been drawn so far.
pub(crate) struct Builder<'g> {
    pub g: &'g Graph,
    pub d: Diagram,
    /// Every resource and data source by address.
    index: BTreeMap<Address, &'g Resource>,
    /// Managed resources by type, in order.
    by_kind: HashMap<&'g str, Vec<&'g Resource>>,
    /// Resources of a type by the resource one of their arguments refers to, built once per
    /// (type, argument) asked for (see [`Builder::referring`]).
    referrers: RefCell<ReferrerMaps<'g>>,
    /// Constructs in the order they first appear.
    pub constructs: Vec<Construct<'g>>,
    /// Each construct's position in `constructs`, by path.
    construct_at: BTreeMap<Path, usize>,
    /// What each construct drawn is drawn as.
    pub ends: BTreeMap<Path, End>,
    /// Nodes outside the stack, by key (`internet`, `cidr_10.0.0.0/8`).
    externals: BTreeMap<String, usize>,
    /// VPC groups by the VPC's address.
    pub vpcs: BTreeMap<Address, usize>,
    /// Each subnet's availability zone.
    pub subnet_zones: BTreeMap<Address, String>,
    /// EKS cluster groups, in order.
    pub eks_groups: Vec<usize>,
    /// ECS cluster groups by the cluster's address.
    pub ecs_groups: BTreeMap<Address, usize>,
    /// IAM roles for Kubernetes service accounts, by `(namespace, name)`.
    pub service_accounts: BTreeMap<(String, String), End>,
    /// Namespace groups by name.
    pub namespaces: BTreeMap<String, usize>,
    /// The group Kubernetes objects go in when the stack has no single EKS cluster.
    pub kubernetes: Option<usize>,
    /// Nodes of Kubernetes objects, by the object's index in the graph.
    pub kube_nodes: BTreeMap<usize, usize>,
}

impl<'g> Builder<'g> {
    fn new(g: &'g Graph) -> Self {
        let mut index = BTreeMap::new();
        let mut by_kind: HashMap<&'g str, Vec<&'g Resource>> = HashMap::new();
        for r in &g.resources {
            by_kind.entry(r.address.kind()).or_default().push(r);
        }
        let mut constructs: Vec<Construct<'g>> = Vec::new();
        let mut at: BTreeMap<Path, usize> = BTreeMap::new();
        for (r, data) in g
            .resources
            .iter()
            .map(|r| (r, false))
            .chain(g.data.iter().map(|r| (r, true)))
        {
            index.insert(r.address.clone(), r);
            let i = *at.entry(r.owner.clone()).or_insert_with(|| {
                constructs.push(Construct {
                    path: r.owner.clone(),
                    resources: Vec::new(),
                    data: Vec::new(),
                });
                constructs.len() - 1
            });
            if data {
                constructs[i].data.push(r);
            } else {
                constructs[i].resources.push(r);
            }
        }
        Self {
            g,
            d: Diagram::default(),
            index,
            by_kind,
            referrers: RefCell::new(HashMap::new()),
            constructs,
            construct_at: at,
            ends: BTreeMap::new(),
            externals: BTreeMap::new(),
            vpcs: BTreeMap::new(),
            subnet_zones: BTreeMap::new(),
            eks_groups: Vec::new(),
            ecs_groups: BTreeMap::new(),
            service_accounts: BTreeMap::new(),
            namespaces: BTreeMap::new(),
            kubernetes: None,
            kube_nodes: BTreeMap::new(),
        }
    }

    /// The resource a value refers to: a reference, a template's first reference, or a raw
    /// expression naming `type.name.attr`.
    pub fn target(&self, v: &Value) -> Option<&'g Resource> {
        tick();
        match v {
            Value::Ref(r) => self.index.get(r.address()).copied(),
            Value::Template(_) => {
                let mut refs = Vec::new();
                v.refs(&mut refs);
                refs.first()
                    .and_then(|r| self.index.get(r.address()).copied())
            }
            Value::Expr(e) => {
                let mut parts = e.split('.');
                let (data, kind) = match parts.next()? {
                    "data" => (true, parts.next()?),
                    k => (false, k),
                };
                let name = parts.next()?;
                let a = if data {
                    Address::data(&self.g.stack, kind, name)
                } else {
                    Address::resource(&self.g.stack, kind, name)
                };
                self.index.get(&a).copied()
            }
            _ => None,
        }
    }

    /// The position in `constructs` of the construct at a path.
    pub fn construct_of(&self, p: &Path) -> Option<usize> {
        self.construct_at.get(p).copied()
    }

    /// Managed resources of one type, in order.
    pub fn of_kind(&self, kind: &str) -> &[&'g Resource] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    /// The resources of type `kind` whose argument `key` refers to the resource at `to`, in
    /// order (an EKS cluster's node groups: `referring("aws_eks_node_group", "cluster_name",
    /// cluster)`). Each (type, argument) is indexed once.
    pub fn referring(
        &self,
        kind: &'static str,
        key: &'static str,
        to: &Address,
    ) -> Vec<&'g Resource> {
        tick();
        let mut maps = self.referrers.borrow_mut();
        let map = maps.entry((kind, key)).or_insert_with(|| {
            let mut m: HashMap<Address, Vec<&'g Resource>> = HashMap::new();
            for &r in self.of_kind(kind) {
                if let Some(t) = self.target_at(&r.body, key) {
                    m.entry(t.address.clone()).or_default().push(r);
                }
            }
            m
        });
        map.get(to).cloned().unwrap_or_default()
    }

    /// The resource at `key` of a body refers to.
    pub fn target_at(&self, body: &Map, key: &str) -> Option<&'g Resource> {
        get(body, key).and_then(|v| self.target(v))
    }

    /// Every resource a value refers to, in order.
    pub fn targets(&self, v: &Value) -> Vec<&'g Resource> {
        let mut refs = Vec::new();
        v.refs(&mut refs);
        let mut out: Vec<&'g Resource> = refs
            .iter()
            .filter_map(|r| self.index.get(r.address()).copied())
            .collect();
        if let Value::Expr(_) = v
            && let Some(r) = self.target(v)
        {
            out.push(r);
        }
        out
    }

    /// Every resource a body refers to.
    pub fn body_targets(&self, body: &Map) -> Vec<&'g Resource> {
        body.values().flat_map(|v| self.targets(v)).collect()
    }

    /// The construct a resource belongs to, as drawn: its owner, or the nearest drawn
    /// ancestor (a connection's rules belong to the database that owns the connection).
    pub fn end_of_path(&self, p: &Path) -> Option<End> {
        let mut segments = p.segments().to_vec();
        while !segments.is_empty() {
            let mut q = Path::root(&segments[0]);
            for s in &segments[1..] {
                q = q.child(s);
            }
            if let Some(e) = self.ends.get(&q) {
                return Some(*e);
            }
            segments.pop();
        }
        None
    }

    /// The drawn construct owning the resource a value refers to.
    pub fn end_of(&self, v: &Value) -> Option<End> {
        self.target(v).and_then(|r| self.end_of_path(&r.owner))
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

/// The value at a dotted path of a body (`vpc_config.subnet_ids`); a one-element block list on
/// the way is stepped through.
pub(crate) fn get<'a>(body: &'a Map, dotted: &str) -> Option<&'a Value> {
    let mut keys = dotted.split('.');
    let mut v = body.get(keys.next()?)?;
    for k in keys {
        v = match v {
            Value::Map(m) => m.get(k)?,
            Value::List(l) => match l.as_slice() {
                [Value::Map(m)] => m.get(k)?,
                _ => return None,
            },
            _ => return None,
        };
    }
    Some(v)
}

/// A literal string at a dotted path.
pub(crate) fn text<'a>(body: &'a Map, dotted: &str) -> Option<&'a str> {
    match get(body, dotted)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// A whole number at a dotted path (also from a numeric string, as some AWS arguments are).
pub(crate) fn int(body: &Map, dotted: &str) -> Option<i64> {
    match get(body, dotted)? {
        Value::Int(i) => Some(*i),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A boolean at a dotted path (also `"true"`/`"false"`).
pub(crate) fn flag(body: &Map, dotted: &str) -> Option<bool> {
    match get(body, dotted)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The blocks of a repeated block, whether written as a list or a single object.
pub(crate) fn blocks(v: Option<&Value>) -> Vec<&Map> {
    match v {
        Some(Value::List(l)) => l
            .iter()
            .filter_map(|v| match v {
                Value::Map(m) => Some(m),
                _ => None,
            })
            .collect(),
        Some(Value::Map(m)) => vec![m],
        _ => Vec::new(),
    }
}

/// The literal strings of a list (or a single string).
pub(crate) fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::List(l)) => l
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.as_str()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    }
}

/// A stable id from a construct path below its stack (`db_from_api`).
pub(crate) fn tail_id(p: &Path) -> String {
    if p.below_stack().is_empty() {
        p.stack().to_owned()
    } else {
        p.below_stack().join("_")
    }
}

/// The present pieces, joined with spaces (`RDS PostgreSQL 16`).
pub(crate) fn words<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The present pieces, joined with ` · `.
pub(crate) fn join<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests;
