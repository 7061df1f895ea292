//! A WAF web ACL of the stack in front of an ALB Ingress, declared once:
//! `service.expose_via_ingress(..).class("alb").web_acl(&waf)`.

use stacksmith_aws::WebAclRef;
use stacksmith_k8s::Ingress;

/// The AWS Load Balancer Controller's annotation naming the WAF web ACL of an Ingress's ALB.
/// By name, not ARN: the ARN holds the account and an id AWS assigns at creation, which the
/// static YAML cannot know; the name is stacksmith's own, and the controller finds the
/// regional web ACL of that name in the cluster's region (controller v2.13 or later).
pub const WAF_ACL_NAME_ANNOTATION: &str = "alb.ingress.kubernetes.io/wafv2-acl-name";

/// Puts a [`WebAcl`](stacksmith_aws::WebAcl) in front of the Application Load Balancer the
/// AWS Load Balancer Controller creates for an Ingress (class `alb`).
pub trait ProtectIngress {
    /// Associates `web_acl` (a `WebAcl::regional` in the cluster's stack, so in its region)
    /// with the Ingress's load balancer.
    #[must_use]
    fn web_acl(self, web_acl: &WebAclRef) -> Self;
}

impl ProtectIngress for Ingress {
    fn web_acl(self, web_acl: &WebAclRef) -> Self {
        self.annotation(WAF_ACL_NAME_ANNOTATION, web_acl.name())
    }
}
