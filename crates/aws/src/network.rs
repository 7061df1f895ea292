//! `Network`: a VPC across several availability zones with public and private subnets, NAT,
//! flow logs and a locked-down default security group.

use stacksmith_core::terraform::Value;
use stacksmith_core::{
    Address, Cidr, CidrError, Construct, Edge, EdgeKind, End, Label, Lower, Lowering, Node,
    NodeKind, Path, Ref, Scope, Within, tf, tf_name,
};

use crate::common::{self, name_tag};
use crate::iam::{PolicyStatement, policy_document};
use crate::region::region_zones;

/// How many NAT gateways carry the private subnets' outbound traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatGateways {
    /// One per zone: a zone outage does not cut the others off (the default).
    PerZone,
    /// One, in the first zone: cheaper (one gateway-hour instead of one per zone, and less
    /// cross-zone data), but every private subnet loses egress if that zone fails.
    Single,
}

/// A VPC: the private network every other AWS construct lives in.
///
/// Creates: `aws_vpc` (DNS support and hostnames on), `aws_default_security_group` with every
/// rule removed, an internet gateway, one public and one private `aws_subnet` per zone (CIDRs
/// carved in equal blocks from the VPC's), NAT gateways with Elastic IPs, route tables and
/// associations, and VPC flow logs (all traffic) to a KMS-encrypted CloudWatch log group.
///
/// Defaults: 3 zones (`<region>a`, `b`, `c`); a NAT gateway per zone; flow logs kept 365 days;
/// public subnets do not give instances public IPs. Subnets are tagged for the AWS Load
/// Balancer Controller (`kubernetes.io/role/elb`, `kubernetes.io/role/internal-elb`).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::Network;
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16").zones(3));
/// ```
#[derive(Clone, Debug)]
pub struct Network {
    id: String,
    cidr: String,
    /// `cidr`, parsed once here: the handle hands the block on, so no consumer parses (and
    /// reports) it again.
    block: Result<Cidr, CidrError>,
    zones: u8,
    nat: NatGateways,
    flow_log_retention_days: u32,
}

/// A handle to a [`Network`] in a stack: typed references to its VPC and subnets.
#[derive(Clone, Debug)]
pub struct NetworkRef {
    path: Path,
    zones: Vec<String>,
    stack: String,
    cidr: String,
    block: Option<Cidr>,
}

/// The most zones a network spans; a region counted in [`crate::region::REGIONS`] is held to
/// its own count.
const MAX_ZONES: u8 = 6;

impl Network {
    /// A VPC with the given CIDR block (AWS allows `/16` to `/28`; a `/16` leaves room for pods).
    pub fn new(id: &str, cidr: &str) -> Self {
        Self {
            id: id.to_owned(),
            cidr: cidr.to_owned(),
            block: Cidr::parse(cidr),
            zones: 3,
            nat: NatGateways::PerZone,
            flow_log_retention_days: 365,
        }
    }

    /// Number of availability zones. Default: 3.
    #[must_use]
    pub fn zones(mut self, zones: u8) -> Self {
        self.zones = zones;
        self
    }

    /// One NAT gateway for all zones instead of one per zone: a named cost choice that gives
    /// up zone independence for outbound traffic.
    #[must_use]
    pub fn single_nat_gateway(mut self) -> Self {
        self.nat = NatGateways::Single;
        self
    }

    /// How long flow logs are kept. Default: 365 days.
    #[must_use]
    pub fn flow_log_retention_days(mut self, days: u32) -> Self {
        self.flow_log_retention_days = days;
        self
    }

    fn subnet_prefix(&self, vpc: Cidr) -> Option<u8> {
        let blocks = 2 * u32::from(self.zones);
        let bits =
            u8::try_from(32u32.saturating_sub(blocks.checked_sub(1)?.leading_zeros())).ok()?;
        let prefix = vpc.prefix().checked_add(bits)?;
        (prefix <= 28).then_some(prefix)
    }
}

impl NetworkRef {
    fn address(&self, kind: &str, part: &str) -> Address {
        Address::resource(&self.stack, kind, &tf_name(&self.path, part))
    }

    /// The VPC id.
    pub fn vpc_id(&self) -> Ref {
        self.address("aws_vpc", "").attr("id")
    }

    /// The private subnets' ids, one per zone.
    pub fn private_subnet_ids(&self) -> Vec<Ref> {
        self.zone_letters()
            .map(|z| {
                self.address("aws_subnet", &format!("private-{z}"))
                    .attr("id")
            })
            .collect()
    }

    /// The public subnets' ids, one per zone.
    pub fn public_subnet_ids(&self) -> Vec<Ref> {
        self.zone_letters()
            .map(|z| {
                self.address("aws_subnet", &format!("public-{z}"))
                    .attr("id")
            })
            .collect()
    }

    /// The availability zones, e.g. `us-east-1a`.
    pub fn zones(&self) -> &[String] {
        &self.zones
    }

    /// The VPC's CIDR block, as given (known at synth time: usable in Kubernetes egress
    /// policies to the VPC's data stores).
    pub fn cidr(&self) -> &str {
        &self.cidr
    }

    /// The VPC's CIDR block, parsed; `None` when it is invalid (the network reports SS0101, so
    /// constructs built from this handle skip what needs it instead of reporting it again).
    pub fn block(&self) -> Option<Cidr> {
        self.block
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn zone_letters(&self) -> impl Iterator<Item = char> + '_ {
        self.zones.iter().filter_map(|z| z.chars().last())
    }
}

impl Construct for Network {
    type Handle = NetworkRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> NetworkRef {
        let zones = zone_letters(self.zones.min(MAX_ZONES))
            .map(|z| format!("{}{z}", scope.region))
            .collect();
        NetworkRef {
            path: scope.path.clone(),
            zones,
            stack: scope.path.stack().to_owned(),
            cidr: self.cidr.clone(),
            block: self.block.as_ref().ok().copied(),
        }
    }
}

fn zone_letters(n: u8) -> impl Iterator<Item = char> {
    ('a'..='z').take(usize::from(n))
}

impl Lower for Network {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let vpc_cidr = match &self.block {
            Ok(c) => *c,
            Err(e) => {
                cx.error(
                    "SS0101",
                    format!("invalid VPC `cidr`: {e}"),
                    "write an IPv4 network such as `10.0.0.0/16`",
                );
                return;
            }
        };
        cx.claim_address_space(vpc_cidr);
        if !(16..=28).contains(&vpc_cidr.prefix()) {
            cx.error(
                "SS0102",
                format!(
                    "VPC `cidr` {vpc_cidr} has prefix /{}; AWS allows /16 to /28",
                    vpc_cidr.prefix()
                ),
                "use a /16 to /20 so every zone gets roomy subnets (EKS pods take VPC addresses)",
            );
            return;
        }
        if let Some(have) = region_zones(cx.region()).filter(|have| self.zones > *have) {
            cx.error(
                "SS0105",
                format!(
                    "`zones` is {}, but {} has {have} availability zones",
                    self.zones,
                    cx.region()
                ),
                format!("use at most {have} zones in {}", cx.region()),
            );
            return;
        }
        if self.zones == 0 || self.zones > MAX_ZONES {
            cx.error(
                "SS0105",
                format!(
                    "`zones` is {}; a network spans 1 to {MAX_ZONES} availability zones",
                    self.zones
                ),
                "use 3 zones for high availability (2 at least)",
            );
            return;
        }
        let Some(prefix) = self.subnet_prefix(vpc_cidr) else {
            cx.error(
                "SS0104",
                format!(
                    "{} zones need {} subnets, which do not fit in {vpc_cidr} (the smallest AWS subnet is /28)",
                    self.zones,
                    2 * u32::from(self.zones)
                ),
                "use a larger VPC `cidr` (such as a /16) or fewer `zones`",
            );
            return;
        };
        if self.zones == 1 {
            cx.warning(
                "SS0105",
                "`zones` is 1: the network has no second zone to fail over to",
                "use 3 zones for production",
            );
        }

        let name = cx.name("");
        let vpc = cx.add(
            "aws_vpc",
            "",
            tf! {
                "cidr_block" => vpc_cidr.to_string(),
                "enable_dns_support" => true,
                "enable_dns_hostnames" => true,
                "tags" => name_tag(&name),
            },
        );
        let vpc_id: Ref = vpc.attr("id");
        cx.add_with(
            "aws_default_security_group",
            "default-sg",
            tf! {
                "vpc_id" => &vpc_id,
                "ingress" => Value::List(vec![]),
                "egress" => Value::List(vec![]),
                "tags" => name_tag(&cx.name("default-locked")),
            },
            crate::common::SECURITY,
        );
        let igw = cx.add(
            "aws_internet_gateway",
            "igw",
            tf! { "vpc_id" => &vpc_id, "tags" => name_tag(&cx.name("igw")) },
        );

        let public_rt = cx.add(
            "aws_route_table",
            "public",
            tf! { "vpc_id" => &vpc_id, "tags" => name_tag(&cx.name("public")) },
        );
        cx.add(
            "aws_route",
            "public-internet",
            tf! {
                "route_table_id" => public_rt.attr::<String>("id"),
                "destination_cidr_block" => "0.0.0.0/0",
                "gateway_id" => igw.attr::<String>("id"),
            },
        );

        let mut nats: Vec<Address> = Vec::new();
        let mut drawn: Vec<DrawnZone> = Vec::new();
        let zones = usize::from(self.zones);
        for (i, z) in zone_letters(self.zones).enumerate() {
            let az = format!("{}{z}", cx.region());
            let index = u32::try_from(i).unwrap_or_default();
            let private_cidr = vpc_cidr.subnet(prefix, index);
            let public_cidr = vpc_cidr.subnet(prefix, index.saturating_add(u32::from(self.zones)));
            let (Some(private_cidr), Some(public_cidr)) = (private_cidr, public_cidr) else {
                continue;
            };

            let public_name = cx.name(&format!("public-{z}"));
            let public = cx.add(
                "aws_subnet",
                &format!("public-{z}"),
                tf! {
                    "vpc_id" => &vpc_id,
                    "cidr_block" => public_cidr.to_string(),
                    "availability_zone" => az.as_str(),
                    "map_public_ip_on_launch" => false,
                    "tags" => tf! { "Name" => public_name, "kubernetes.io/role/elb" => "1" },
                },
            );
            cx.add(
                "aws_route_table_association",
                &format!("public-{z}"),
                tf! { "subnet_id" => public.attr::<String>("id"), "route_table_id" => public_rt.attr::<String>("id") },
            );

            if i == 0 || self.nat == NatGateways::PerZone {
                let eip = cx.add(
                    "aws_eip",
                    &format!("nat-{z}"),
                    tf! { "domain" => "vpc", "tags" => name_tag(&cx.name(&format!("nat-{z}"))) },
                );
                let nat = stacksmith_core::terraform::Resource::new(
                    cx.address("aws_nat_gateway", &format!("nat-{z}")),
                    cx.path().clone(),
                    tf! {
                        "allocation_id" => eip.attr::<String>("id"),
                        "subnet_id" => public.attr::<String>("id"),
                        "connectivity_type" => "public",
                        "tags" => name_tag(&cx.name(&format!("nat-{z}"))),
                    },
                )
                .depends_on(&igw);
                nats.push(cx.resource(nat));
            }

            drawn.push(DrawnZone {
                zone: az.clone(),
                letter: z,
                public: public_cidr.to_string(),
                private: private_cidr.to_string(),
                nat: i == 0 || self.nat == NatGateways::PerZone,
            });
            let private_name = cx.name(&format!("private-{z}"));
            let private = cx.add(
                "aws_subnet",
                &format!("private-{z}"),
                tf! {
                    "vpc_id" => &vpc_id,
                    "cidr_block" => private_cidr.to_string(),
                    "availability_zone" => az.as_str(),
                    "map_public_ip_on_launch" => false,
                    "tags" => tf! { "Name" => private_name.as_str(), "kubernetes.io/role/internal-elb" => "1" },
                },
            );
            let rt = cx.add(
                "aws_route_table",
                &format!("private-{z}"),
                tf! { "vpc_id" => &vpc_id, "tags" => name_tag(&private_name) },
            );
            let nat = nats.last().cloned().unwrap_or_else(|| igw.clone());
            cx.add(
                "aws_route",
                &format!("private-{z}-nat"),
                tf! {
                    "route_table_id" => rt.attr::<String>("id"),
                    "destination_cidr_block" => "0.0.0.0/0",
                    "nat_gateway_id" => nat.attr::<String>("id"),
                },
            );
            cx.add(
                "aws_route_table_association",
                &format!("private-{z}"),
                tf! { "subnet_id" => private.attr::<String>("id"), "route_table_id" => rt.attr::<String>("id") },
            );
        }
        if self.nat == NatGateways::Single && zones > 1 {
            cx.warning(
                "SS0111",
                format!("one NAT gateway serves all {zones} zones: if zone {}a fails, every private subnet loses outbound traffic", cx.region()),
                "remove `.single_nat_gateway()` for a NAT gateway per zone (about 32 USD a month each, plus data processing)",
            );
        }
        self.flow_logs(cx, &vpc_id);
        cx.output("vpc-id", &vpc_id, "The VPC's id", false);
        draw(cx, vpc_cidr, &drawn);
    }
}

/// A zone as the diagram draws it: its public and private subnet, and whether the public one
/// holds a NAT gateway.
struct DrawnZone {
    zone: String,
    letter: char,
    public: String,
    private: String,
    nat: bool,
}

/// The VPC as a box, a box per zone with its public and private subnet, the internet gateway,
/// and the routes: internet ↔ gateway ↔ public subnets, each private subnet through the NAT
/// gateway it routes to (its zone's, or the first zone's with a single NAT gateway).
fn draw(cx: &mut Lowering<'_>, vpc_cidr: Cidr, zones: &[DrawnZone]) {
    let path = cx.path().clone();
    let vpc_id = format!("vpc_{}", cx.tf_name(""));
    cx.node(
        Node::new(&path, &vpc_id, NodeKind::NetworkGroup, path.to_string())
            .line(format!("VPC {vpc_cidr}")),
    );
    for z in zones {
        let zone = format!("zone-{}", z.zone);
        cx.node(
            Node::new(
                &path,
                &format!("zone_{vpc_id}_{}", z.zone),
                NodeKind::ZoneGroup,
                z.zone.as_str(),
            )
            .part(&zone)
            .within(Within::Part(String::new())),
        );
        for (public, cidr) in [(true, &z.public), (false, &z.private)] {
            let part = format!("{}-{}", if public { "public" } else { "private" }, z.letter);
            let title = if public {
                "public subnet"
            } else {
                "private subnet"
            };
            let nat = if public && z.nat { "NAT gateway" } else { "" };
            cx.node(
                Node::new(
                    &path,
                    &format!("subnet_{}", cx.tf_name(&part)),
                    NodeKind::Network,
                    title,
                )
                .part(&part)
                .line(cidr.as_str())
                .line(nat)
                .within(Within::Part(zone.clone())),
            );
        }
    }
    cx.node(
        Node::new(
            &path,
            &format!("igw_{}", cx.tf_name("igw")),
            NodeKind::Network,
            "internet gateway",
        )
        .part("igw")
        .within(Within::Part(String::new())),
    );
    let part = |p: String| End::Part(path.clone(), p);
    cx.edge(Edge::new(
        End::Internet,
        part("igw".into()),
        EdgeKind::Route,
        Label::None,
    ));
    let mut nat_home = None;
    for z in zones {
        if z.nat {
            nat_home = Some(z.letter);
        }
        cx.edge(Edge::new(
            part("igw".into()),
            part(format!("public-{}", z.letter)),
            EdgeKind::Route,
            Label::None,
        ));
        if let Some(home) = nat_home {
            cx.edge(Edge::new(
                part(format!("public-{home}")),
                part(format!("private-{}", z.letter)),
                EdgeKind::Route,
                Label::text("NAT"),
            ));
        }
    }
}

impl Network {
    fn flow_logs(&self, cx: &mut Lowering<'_>, vpc_id: &Ref) {
        let group_name = format!("/stacksmith/{}/flow-logs", cx.name(""));
        let logs_use_key = common::logs_may_use_key(cx, &group_name);
        let key = common::kms_key(
            cx,
            "flow-logs-key",
            "Encrypts the VPC flow logs",
            &[logs_use_key],
        );
        let group = common::log_group(
            cx,
            "flow-logs",
            &group_name,
            self.flow_log_retention_days,
            &key,
        );
        let (role, _) = common::service_role(cx, "flow-logs", "vpc-flow-logs.amazonaws.com", &[]);
        let group_arn: Ref = group.attr("arn");
        // The VPC User Guide's flow-log role also lists `logs:DescribeLogGroups`, a listing
        // action granted on the account's log groups in this region, not on one group.
        let groups = common::arn(cx, "logs", true, "log-group:*");
        let policy = policy_document(
            cx,
            "flow-logs-write",
            &[
                PolicyStatement::allow(
                    "WriteFlowLogs",
                    [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ],
                )
                .resource(stacksmith_core::Template::new().with(&group_arn).lit(":*")),
                PolicyStatement::allow("FindLogGroup", ["logs:DescribeLogGroups"]).resource(groups),
            ],
        );
        cx.add_with(
            "aws_iam_role_policy",
            "flow-logs",
            tf! { "name" => "write-flow-logs", "role" => role.attr::<String>("id"), "policy" => policy },
            crate::common::IAM_ROLE_POLICY,
        );
        cx.add(
            "aws_flow_log",
            "",
            tf! {
                "vpc_id" => vpc_id,
                "traffic_type" => "ALL",
                "log_destination_type" => "cloud-watch-logs",
                "log_destination" => &group_arn,
                "iam_role_arn" => role.attr::<String>("arn"),
                "max_aggregation_interval" => 60_i64,
                "tags" => name_tag(&cx.name("flow-logs")),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;

    fn lowered(n: Network) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(n);
        stack.lower()
    }

    fn body<'a>(
        g: &'a stacksmith_core::Graph,
        expr: &str,
    ) -> Option<&'a stacksmith_core::terraform::Map> {
        g.resources
            .iter()
            .find(|r| r.address.expression() == expr)
            .map(|r| &r.body)
    }

    #[test]
    fn subnets_are_carved_per_zone() {
        let g = lowered(Network::new("network", "10.0.0.0/16"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let subnets: Vec<_> = g
            .resources
            .iter()
            .filter(|r| r.address.kind() == "aws_subnet")
            .collect();
        assert_eq!(subnets.len(), 6);
        assert_eq!(
            body(&g, "aws_subnet.network_private_b").and_then(|b| b.get("cidr_block")),
            Some(&Value::from("10.0.32.0/19"))
        );
        assert_eq!(
            body(&g, "aws_subnet.network_public_a").and_then(|b| b.get("availability_zone")),
            Some(&Value::from("us-east-1a"))
        );
    }

    #[test]
    fn nat_per_zone_by_default_and_single_as_a_choice() {
        let count = |g: &stacksmith_core::Graph| {
            g.resources
                .iter()
                .filter(|r| r.address.kind() == "aws_nat_gateway")
                .count()
        };
        assert_eq!(count(&lowered(Network::new("network", "10.0.0.0/16"))), 3);
        let single = lowered(Network::new("network", "10.0.0.0/16").single_nat_gateway());
        assert_eq!(count(&single), 1);
        assert!(single.diagnostics.iter().any(|d| d.code == "SS0111"));
    }

    #[test]
    fn default_security_group_has_no_rules() {
        let g = lowered(Network::new("network", "10.0.0.0/16"));
        let sg = body(&g, "aws_default_security_group.network_default_sg");
        assert_eq!(
            sg.and_then(|b| b.get("ingress")),
            Some(&Value::List(vec![]))
        );
        assert_eq!(sg.and_then(|b| b.get("egress")), Some(&Value::List(vec![])));
    }

    #[test]
    fn flow_logs_capture_all_traffic() {
        let g = lowered(Network::new("network", "10.0.0.0/16"));
        assert_eq!(
            body(&g, "aws_flow_log.network").and_then(|b| b.get("traffic_type")),
            Some(&Value::from("ALL"))
        );
    }

    /// Issue 14, F32: the flow-log role has the permissions the VPC User Guide lists,
    /// `logs:DescribeLogGroups` included.
    #[test]
    fn flow_log_role_may_find_its_log_group() {
        let g = lowered(Network::new("network", "10.0.0.0/16"));
        let policy = g
            .data
            .iter()
            .find(|d| {
                d.address.expression() == "data.aws_iam_policy_document.network_flow_logs_write"
            })
            .map(|d| serde_json::to_string(&Value::Map(d.body.clone())).unwrap_or_default())
            .unwrap_or_default();
        assert!(policy.contains("logs:DescribeLogGroups"), "{policy}");
        assert!(policy.contains(":log-group:*"), "{policy}");
    }

    #[test]
    fn fails_invalid_cidr() {
        let g = lowered(Network::new("network", "10.0.0/16"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_more_zones_than_subnets_fit() {
        let g = lowered(Network::new("network", "10.0.0.0/26").zones(3));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_host_bits_set() {
        let g = lowered(Network::new("network", "10.0.0.1/16"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
