//! Traffic to and from the tasks: `Route`s through load balancers (a target group and
//! listener rules per load balancer) and the security group's ingress and egress rules.

use stacksmith_core::terraform::Value;
use stacksmith_core::{
    Address, Cidr, Edge, EdgeKind, End, Label, Lowering, NameRule, Path, Ref, short_hash, tf,
};

use super::EcsService;
use crate::common::{self, Ingress, Peer, name_tag};
use crate::drawing::{owner, rule};
use crate::load_balancer::{LoadBalancerRef, label_part};

/// Target group names: 1–32 letters, digits and hyphens.
const TARGET_GROUP_NAME: NameRule = NameRule {
    what: "target group name",
    max_len: 32,
    lowercase: false,
    extra: "-",
    start_letter: false,
};

/// Which requests a load balancer sends to a service: a host, a path pattern, or both.
///
/// Host patterns and path patterns may use `*` and `?`. Default priority: derived from the
/// route, so that more specific routes are evaluated first (host and path, then path, then
/// host; longer literal prefixes and exact hosts first); set `.priority(n)` to choose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    host: Option<String>,
    path: Option<String>,
    priority: Option<u32>,
}

impl Route {
    /// Requests for a host name (`api.example.com`), which the certificate must cover.
    pub fn host(host: &str) -> Self {
        Self {
            host: Some(host.trim().to_ascii_lowercase()),
            path: None,
            priority: None,
        }
    }

    /// Requests whose path matches a pattern (`/api/*`), on any host the certificate covers.
    pub fn path(pattern: &str) -> Self {
        Self {
            host: None,
            path: Some(pattern.to_owned()),
            priority: None,
        }
    }

    /// Requests for a host name whose path matches a pattern.
    pub fn host_and_path(host: &str, pattern: &str) -> Self {
        Self {
            path: Some(pattern.to_owned()),
            ..Self::host(host)
        }
    }

    /// The listener rule's priority (1–50000, lower first). Default: derived from the route.
    #[must_use]
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }

    fn describe(&self) -> String {
        match (&self.host, &self.path) {
            (Some(h), Some(p)) => format!("host `{h}` and path `{p}`"),
            (Some(h), None) => format!("host `{h}`"),
            (None, Some(p)) => format!("path `{p}`"),
            (None, None) => "every request".into(),
        }
    }

    /// Priority bands: host+path 1–16000, path 16001–32000, host 32001–48000; within a band
    /// longer literal prefixes (exact hosts) first, then a stable hash of the route.
    pub(super) fn default_priority(&self) -> u32 {
        let prefix = |p: &str| {
            let literal = p.find(['*', '?']).unwrap_or(p.len().saturating_add(100));
            u32::try_from(literal).unwrap_or(255).min(255)
        };
        let (band, specific) = match (&self.host, &self.path) {
            (Some(_), Some(p)) => (0u32, prefix(p)),
            (None, Some(p)) => (1, prefix(p)),
            (Some(h), None) => (2, if h.contains(['*', '?']) { 100 } else { 200 }),
            (None, None) => (2, 0),
        };
        let key = format!("{:?}|{:?}", self.host, self.path);
        let hash = u32::from_str_radix(&short_hash(&key), 16).unwrap_or(0) % 62;
        // At most 1 + 2 * 16000 + 255 * 62 + 61 (`specific` is at most 255, `hash` below 62).
        band.saturating_mul(16000)
            .saturating_add(255u32.saturating_sub(specific).saturating_mul(62))
            .saturating_add(hash)
            .saturating_add(1)
    }
}

#[derive(Clone, Debug)]
pub(super) enum Egress {
    Peer(Ingress, u16),
    Cidr(String, u16),
}

impl EcsService {
    pub(super) fn validate_routes(&self, cx: &mut Lowering<'_>) {
        if let Some(keep_alive) = self.keep_alive {
            let mut seen: Vec<&Path> = Vec::new();
            for (lb, _) in &self.routes {
                let idle = lb.idle_timeout_seconds();
                if keep_alive <= idle && !seen.contains(&lb.path()) {
                    seen.push(lb.path());
                    cx.error(
                        "SS0181",
                        format!(
                            "the application keeps idle connections {keep_alive} s, but load balancer {} keeps them {idle} s: it will send requests on connections the app has closed (HTTP 502)",
                            lb.path()
                        ),
                        format!(
                            "raise the app's keep-alive above {idle} s (e.g. uvicorn `--timeout-keep-alive {}`) and `.keep_alive_seconds(..)`, or lower the load balancer's `.idle_timeout_seconds(..)` below {keep_alive}",
                            idle.saturating_add(5)
                        ),
                    );
                }
            }
        }
        if !self.routes.is_empty() && self.port.is_none() {
            cx.error(
                "SS0138",
                "the service is served through a load balancer but has no container `port`",
                "add `.port(8000)` with the port the application listens on",
            );
        }
        if !self.routes.is_empty() && self.health_path.is_none() {
            cx.warning(
                "SS0143",
                "no `health_path`: the target group checks `/`, which must answer 200 or every task is marked unhealthy",
                "add `.health_path(\"/health\")`",
            );
        }
        if let Some(p) = &self.health_path {
            if !p.starts_with('/')
                || p.len() > 1024
                || p.contains(char::is_whitespace)
                || p.contains('\'')
            {
                cx.error(
                    "SS0143",
                    format!("`health_path` `{p}` is not an absolute URL path"),
                    "use a path such as `/health`",
                );
            }
        }
        let mut priorities: Vec<(String, u32, String)> = Vec::new();
        for (lb, route) in &self.routes {
            if let Some(h) = &route.host {
                let chars_ok = h
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.*?".contains(c));
                if h.is_empty() || h.len() > 128 || !chars_ok {
                    cx.error(
                        "SS0138",
                        format!("route host `{h}` is not a host name pattern"),
                        "use a host name such as `api.example.com` (`*` and `?` allowed)",
                    );
                } else if !lb.domains().is_empty() && !lb.covers(h) {
                    cx.error(
                        "SS0138",
                        format!(
                            "route host `{h}` is not covered by the certificate of {} ({}); clients would get a certificate error",
                            lb.path(),
                            lb.domains().join(", ")
                        ),
                        format!("add `{h}` to the load balancer's `.certificate(..)` or `.alternative_names([...])`, or route a covered host"),
                    );
                }
            }
            if let Some(p) = &route.path {
                if !p.starts_with('/') || p.len() > 128 || p.contains(char::is_whitespace) {
                    cx.error(
                        "SS0138",
                        format!("route path `{p}` is not a path pattern"),
                        "use an absolute pattern of at most 128 characters, such as `/api/*`",
                    );
                }
            }
            let priority = route.priority.unwrap_or_else(|| route.default_priority());
            if !(1..=50000).contains(&priority) {
                cx.error(
                    "SS0139",
                    format!(
                        "route for {} has priority {priority}; allowed are 1 to 50000",
                        route.describe()
                    ),
                    "choose a priority between 1 and 50000",
                );
            }
            let lb_key = lb.path().to_string();
            if let Some((_, _, other)) = priorities
                .iter()
                .find(|(l, p, _)| *l == lb_key && *p == priority)
            {
                cx.error(
                    "SS0139",
                    format!(
                        "routes for {other} and {} both have priority {priority} on {lb_key}",
                        route.describe()
                    ),
                    "give one of them a different `.priority(n)`; each rule on a listener needs its own",
                );
            }
            priorities.push((lb_key, priority, route.describe()));
        }
    }

    pub(super) fn security_rules(&self, cx: &mut Lowering<'_>, sg: &Address, port: u16) {
        let sg_id: Ref = sg.attr("id");
        let mut lbs: Vec<&LoadBalancerRef> = Vec::new();
        for (lb, _) in &self.routes {
            if !lbs.iter().any(|l| l.path() == lb.path()) {
                lbs.push(lb);
            }
        }
        let peers: Vec<Ingress> = lbs.iter().map(|lb| Ingress::of(*lb)).collect();
        common::ingress_rules(cx, sg, port, "HTTP", &peers);
        for lb in &lbs {
            let label = stacksmith_core::cloud_name(lb.path(), "");
            rule(cx, false, &lb.security_group_id(), owner(&sg_id), port);
            cx.add_with(
                "aws_vpc_security_group_egress_rule",
                &format!("{label}-to-tasks"),
                tf! {
                    "security_group_id" => lb.security_group_id(),
                    "referenced_security_group_id" => &sg_id,
                    "ip_protocol" => "tcp",
                    "from_port" => port,
                    "to_port" => port,
                    "description" => format!("HTTP to {} tasks", cx.path()),
                },
                crate::common::SECURITY,
            );
        }
        rule(cx, false, &sg_id, End::Outbound("0.0.0.0/0".into()), 443);
        cx.add_with(
            "aws_vpc_security_group_egress_rule",
            "egress-https",
            tf! {
                "security_group_id" => &sg_id,
                "cidr_ipv4" => "0.0.0.0/0",
                "ip_protocol" => "tcp",
                "from_port" => 443_u16,
                "to_port" => 443_u16,
                "description" => "HTTPS to AWS APIs (ECR, Secrets Manager, SSM, CloudWatch Logs) and external services",
            },
            crate::common::SECURITY,
        );
        for e in &self.egress {
            match e {
                Egress::Peer(peer, p) => {
                    let label = stacksmith_core::cloud_name(&peer.from, "");
                    rule(cx, false, &sg_id, owner(&peer.source), *p);
                    cx.add_with(
                        "aws_vpc_security_group_egress_rule",
                        &format!("to-{label}-{p}"),
                        tf! {
                            "security_group_id" => &sg_id,
                            "referenced_security_group_id" => &peer.source,
                            "ip_protocol" => "tcp",
                            "from_port" => *p,
                            "to_port" => *p,
                            "description" => format!("{p}/tcp to {}", peer.from),
                        },
                        crate::common::SECURITY,
                    );
                }
                Egress::Cidr(c, p) => match Cidr::parse(c) {
                    Ok(cidr) => {
                        rule(cx, false, &sg_id, End::Outbound(cidr.to_string()), *p);
                        cx.add_with(
                            "aws_vpc_security_group_egress_rule",
                            &format!("to-{}-{p}", label_part(&cidr.to_string())),
                            tf! {
                                "security_group_id" => &sg_id,
                                "cidr_ipv4" => cidr.to_string(),
                                "ip_protocol" => "tcp",
                                "from_port" => *p,
                                "to_port" => *p,
                                "description" => format!("{p}/tcp to {cidr}"),
                            },
                            crate::common::SECURITY,
                        );
                    }
                    Err(e) => cx.error(
                        "SS0146",
                        format!("`allow_egress_to_cidr` value `{c}` is not an IPv4 network: {e}"),
                        "write a network such as `10.20.0.0/16`",
                    ),
                },
            }
        }
    }

    /// Target groups and listener rules: (the service's `load_balancer` blocks, rule addresses).
    pub(super) fn load_balancing(
        &self,
        cx: &mut Lowering<'_>,
        port: u16,
    ) -> (Vec<Value>, Vec<Address>) {
        let mut blocks = Vec::new();
        let mut rules = Vec::new();
        let mut groups: Vec<(Path, Address)> = Vec::new();
        let mut used: Vec<(String, u32)> = Vec::new();
        for (lb, route) in &self.routes {
            let tg = match groups.iter().find(|(p, _)| p == lb.path()) {
                Some((_, tg)) => tg.clone(),
                None => {
                    let tg = self.target_group(cx, lb, port);
                    groups.push((lb.path().clone(), tg.clone()));
                    blocks.push(Value::Map(tf! {
                        "target_group_arn" => tg.attr::<String>("arn"),
                        "container_name" => self.container_name(),
                        "container_port" => port,
                    }));
                    tg
                }
            };
            let priority = route.priority.unwrap_or_else(|| route.default_priority());
            let lb_label = lb.path().below_stack().join("-");
            if used.contains(&(lb_label.clone(), priority)) {
                continue; // a collision, reported by `validate_routes`
            }
            used.push((lb_label.clone(), priority));
            let mut conditions = Vec::new();
            if let Some(h) = &route.host {
                conditions.push(Value::Map(
                    tf! { "host_header" => tf! { "values" => vec![h.as_str()] } },
                ));
            }
            if let Some(p) = &route.path {
                conditions.push(Value::Map(
                    tf! { "path_pattern" => tf! { "values" => vec![p.as_str()] } },
                ));
            }
            let mut when: Vec<&str> = route
                .host
                .iter()
                .chain(&route.path)
                .map(String::as_str)
                .collect();
            if when.is_empty() {
                when.push("HTTPS 443");
            }
            cx.edge(Edge::new(
                End::Construct(lb.path().clone()),
                End::Construct(cx.path().clone()),
                EdgeKind::Forward,
                Label::text(format!("{} → :{port}", when.join(" "))),
            ));
            let rule = cx.add(
                "aws_lb_listener_rule",
                &format!("{lb_label}-rule-{priority}"),
                tf! {
                    "listener_arn" => lb.https_listener_arn(),
                    "priority" => priority,
                    "action" => vec![Value::Map(tf! {
                        "type" => "forward",
                        "target_group_arn" => tg.attr::<String>("arn"),
                    })],
                    "condition" => Value::List(conditions),
                    "tags" => name_tag(&cx.name(&format!("{lb_label}-{priority}"))),
                },
            );
            rules.push(rule);
        }
        (blocks, rules)
    }

    pub(super) fn target_group(
        &self,
        cx: &mut Lowering<'_>,
        lb: &LoadBalancerRef,
        port: u16,
    ) -> Address {
        let part = lb.path().below_stack().join("-");
        let name = cx.name(&part);
        cx.check_name(&TARGET_GROUP_NAME, &name, "target group name");
        cx.add_with(
            "aws_lb_target_group",
            &format!("{part}-targets"),
            tf! {
                "name" => name.as_str(),
                "target_type" => "ip",
                "protocol" => "HTTP",
                "protocol_version" => "HTTP1",
                "port" => port,
                "ip_address_type" => "ipv4",
                "vpc_id" => self.network.vpc_id(),
                "deregistration_delay" => self.deregistration_delay.to_string(),
                "slow_start" => 0_i64,
                "load_balancing_algorithm_type" => "round_robin",
                "health_check" => tf! {
                    "enabled" => true,
                    "protocol" => "HTTP",
                    "port" => "traffic-port",
                    "path" => self.health_path.as_deref().unwrap_or("/"),
                    "matcher" => "200",
                    "interval" => 15_i64,
                    "timeout" => 5_i64,
                    "healthy_threshold" => 2_i64,
                    "unhealthy_threshold" => 3_i64,
                },
                "tags" => name_tag(&name),
            },
            crate::common::NAMED,
        )
    }
}
