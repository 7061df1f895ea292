//! Small helpers the AWS constructs share to declare what the architecture diagram draws
//! ([`stacksmith_core::drawing`]): ids from construct paths, label pieces, and the edge of a
//! security-group rule. What each construct looks like is written in its own file.

use stacksmith_core::{Edge, EdgeKind, End, Label, Lowering, Path, Ref};

/// A stable id piece from a construct path below its stack (`db_from_api`).
pub(crate) fn tail_id(p: &Path) -> String {
    if p.below_stack().is_empty() {
        p.stack().to_owned()
    } else {
        p.below_stack().join("_")
    }
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
