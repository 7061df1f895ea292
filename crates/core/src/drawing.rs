//! What the architecture diagram draws, declared by the constructs while they lower: boxes
//! ([`Node`]: a construct, or a part of one such as a subnet or a node group, and the groups
//! around them such as a VPC, a zone or a cluster) and the relationships between constructs
//! ([`Edge`]: traffic a security rule allows, a listener forwarding to its targets, an access
//! grant, replication, routes). The construct that creates a resource knows what it is and
//! what it connects; the synthesizer draws these facts (and the Kubernetes objects) without
//! recognising resources by their type names.
//!
//! A new construct that should be drawn declares its box in its own file, at the end of its
//! lowering (`cx.node(..)`, usually from a `fn draw`): its kind, a stable id, its title and
//! lines, and where it sits ([`Within`]: its network, its cluster, a namespace). Whatever
//! creates a relationship records it next to the resource that creates it (`cx.edge(..)`),
//! with ends given as construct paths or as the address of a resource whose owner is the end.
//! Nothing in the synthesizer changes.
//!
//! ```
//! use stacksmith_core::{Edge, EdgeKind, End, Label, Node, NodeKind, Path, Within};
//!
//! let db = Path::root("prod").child("db");
//! let node = Node::new(&db, "data_db", NodeKind::Data, "prod/db")
//!     .line("RDS PostgreSQL 16.4")
//!     .within(Within::Construct(Path::root("prod").child("network")));
//! assert_eq!(node.part, "");
//! let edge = Edge::new(
//!     End::Construct(Path::root("prod").child("api")),
//!     End::Construct(db),
//!     EdgeKind::Traffic,
//!     Label::port(":5432", true),
//! );
//! assert_eq!(edge.kind, EdgeKind::Traffic);
//! ```

use crate::{Address, Path};

/// What a drawn box stands for; decides its shape, its colours and when it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// Subnets, gateways.
    Network,
    /// Where traffic enters: load balancers.
    Entry,
    /// What runs code: services, node groups, control planes.
    Compute,
    /// Databases, caches, queues, buckets.
    Data,
    /// An identity a workload runs as (drawn in the namespace of its service accounts).
    Identity,
    /// A group around a network (a VPC).
    NetworkGroup,
    /// A group around a zone of a network.
    ZoneGroup,
    /// A group around a cluster that runs containers. A cluster group no node is drawn in is
    /// drawn as a compute node instead.
    ClusterGroup,
    /// A group around a Kubernetes cluster: the stack's Kubernetes namespaces are drawn in it
    /// when the stack has exactly one.
    KubernetesGroup,
}

impl NodeKind {
    /// Whether this kind is a group around other boxes.
    pub fn is_group(self) -> bool {
        matches!(
            self,
            Self::NetworkGroup | Self::ZoneGroup | Self::ClusterGroup | Self::KubernetesGroup
        )
    }
}

/// Where a box sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    /// At the top of the picture.
    Top,
    /// In the box the construct at this path stands for (its network's VPC, its cluster).
    Construct(Path),
    /// In a part the same construct declared (a subnet in its zone): the part's name.
    Part(String),
    /// In a Kubernetes namespace's group.
    Namespace(String),
    /// Where the first [`Placement`] for this construct says (an ECS cluster sits in the
    /// network of its first service); at the top when there is none.
    Placed,
}

/// One box of the diagram, declared by a construct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The construct it belongs to.
    pub path: Path,
    /// Which part of the construct (`""`: the construct itself, which edges to the construct
    /// and anything below it land on).
    pub part: String,
    /// The id wanted in the diagram (made safe and unique there): `data_db`.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// Its title (for a group, the first line).
    pub title: String,
    /// Lines under the title; empty lines are left out. A group shows its first line only.
    pub lines: Vec<String>,
    /// Where it sits.
    pub within: Within,
    /// Adds a `port ...` line listing the ports the security rules into it open (a store
    /// listening on whatever its connections open); nothing when none does.
    pub ports_from_rules: bool,
}

impl Node {
    /// The box standing for the construct at `path`.
    pub fn new(path: &Path, id: &str, kind: NodeKind, title: impl Into<String>) -> Self {
        Self {
            path: path.clone(),
            part: String::new(),
            id: id.to_owned(),
            kind,
            title: title.into(),
            lines: Vec::new(),
            within: Within::Top,
            ports_from_rules: false,
        }
    }

    /// A box for a part of the construct (a subnet, a node group).
    #[must_use]
    pub fn part(mut self, part: &str) -> Self {
        self.part = part.to_owned();
        self
    }

    /// Adds a line (an empty one is left out when drawn).
    #[must_use]
    pub fn line(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }

    /// Where it sits.
    #[must_use]
    pub fn within(mut self, within: Within) -> Self {
        self.within = within;
        self
    }

    /// Lists the ports the security rules into it open.
    #[must_use]
    pub fn ports_from_rules(mut self) -> Self {
        self.ports_from_rules = true;
        self
    }
}

/// Where a construct's box declared [`Within::Placed`] sits, said by another construct (an
/// ECS service places its cluster in its network). The first placement wins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The construct placed.
    pub of: Path,
    /// Where.
    pub within: Path,
}

/// One end of an [`Edge`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// The construct at a path, drawn as its box or its nearest drawn ancestor's.
    Construct(Path),
    /// A part a construct declared (a subnet).
    Part(Path, String),
    /// The construct owning the resource at an address (a security group's construct).
    Owner(Address),
    /// The internet.
    Internet,
    /// An address range traffic comes from (the internet for `0.0.0.0/0`).
    Cidr(String),
    /// An address range traffic leaves to (`Internet` · outbound for `0.0.0.0/0`).
    Outbound(String),
    /// Something outside the stack, drawn once per key.
    External {
        /// Distinguishes it from other outside things.
        key: String,
        /// Its title.
        title: String,
        /// Lines under the title.
        lines: Vec<String>,
    },
    /// The workloads running as a Kubernetes service account (namespace, name).
    ServiceAccount(String, String),
}

/// How an edge is drawn, and in which pass: routes first, then security rules, forwarding,
/// grants and replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// Routing inside a network (internet ↔ gateway ↔ subnets), drawn both ways.
    Route,
    /// Traffic a security rule lets through.
    Traffic,
    /// Traffic a listener forwards to its targets.
    Forward,
    /// Permissions granted to the source on what the target owns.
    Grant,
    /// Replication between data stores.
    Replication,
    /// A workload running as an identity.
    RunsAs,
}

/// What an edge says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    /// Nothing.
    None,
    /// Free text.
    Text(String),
    /// A port or range a security rule opens (`:5432`, `all traffic`); `ingress` when the
    /// rule sits on the receiving side.
    Port {
        /// The port text.
        port: String,
        /// Declared by an ingress rule.
        ingress: bool,
    },
    /// Access to one service: the grants between two boxes are joined into one label
    /// (`IAM s3 write, kms read`), a service written only when every action on it reads.
    Access {
        /// What grants it (`IAM`).
        via: &'static str,
        /// The service (`s3`).
        service: String,
        /// Whether the action only reads.
        read: bool,
        /// Left out beside other services (the key a store is encrypted with).
        incidental: bool,
    },
}

impl Label {
    /// Free text.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// A port or range a rule opens.
    pub fn port(port: impl Into<String>, ingress: bool) -> Self {
        Self::Port {
            port: port.into(),
            ingress,
        }
    }
}

/// A relationship between two boxes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Where it starts.
    pub from: End,
    /// Where it ends.
    pub to: End,
    /// How it is drawn.
    pub kind: EdgeKind,
    /// What it says.
    pub label: Label,
}

impl Edge {
    /// An edge.
    pub fn new(from: End, to: End, kind: EdgeKind, label: Label) -> Self {
        Self {
            from,
            to,
            kind,
            label,
        }
    }
}
