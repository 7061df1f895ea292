//! `Distribution`: a CloudFront distribution serving static assets from a private S3 bucket of
//! its own, on a custom domain, HTTPS only, behind a CloudFront WAF web ACL, with access logs.

use stacksmith_core::terraform::Value;
use stacksmith_core::{
    Address, Construct, Facts, Lower, Lowering, Node, NodeKind, Path, Ref, Scope, Template, Within,
    tf, tf_name,
};

use crate::bucket::Bucket;
use crate::common::{self, name_tag};
use crate::drawing::tail_id;
use crate::hosted_zone::normalize;
use crate::load_balancer::validated_certificate;
use crate::web_acl::{WafScope, WebAclRef};

/// AWS's managed cache policy `Managed-CachingOptimized`: long TTLs, compression, no cookies,
/// headers or query strings in the cache key.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// AWS's managed response headers policy `Managed-SecurityHeadersPolicy`: HSTS, `nosniff`,
/// `X-Frame-Options: SAMEORIGIN`, referrer policy, XSS protection.
const SECURITY_HEADERS: &str = "67f7725c-6f97-4210-82d7-5512b31e9d03";

/// A distribution decides what is served publicly and how: security-relevant.
const DISTRIBUTION: Facts = Facts::new().security();
/// Origin access control: how CloudFront signs its requests to the bucket.
const ORIGIN_ACCESS: Facts = Facts::new().security().identity(&["name"]);
/// Log delivery pieces are known by their names.
const LOG_DELIVERY: Facts = Facts::new().identity(&["name"]);

/// An Amazon CloudFront distribution for static assets: a private S3 bucket (made with the
/// distribution) served at `domain` from CloudFront's edge locations.
///
/// Creates: a [`Bucket`](crate::Bucket) `origin` (its secure defaults; its policy and key let
/// only this distribution read), an origin access control (SigV4, always signed), an ACM
/// certificate for `domain` validated in `zone`, `aws_cloudfront_distribution`, alias `A` and
/// `AAAA` records of `domain`, and access logs delivered to an encrypted log group
/// (`aws_cloudwatch_log_delivery_source`/`_destination`/`aws_cloudwatch_log_delivery`).
///
/// Defaults: HTTPS only (viewers on HTTP are refused, not redirected); TLS 1.2 (policy
/// `TLSv1.2_2021`) with SNI; HTTP/2 and HTTP/3; IPv6; GET and HEAD only; AWS's
/// `CachingOptimized` cache policy and `SecurityHeadersPolicy` response headers; `index.html`
/// as the root object; price class 100 (North America and Europe edges); logs kept 365 days.
/// The stack must be in `us-east-1`, where CloudFront's certificates, web ACLs and log
/// deliveries live.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{Distribution, WebAcl};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let edge = stack.add(WebAcl::cloudfront("edge-waf"));
/// let cdn = stack.add(Distribution::static_assets("assets", "static.janua.dev", "janua.dev", &edge));
/// ```
#[derive(Clone, Debug)]
pub struct Distribution {
    id: String,
    domain: String,
    zone: String,
    web_acl: WebAclRef,
    log_days: u32,
}

/// A handle to a [`Distribution`]: its domain names and the bucket CI uploads assets to.
#[derive(Clone, Debug)]
pub struct DistributionRef {
    path: Path,
    stack: String,
    domain: String,
}

impl Distribution {
    /// Static assets at `https://<domain>/`, `domain` inside the public Route 53 zone `zone`,
    /// behind the CloudFront-scope `web_acl`.
    pub fn static_assets(id: &str, domain: &str, zone: &str, web_acl: &WebAclRef) -> Self {
        Self {
            id: id.to_owned(),
            domain: normalize(domain),
            zone: normalize(zone),
            web_acl: web_acl.clone(),
            log_days: 365,
        }
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        if cx.region() != "us-east-1" {
            cx.error(
                "SS0630",
                format!(
                    "a CloudFront distribution's certificate, web ACL and log delivery live in us-east-1, but the stack is in {}",
                    cx.region()
                ),
                "add the distribution to a stack in us-east-1 (CloudFront serves every region from there)",
            );
        }
        if self.domain != self.zone && !self.domain.ends_with(&format!(".{}", self.zone)) {
            cx.error(
                "SS0630",
                format!(
                    "the distribution's domain `{}` is not inside the hosted zone `{}`",
                    self.domain, self.zone
                ),
                format!("serve a name ending in `.{}`", self.zone),
            );
        }
        if self.web_acl.scope() != WafScope::CloudFront {
            cx.error(
                "SS0606",
                format!(
                    "the web ACL {} is regional; a CloudFront distribution takes only a CloudFront web ACL",
                    self.web_acl.path()
                ),
                "make the distribution's web ACL with `WebAcl::cloudfront(..)`",
            );
        }
    }
}

impl DistributionRef {
    fn address(&self) -> Address {
        Address::resource(
            &self.stack,
            "aws_cloudfront_distribution",
            &tf_name(&self.path, ""),
        )
    }

    /// The distribution's CloudFront domain name (`d111111abcdef8.cloudfront.net`).
    pub fn cloudfront_domain_name(&self) -> Ref {
        self.address().attr("domain_name")
    }

    /// The domain it serves.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The name of the bucket assets are uploaded to.
    pub fn bucket_name(&self) -> Ref {
        Address::resource(
            &self.stack,
            "aws_s3_bucket",
            &tf_name(&self.path.child("origin"), ""),
        )
        .attr("bucket")
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Construct for Distribution {
    type Handle = DistributionRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> DistributionRef {
        DistributionRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            domain: self.domain.clone(),
        }
    }
}

impl Lower for Distribution {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        self.validate(cx);
        let name = cx.name("");
        let arn: Ref = cx.address("aws_cloudfront_distribution", "").attr("arn");

        // The origin: a bucket of the distribution's own that only it may read.
        Bucket::new("origin")
            .readable_by_cloudfront(arn.clone())
            .lower(&mut cx.child("origin"));
        let origin_bucket = Address::resource(
            cx.path().stack(),
            "aws_s3_bucket",
            &tf_name(&cx.path().child("origin"), ""),
        );

        let oac = cx.add_with(
            "aws_cloudfront_origin_access_control",
            "oac",
            tf! {
                "name" => name.as_str(),
                "description" => format!("{name}: CloudFront signs every request to its bucket"),
                "origin_access_control_origin_type" => "s3",
                "signing_behavior" => "always",
                "signing_protocol" => "sigv4",
            },
            ORIGIN_ACCESS,
        );
        let (zone, certificate) = validated_certificate(cx, &self.zone, &self.domain, &[]);

        let distribution = cx.add_with(
            "aws_cloudfront_distribution",
            "",
            tf! {
                "enabled" => true,
                "comment" => format!("{name}: static assets"),
                "aliases" => vec![self.domain.as_str()],
                "default_root_object" => "index.html",
                "http_version" => "http2and3",
                "is_ipv6_enabled" => true,
                "price_class" => "PriceClass_100",
                "web_acl_id" => self.web_acl.arn(),
                "origin" => vec![Value::Map(tf! {
                    "origin_id" => "bucket",
                    "domain_name" => origin_bucket.attr::<String>("bucket_regional_domain_name"),
                    "origin_access_control_id" => oac.attr::<String>("id"),
                })],
                "default_cache_behavior" => tf! {
                    "target_origin_id" => "bucket",
                    "viewer_protocol_policy" => "https-only",
                    "allowed_methods" => vec!["GET", "HEAD"],
                    "cached_methods" => vec!["GET", "HEAD"],
                    "compress" => true,
                    "cache_policy_id" => CACHING_OPTIMIZED,
                    "response_headers_policy_id" => SECURITY_HEADERS,
                },
                "restrictions" => tf! {
                    "geo_restriction" => tf! { "restriction_type" => "none" },
                },
                "viewer_certificate" => tf! {
                    "acm_certificate_arn" => certificate,
                    "ssl_support_method" => "sni-only",
                    "minimum_protocol_version" => "TLSv1.2_2021",
                },
                "tags" => name_tag(&name),
            },
            DISTRIBUTION,
        );
        for (part, kind) in [("alias-a", "A"), ("alias-aaaa", "AAAA")] {
            cx.add(
                "aws_route53_record",
                part,
                tf! {
                    "zone_id" => zone.attr::<String>("zone_id"),
                    "name" => self.domain.as_str(),
                    "type" => kind,
                    "alias" => tf! {
                        "name" => distribution.attr::<String>("domain_name"),
                        "zone_id" => distribution.attr::<String>("hosted_zone_id"),
                        "evaluate_target_health" => false,
                    },
                },
            );
        }
        self.access_logs(cx, &name, &distribution);
        cx.output(
            "domain-name",
            distribution.attr::<String>("domain_name"),
            "The distribution's CloudFront domain name",
            false,
        );
        self.draw(cx);
    }
}

impl Distribution {
    /// Access logs (CloudFront standard logging v2) into an encrypted log group.
    fn access_logs(&self, cx: &mut Lowering<'_>, name: &str, distribution: &Address) {
        let group = format!("/aws/cloudfront/{name}");
        let logs_use_key = common::logs_may_use_key(cx, &group);
        let key = common::kms_key(
            cx,
            "logs-key",
            &format!("Encrypts the access logs of the {name} distribution"),
            &[logs_use_key],
        );
        let days = self.log_days;
        let logs = common::log_group(cx, "logs", &group, days, &key);
        let source = cx.add_with(
            "aws_cloudwatch_log_delivery_source",
            "logs",
            tf! {
                "name" => name,
                "log_type" => "ACCESS_LOGS",
                "resource_arn" => distribution.attr::<String>("arn"),
                "tags" => name_tag(name),
            },
            LOG_DELIVERY,
        );
        let destination = cx.add_with(
            "aws_cloudwatch_log_delivery_destination",
            "logs",
            tf! {
                "name" => name,
                "output_format" => "json",
                "delivery_destination_configuration" => tf! {
                    "destination_resource_arn" => Template::new().with(&logs.attr::<String>("arn")),
                },
                "tags" => name_tag(name),
            },
            LOG_DELIVERY,
        );
        cx.add(
            "aws_cloudwatch_log_delivery",
            "logs",
            tf! {
                "delivery_source_name" => source.attr::<String>("name"),
                "delivery_destination_arn" => destination.attr::<String>("arn"),
                "tags" => name_tag(name),
            },
        );
    }

    /// The distribution as the diagram draws it: an entry box at the top, with its domain and
    /// web ACL.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        cx.node(
            Node::new(
                &path,
                &format!("cdn_{}", tail_id(&path)),
                NodeKind::Entry,
                path.to_string(),
            )
            .line("CloudFront · HTTPS only · TLS 1.2+")
            .line(format!("{} · WAF {}", self.domain, self.web_acl.name()))
            .within(Within::Top),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WebAcl;
    use stacksmith_core::Stack;

    fn lowered(region: &str, acl: WebAcl) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", region);
        let acl = stack.add(acl);
        stack.add(Distribution::static_assets(
            "assets",
            "static.janua.dev",
            "janua.dev",
            &acl,
        ));
        stack.lower()
    }

    fn json(g: &stacksmith_core::Graph, expr: &str) -> String {
        let r = g
            .resources
            .iter()
            .chain(&g.data)
            .find(|r| r.address.expression() == expr);
        serde_json::to_string(&r.map(|r| &r.body)).unwrap_or_default()
    }

    #[test]
    fn https_only_tls_1_2_waf_and_a_private_origin() {
        let g = lowered("us-east-1", WebAcl::cloudfront("edge"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let d = json(&g, "aws_cloudfront_distribution.assets");
        for part in [
            r#""viewer_protocol_policy":"https-only""#,
            r#""minimum_protocol_version":"TLSv1.2_2021""#,
            r#""web_acl_id":"${aws_wafv2_web_acl.edge.arn}""#,
            r#""domain_name":"${aws_s3_bucket.assets_origin.bucket_regional_domain_name}""#,
            r#""origin_access_control_id":"${aws_cloudfront_origin_access_control.assets_oac.id}""#,
        ] {
            assert!(d.contains(part), "{part} in {d}");
        }
        let policy = json(&g, "data.aws_iam_policy_document.assets_origin_policy");
        assert!(policy.contains("cloudfront.amazonaws.com"), "{policy}");
        assert!(
            policy.contains("${aws_cloudfront_distribution.assets.arn}"),
            "{policy}"
        );
        let key = json(&g, "data.aws_iam_policy_document.assets_origin_key_policy");
        assert!(key.contains("CloudFrontReads"), "{key}");
        let source = json(&g, "aws_cloudwatch_log_delivery_source.assets_logs");
        assert!(source.contains(r#""log_type":"ACCESS_LOGS""#), "{source}");
    }

    #[test]
    fn fails_outside_us_east_1_with_a_regional_acl() {
        let g = lowered("eu-west-1", WebAcl::regional("waf"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
