//! `WebAcl`: an AWS WAF web ACL with AWS managed rule groups, a per-IP rate limit and
//! logging, attached to load balancers, ALB Ingresses and CloudFront distributions by handle.

use stacksmith_core::{
    Construct, Facts, Lower, Lowering, NameRule, Node, NodeKind, Path, Ref, Scope, Within, tf,
    tf_name,
};

use crate::common::{self, name_tag};
use crate::drawing::tail_id;

/// Web ACL names: 1–128 letters, digits, `-` and `_`.
const ACL_NAME: NameRule = NameRule {
    what: "WAF web ACL name",
    max_len: 128,
    lowercase: false,
    extra: "-_",
    start_letter: false,
};

/// A web ACL decides which requests reach what it protects: security-relevant, known by its
/// name; another scope replaces it.
const WEB_ACL: Facts = Facts::new()
    .security()
    .identity(&["name"])
    .replaced_on(&["scope"]);

/// Where the web ACL can be attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WafScope {
    /// Application Load Balancers (and ALB Ingresses) in the stack's region.
    Regional,
    /// CloudFront distributions; the web ACL must be created in `us-east-1`.
    CloudFront,
}

impl WafScope {
    fn value(self) -> &'static str {
        match self {
            WafScope::Regional => "REGIONAL",
            WafScope::CloudFront => "CLOUDFRONT",
        }
    }
}

/// An AWS managed rule group (vendor `AWS`), evaluated in the order added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagedRules {
    /// `AWSManagedRulesCommonRuleSet`: the OWASP Top 10 basics (cross-site scripting, bad
    /// paths, oversized bodies, ...).
    Common,
    /// `AWSManagedRulesKnownBadInputsRuleSet`: request patterns of known exploits (Log4j,
    /// Java deserialization, localhost host headers).
    KnownBadInputs,
    /// `AWSManagedRulesAmazonIpReputationList`: addresses Amazon threat intelligence lists as
    /// bots and attackers.
    IpReputation,
    /// `AWSManagedRulesSQLiRuleSet`: SQL injection patterns.
    SqlInjection,
    /// `AWSManagedRulesLinuxRuleSet`: Linux-specific local file inclusion.
    Linux,
}

impl ManagedRules {
    fn name(self) -> &'static str {
        match self {
            ManagedRules::Common => "AWSManagedRulesCommonRuleSet",
            ManagedRules::KnownBadInputs => "AWSManagedRulesKnownBadInputsRuleSet",
            ManagedRules::IpReputation => "AWSManagedRulesAmazonIpReputationList",
            ManagedRules::SqlInjection => "AWSManagedRulesSQLiRuleSet",
            ManagedRules::Linux => "AWSManagedRulesLinuxRuleSet",
        }
    }
}

/// An AWS WAF (v2) web ACL: inspects every HTTP request before it reaches a load balancer or
/// CloudFront distribution, and blocks what its rules match.
///
/// Creates: `aws_wafv2_web_acl` (default action allow; CloudWatch metrics and sampled
/// requests on for the ACL and every rule; rules written through `rule_json`), a KMS key
/// (rotation on) and a log group `aws-waf-logs-<name>` encrypted with it, and
/// `aws_wafv2_web_acl_logging_configuration` sending every request's log there with the
/// `authorization` and `cookie` headers redacted.
///
/// Defaults: a per-IP rate limit of 2000 requests per 5 minutes (blocked, evaluated first),
/// then the AWS managed rule groups [`ManagedRules::Common`], [`ManagedRules::KnownBadInputs`]
/// and [`ManagedRules::IpReputation`]; logs kept 365 days. Attach it with
/// `LoadBalancer::web_acl(&acl)`, `Distribution::web_acl(&acl)` or, for an ALB Ingress,
/// `ingress.web_acl(&acl)` (`stacksmith::prelude::ProtectIngress`).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{ManagedRules, WebAcl};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let waf = stack.add(
///     WebAcl::regional("waf").managed_rules(ManagedRules::SqlInjection).rate_limit_per_ip(1000),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct WebAcl {
    id: String,
    scope: WafScope,
    managed: Vec<ManagedRules>,
    rate_limit: u32,
    log_days: u32,
}

/// A handle to a [`WebAcl`]: its ARN, its name and where it can be attached.
#[derive(Clone, Debug)]
pub struct WebAclRef {
    path: Path,
    stack: String,
    name: String,
    scope: WafScope,
}

impl WebAcl {
    /// A web ACL for Application Load Balancers (and ALB Ingresses) in the stack's region.
    pub fn regional(id: &str) -> Self {
        Self::new(id, WafScope::Regional)
    }

    /// A web ACL for CloudFront distributions (the stack must be in `us-east-1`).
    pub fn cloudfront(id: &str) -> Self {
        Self::new(id, WafScope::CloudFront)
    }

    fn new(id: &str, scope: WafScope) -> Self {
        Self {
            id: id.to_owned(),
            scope,
            managed: vec![
                ManagedRules::Common,
                ManagedRules::KnownBadInputs,
                ManagedRules::IpReputation,
            ],
            rate_limit: 2000,
            log_days: 365,
        }
    }

    /// Adds an AWS managed rule group after the ones already there. Default: Common,
    /// KnownBadInputs, IpReputation.
    #[must_use]
    pub fn managed_rules(mut self, rules: ManagedRules) -> Self {
        self.managed.push(rules);
        self
    }

    /// Requests one client IP may send in 5 minutes before further requests are blocked
    /// (10 – 2,000,000,000). Default: 2000.
    #[must_use]
    pub fn rate_limit_per_ip(mut self, requests: u32) -> Self {
        self.rate_limit = requests;
        self
    }

    /// Days request logs are kept (a CloudWatch retention value). Default: 365.
    #[must_use]
    pub fn log_retention_days(mut self, days: u32) -> Self {
        self.log_days = days;
        self
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        if !(10..=2_000_000_000).contains(&self.rate_limit) {
            cx.error(
                "SS0605",
                format!(
                    "`rate_limit_per_ip` is {}; AWS WAF allows 10 to 2000000000 requests per 5 minutes",
                    self.rate_limit
                ),
                "use 2000 (about 7 requests per second from one address) unless clients share addresses",
            );
        }
        for (i, r) in self.managed.iter().enumerate() {
            if self.managed.iter().take(i).any(|m| m == r) {
                cx.error(
                    "SS0605",
                    format!("the managed rule group `{}` is added twice", r.name()),
                    "add each managed rule group once",
                );
            }
        }
        common::check_retention(cx, "SS0605", "log_retention_days", self.log_days);
        if self.scope == WafScope::CloudFront && cx.region() != "us-east-1" {
            cx.error(
                "SS0606",
                format!(
                    "a CloudFront web ACL must be created in us-east-1, but the stack is in {}",
                    cx.region()
                ),
                "add `WebAcl::cloudfront(..)` to a stack in us-east-1, or use `WebAcl::regional(..)` for load balancers",
            );
        }
    }

    /// The rules as WAF's JSON (`rule_json`): the rate limit first, then the managed rule
    /// groups in order, each with its metrics.
    fn rule_json(&self, name: &str) -> String {
        let visibility = |metric: &str| {
            format!(
                r#""VisibilityConfig":{{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"{name}-{metric}"}}"#
            )
        };
        let mut rules = vec![format!(
            r#"{{"Name":"rate-limit-per-ip","Priority":0,"Action":{{"Block":{{}}}},"Statement":{{"RateBasedStatement":{{"Limit":{},"AggregateKeyType":"IP","EvaluationWindowSec":300}}}},{}}}"#,
            self.rate_limit,
            visibility("rate-limit-per-ip")
        )];
        for (i, r) in self.managed.iter().enumerate() {
            rules.push(format!(
                r#"{{"Name":"{n}","Priority":{p},"OverrideAction":{{"None":{{}}}},"Statement":{{"ManagedRuleGroupStatement":{{"VendorName":"AWS","Name":"{n}"}}}},{v}}}"#,
                n = r.name(),
                p = i.saturating_add(1).saturating_mul(10),
                v = visibility(r.name())
            ));
        }
        format!("[{}]", rules.join(","))
    }
}

impl WebAclRef {
    /// The web ACL's ARN.
    pub fn arn(&self) -> Ref {
        stacksmith_core::Address::resource(
            &self.stack,
            "aws_wafv2_web_acl",
            &tf_name(&self.path, ""),
        )
        .attr("arn")
    }

    /// The web ACL's name (known at synth: the AWS Load Balancer Controller finds the ACL of an
    /// Ingress by it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it can be attached.
    pub fn scope(&self) -> WafScope {
        self.scope
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stack it is in.
    pub fn stack(&self) -> &str {
        &self.stack
    }
}

impl Construct for WebAcl {
    type Handle = WebAclRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> WebAclRef {
        WebAclRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            name: stacksmith_core::cloud_name(&scope.path, ""),
            scope: self.scope,
        }
    }
}

impl Lower for WebAcl {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&ACL_NAME, &name, "web ACL name");
        self.validate(cx);

        let acl = cx.add_with(
            "aws_wafv2_web_acl",
            "",
            tf! {
                "name" => name.as_str(),
                "description" => format!("{name}: per-IP rate limit and AWS managed rules"),
                "scope" => self.scope.value(),
                "default_action" => tf! { "allow" => tf! {} },
                "visibility_config" => tf! {
                    "cloudwatch_metrics_enabled" => true,
                    "metric_name" => name.as_str(),
                    "sampled_requests_enabled" => true,
                },
                "rule_json" => self.rule_json(&name),
                "tags" => name_tag(&name),
            },
            WEB_ACL,
        );

        // WAF delivers logs only to log groups named `aws-waf-logs-*`.
        let group = format!("aws-waf-logs-{name}");
        let logs_use_key = common::logs_may_use_key(cx, &group);
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the request logs of the {name} web ACL"),
            &[logs_use_key],
        );
        let days = common::accepted_retention(self.log_days);
        let logs = common::log_group(cx, "logs", &group, days, &key);
        let redact = |header: &str| tf! { "single_header" => tf! { "name" => header } };
        cx.add_with(
            "aws_wafv2_web_acl_logging_configuration",
            "logging",
            tf! {
                "resource_arn" => acl.attr::<String>("arn"),
                "log_destination_configs" => vec![logs.attr::<String>("arn")],
                "redacted_fields" => vec![redact("authorization"), redact("cookie")],
            },
            Facts::new(),
        );
        self.draw(cx);
    }
}

impl WebAcl {
    /// The web ACL as the diagram draws it: an entry box at the top, with its rules.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let scope = match self.scope {
            WafScope::Regional => "regional",
            WafScope::CloudFront => "CloudFront",
        };
        cx.node(
            Node::new(
                &path,
                &format!("waf_{}", tail_id(&path)),
                NodeKind::Entry,
                path.to_string(),
            )
            .line(format!("WAF web ACL · {scope}"))
            .line(format!(
                "rate limit {}/5 min per IP · {} managed rule groups",
                self.rate_limit,
                self.managed.len()
            ))
            .within(Within::Top),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::{Map, Value};

    fn lowered(acl: WebAcl, region: &str) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", region);
        stack.add(acl);
        stack.lower()
    }

    fn body<'a>(g: &'a stacksmith_core::Graph, kind: &str) -> Option<&'a Map> {
        g.resources
            .iter()
            .find(|r| r.address.kind() == kind)
            .map(|r| &r.body)
    }

    #[test]
    fn rules_are_rate_limit_then_managed_groups_as_json() -> Result<(), serde_json::Error> {
        let g = lowered(
            WebAcl::regional("waf").managed_rules(ManagedRules::SqlInjection),
            "us-east-1",
        );
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let b = body(&g, "aws_wafv2_web_acl");
        assert_eq!(
            b.and_then(|b| b.get("scope")),
            Some(&Value::from("REGIONAL"))
        );
        let rules = match b.and_then(|b| b.get("rule_json")) {
            Some(Value::String(s)) => s.clone(),
            other => panic!("rule_json is {other:?}"),
        };
        let rules: serde_json::Value = serde_json::from_str(&rules)?;
        assert_eq!(rules[0]["Statement"]["RateBasedStatement"]["Limit"], 2000);
        assert_eq!(rules[0]["Action"]["Block"], serde_json::json!({}));
        let names: Vec<&str> = rules
            .as_array()
            .map(|a| a.iter().filter_map(|r| r["Name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            names,
            [
                "rate-limit-per-ip",
                "AWSManagedRulesCommonRuleSet",
                "AWSManagedRulesKnownBadInputsRuleSet",
                "AWSManagedRulesAmazonIpReputationList",
                "AWSManagedRulesSQLiRuleSet"
            ]
        );
        assert_eq!(rules[1]["OverrideAction"]["None"], serde_json::json!({}));
        Ok(())
    }

    #[test]
    fn requests_are_logged_to_an_encrypted_waf_log_group() {
        let g = lowered(WebAcl::regional("waf"), "us-east-1");
        let logs = body(&g, "aws_cloudwatch_log_group");
        assert_eq!(
            logs.and_then(|b| b.get("name")),
            Some(&Value::from("aws-waf-logs-prod-waf"))
        );
        assert!(logs.is_some_and(|b| b.contains_key("kms_key_id")));
        let logging = body(&g, "aws_wafv2_web_acl_logging_configuration");
        let text = serde_json::to_string(&logging).unwrap_or_default();
        assert!(text.contains("aws_wafv2_web_acl.waf.arn"), "{text}");
        assert!(
            text.contains("authorization") && text.contains("cookie"),
            "{text}"
        );
    }

    #[test]
    fn the_handle_knows_the_name_and_scope() {
        let mut stack = Stack::new("prod", "us-east-1");
        let acl = stack.add(WebAcl::cloudfront("edge"));
        assert_eq!(acl.name(), "prod-edge");
        assert_eq!(acl.scope(), WafScope::CloudFront);
        assert_eq!(acl.arn().expression(), "aws_wafv2_web_acl.edge.arn");
    }

    #[test]
    fn fails_bad_settings() {
        let g = lowered(
            WebAcl::regional("waf")
                .rate_limit_per_ip(5)
                .managed_rules(ManagedRules::Common)
                .log_retention_days(10),
            "us-east-1",
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_cloudfront_acl_outside_us_east_1() {
        let g = lowered(WebAcl::cloudfront("edge"), "eu-west-1");
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
