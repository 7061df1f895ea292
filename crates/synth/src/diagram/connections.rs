//! The edges between constructs: security-group rules (labelled with their ports), listener
//! rules (load balancer → the ECS service its target group feeds), IAM policies (the role's
//! construct → the construct owning the resources it may use), and database replication.

use std::collections::{BTreeMap, HashMap};

use stacksmith_core::terraform::{Map, Resource, Value};
use stacksmith_core::{Address, Path};

use super::model::{EdgeKind, End};
use super::{Builder, blocks, get, int, strings, text, tick};

/// Draws every edge the Terraform side implies.
pub(super) fn edges(b: &mut Builder<'_>) {
    security_group_rules(b);
    listener_rules(b);
    iam_grants(b);
    replication(b);
}

/// `:5432`, `:1024-65535`, `all` for a rule's ports.
pub(super) fn port_range(body: &Map) -> Option<String> {
    let proto = text(body, "ip_protocol").or_else(|| text(body, "protocol"));
    if matches!(proto, Some("-1" | "all")) {
        return Some("all traffic".into());
    }
    let from = int(body, "from_port")?;
    let to = int(body, "to_port").unwrap_or(from);
    let suffix = match proto {
        Some("udp") => "/udp",
        Some("icmp" | "icmpv6") => return Some("ICMP".into()),
        _ => "",
    };
    Some(if from == to {
        format!(":{from}{suffix}")
    } else {
        format!(":{from}-{to}{suffix}")
    })
}

/// The other side of a rule: a security group's construct, a CIDR or a prefix list. Address
/// ranges a rule lets traffic out to are their own nodes (`Internet` · outbound), drawn below
/// what reaches them, apart from the ones traffic comes in from.
fn peer(b: &mut Builder<'_>, body: &Map, ingress: bool) -> Option<End> {
    for key in ["referenced_security_group_id", "source_security_group_id"] {
        if let Some(v) = body.get(key) {
            return b.end_of(v).or_else(|| match v {
                Value::String(sg) => {
                    Some(b.external(&format!("sg_{sg}"), sg, vec!["security group".into()]))
                }
                _ => None,
            });
        }
    }
    let range = ["cidr_ipv4", "cidr_ipv6"]
        .iter()
        .find_map(|k| text(body, k))
        .or_else(|| strings(body.get("cidr_blocks")).first().copied());
    if let Some(c) = range {
        return Some(if ingress { b.cidr(c) } else { b.outbound(c) });
    }
    if let Some(Value::String(pl)) = body.get("prefix_list_id") {
        return Some(b.external(&format!("pl_{pl}"), pl, vec!["prefix list".into()]));
    }
    if body.contains_key("prefix_list_id") {
        return Some(b.external("prefix_list", "AWS prefix list", Vec::new()));
    }
    None
}

fn security_group_rules(b: &mut Builder<'_>) {
    let rules: Vec<&Resource> =
        b.g.resources
            .iter()
            .filter(|r| {
                matches!(
                    r.address.kind(),
                    "aws_vpc_security_group_ingress_rule"
                        | "aws_vpc_security_group_egress_rule"
                        | "aws_security_group_rule"
                )
            })
            .collect();
    for r in rules {
        let ingress = match r.address.kind() {
            "aws_vpc_security_group_ingress_rule" => true,
            "aws_vpc_security_group_egress_rule" => false,
            _ => text(&r.body, "type") == Some("ingress"),
        };
        let Some(own) = r.body.get("security_group_id").and_then(|v| b.end_of(v)) else {
            continue;
        };
        let Some(other) = peer(b, &r.body, ingress) else {
            continue;
        };
        let Some(port) = port_range(&r.body) else {
            continue;
        };
        let (from, to) = if ingress { (other, own) } else { (own, other) };
        b.d.port_edge(from, to, EdgeKind::Traffic, port);
    }
}

fn listener_rules(b: &mut Builder<'_>) {
    let resources: Vec<&Resource> = b.g.resources.iter().collect();
    // The first ECS service registering into each target group.
    let mut services: HashMap<&Address, &Resource> = HashMap::new();
    for r in &resources {
        if r.address.kind() == "aws_ecs_service" {
            for l in blocks(r.body.get("load_balancer")) {
                if let Some(tg) = b.target_at(l, "target_group_arn") {
                    services.entry(&tg.address).or_insert(r);
                }
            }
        }
    }
    for r in resources {
        tick();
        let (listener, actions, conditions) = match r.address.kind() {
            "aws_lb_listener_rule" => {
                let Some(l) = b.target_at(&r.body, "listener_arn") else {
                    continue;
                };
                (l, r.body.get("action"), r.body.get("condition"))
            }
            "aws_lb_listener" => (r, r.body.get("default_action"), None),
            _ => continue,
        };
        let Some(lb) = b.target_at(&listener.body, "load_balancer_arn") else {
            continue;
        };
        let Some(from) = b.end_of_path(&lb.owner) else {
            continue;
        };
        let mut when: Vec<String> = Vec::new();
        for c in blocks(conditions) {
            when.extend(
                strings(get(c, "host_header.values"))
                    .iter()
                    .map(|s| (*s).to_owned()),
            );
            when.extend(
                strings(get(c, "path_pattern.values"))
                    .iter()
                    .map(|s| (*s).to_owned()),
            );
        }
        if when.is_empty() {
            let proto = text(&listener.body, "protocol").unwrap_or("");
            let port = int(&listener.body, "port").unwrap_or(0);
            when.push(format!("{proto} {port}"));
        }
        for a in blocks(actions) {
            let mut groups: Vec<&Resource> = Vec::new();
            groups.extend(b.target_at(a, "target_group_arn"));
            for t in blocks(get(a, "forward.target_group")) {
                groups.extend(b.target_at(t, "arn"));
            }
            for tg in groups {
                let Some(to) = target_group_consumer(b, &services, tg, &lb.owner) else {
                    continue;
                };
                let port = int(&tg.body, "port")
                    .map(|p| format!(" → :{p}"))
                    .unwrap_or_default();
                b.d.edge(
                    from,
                    to,
                    EdgeKind::Traffic,
                    format!("{}{port}", when.join(" ")),
                );
            }
        }
    }
}

/// What a target group sends traffic to: the ECS service registering into it, or the
/// construct owning it when that is not the load balancer itself.
fn target_group_consumer(
    b: &Builder<'_>,
    services: &HashMap<&Address, &Resource>,
    tg: &Resource,
    lb_owner: &Path,
) -> Option<End> {
    match services.get(&tg.address) {
        Some(s) => b.end_of_path(&s.owner),
        None if &tg.owner != lb_owner => b.end_of_path(&tg.owner),
        None => None,
    }
}

/// Whether an IAM action only reads.
fn reads(action: &str) -> bool {
    let verb = action.split(':').nth(1).unwrap_or(action);
    [
        "Get", "List", "Describe", "Head", "Decrypt", "Query", "Scan", "Select", "BatchGet",
        "Connect", "ReadData", "Receive",
    ]
    .iter()
    .any(|p| verb.starts_with(p))
}

fn iam_grants(b: &mut Builder<'_>) {
    // (from, to) → service → whether every action on it only reads.
    let mut grants: BTreeMap<(End, End), BTreeMap<String, bool>> = BTreeMap::new();
    let mut order: Vec<(End, End)> = Vec::new();
    for doc in &b.g.data {
        if doc.address.kind() != "aws_iam_policy_document" {
            continue;
        }
        let Some(from) = b.end_of_path(&doc.owner) else {
            continue;
        };
        for st in blocks(doc.body.get("statement")) {
            let actions = strings(st.get("actions"));
            if actions.iter().any(|a| a.starts_with("sts:AssumeRole"))
                || text(st, "effect") == Some("Deny")
            {
                continue;
            }
            let Some(resources) = st.get("resources") else {
                continue;
            };
            for t in b.targets(resources) {
                let Some(to) = b.end_of_path(&t.owner) else {
                    continue;
                };
                if to == from {
                    continue;
                }
                if !grants.contains_key(&(from, to)) {
                    order.push((from, to));
                }
                let services = grants.entry((from, to)).or_default();
                for a in &actions {
                    let service = a.split(':').next().unwrap_or(a).to_owned();
                    let read = reads(a);
                    services
                        .entry(service)
                        .and_modify(|r| *r = *r && read)
                        .or_insert(read);
                }
            }
        }
    }
    for key in order {
        let Some(services) = grants.get(&key) else {
            continue;
        };
        // The key a store is encrypted with goes without saying next to the store itself.
        let shown: Vec<String> = services
            .iter()
            .filter(|(s, _)| services.len() == 1 || s.as_str() != "kms")
            .map(|(s, read)| format!("{s} {}", if *read { "read" } else { "write" }))
            .collect();
        b.d.edge(
            key.0,
            key.1,
            EdgeKind::Iam,
            format!("IAM {}", shown.join(", ")),
        );
    }
}

fn replication(b: &mut Builder<'_>) {
    let instances: Vec<&Resource> =
        b.g.resources
            .iter()
            .filter(|r| r.address.kind() == "aws_db_instance")
            .collect();
    for r in instances {
        let Some(source) = r.body.get("replicate_source_db") else {
            continue;
        };
        let Some(to) = b.end_of_path(&r.owner) else {
            continue;
        };
        let local = b
            .target(source)
            .filter(|s| matches!(s.address.kind(), "aws_db_instance" | "aws_rds_cluster"));
        let from = match local {
            Some(s) => match b.end_of_path(&s.owner) {
                Some(e) if e != to => e,
                _ => continue,
            },
            None => {
                let Some(id) = source_identifier(source) else {
                    continue;
                };
                let owner =
                    b.g.after
                        .iter()
                        .find(|s| id.starts_with(&format!("{s}-")))
                        .map_or_else(
                            || "RDS instance outside this stack".to_owned(),
                            |s| format!("RDS instance of stack {s}"),
                        );
                let mut lines = vec![owner];
                if let Some(region) = arn_region(source) {
                    lines.push(region);
                }
                b.external(&format!("rds_{id}"), &id, lines)
            }
        };
        b.d.edge(from, to, EdgeKind::Replication, "replication");
    }
}

/// The last literal piece of an ARN-like value: `kgas-primary-db` of `arn:…:db:kgas-primary-db`.
fn source_identifier(v: &Value) -> Option<String> {
    let lit = literal_text(v)?;
    let id = lit.rsplit(':').next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// The region of an ARN-like value (`arn:<partition>:rds:us-east-1:…`).
fn arn_region(v: &Value) -> Option<String> {
    let lit = literal_text(v)?;
    let mut parts = lit.split(':');
    while let Some(p) = parts.next() {
        if p == "rds" {
            return parts.next().filter(|r| !r.is_empty()).map(str::to_owned);
        }
    }
    None
}

/// A value's literal text with interpolations left out (`arn::rds:us-east-1::db:x`).
fn literal_text(v: &Value) -> Option<String> {
    let serde_json::Value::String(s) = serde_json::to_value(v).ok()? else {
        return None;
    };
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        rest = rest[at..].find('}').map_or("", |end| &rest[at + end + 1..]);
    }
    out.push_str(rest);
    Some(out)
}
