//! `DnsRecord`: a Route 53 record in a hosted zone of the stack, an alias of a load balancer or
//! a CNAME of a hostname, optionally one side of a health-checked failover pair.

use stacksmith_core::terraform::Value;
use stacksmith_core::{Construct, Facts, Lower, Lowering, Node, NodeKind, Path, Scope, Within, tf};

use crate::common;
use crate::drawing::tail_id;
use crate::health_check::HealthCheckRef;
use crate::hosted_zone::{HostedZoneRef, normalize};
use crate::load_balancer::LoadBalancerRef;

/// A record answers for its name, type and set identifier.
const RECORD: Facts = Facts::new().identity(&["name", "set_identifier"]);

/// What a record points at.
#[derive(Clone, Debug)]
pub enum DnsTarget {
    /// An Application Load Balancer of the stack: an alias `A` record that follows the load
    /// balancer's addresses and its target health.
    LoadBalancer(LoadBalancerRef),
    /// Another hostname: a `CNAME` record, TTL 60 seconds (not at the zone apex).
    Hostname(String),
}

impl From<&LoadBalancerRef> for DnsTarget {
    fn from(lb: &LoadBalancerRef) -> Self {
        DnsTarget::LoadBalancer(lb.clone())
    }
}

impl From<&str> for DnsTarget {
    fn from(host: &str) -> Self {
        DnsTarget::Hostname(normalize(host))
    }
}

impl From<String> for DnsTarget {
    fn from(host: String) -> Self {
        DnsTarget::Hostname(normalize(&host))
    }
}

/// The side of a failover pair a record is: Route 53 answers with the primary while its health
/// check passes, and with the secondary otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failover {
    /// Answers while healthy.
    Primary,
    /// Answers when the primary is unhealthy.
    Secondary,
}

/// A Route 53 record: a name in a hosted zone pointing at a load balancer or a hostname.
///
/// Creates: `aws_route53_record`; with `.failover(..)`, a failover routing policy, the health
/// check it follows and a set identifier (the record's cloud name), so the two sides of a
/// pair can live in the two regions' stacks.
///
/// Defaults: simple routing; alias records evaluate the target's health; CNAMEs live 60
/// seconds, so a failover reaches clients within about a minute.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{DnsRecord, Failover, HealthCheck, HostedZone};
/// let mut stack = Stack::new("kgas-primary", "us-east-1");
/// let zone = stack.add(HostedZone::existing("zone", "kgas.dev"));
/// let check = stack.add(HealthCheck::https("api-health", "api-us-east-1.kgas.dev", "/health"));
/// stack.add(
///     DnsRecord::new("api-dns", &zone, "api.kgas.dev", "api-us-east-1.kgas.dev")
///         .failover(Failover::Primary, &check),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct DnsRecord {
    id: String,
    zone: HostedZoneRef,
    name: String,
    target: DnsTarget,
    failover: Option<(Failover, HealthCheckRef)>,
}

/// A handle to a [`DnsRecord`]: its name.
#[derive(Clone, Debug)]
pub struct DnsRecordRef {
    path: Path,
    name: String,
}

impl DnsRecord {
    /// A record `name` (inside `zone`) pointing at `target`: a load balancer handle or a
    /// hostname.
    pub fn new(id: &str, zone: &HostedZoneRef, name: &str, target: impl Into<DnsTarget>) -> Self {
        Self {
            id: id.to_owned(),
            zone: zone.clone(),
            name: normalize(name),
            target: target.into(),
            failover: None,
        }
    }

    /// Makes the record one side of a failover pair, following `health_check` (the record
    /// counts as unhealthy when it fails). The other side is a record of the same name, often
    /// in another region's stack. Default: simple routing.
    #[must_use]
    pub fn failover(mut self, role: Failover, health_check: &HealthCheckRef) -> Self {
        self.failover = Some((role, health_check.clone()));
        self
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        if !self.zone.contains(&self.name) {
            cx.error(
                "SS0612",
                format!(
                    "the record `{}` is not inside the hosted zone `{}`",
                    self.name,
                    self.zone.domain()
                ),
                format!("name a record ending in `.{}`", self.zone.domain()),
            );
        }
        match &self.target {
            DnsTarget::Hostname(host) if self.name == self.zone.domain() => cx.error(
                "SS0612",
                format!(
                    "a CNAME cannot be the zone apex `{}` (pointing at `{host}`)",
                    self.name
                ),
                "point the apex at a load balancer (an alias record) or use a subdomain",
            ),
            DnsTarget::Hostname(host) if *host == self.name => cx.error(
                "SS0612",
                format!("the record `{}` points at itself", self.name),
                "point it at the endpoint's own hostname",
            ),
            _ => {}
        }
    }
}

impl DnsRecordRef {
    /// The record's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Construct for DnsRecord {
    type Handle = DnsRecordRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> DnsRecordRef {
        DnsRecordRef {
            path: scope.path.clone(),
            name: self.name.clone(),
        }
    }
}

impl Lower for DnsRecord {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        self.validate(cx);
        let mut body = tf! {
            "zone_id" => self.zone.zone_id(),
            "name" => self.name.as_str(),
        };
        match &self.target {
            DnsTarget::LoadBalancer(lb) => body.extend(tf! {
                "type" => "A",
                "alias" => tf! {
                    "name" => lb.dns_name(),
                    "zone_id" => lb.zone_id(),
                    "evaluate_target_health" => true,
                },
            }),
            DnsTarget::Hostname(host) => body.extend(tf! {
                "type" => "CNAME",
                "ttl" => 60_i64,
                "records" => vec![Value::from(host.as_str())],
            }),
        }
        if let Some((role, check)) = &self.failover {
            let role = match role {
                Failover::Primary => "PRIMARY",
                Failover::Secondary => "SECONDARY",
            };
            body.extend(tf! {
                "set_identifier" => cx.name(""),
                "health_check_id" => check.id(),
                "failover_routing_policy" => tf! { "type" => role },
            });
        }
        cx.add_with("aws_route53_record", "", body, RECORD);
        self.draw(cx);
    }
}

impl DnsRecord {
    /// The record as the diagram draws it: an entry box at the top, with where it points.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let target = match &self.target {
            DnsTarget::LoadBalancer(lb) => format!("alias → {}", lb.path()),
            DnsTarget::Hostname(host) => format!("CNAME → {host}"),
        };
        let routing = match &self.failover {
            Some((Failover::Primary, _)) => "failover primary · health-checked",
            Some((Failover::Secondary, _)) => "failover secondary · health-checked",
            None => "simple routing",
        };
        cx.node(
            Node::new(
                &path,
                &format!("dns_{}", tail_id(&path)),
                NodeKind::Entry,
                path.to_string(),
            )
            .line(format!("DNS {}", self.name))
            .line(target)
            .line(routing)
            .within(Within::Top),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HealthCheck, HostedZone, LoadBalancer, Network};
    use stacksmith_core::Stack;

    fn json(g: &stacksmith_core::Graph) -> String {
        let r = g.resources.iter().find(|r| {
            r.address.kind() == "aws_route53_record" && r.address.name() == "apex"
                || r.address.name() == "api_dns"
        });
        serde_json::to_string(&r.map(|r| &r.body)).unwrap_or_default()
    }

    #[test]
    fn a_failover_side_follows_its_health_check() {
        let mut stack = Stack::new("kgas-standby", "us-west-2");
        let zone = stack.add(HostedZone::existing("zone", "kgas.dev"));
        let check = stack.add(HealthCheck::https(
            "health",
            "api-us-west-2.kgas.dev",
            "/health",
        ));
        stack.add(
            DnsRecord::new("api-dns", &zone, "api.kgas.dev", "api-us-west-2.kgas.dev")
                .failover(Failover::Secondary, &check),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let r = json(&g);
        for part in [
            r#""type":"CNAME""#,
            r#""records":["api-us-west-2.kgas.dev"]"#,
            r#""set_identifier":"kgas-standby-api-dns""#,
            r#""health_check_id":"${aws_route53_health_check.health.id}""#,
            r#""failover_routing_policy":{"type":"SECONDARY"}"#,
            r#""zone_id":"${data.aws_route53_zone.zone.zone_id}""#,
        ] {
            assert!(r.contains(part), "{part} in {r}");
        }
    }

    #[test]
    fn a_load_balancer_gets_an_alias_record() {
        let mut stack = Stack::new("prod", "us-east-1");
        let zone = stack.add(HostedZone::existing("zone", "janua.dev"));
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let alb = stack.add(
            LoadBalancer::new("alb", &net)
                .certificate("janua.dev", "janua.dev")
                .open_to_internet(),
        );
        stack.add(DnsRecord::new("apex", &zone, "janua.dev", &alb));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let r = json(&g);
        assert!(r.contains(r#""type":"A""#), "{r}");
        assert!(r.contains(r#""name":"${aws_lb.alb.dns_name}""#), "{r}");
        assert!(r.contains(r#""evaluate_target_health":true"#), "{r}");
    }

    #[test]
    fn fails_outside_the_zone_apex_cname_and_foreign_check() {
        let mut primary = Stack::new("primary", "us-east-1");
        let check = primary.add(HealthCheck::https("health", "api-a.kgas.dev", "/health"));
        let mut stack = Stack::new("standby", "us-west-2");
        let zone = stack.add(HostedZone::existing("zone", "kgas.dev"));
        stack.add(DnsRecord::new(
            "outside",
            &zone,
            "api.other.dev",
            "api-b.kgas.dev",
        ));
        stack.add(
            DnsRecord::new("apex", &zone, "kgas.dev", "api-b.kgas.dev")
                .failover(Failover::Secondary, &check),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
