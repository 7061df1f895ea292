use super::*;
use crate::Network;
use stacksmith_core::Stack;

fn lowered(region: &str, f: impl FnOnce(LoadBalancer) -> LoadBalancer) -> stacksmith_core::Graph {
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
        json(&g, "aws_route53_record.alb_alias_api_janua_dev").contains("${aws_lb.alb.dns_name}")
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

/// Issue 14, F33: the access-log bucket's policy waits for its public access block, as every
/// bucket's does (concurrent puts answer OperationAborted).
#[test]
fn log_bucket_policy_waits_for_the_public_access_block() {
    let g = lowered("us-east-1", |l| l);
    let Some(policy) = g
        .resources
        .iter()
        .find(|r| r.address.expression() == "aws_s3_bucket_policy.alb_logs")
    else {
        panic!("no access-log bucket policy");
    };
    assert!(
        policy
            .depends_on
            .iter()
            .any(|a| a.expression() == "aws_s3_bucket_public_access_block.alb_logs"),
        "{:?}",
        policy.depends_on
    );
}

fn with_acl(acl: crate::WebAcl) -> stacksmith_core::Graph {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let acl = stack.add(acl);
    stack.add(
        LoadBalancer::new("alb", &net)
            .certificate("api.janua.dev", "janua.dev")
            .open_to_internet()
            .web_acl(&acl),
    );
    stack.lower()
}

#[test]
fn a_web_acl_of_the_stack_is_associated_by_its_arn() {
    let g = with_acl(crate::WebAcl::regional("waf"));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let assoc = json(&g, "aws_wafv2_web_acl_association.alb_waf");
    assert!(
        assoc.contains(r#""web_acl_arn": "${aws_wafv2_web_acl.waf.arn}""#),
        "{assoc}"
    );
}

#[test]
fn fails_cloudfront_web_acl_on_a_load_balancer() {
    let g = with_acl(crate::WebAcl::cloudfront("edge"));
    insta::assert_snapshot!(g.diagnostics.to_string());
}
