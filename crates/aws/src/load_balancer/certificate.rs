//! The load balancer's ACM certificate: its names and zone, their checks, DNS validation in
//! the Route 53 zone, and which request hosts its names cover.

use stacksmith_core::terraform::Value;
use stacksmith_core::{Address, Lowering, Ref, tf};

use super::{LoadBalancer, label_part};
use crate::common::name_tag;

#[derive(Clone, Debug)]
pub(super) struct Certificate {
    pub(super) domain: String,
    pub(super) zone: String,
}

impl LoadBalancer {
    /// A certificate is required; its zone and names must be DNS names, its names and the
    /// aliases inside the zone, and the aliases covered by its names.
    pub(super) fn validate_certificate(&self, cx: &mut Lowering<'_>) {
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
    }

    /// The certificate, its DNS validation and the zone lookup: (zone data source, validated
    /// certificate ARN).
    pub(super) fn lower_certificate(
        &self,
        cx: &mut Lowering<'_>,
        c: &Certificate,
    ) -> (Address, Ref) {
        let alternative: Vec<String> = self
            .domains()
            .into_iter()
            .filter(|d| *d != c.domain)
            .collect();
        validated_certificate(cx, &c.zone, &c.domain, &alternative)
    }
}

/// An ACM certificate for `domain` and its `alternative` names in the stack's region, validated
/// through DNS records in the public zone `zone`: (zone data source, validated certificate ARN).
/// A CloudFront distribution's certificate is this in us-east-1.
pub(crate) fn validated_certificate(
    cx: &mut Lowering<'_>,
    zone: &str,
    domain: &str,
    alternative: &[String],
) -> (Address, Ref) {
    cx.prerequisite(
        format!(
            "public Route 53 hosted zone `{zone}`: looked up at plan; the certificate is validated through it"
        ),
        format!(
            "aws route53 list-hosted-zones-by-name --dns-name {zone} --max-items 1 --query \"HostedZones[?Name=='{zone}.'].Id\" --output text | grep ."
        ),
    );
    let zone = cx.data(
        "aws_route53_zone",
        "zone",
        tf! { "name" => zone, "private_zone" => false },
    );
    let mut domains = vec![domain.to_owned()];
    domains.extend(alternative.iter().cloned());
    let domains = &domains;
    let name = cx.name("certificate");
    let mut body = tf! {
        "domain_name" => domain,
        "validation_method" => "DNS",
        "key_algorithm" => "RSA_2048",
        "options" => tf! { "certificate_transparency_logging_preference" => "ENABLED" },
        "tags" => name_tag(&name),
    };
    if !alternative.is_empty() {
        body.insert(
            "subject_alternative_names".into(),
            alternative.to_vec().into(),
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
    for d in domains {
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

/// Checks a DNS name (lowercase), optionally with a leading `*.` wildcard label.
pub(super) fn check_dns_name(name: &str, wildcard: bool) -> Result<(), String> {
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
pub(super) fn in_zone(name: &str, zone: &str) -> bool {
    let base = name.strip_prefix("*.").unwrap_or(name);
    base == zone || base.ends_with(&format!(".{zone}"))
}

/// Whether certificate names `domains` cover requests for the listener-rule host pattern
/// `host`: an exact name, or a first label (which may hold `*`/`?`) under a `*.` name.
pub(super) fn covers(domains: &[String], host: &str) -> bool {
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
