//! The Terraform side of the diagram: which construct is drawn as what, EKS and ECS clusters,
//! load balancers, ECS services and service-account roles. Networks, data stores and the
//! edges between constructs have their own modules.

use std::collections::HashMap;

use stacksmith_core::Address;
use stacksmith_core::terraform::{Resource, Value};

use super::model::{End, GroupKind, NodeKind};
use super::network::{vpc_of, zones_line};
use super::{
    Builder, Construct, blocks, flag, int, join, kube, network, stores, strings, tail_id, text,
};

/// What a construct is drawn as, from the most telling resource it owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Network,
    Eks,
    Ecs,
    LoadBalancer,
    EcsService,
    Aurora,
    DocumentDb,
    Rds,
    Cache,
    Kafka,
    Bucket,
}

/// Resource types that decide a construct's role, most telling first: a load balancer that
/// owns its access-log bucket is a load balancer, not a bucket.
pub(super) const ROLES: &[(&str, Role)] = &[
    ("aws_vpc", Role::Network),
    ("aws_eks_cluster", Role::Eks),
    ("aws_ecs_cluster", Role::Ecs),
    ("aws_lb", Role::LoadBalancer),
    ("aws_ecs_service", Role::EcsService),
    ("aws_rds_cluster", Role::Aurora),
    ("aws_docdb_cluster", Role::DocumentDb),
    ("aws_db_instance", Role::Rds),
    ("aws_elasticache_replication_group", Role::Cache),
    ("aws_msk_cluster", Role::Kafka),
    ("aws_msk_serverless_cluster", Role::Kafka),
    ("aws_s3_bucket", Role::Bucket),
];

fn role(c: &Construct<'_>) -> Option<Role> {
    ROLES
        .iter()
        .find(|(kind, _)| c.first(kind).is_some())
        .map(|(_, r)| *r)
}

/// Draws every construct's node or group (Kubernetes namespaces are made on demand).
pub(super) fn nodes(b: &mut Builder<'_>) {
    network::networks(b);
    for i in 0..b.constructs.len() {
        match role(&b.constructs[i]) {
            Some(Role::Eks) => eks(b, i),
            Some(Role::Ecs) => ecs_cluster(b, i),
            _ => {}
        }
    }
    for i in 0..b.constructs.len() {
        match role(&b.constructs[i]) {
            Some(Role::LoadBalancer) => load_balancer(b, i),
            Some(Role::EcsService) => ecs_service(b, i),
            _ => {}
        }
    }
    let ingress = stores::ingress_ports(b);
    for i in 0..b.constructs.len() {
        if let Some(r) = role(&b.constructs[i]) {
            stores::data_store(b, i, r, &ingress);
        }
    }
    ecs_clusters_without_services(b);
}

/// Draws service-account roles inside their namespaces (after the Kubernetes objects, so a
/// namespace the stack creates is drawn where its objects are).
pub(super) fn identities(b: &mut Builder<'_>) {
    for i in 0..b.constructs.len() {
        let c = &b.constructs[i];
        if role(c).is_some() || c.first("aws_iam_role").is_none() || b.ends.contains_key(&c.path) {
            continue;
        }
        let subjects = service_account_subjects(c);
        let Some((ns, _)) = subjects.first().cloned() else {
            continue;
        };
        let path = c.path.clone();
        let group = kube::namespace(b, &ns);
        let mut lines = vec!["IAM role (IRSA) for ServiceAccount".to_owned()];
        lines.extend(subjects.iter().map(|(ns, sa)| format!("{ns}/{sa}")));
        let n = b.d.node(
            &format!("irsa_{}", tail_id(&path)),
            Some(group),
            NodeKind::Identity,
            path.to_string(),
            lines,
        );
        b.ends.insert(path, End::Node(n));
        b.service_accounts
            .extend(subjects.into_iter().map(|s| (s, End::Node(n))));
    }
}

/// The `namespace/name` of every service account a construct's IAM trust policies name
/// (`system:serviceaccount:<ns>:<name>`).
fn service_account_subjects(c: &Construct<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in c.data.iter().chain(c.resources.iter()) {
        for v in r.body.values() {
            collect_subjects(v, &mut out);
        }
    }
    out
}

fn collect_subjects(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix("system:serviceaccount:")
                && let Some((ns, name)) = rest.split_once(':')
            {
                let pair = (ns.to_owned(), name.to_owned());
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
        }
        Value::List(l) => l.iter().for_each(|v| collect_subjects(v, out)),
        Value::Map(m) => m.values().for_each(|v| collect_subjects(v, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Clusters

fn eks(b: &mut Builder<'_>, i: usize) {
    let c = &b.constructs[i];
    let Some(cluster) = c.first("aws_eks_cluster") else {
        return;
    };
    let path = c.path.clone();
    let parent = vpc_of(b, c);
    let body = &cluster.body;
    let name = text(body, "name").unwrap_or_else(|| cluster.address.name());
    let g = b.d.group(
        &format!("eks_{}", tail_id(&path)),
        parent,
        GroupKind::Cluster,
        path.to_string(),
        format!("EKS {name}"),
    );
    b.ends.insert(path, End::Group(g));
    b.eks_groups.push(g);

    let mut lines = Vec::new();
    let version = text(body, "version").map(|v| format!("Kubernetes {v}"));
    let endpoint = match flag(body, "vpc_config.endpoint_public_access") {
        Some(false) => Some("private API endpoint"),
        Some(true) => Some("public API endpoint"),
        None => None,
    };
    lines.push(join([version.as_deref(), endpoint]));
    let addons: Vec<&str> = b
        .referring("aws_eks_addon", "cluster_name", &cluster.address)
        .into_iter()
        .filter_map(|r| text(&r.body, "addon_name"))
        .collect();
    if !addons.is_empty() {
        lines.push(format!("add-ons: {}", addons.join(", ")));
    }
    b.d.node(
        &format!("eks_{}_control_plane", cluster.address.name()),
        Some(g),
        NodeKind::Compute,
        "control plane",
        lines,
    );

    let node_groups: Vec<&Resource> =
        b.referring("aws_eks_node_group", "cluster_name", &cluster.address);
    for ng in node_groups {
        let body = &ng.body;
        let name = text(body, "node_group_name").unwrap_or_else(|| ng.address.name());
        let types = strings(body.get("instance_types")).join(" / ");
        let capacity = text(body, "capacity_type").map(|c| match c {
            "SPOT" => "spot",
            _ => "on-demand",
        });
        let size = match (
            int(body, "scaling_config.min_size"),
            int(body, "scaling_config.max_size"),
            int(body, "scaling_config.desired_size"),
        ) {
            (Some(min), Some(max), Some(d)) => format!("{min}–{max} nodes (desired {d})"),
            (Some(min), Some(max), None) => format!("{min}–{max} nodes"),
            _ => String::new(),
        };
        let zones = zones_line(b, body.get("subnet_ids"));
        b.d.node(
            &format!("nodes_{}", ng.address.name()),
            Some(g),
            NodeKind::Compute,
            format!("node group {name}"),
            vec![join([Some(types.as_str()), capacity]), size, zones],
        );
    }
}

fn ecs_cluster(b: &mut Builder<'_>, i: usize) {
    let c = &b.constructs[i];
    let Some(cluster) = c.first("aws_ecs_cluster") else {
        return;
    };
    // Sits in the VPC its first service runs in.
    let mut owners: Vec<usize> = b
        .referring("aws_ecs_service", "cluster", &cluster.address)
        .iter()
        .filter_map(|svc| b.construct_of(&svc.owner))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    let parent = owners.into_iter().find_map(|s| vpc_of(b, &b.constructs[s]));
    let name = text(&cluster.body, "name").unwrap_or_else(|| cluster.address.name());
    let path = c.path.clone();
    let g = b.d.group(
        &format!("ecs_{}", tail_id(&path)),
        parent,
        GroupKind::Cluster,
        path.to_string(),
        format!("ECS {name}"),
    );
    b.ends.insert(path, End::Group(g));
    b.ecs_groups.insert(cluster.address.clone(), g);
}

/// An ECS cluster no service runs in is drawn as a node: an empty box would not be drawn.
fn ecs_clusters_without_services(b: &mut Builder<'_>) {
    let empty: Vec<(Address, usize)> = b
        .ecs_groups
        .iter()
        .filter(|(_, g)| !b.d.group_has_nodes(**g))
        .map(|(a, g)| (a.clone(), *g))
        .collect();
    let mut node_of: HashMap<usize, usize> = HashMap::new();
    for (a, g) in empty {
        let group = b.d.groups[g].clone();
        let n = b.d.node(
            &format!("{}_node", group.id),
            group.parent,
            NodeKind::Compute,
            group.title.clone(),
            vec![group.detail.clone()],
        );
        node_of.insert(g, n);
        b.ecs_groups.remove(&a);
    }
    if node_of.is_empty() {
        return;
    }
    for e in b.ends.values_mut() {
        if let End::Group(g) = *e
            && let Some(&n) = node_of.get(&g)
        {
            *e = End::Node(n);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Load balancers and ECS services

fn load_balancer(b: &mut Builder<'_>, i: usize) {
    let c = &b.constructs[i];
    let Some(lb) = c.first("aws_lb") else { return };
    let body = &lb.body;
    let kind = match text(body, "load_balancer_type") {
        Some("network") => "NLB",
        Some("gateway") => "Gateway LB",
        _ => "ALB",
    };
    let scheme = match flag(body, "internal") {
        Some(true) => "internal",
        _ => "internet-facing",
    };
    let mut listeners = Vec::new();
    let mut names = Vec::new();
    let mut waf = None;
    for r in b.referring("aws_lb_listener", "load_balancer_arn", &lb.address) {
        let proto = text(&r.body, "protocol").unwrap_or("");
        let port = int(&r.body, "port")
            .map(|p| p.to_string())
            .unwrap_or_default();
        let redirect = blocks(r.body.get("default_action"))
            .into_iter()
            .find_map(|a| text(a, "redirect.port"));
        listeners.push(match redirect {
            Some(to) => format!("{proto} {port} → {to}"),
            None => format!("{proto} {port}"),
        });
    }
    for r in b.referring("aws_route53_record", "alias.name", &lb.address) {
        if let Some(n) = text(&r.body, "name") {
            names.push(n.to_owned());
        }
    }
    if let Some(r) = b
        .referring("aws_wafv2_web_acl_association", "resource_arn", &lb.address)
        .last()
    {
        waf = Some(
            b.target_at(&r.body, "web_acl_arn")
                .and_then(|acl| text(&acl.body, "name"))
                .map_or_else(|| "WAF".to_owned(), |n| format!("WAF {n}")),
        );
    }
    listeners.sort_by_key(|l| l.starts_with("HTTP ") || l.starts_with("TCP "));
    let mut lines = vec![format!("{kind} · {scheme}"), listeners.join(" · ")];
    names.extend(waf);
    lines.push(names.join(" · "));
    let path = c.path.clone();
    let parent = vpc_of(b, c);
    let n = b.d.node(
        &format!("lb_{}", tail_id(&path)),
        parent,
        NodeKind::Entry,
        path.to_string(),
        lines,
    );
    b.ends.insert(path, End::Node(n));
}

fn ecs_service(b: &mut Builder<'_>, i: usize) {
    let c = &b.constructs[i];
    let Some(svc) = c.first("aws_ecs_service") else {
        return;
    };
    let body = &svc.body;
    let group = b
        .target_at(body, "cluster")
        .and_then(|cl| b.ecs_groups.get(&cl.address).copied())
        .or_else(|| vpc_of(b, c));
    let launch = blocks(body.get("capacity_provider_strategy"))
        .first()
        .and_then(|s| text(s, "capacity_provider"))
        .or_else(|| text(body, "launch_type"))
        .map(capacity_provider);
    let mut tasks = int(body, "desired_count").map(|n| format!("{n} tasks"));
    if let Some(t) = c.first("aws_appautoscaling_target")
        && let (Some(min), Some(max)) = (int(&t.body, "min_capacity"), int(&t.body, "max_capacity"))
    {
        tasks = Some(format!(
            "{} (autoscaled {min}–{max})",
            tasks.unwrap_or_default()
        ));
    }
    let size = b.target_at(body, "task_definition").and_then(|td| {
        let cpu = int(&td.body, "cpu")?;
        let mem = int(&td.body, "memory")?;
        Some(format!(
            "{} vCPU / {} GiB",
            units(cpu, 1024),
            units(mem, 1024)
        ))
    });
    let ports: Vec<String> = blocks(body.get("load_balancer"))
        .iter()
        .filter_map(|l| int(l, "container_port"))
        .map(|p| format!("port {p}"))
        .collect();
    let path = c.path.clone();
    let n = b.d.node(
        &format!("ecs_{}", tail_id(&path)),
        group,
        NodeKind::Compute,
        path.to_string(),
        vec![
            join([Some("ECS service"), launch]),
            join([tasks.as_deref(), size.as_deref()]),
            ports.join(", "),
        ],
    );
    b.ends.insert(path, End::Node(n));
}

/// `1`, `0.5`, `2` for `1024`, `512`, `2048` of a unit of 1024.
fn units(v: i64, per: i64) -> String {
    if v % per == 0 {
        (v / per).to_string()
    } else {
        format!("{:.2}", v as f64 / per as f64)
            .trim_end_matches('0')
            .to_owned()
    }
}

/// `Fargate` for `FARGATE`.
fn capacity_provider(p: &str) -> &str {
    match p {
        "FARGATE" => "Fargate",
        "FARGATE_SPOT" => "Fargate Spot",
        other => other,
    }
}
