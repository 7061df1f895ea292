//! `LoadBalancer`: an internet-facing Application Load Balancer in the network's public subnets,
//! HTTPS only (HTTP redirects), with a DNS-validated ACM certificate and access logs in S3.

mod access_logs;
mod certificate;

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{
    Address, Cidr, Construct, End, Lower, Lowering, NameRule, Node, NodeKind, Path, Ref, Scope,
    Within, tf, tf_name,
};

use crate::common::{self, Ingress, Peer, name_tag};
use crate::drawing::{rule, tail_id};
use crate::network::NetworkRef;
use crate::web_acl::{WafScope, WebAclRef};
use access_logs::{LOG_PREFIX, MAX_LOG_DAYS, access_log_bucket};
pub(crate) use certificate::validated_certificate;
use certificate::{Certificate, covers};

/// Load balancer names: 1–32 letters, digits and hyphens.
const LB_NAME: NameRule = NameRule {
    what: "load balancer name",
    max_len: 32,
    lowercase: false,
    extra: "-",
    start_letter: false,
};

/// The TLS negotiation policy of the HTTPS listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsPolicy {
    /// `ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09`: TLS 1.3 and 1.2 with forward-secret AEAD
    /// ciphers only, plus hybrid post-quantum key exchange. AWS's current recommendation and
    /// the console default.
    Recommended,
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`: TLS 1.3 and 1.2 with a wider TLS 1.2 cipher list,
    /// for older clients.
    Compatible,
    /// `ELBSecurityPolicy-TLS13-1-3-PQ-2025-09`: TLS 1.3 only.
    Tls13Only,
    /// `ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09`: FIPS 140-3 validated cryptography.
    Fips,
}

impl TlsPolicy {
    fn name(self) -> &'static str {
        match self {
            TlsPolicy::Recommended => "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            TlsPolicy::Compatible => "ELBSecurityPolicy-TLS13-1-2-2021-06",
            TlsPolicy::Tls13Only => "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
            TlsPolicy::Fips => "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
        }
    }
}

/// The WAF web ACL a load balancer is associated with.
#[derive(Clone, Debug)]
enum WebAcl {
    Stack(WebAclRef),
    Named(String),
}

/// An Application Load Balancer: HTTPS termination and host/path routing to targets
/// (such as [`EcsService`](crate::EcsService)s, which add their own routes with `serve_via`).
///
/// Creates: a security group (no rules until opened; egress rules are added by targets, to
/// them only), `aws_lb` in the public subnets, an ACM certificate validated through DNS
/// records in the existing public Route 53 zone, an HTTPS listener (default action: 404) and
/// an HTTP listener that only redirects to HTTPS, and an S3 bucket for access logs
/// (versioned, public access blocked, TLS-only policy, owner-enforced, logs expire).
///
/// Defaults: deletion protection on; invalid header fields dropped; desync mitigation
/// `strictest`; idle timeout 60 s; TLS policy [`TlsPolicy::Recommended`]; HSTS
/// (`max-age=31536000`), `X-Content-Type-Options: nosniff` and no `Server` header on HTTPS
/// responses; access logs kept 365 days. The security group admits nothing until
/// `.open_to_internet()`, `.allow_from_cidr(..)` or `.allow_from(..)`. Access logs are
/// encrypted with SSE-S3 (AES-256): ELB log delivery supports no other bucket encryption.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{LoadBalancer, Network};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let alb = stack.add(
///     LoadBalancer::new("alb", &network)
///         .certificate("api.janua.dev", "janua.dev")
///         .alias("api.janua.dev")
///         .open_to_internet(),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    id: String,
    network: NetworkRef,
    certificate: Option<Certificate>,
    alternative_names: Vec<String>,
    aliases: Vec<String>,
    deletion_protection: bool,
    internet: bool,
    cidrs: Vec<String>,
    ingress: Vec<Ingress>,
    idle_timeout: u32,
    tls_policy: TlsPolicy,
    access_log_days: u32,
    web_acl: Option<WebAcl>,
}

/// A handle to a [`LoadBalancer`]: its ARN and DNS name, the HTTPS listener targets attach
/// rules to, its security group, and the domain names its certificate covers.
#[derive(Clone, Debug)]
pub struct LoadBalancerRef {
    path: Path,
    stack: String,
    domains: Vec<String>,
    idle_timeout: u32,
}

impl LoadBalancer {
    /// An internet-facing Application Load Balancer in `network`'s public subnets.
    pub fn new(id: &str, network: &NetworkRef) -> Self {
        Self {
            id: id.to_owned(),
            network: network.clone(),
            certificate: None,
            alternative_names: Vec::new(),
            aliases: Vec::new(),
            deletion_protection: true,
            internet: false,
            cidrs: Vec::new(),
            ingress: Vec::new(),
            idle_timeout: 60,
            tls_policy: TlsPolicy::Recommended,
            access_log_days: 365,
            web_acl: None,
        }
    }

    /// The HTTPS certificate: an ACM certificate for `domain`, validated through DNS in the
    /// existing public Route 53 hosted zone `zone` (which must contain `domain`). Required.
    #[must_use]
    pub fn certificate(mut self, domain: &str, zone: &str) -> Self {
        self.certificate = Some(Certificate {
            domain: normalize(domain),
            zone: normalize(zone),
        });
        self
    }

    /// More names on the certificate (subject alternative names), each inside the zone;
    /// `*.example.com` covers one level of subdomains. Default: none.
    #[must_use]
    pub fn alternative_names<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.alternative_names
            .extend(names.into_iter().map(normalize));
        self
    }

    /// A Route 53 alias `A` record `name` in the certificate's zone pointing at the load
    /// balancer (IPv4: the network has no IPv6). `name` must be covered by the certificate.
    #[must_use]
    pub fn alias(mut self, name: &str) -> Self {
        self.aliases.push(normalize(name));
        self
    }

    /// Opens HTTPS (443) and HTTP (80, which only redirects to HTTPS) to the whole internet
    /// (`0.0.0.0/0`). Default: closed.
    #[must_use]
    pub fn open_to_internet(mut self) -> Self {
        self.internet = true;
        self
    }

    /// Opens HTTPS (443) and the HTTP redirect (80) to one IPv4 network, e.g. an office
    /// or a partner (`203.0.113.0/24`). Default: closed.
    #[must_use]
    pub fn allow_from_cidr(mut self, cidr: &str) -> Self {
        self.cidrs.push(cidr.to_owned());
        self
    }

    /// Opens HTTPS (443) to a peer's security group (e.g. callers inside the VPC).
    #[must_use]
    pub fn allow_from(mut self, peer: &impl Peer) -> Self {
        self.ingress.push(Ingress::of(peer));
        self
    }

    /// Turns deletion protection off (for throwaway environments): a named, visible choice,
    /// reported as a warning. Default: on.
    #[must_use]
    pub fn without_deletion_protection(mut self) -> Self {
        self.deletion_protection = false;
        self
    }

    /// Seconds an idle connection stays open (1–4000). Default: 60, AWS's. The ALB reuses its
    /// connections to targets, so a target must keep idle connections open longer than this
    /// (uvicorn's default keep-alive is 5 s, gunicorn's 2 s, Node's 5 s), or the ALB sends a
    /// request on a connection the app just closed and answers 502. Raise the app's keep-alive
    /// above it and declare it with `EcsService::keep_alive_seconds` (checked, SS0181), or
    /// lower this below the app's.
    #[must_use]
    pub fn idle_timeout_seconds(mut self, seconds: u32) -> Self {
        self.idle_timeout = seconds;
        self
    }

    /// The HTTPS listener's TLS policy. Default: [`TlsPolicy::Recommended`].
    #[must_use]
    pub fn tls_policy(mut self, policy: TlsPolicy) -> Self {
        self.tls_policy = policy;
        self
    }

    /// Days access logs are kept before they expire (1–3653). Default: 365.
    #[must_use]
    pub fn access_log_retention_days(mut self, days: u32) -> Self {
        self.access_log_days = days;
        self
    }

    /// Associates a regional [`WebAcl`](crate::WebAcl) of the stack. Default: none.
    #[must_use]
    pub fn web_acl(mut self, web_acl: &WebAclRef) -> Self {
        self.web_acl = Some(WebAcl::Stack(web_acl.clone()));
        self
    }

    /// Associates the existing regional AWS WAF web ACL named `name` (looked up with
    /// `data "aws_wafv2_web_acl"`), e.g. one a security team manages with Firewall Manager.
    /// Default: none. To create one with the stack, use [`WebAcl`](crate::WebAcl) and
    /// `.web_acl(&acl)`.
    #[must_use]
    pub fn web_acl_named(mut self, name: &str) -> Self {
        self.web_acl = Some(WebAcl::Named(name.to_owned()));
        self
    }

    fn domains(&self) -> Vec<String> {
        let mut out: Vec<String> = self.certificate.iter().map(|c| c.domain.clone()).collect();
        for n in &self.alternative_names {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }
}

impl LoadBalancerRef {
    fn address(&self, kind: &str, part: &str) -> Address {
        Address::resource(&self.stack, kind, &tf_name(&self.path, part))
    }

    /// The load balancer's ARN.
    pub fn arn(&self) -> Ref {
        self.address("aws_lb", "").attr("arn")
    }

    /// The load balancer's ARN suffix (`app/<name>/<id>`), its CloudWatch dimension.
    pub fn arn_suffix(&self) -> Ref {
        self.address("aws_lb", "").attr("arn_suffix")
    }

    /// The load balancer's DNS name (point a CNAME or alias here).
    pub fn dns_name(&self) -> Ref {
        self.address("aws_lb", "").attr("dns_name")
    }

    /// The Route 53 hosted zone id of the load balancer (for alias records).
    pub fn zone_id(&self) -> Ref {
        self.address("aws_lb", "").attr("zone_id")
    }

    /// The HTTPS listener's ARN (targets add their listener rules to it).
    pub fn https_listener_arn(&self) -> Ref {
        self.address("aws_lb_listener", "https").attr("arn")
    }

    /// The names the certificate covers (`*.example.com` covers one level of subdomains).
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Whether the certificate covers requests for `host` (a listener-rule host pattern).
    pub fn covers(&self, host: &str) -> bool {
        covers(&self.domains, host)
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Seconds the load balancer keeps an idle connection open.
    pub fn idle_timeout_seconds(&self) -> u32 {
        self.idle_timeout
    }
}

impl Peer for LoadBalancerRef {
    /// The load balancer's security group: the source of traffic to its targets.
    fn security_group_id(&self) -> Ref {
        self.address("aws_security_group", "sg").attr("id")
    }

    fn peer_path(&self) -> &Path {
        &self.path
    }
}

impl Construct for LoadBalancer {
    type Handle = LoadBalancerRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> LoadBalancerRef {
        LoadBalancerRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            domains: self.domains(),
            idle_timeout: self.idle_timeout,
        }
    }
}

impl Lower for LoadBalancer {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&LB_NAME, &name, "load balancer name");
        if name.starts_with("internal-") {
            cx.error(
                "SS0130",
                format!(
                    "the load balancer name `{name}` starts with `internal-`, which AWS reserves"
                ),
                "rename the construct or the stack so the name does not start with `internal-`",
            );
        }
        self.validate(cx);

        let sg = common::security_group(
            cx,
            "sg",
            &format!(
                "{name} load balancer: HTTPS and the HTTP redirect from allowed sources; egress only to its targets"
            ),
            &self.network.vpc_id(),
        );
        self.ingress_rules(cx, &sg);

        let (bucket, bucket_policy) = access_log_bucket(cx, &name, self.access_log_days);
        let subnets: Vec<Value> = self
            .network
            .public_subnet_ids()
            .into_iter()
            .map(Value::from)
            .collect();
        let lb = Resource::new(
            cx.address("aws_lb", ""),
            cx.path().clone(),
            tf! {
                "name" => name.as_str(),
                "internal" => false,
                "load_balancer_type" => "application",
                "ip_address_type" => "ipv4",
                "security_groups" => vec![sg.attr::<String>("id")],
                "subnets" => Value::List(subnets),
                "enable_deletion_protection" => self.deletion_protection,
                "drop_invalid_header_fields" => true,
                "desync_mitigation_mode" => "strictest",
                "idle_timeout" => self.idle_timeout,
                "client_keep_alive" => 3600_i64,
                "enable_http2" => true,
                "enable_cross_zone_load_balancing" => true,
                "enable_zonal_shift" => true,
                "enable_waf_fail_open" => false,
                "enable_tls_version_and_cipher_suite_headers" => false,
                "preserve_host_header" => false,
                "xff_header_processing_mode" => "append",
                "access_logs" => tf! {
                    "bucket" => bucket.attr::<String>("id"),
                    "prefix" => LOG_PREFIX,
                    "enabled" => true,
                },
                "tags" => name_tag(&name),
            },
        )
        .facts(crate::common::NAMED)
        .depends_on(&bucket_policy);
        let lb = cx.resource(lb);
        let lb_arn: Ref = lb.attr("arn");

        let (zone, certificate_arn) = match &self.certificate {
            Some(c) => {
                let (zone, arn) = self.lower_certificate(cx, c);
                (Some(zone), Some(arn))
            }
            None => (None, None),
        };

        let mut https = tf! {
            "load_balancer_arn" => &lb_arn,
            "port" => 443_u16,
            "protocol" => "HTTPS",
            "ssl_policy" => self.tls_policy.name(),
        };
        if let Some(arn) = certificate_arn {
            https.insert("certificate_arn".into(), Value::from(arn));
        }
        https.extend(tf! {
            "routing_http_response_strict_transport_security_header_value" => "max-age=31536000",
            "routing_http_response_x_content_type_options_header_value" => "nosniff",
            "routing_http_response_server_enabled" => false,
            "default_action" => vec![Value::Map(tf! {
                "type" => "fixed-response",
                "fixed_response" => tf! {
                    "content_type" => "text/plain",
                    "message_body" => "Not Found",
                    "status_code" => "404",
                },
            })],
            "tags" => name_tag(&cx.name("https")),
        });
        cx.add_with("aws_lb_listener", "https", https, crate::common::SECURITY);
        cx.add_with(
            "aws_lb_listener",
            "http",
            tf! {
                "load_balancer_arn" => &lb_arn,
                "port" => 80_u16,
                "protocol" => "HTTP",
                "default_action" => vec![Value::Map(tf! {
                    "type" => "redirect",
                    "redirect" => tf! {
                        "protocol" => "HTTPS",
                        "port" => "443",
                        "host" => "#{host}",
                        "path" => "/#{path}",
                        "query" => "#{query}",
                        "status_code" => "HTTP_301",
                    },
                })],
                "tags" => name_tag(&cx.name("http")),
            },
            crate::common::SECURITY,
        );

        if let Some(zone) = &zone {
            for alias in &self.aliases {
                let part = format!("alias-{}", label_part(alias));
                cx.add(
                    "aws_route53_record",
                    &part,
                    tf! {
                        "zone_id" => zone.attr::<String>("zone_id"),
                        "name" => alias.as_str(),
                        "type" => "A",
                        "alias" => tf! {
                            "name" => lb.attr::<String>("dns_name"),
                            "zone_id" => lb.attr::<String>("zone_id"),
                            "evaluate_target_health" => true,
                        },
                    },
                );
            }
        }
        if let Some(acl) = &self.web_acl {
            let acl: Ref = match acl {
                WebAcl::Stack(acl) => acl.arn(),
                WebAcl::Named(name) => {
                    cx.prerequisite(
                        format!(
                            "WAF web ACL `{name}` (regional, {}): looked up by name at plan",
                            cx.region()
                        ),
                        format!(
                            "aws wafv2 list-web-acls --scope REGIONAL --region {} --query \"WebACLs[?Name=='{name}'].ARN\" --output text | grep .",
                            cx.region()
                        ),
                    );
                    cx.data_with(
                        "aws_wafv2_web_acl",
                        "waf",
                        tf! { "name" => name.as_str(), "scope" => "REGIONAL" },
                        crate::common::SECURITY,
                    )
                    .attr("arn")
                }
            };
            let acl = &acl;
            cx.add_with(
                "aws_wafv2_web_acl_association",
                "waf",
                tf! { "resource_arn" => &lb_arn, "web_acl_arn" => acl },
                crate::common::SECURITY,
            );
        }
        cx.output(
            "dns-name",
            lb.attr::<String>("dns_name"),
            "The load balancer's DNS name",
            false,
        );
        self.draw(cx, zone.is_some());
    }
}

impl LoadBalancer {
    /// The load balancer as the diagram draws it, in its network: kind and scheme, the
    /// listeners (HTTPS first), the DNS aliases it answers and its web ACL.
    fn draw(&self, cx: &mut Lowering<'_>, aliased: bool) {
        let path = cx.path().clone();
        let mut names: Vec<String> = if aliased {
            self.aliases.clone()
        } else {
            Vec::new()
        };
        match &self.web_acl {
            Some(WebAcl::Named(n)) => names.push(format!("WAF {n}")),
            Some(WebAcl::Stack(acl)) => names.push(format!("WAF {}", acl.name())),
            None => {}
        }
        cx.node(
            Node::new(
                &path,
                &format!("lb_{}", tail_id(&path)),
                NodeKind::Entry,
                path.to_string(),
            )
            .line("ALB · internet-facing")
            .line("HTTPS 443 · HTTP 80 → 443")
            .line(names.join(" · "))
            .within(Within::Construct(self.network.path().clone())),
        );
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        self.validate_certificate(cx);
        if let Some(WebAcl::Stack(acl)) = &self.web_acl {
            if acl.scope() != WafScope::Regional {
                cx.error(
                    "SS0606",
                    format!(
                        "the web ACL {} has CloudFront scope; a load balancer takes only a regional web ACL",
                        acl.path()
                    ),
                    "make the load balancer's web ACL with `WebAcl::regional(..)`",
                );
            }
        }
        if !(1..=4000).contains(&self.idle_timeout) {
            cx.error(
                "SS0132",
                format!(
                    "`idle_timeout_seconds` is {}; an Application Load Balancer allows 1 to 4000",
                    self.idle_timeout
                ),
                "use 60 unless clients hold long-lived idle connections",
            );
        }
        if !(1..=MAX_LOG_DAYS).contains(&self.access_log_days) {
            cx.error(
                "SS0132",
                format!(
                    "`access_log_retention_days` is {}; allowed are 1 to {MAX_LOG_DAYS}",
                    self.access_log_days
                ),
                "keep access logs 365 days (a year of request history for investigations)",
            );
        }
        if !self.deletion_protection {
            cx.warning(
                "SS0133",
                "deletion protection is off: `terraform destroy` or a replacement deletes the load balancer and its DNS name",
                "remove `.without_deletion_protection()` for any environment serving real traffic",
            );
        }
        if !self.internet && self.cidrs.is_empty() && self.ingress.is_empty() {
            cx.warning(
                "SS0134",
                "the load balancer's security group admits nothing, so no client can reach it",
                "add `.open_to_internet()` for a public endpoint or `.allow_from_cidr(\"203.0.113.0/24\")` for a narrower one",
            );
        }
    }

    fn ingress_rules(&self, cx: &mut Lowering<'_>, sg: &Address) {
        let mut sources: Vec<(String, String)> = Vec::new();
        if self.internet {
            sources.push(("0.0.0.0/0".into(), "the internet".into()));
        }
        for c in &self.cidrs {
            match Cidr::parse(c) {
                Ok(cidr) => sources.push((cidr.to_string(), cidr.to_string())),
                Err(e) => cx.error(
                    "SS0134",
                    format!("`allow_from_cidr` value `{c}` is not an IPv4 network: {e}"),
                    "write a network such as `203.0.113.0/24`",
                ),
            }
        }
        for (cidr, what) in &sources {
            let label = if cidr == "0.0.0.0/0" {
                "internet".to_owned()
            } else {
                label_part(cidr)
            };
            for (port, proto) in [(443_u16, "HTTPS"), (80_u16, "HTTP (redirects to HTTPS)")] {
                let scheme = if port == 443 { "https" } else { "http" };
                rule(cx, true, &sg.attr("id"), End::Cidr(cidr.clone()), port);
                cx.add_with(
                    "aws_vpc_security_group_ingress_rule",
                    &format!("{scheme}-from-{label}"),
                    tf! {
                        "security_group_id" => sg.attr::<String>("id"),
                        "cidr_ipv4" => cidr.as_str(),
                        "ip_protocol" => "tcp",
                        "from_port" => port,
                        "to_port" => port,
                        "description" => format!("{proto} from {what}"),
                    },
                    crate::common::SECURITY,
                );
            }
        }
        common::ingress_rules(cx, sg, 443, "HTTPS", &self.ingress);
    }
}

/// Lowercase, without a trailing dot.
fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// A name fit for a construct part: `api.janua.dev` → `api-janua-dev`.
pub(crate) fn label_part(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '*' => 'x',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect()
}

#[cfg(test)]
mod tests;
