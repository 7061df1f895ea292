//! `LoadBalancer`: an internet-facing Application Load Balancer in the network's public subnets,
//! HTTPS only (HTTP redirects), with a DNS-validated ACM certificate and access logs in S3.

use stacksmith_core::terraform::{Map, Resource, Value};
use stacksmith_core::{
    Address, Cidr, Construct, Lower, Lowering, NameRule, Path, Ref, Scope, Template, tf, tf_name,
};

use crate::common::{self, Ingress, Peer, name_tag};
use crate::iam::{PolicyStatement, Principal, policy_document};
use crate::network::NetworkRef;

/// Load balancer names: 1–32 letters, digits and hyphens.
const LB_NAME: NameRule = NameRule {
    what: "load balancer name",
    max_len: 32,
    lowercase: false,
    extra: "-",
    start_letter: false,
};
/// S3 bucket names: 3–63 lowercase letters, digits, `-` and `.`.
const BUCKET_NAME: NameRule = NameRule {
    what: "S3 bucket name",
    max_len: 63,
    lowercase: true,
    extra: "-.",
    start_letter: false,
};
/// The key prefix access logs are written under (ELB appends `AWSLogs/<account>/...`).
const LOG_PREFIX: &str = "access-logs";
/// Regions opened before December 2021, where ELB writes access logs as a regional AWS
/// account (`data.aws_elb_service_account`); newer regions accept only the service principal.
const LEGACY_ELB_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "cn-north-1",
    "cn-northwest-1",
];
/// CloudWatch/S3 retention values stacksmith accepts for access logs, in days.
const MAX_LOG_DAYS: u32 = 3653;

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

#[derive(Clone, Debug)]
struct Certificate {
    domain: String,
    zone: String,
}

/// The WAF web ACL a load balancer is associated with.
#[derive(Clone, Debug)]
enum WebAcl {
    Arn(Ref),
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

    /// Seconds an idle connection stays open (1–4000). Default: 60.
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

    /// Associates an AWS WAF web ACL (regional scope), by ARN. Default: none.
    #[must_use]
    pub fn web_acl(mut self, web_acl_arn: &Ref) -> Self {
        self.web_acl = Some(WebAcl::Arn(web_acl_arn.clone()));
        self
    }

    /// Associates the existing regional AWS WAF web ACL named `name` (looked up with
    /// `data "aws_wafv2_web_acl"`), e.g. one a security team manages with Firewall Manager.
    /// Default: none. (stacksmith does not build web ACLs yet: `aws_wafv2_web_acl` is not in
    /// the provider schema it checks against.)
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
        cx.add("aws_lb_listener", "https", https);
        cx.add(
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
                WebAcl::Arn(arn) => arn.clone(),
                WebAcl::Named(name) => cx
                    .data(
                        "aws_wafv2_web_acl",
                        "waf",
                        tf! { "name" => name.as_str(), "scope" => "REGIONAL" },
                    )
                    .attr("arn"),
            };
            let acl = &acl;
            cx.add(
                "aws_wafv2_web_acl_association",
                "waf",
                tf! { "resource_arn" => &lb_arn, "web_acl_arn" => acl },
            );
        }
        cx.output(
            "dns-name",
            lb.attr::<String>("dns_name"),
            "The load balancer's DNS name",
            false,
        );
    }
}

impl LoadBalancer {
    fn validate(&self, cx: &mut Lowering<'_>) {
        match &self.certificate {
            None => cx.error(
                "SS0131",
                "the load balancer has no certificate; its HTTPS listener needs one",
                "add `.certificate(\"api.example.com\", \"example.com\")` naming the domain and its public Route 53 zone",
            ),
            Some(c) => {
                if let Err(e) = check_dns_name(&c.zone, false) {
                    cx.error(
                        "SS0131",
                        format!("certificate zone `{}` is not a DNS name: {e}", c.zone),
                        "name the public Route 53 hosted zone, e.g. `example.com`",
                    );
                }
                for d in self.domains() {
                    if let Err(e) = check_dns_name(&d, true) {
                        cx.error(
                            "SS0131",
                            format!("certificate domain `{d}` is not a DNS name: {e}"),
                            "use a name such as `api.example.com` or `*.example.com`",
                        );
                    } else if !in_zone(&d, &c.zone) {
                        cx.error(
                            "SS0131",
                            format!(
                                "certificate domain `{d}` is outside the hosted zone `{}`, so its DNS validation record cannot be created there",
                                c.zone
                            ),
                            format!(
                                "use a name ending in `.{}`, or name the zone that contains `{d}`",
                                c.zone
                            ),
                        );
                    }
                }
                for a in &self.aliases {
                    if !in_zone(a, &c.zone) || a.starts_with('*') {
                        cx.error(
                            "SS0131",
                            format!("alias `{a}` is not a name inside the hosted zone `{}`", c.zone),
                            format!("use a name ending in `.{}`", c.zone),
                        );
                    } else if !covers(&self.domains(), a) {
                        cx.error(
                            "SS0131",
                            format!(
                                "alias `{a}` is not covered by the certificate ({}); browsers would reject the connection",
                                self.domains().join(", ")
                            ),
                            format!("add `{a}` to `.alternative_names([...])`"),
                        );
                    }
                }
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
                cx.add(
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
                );
            }
        }
        common::ingress_rules(cx, sg, 443, "HTTPS", &self.ingress);
    }

    /// The certificate, its DNS validation and the zone lookup: (zone data source, validated
    /// certificate ARN).
    fn lower_certificate(&self, cx: &mut Lowering<'_>, c: &Certificate) -> (Address, Ref) {
        let zone = cx.data(
            "aws_route53_zone",
            "zone",
            tf! { "name" => c.zone.as_str(), "private_zone" => false },
        );
        let domains = self.domains();
        let name = cx.name("certificate");
        let mut body = tf! {
            "domain_name" => c.domain.as_str(),
            "validation_method" => "DNS",
            "key_algorithm" => "RSA_2048",
            "options" => tf! { "certificate_transparency_logging_preference" => "ENABLED" },
            "tags" => name_tag(&name),
        };
        if domains.len() > 1 {
            body.insert(
                "subject_alternative_names".into(),
                domains[1..].to_vec().into(),
            );
        }
        // A certificate in use by a listener cannot be deleted, so its replacement must come
        // first (the provider's documented pattern).
        body.insert(
            "lifecycle".into(),
            Value::Map(tf! { "create_before_destroy" => true }),
        );
        let cert = cx.add("aws_acm_certificate", "certificate", body);

        // One record per distinct validation name: `*.x` and `x` share ACM's record.
        // `domain_validation_options` is a set, so each record picks its entry by domain name.
        let options = cert.attr::<()>("domain_validation_options").expression();
        let mut bases: Vec<(&str, &str)> = Vec::new();
        for d in &domains {
            let base = d.strip_prefix("*.").unwrap_or(d);
            if !bases.iter().any(|(b, _)| *b == base) {
                let pick = if domains.iter().any(|x| x == base) {
                    base
                } else {
                    d
                };
                bases.push((base, pick));
            }
        }
        let mut fqdns: Vec<Value> = Vec::new();
        for (base, pick) in bases {
            let field = |f: &str| {
                Value::Expr(format!(
                    "one([for dvo in {options} : dvo.{f} if dvo.domain_name == \"{pick}\"])"
                ))
            };
            let record = cx.add(
                "aws_route53_record",
                &format!("validation-{}", label_part(base)),
                tf! {
                    "zone_id" => zone.attr::<String>("zone_id"),
                    "name" => field("resource_record_name"),
                    "type" => field("resource_record_type"),
                    "records" => Value::List(vec![field("resource_record_value")]),
                    "ttl" => 60_i64,
                    "allow_overwrite" => true,
                },
            );
            fqdns.push(record.attr::<String>("fqdn").into());
        }
        let validation = cx.add(
            "aws_acm_certificate_validation",
            "certificate",
            tf! {
                "certificate_arn" => cert.attr::<String>("arn"),
                "validation_record_fqdns" => Value::List(fqdns),
            },
        );
        (zone, validation.attr("certificate_arn"))
    }
}

/// The access-log bucket: (bucket, bucket policy). SSE-S3 because ELB log delivery supports
/// no other encryption; versioned; public access blocked; TLS-only; logs expire.
fn access_log_bucket(cx: &mut Lowering<'_>, name: &str, days: u32) -> (Address, Address) {
    let account = common::account_id(cx);
    let region = cx.region().to_owned();
    // The account id (12 digits) is only known at plan time; check the name with a stand-in,
    // and only once the load balancer's own name (the usual culprit) fits.
    let bucket_name = format!("{name}-logs-000000000000-{region}");
    if LB_NAME.check(name).is_ok() && BUCKET_NAME.check(&bucket_name).is_err() {
        cx.error(
            "SS0130",
            format!(
                "the access-log bucket name `{name}-logs-<account-id>-{region}` would be {} characters; S3 allows 63",
                bucket_name.len()
            ),
            "shorten the construct id or the stack name",
        );
    }
    let bucket = cx.add_stateful(
        "aws_s3_bucket",
        "logs",
        tf! {
            "bucket" => Template::new().lit(format!("{name}-logs-")).with(&account).lit(format!("-{region}")),
            "force_destroy" => false,
            "tags" => name_tag(&format!("{name}-logs")),
        },
    );
    let id: Ref = bucket.attr("id");
    cx.add(
        "aws_s3_bucket_ownership_controls",
        "logs",
        tf! { "bucket" => &id, "rule" => tf! { "object_ownership" => "BucketOwnerEnforced" } },
    );
    cx.add(
        "aws_s3_bucket_public_access_block",
        "logs",
        tf! {
            "bucket" => &id,
            "block_public_acls" => true,
            "block_public_policy" => true,
            "ignore_public_acls" => true,
            "restrict_public_buckets" => true,
        },
    );
    let versioning = cx.add(
        "aws_s3_bucket_versioning",
        "logs",
        tf! { "bucket" => &id, "versioning_configuration" => tf! { "status" => "Enabled" } },
    );
    cx.add(
        "aws_s3_bucket_server_side_encryption_configuration",
        "logs",
        tf! {
            "bucket" => &id,
            "rule" => vec![Value::Map(tf! {
                "apply_server_side_encryption_by_default" => tf! { "sse_algorithm" => "AES256" },
            })],
        },
    );
    let lifecycle = Resource::new(
        cx.address("aws_s3_bucket_lifecycle_configuration", "logs"),
        cx.path().clone(),
        tf! {
            "bucket" => &id,
            "rule" => vec![Value::Map(tf! {
                "id" => "expire-access-logs",
                "status" => "Enabled",
                "filter" => Map::new(),
                "expiration" => tf! { "days" => days },
                "noncurrent_version_expiration" => tf! { "noncurrent_days" => 30_i64 },
                "abort_incomplete_multipart_upload" => tf! { "days_after_initiation" => 7_i64 },
            })],
        },
    )
    .depends_on(&versioning);
    cx.resource(lifecycle);

    let arn: Ref = bucket.attr("arn");
    let objects = Template::new().with(&arn).lit("/*");
    let log_objects = Template::new()
        .with(&arn)
        .lit(format!("/{LOG_PREFIX}/AWSLogs/"))
        .with(&account)
        .lit("/*");
    let mut statements = vec![
        PolicyStatement::deny("DenyInsecureTransport", ["s3:*"])
            .principal(Principal::Aws("*".into()))
            .resource(&arn)
            .resource(objects.clone())
            .condition("Bool", "aws:SecureTransport", vec!["false".into()]),
        PolicyStatement::deny("DenyOutdatedTls", ["s3:*"])
            .principal(Principal::Aws("*".into()))
            .resource(&arn)
            .resource(objects)
            .condition("NumericLessThan", "s3:TlsVersion", vec!["1.2".into()]),
        PolicyStatement::allow("ElbLogDelivery", ["s3:PutObject"])
            .principal(Principal::Service(
                "logdelivery.elasticloadbalancing.amazonaws.com".into(),
            ))
            .resource(log_objects.clone()),
    ];
    if LEGACY_ELB_REGIONS.contains(&region.as_str()) {
        let elb = cx
            .shared_data("aws_elb_service_account", "current", Map::new())
            .attr::<String>("arn");
        statements.push(
            PolicyStatement::allow("ElbRegionalAccountLogDelivery", ["s3:PutObject"])
                .principal(Principal::Aws(elb.into()))
                .resource(log_objects),
        );
    }
    let policy = policy_document(cx, "logs-policy", &statements);
    let policy = cx.add(
        "aws_s3_bucket_policy",
        "logs",
        tf! { "bucket" => &id, "policy" => policy },
    );
    (bucket, policy)
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

/// Checks a DNS name (lowercase), optionally with a leading `*.` wildcard label.
pub(crate) fn check_dns_name(name: &str, wildcard: bool) -> Result<(), String> {
    let rest = match name.strip_prefix("*.") {
        Some(rest) if wildcard => rest,
        _ => name,
    };
    if name.len() > 253 {
        return Err(format!(
            "{} characters; at most 253 are allowed",
            name.len()
        ));
    }
    let labels: Vec<&str> = rest.split('.').collect();
    if labels.len() < 2 {
        return Err("it needs at least two labels, such as `example.com`".into());
    }
    for l in labels {
        if l.is_empty() || l.len() > 63 {
            return Err("each label must be 1 to 63 characters".into());
        }
        if let Some(c) = l
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(format!(
                "`{c}` is not allowed (letters, digits and `-`; a wildcard only as the whole first label)"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err("a label must not start or end with `-`".into());
        }
    }
    Ok(())
}

/// Whether `name` is the zone itself or a name below it.
pub(crate) fn in_zone(name: &str, zone: &str) -> bool {
    let base = name.strip_prefix("*.").unwrap_or(name);
    base == zone || base.ends_with(&format!(".{zone}"))
}

/// Whether certificate names `domains` cover requests for the listener-rule host pattern
/// `host`: an exact name, or a first label (which may hold `*`/`?`) under a `*.` name.
pub(crate) fn covers(domains: &[String], host: &str) -> bool {
    if domains.iter().any(|d| d == host) {
        return true;
    }
    match host.split_once('.') {
        Some((_, rest)) if !rest.contains(['*', '?']) => {
            domains.iter().any(|d| d.strip_prefix("*.") == Some(rest))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Network;
    use stacksmith_core::Stack;

    fn lowered(
        region: &str,
        f: impl FnOnce(LoadBalancer) -> LoadBalancer,
    ) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", region);
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        stack.add(f(LoadBalancer::new("alb", &net)
            .certificate("api.janua.dev", "janua.dev")
            .open_to_internet()));
        stack.lower()
    }

    fn body(g: &stacksmith_core::Graph, expr: &str) -> Option<Value> {
        g.resources
            .iter()
            .chain(&g.data)
            .find(|r| r.address.expression() == expr)
            .map(|r| Value::Map(r.body.clone()))
    }

    fn json(g: &stacksmith_core::Graph, expr: &str) -> String {
        let r = g
            .resources
            .iter()
            .chain(&g.data)
            .find(|r| r.address.expression() == expr);
        serde_json::to_string_pretty(&r).unwrap_or_default()
    }

    #[test]
    fn secure_defaults_are_written_out() {
        let g = lowered("us-east-1", |l| l);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let lb = body(&g, "aws_lb.alb");
        let get = |k: &str| lb.as_ref().and_then(|b| b.get(k)).cloned();
        assert_eq!(get("enable_deletion_protection"), Some(Value::Bool(true)));
        assert_eq!(get("drop_invalid_header_fields"), Some(Value::Bool(true)));
        assert_eq!(
            get("desync_mitigation_mode"),
            Some(Value::from("strictest"))
        );
        assert_eq!(get("internal"), Some(Value::Bool(false)));
        assert_eq!(get("access_logs.enabled"), Some(Value::Bool(true)));
        insta::assert_snapshot!(json(&g, "aws_lb.alb"));
    }

    #[test]
    fn https_uses_the_validated_certificate_and_http_only_redirects() {
        let g = lowered("us-east-1", |l| l);
        let https = body(&g, "aws_lb_listener.alb_https");
        assert_eq!(
            https.as_ref().and_then(|b| b.get("ssl_policy")),
            Some(&Value::from("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"))
        );
        let Some(Value::Ref(cert)) = https.as_ref().and_then(|b| b.get("certificate_arn")) else {
            panic!("the HTTPS listener has no certificate reference");
        };
        assert_eq!(
            cert.expression(),
            "aws_acm_certificate_validation.alb_certificate.certificate_arn"
        );
        let http = body(&g, "aws_lb_listener.alb_http");
        assert!(json(&g, "aws_lb_listener.alb_http").contains("HTTP_301"));
        assert_eq!(
            http.as_ref().and_then(|b| b.get("protocol")),
            Some(&Value::from("HTTP"))
        );
        insta::assert_snapshot!(json(&g, "aws_lb_listener.alb_https"));
    }

    #[test]
    fn validation_records_pick_their_entry_and_wildcards_share_one() {
        let g = lowered("us-east-1", |l| {
            l.alternative_names(["janua.dev", "*.janua.dev"])
        });
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let records: Vec<_> = g
            .resources
            .iter()
            .filter(|r| r.address.kind() == "aws_route53_record")
            .map(|r| r.address.name().to_owned())
            .collect();
        assert_eq!(
            records,
            ["alb_validation_api_janua_dev", "alb_validation_janua_dev"]
        );
        insta::assert_snapshot!(json(&g, "aws_route53_record.alb_validation_api_janua_dev"));
        let zone = body(&g, "data.aws_route53_zone.alb_zone");
        assert_eq!(
            zone.as_ref().and_then(|z| z.get("private_zone")),
            Some(&Value::Bool(false))
        );
    }

    #[test]
    fn closed_by_default_and_opened_on_request() {
        let count = |g: &stacksmith_core::Graph| {
            g.resources
                .iter()
                .filter(|r| r.address.kind() == "aws_vpc_security_group_ingress_rule")
                .count()
        };
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        stack.add(LoadBalancer::new("alb", &net).certificate("api.janua.dev", "janua.dev"));
        let closed = stack.lower();
        assert_eq!(count(&closed), 0);
        assert!(closed.diagnostics.iter().any(|d| d.code == "SS0134"));
        assert_eq!(count(&lowered("us-east-1", |l| l)), 2);
        let narrow = lowered("us-east-1", |l| l.allow_from_cidr("203.0.113.0/24"));
        assert!(
            json(
                &narrow,
                "aws_vpc_security_group_ingress_rule.alb_https_from_203_0_113_0_24"
            )
            .contains("203.0.113.0/24")
        );
    }

    #[test]
    fn log_bucket_is_locked_down_and_grants_elb_delivery() {
        let g = lowered("us-east-1", |l| l);
        assert!(body(&g, "aws_s3_bucket_public_access_block.alb_logs").is_some());
        let policy = json(&g, "data.aws_iam_policy_document.alb_logs_policy");
        assert!(policy.contains("logdelivery.elasticloadbalancing.amazonaws.com"));
        assert!(policy.contains("data.aws_elb_service_account.current.arn"));
        assert!(policy.contains("aws:SecureTransport"));
        let newer = lowered("ap-southeast-5", |l| l);
        assert!(
            !json(&newer, "data.aws_iam_policy_document.alb_logs_policy")
                .contains("aws_elb_service_account")
        );
        assert!(
            json(
                &g,
                "aws_s3_bucket_server_side_encryption_configuration.alb_logs"
            )
            .contains("AES256")
        );
    }

    #[test]
    fn alias_points_at_the_load_balancer() {
        let g = lowered("us-east-1", |l| l.alias("api.janua.dev"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert!(
            json(&g, "aws_route53_record.alb_alias_api_janua_dev")
                .contains("${aws_lb.alb.dns_name}")
        );
    }

    #[test]
    fn coverage_follows_wildcard_rules() {
        let d = vec!["api.janua.dev".to_owned(), "*.janua.dev".to_owned()];
        assert!(covers(&d, "api.janua.dev"));
        assert!(covers(&d, "admin.janua.dev"));
        assert!(!covers(&d, "janua.dev"));
        assert!(!covers(&d, "a.b.janua.dev"));
        assert!(!covers(&d, "api.other.dev"));
    }

    #[test]
    fn fails_too_long_name() {
        let mut stack = Stack::new("production", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        stack.add(
            LoadBalancer::new("janua-public-api-load-balancer", &net)
                .certificate("api.janua.dev", "janua.dev")
                .open_to_internet(),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_certificate_domain_outside_the_zone() {
        let g = lowered("us-east-1", |l| {
            l.certificate("api.janua.io", "janua.dev")
                .alias("www.janua.dev")
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_without_certificate_and_warns_without_deletion_protection() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        stack.add(
            LoadBalancer::new("alb", &net)
                .without_deletion_protection()
                .allow_from_cidr("203.0.113.0/33"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
