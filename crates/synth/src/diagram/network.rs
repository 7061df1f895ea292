//! The network part of the diagram: each VPC a box, its availability zones boxes inside it,
//! each zone's subnets (public when their route table reaches an internet gateway, private
//! when it reaches a NAT gateway), NAT gateways folded into their subnet, the internet gateway.

use std::collections::BTreeMap;

use stacksmith_core::Address;
use stacksmith_core::terraform::{Map, Resource, Value};

use super::model::{EdgeKind, End, GroupKind, NodeKind};
use super::{Builder, Construct, blocks, text};

/// A subnet as drawn.
struct Subnet<'g> {
    r: &'g Resource,
    vpc: usize,
    zone: String,
    cidr: String,
    public: bool,
    nat_via: Option<Address>,
    /// Has a route table of its own (so no NAT route means no way out).
    routed: bool,
}

pub(super) fn networks(b: &mut Builder<'_>) {
    let mut vpcs: BTreeMap<Address, usize> = BTreeMap::new();
    for i in 0..b.constructs.len() {
        let vpc_list: Vec<&Resource> = b.constructs[i].of("aws_vpc").collect();
        let path = b.constructs[i].path.clone();
        for vpc in vpc_list {
            let cidr = text(&vpc.body, "cidr_block").unwrap_or("");
            let g = b.d.group(
                &format!("vpc_{}", vpc.address.name()),
                None,
                GroupKind::Vpc,
                path.to_string(),
                format!("VPC {cidr}"),
            );
            vpcs.insert(vpc.address.clone(), g);
            b.ends.entry(path.clone()).or_insert(End::Group(g));
        }
    }
    if vpcs.is_empty() {
        return;
    }
    b.vpcs = vpcs.clone();

    // Route tables: which subnet uses which, and where each sends 0.0.0.0/0.
    let resources: Vec<&Resource> = b.g.resources.iter().collect();
    let mut table_of: BTreeMap<Address, Address> = BTreeMap::new();
    let mut via_igw: Vec<Address> = Vec::new();
    let mut via_nat: BTreeMap<Address, Address> = BTreeMap::new();
    for r in &resources {
        match r.address.kind() {
            "aws_route_table_association" => {
                if let (Some(s), Some(t)) = (
                    b.target_at(&r.body, "subnet_id"),
                    b.target_at(&r.body, "route_table_id"),
                ) {
                    table_of.insert(s.address.clone(), t.address.clone());
                }
            }
            "aws_route" => {
                let Some(t) = b.target_at(&r.body, "route_table_id") else {
                    continue;
                };
                route(b, &r.body, &t.address, &mut via_igw, &mut via_nat);
            }
            "aws_route_table" => {
                for block in blocks(r.body.get("route")) {
                    route(b, block, &r.address, &mut via_igw, &mut via_nat);
                }
            }
            _ => {}
        }
    }

    let mut subnets: Vec<Subnet<'_>> = Vec::new();
    for r in &resources {
        if r.address.kind() != "aws_subnet" {
            continue;
        }
        let Some(&vpc) = b
            .target_at(&r.body, "vpc_id")
            .and_then(|v| vpcs.get(&v.address))
        else {
            continue;
        };
        let table = table_of.get(&r.address);
        let public = table.is_some_and(|t| via_igw.contains(t))
            || (table.is_none() && r.address.name().contains("public"));
        subnets.push(Subnet {
            r,
            vpc,
            zone: text(&r.body, "availability_zone")
                .or_else(|| text(&r.body, "availability_zone_id"))
                .unwrap_or("zone ?")
                .to_owned(),
            cidr: text(&r.body, "cidr_block").unwrap_or("").to_owned(),
            public,
            nat_via: table.and_then(|t| via_nat.get(t)).cloned(),
            routed: table.is_some(),
        });
    }
    subnets.sort_by(|a, b| {
        (a.vpc, &a.zone, !a.public, a.r.address.name()).cmp(&(
            b.vpc,
            &b.zone,
            !b.public,
            b.r.address.name(),
        ))
    });

    // NAT gateways by the subnet they sit in.
    let mut nats_in: BTreeMap<Address, Vec<Address>> = BTreeMap::new();
    for r in &resources {
        if r.address.kind() == "aws_nat_gateway"
            && let Some(s) = b.target_at(&r.body, "subnet_id")
        {
            nats_in
                .entry(s.address.clone())
                .or_default()
                .push(r.address.clone());
        }
    }

    let mut zones: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut subnet_node: BTreeMap<Address, usize> = BTreeMap::new();
    let mut nat_home: BTreeMap<Address, usize> = BTreeMap::new();
    for s in &subnets {
        let zone = *zones.entry((s.vpc, s.zone.clone())).or_insert_with(|| {
            b.d.group(
                &format!("zone_{}_{}", b.d.groups[s.vpc].id, s.zone),
                Some(s.vpc),
                GroupKind::Zone,
                s.zone.clone(),
                "",
            )
        });
        let nats = nats_in.get(&s.r.address).map_or(0, Vec::len);
        let mut lines = vec![s.cidr.clone()];
        if nats > 0 {
            lines.push("NAT gateway".into());
        }
        let n = b.d.node(
            &format!("subnet_{}", s.r.address.name()),
            Some(zone),
            NodeKind::Network,
            match (s.public, &s.nat_via, s.routed) {
                (true, _, _) => "public subnet",
                (false, None, true) => "isolated subnet",
                _ => "private subnet",
            },
            lines,
        );
        subnet_node.insert(s.r.address.clone(), n);
        b.subnet_zones.insert(s.r.address.clone(), s.zone.clone());
        for nat in nats_in.get(&s.r.address).into_iter().flatten() {
            nat_home.insert(nat.clone(), n);
        }
    }

    // Internet gateways, and the routes to them and through NAT.
    let mut igw_node: BTreeMap<Address, usize> = BTreeMap::new();
    for r in &resources {
        if r.address.kind() == "aws_internet_gateway"
            && let Some(&vpc) = b
                .target_at(&r.body, "vpc_id")
                .and_then(|v| vpcs.get(&v.address))
        {
            let n = b.d.node(
                &format!("igw_{}", r.address.name()),
                Some(vpc),
                NodeKind::Network,
                "internet gateway",
                Vec::new(),
            );
            igw_node.insert(r.address.clone(), n);
        }
    }
    if let Some(&igw) = igw_node.values().next() {
        let internet = b.internet();
        b.d.edge(internet, End::Node(igw), EdgeKind::Route, "");
    }
    for s in &subnets {
        let Some(&n) = subnet_node.get(&s.r.address) else {
            continue;
        };
        if s.public
            && let Some(&igw) = igw_node.values().next()
        {
            b.d.edge(End::Node(igw), End::Node(n), EdgeKind::Route, "");
        }
        if let Some(home) = s.nat_via.as_ref().and_then(|nat| nat_home.get(nat)) {
            b.d.edge(End::Node(*home), End::Node(n), EdgeKind::Route, "NAT");
        }
    }
}

/// Records where one route sends traffic: an internet gateway or a NAT gateway.
fn route(
    b: &Builder<'_>,
    body: &Map,
    table: &Address,
    via_igw: &mut Vec<Address>,
    via_nat: &mut BTreeMap<Address, Address>,
) {
    if let Some(g) = b.target_at(body, "gateway_id")
        && g.address.kind() == "aws_internet_gateway"
    {
        via_igw.push(table.clone());
    }
    if let Some(n) = b.target_at(body, "nat_gateway_id") {
        via_nat.insert(table.clone(), n.address.clone());
    }
}

/// The VPC group a construct sits in: the first VPC, subnet or security group it refers to.
pub(super) fn vpc_of(b: &Builder<'_>, c: &Construct<'_>) -> Option<usize> {
    for r in &c.resources {
        for t in b.body_targets(&r.body) {
            let vpc = match t.address.kind() {
                "aws_vpc" => Some(t),
                "aws_subnet" | "aws_security_group" => b.target_at(&t.body, "vpc_id"),
                _ => None,
            };
            if let Some(g) = vpc.and_then(|v| b.vpcs.get(&v.address)) {
                return Some(*g);
            }
        }
    }
    None
}

/// `zones a, b, c` for a list of subnet references.
pub(super) fn zones_line(b: &Builder<'_>, v: Option<&Value>) -> String {
    let Some(v) = v else { return String::new() };
    let mut zones: Vec<String> = b
        .targets(v)
        .iter()
        .filter_map(|s| b.subnet_zones.get(&s.address))
        .map(|z| short_zone(z, &b.g.region))
        .collect();
    zones.dedup();
    match zones.len() {
        0 => String::new(),
        1 => format!("zone {}", zones.join("")),
        _ => format!("zones {}", zones.join(", ")),
    }
}

/// `a` for `us-east-1a` in `us-east-1`.
fn short_zone(zone: &str, region: &str) -> String {
    zone.strip_prefix(region)
        .filter(|s| !s.is_empty())
        .unwrap_or(zone)
        .to_owned()
}
