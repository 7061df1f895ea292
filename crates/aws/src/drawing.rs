//! Small helpers the AWS constructs share to declare what the architecture diagram draws
//! ([`stacksmith_core::drawing`]): ids from construct paths, label pieces, and the edge of a
//! security-group rule. What each construct looks like is written in its own file.

use stacksmith_core::{Edge, EdgeKind, End, Label, Lowering, Node, NodeKind, Path, Ref};

/// A stable id piece from a construct path below its stack (`db_from_api`).
pub(crate) fn tail_id(p: &Path) -> String {
    if p.below_stack().is_empty() {
        p.stack().to_owned()
    } else {
        p.below_stack().join("_")
    }
}

/// The box of a data store (database, cache, Kafka, bucket): id `data_<construct>`, titled
/// with its path; its lines and placement are the caller's.
pub(crate) fn data_node(path: &Path) -> Node {
    Node::new(
        path,
        &format!("data_{}", tail_id(path)),
        NodeKind::Data,
        path.to_string(),
    )
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

/// The present pieces, joined with spaces (`RDS PostgreSQL 16`).
pub(crate) fn words<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The construct owning the security group (or other resource) a reference points at.
pub(crate) fn owner(r: &Ref) -> End {
    End::Owner(r.address().clone())
}

/// The edge of one TCP security-group rule on the group `own`: from `peer` into `own`
/// (ingress), or from `own` out to `peer` (egress).
pub(crate) fn rule(cx: &mut Lowering<'_>, ingress: bool, own: &Ref, peer: End, port: u16) {
    let own = owner(own);
    let (from, to) = if ingress { (peer, own) } else { (own, peer) };
    cx.edge(Edge::new(
        from,
        to,
        EdgeKind::Traffic,
        Label::port(format!(":{port}"), ingress),
    ));
}

/// `zones a, b, c` for availability zones of `region` (`zone a` for one).
pub(crate) fn zones_line(zones: &[String], region: &str) -> String {
    let mut short: Vec<&str> = zones
        .iter()
        .map(|z| {
            z.strip_prefix(region)
                .filter(|s| !s.is_empty())
                .unwrap_or(z)
        })
        .collect();
    short.dedup();
    match short.as_slice() {
        [] => String::new(),
        [one] => format!("zone {one}"),
        _ => format!("zones {}", short.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use stacksmith_core::{EdgeKind, End, Label, NodeKind, Stack, Within};

    use crate::{Database, EksCluster, Kafka, Network};

    /// What real constructs declare: boxes with their labels, in their network, and the
    /// edges of the rules a connection writes.
    #[test]
    fn constructs_declare_their_boxes_and_connections_their_edges() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16").zones(2));
        let eks = stack.add(EksCluster::new("eks", &net));
        let db = stack.add(
            Database::postgres("db", &net)
                .engine_version("16.4")
                .read_replicas(1),
        );
        stack.add(db.allow_from(&eks));
        stack.add(Kafka::serverless("events", &net).allow_from(&eks));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);

        let node = |id: &str| g.nodes.iter().find(|n| n.id == id);
        let db = node("data_db").map(|n| (n.kind, n.lines.clone(), n.within.clone()));
        assert_eq!(
            db,
            Some((
                NodeKind::Data,
                vec![
                    "RDS PostgreSQL 16.4".to_owned(),
                    "db.m7g.large · Multi-AZ".to_owned(),
                    "+ 1 read replica".to_owned(),
                    "port 5432".to_owned()
                ],
                Within::Construct(net.path().clone())
            ))
        );
        assert!(node("data_events").is_some_and(|n| n.ports_from_rules));
        let subnets: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Network)
            .map(|n| n.title.as_str())
            .collect();
        assert_eq!(
            subnets,
            [
                "public subnet",
                "private subnet",
                "public subnet",
                "private subnet",
                "internet gateway"
            ]
        );
        let groups = node("nodes_eks_nodes_default").map(|n| n.lines.clone());
        assert_eq!(
            groups,
            Some(vec![
                "m6i.large · on-demand".to_owned(),
                "3–3 nodes (desired 3)".to_owned(),
                "zones a, b".to_owned()
            ])
        );

        // The connection's ingress rule: from the cluster's group into the database's.
        let rule = g
            .edges
            .iter()
            .find(|e| e.kind == EdgeKind::Traffic && e.label == Label::port(":5432", true));
        let owner = |e: &End| match e {
            End::Owner(a) => g
                .resources
                .iter()
                .find(|r| &r.address == a)
                .map(|r| r.owner.to_string()),
            _ => None,
        };
        assert_eq!(
            rule.map(|e| (owner(&e.from), owner(&e.to))),
            Some((Some("prod/eks".to_owned()), Some("prod/db".to_owned())))
        );
        // Routes: internet ↔ gateway ↔ public subnets, private subnets through their NAT.
        let routes = g.edges.iter().filter(|e| e.kind == EdgeKind::Route).count();
        assert_eq!(routes, 5);
    }
}
