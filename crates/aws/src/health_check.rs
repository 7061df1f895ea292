//! `HealthCheck`: a Route 53 health check that requests an HTTPS endpoint from checkers in
//! several AWS regions; failover records follow it.

use stacksmith_core::{Address, Construct, Facts, Lower, Lowering, Path, Ref, Scope, tf, tf_name};

use crate::common::{self, name_tag};
use crate::hosted_zone::normalize;

/// A health check has no name of its own; a change to what it checks is harmless to replace.
const HEALTH_CHECK: Facts = Facts::new();

/// A Route 53 health check of an HTTPS endpoint: healthy while most checkers get a 2xx or 3xx
/// answer from `https://<host><path>`.
///
/// Creates: `aws_route53_health_check` (type `HTTPS`, port 443, SNI on).
///
/// Defaults: checked every 30 seconds from Route 53's default checker regions; unhealthy after
/// 3 failures in a row; latency measured (graphs in the console). The host must resolve
/// publicly and answer HTTPS.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::HealthCheck;
/// let mut stack = Stack::new("prod", "us-east-1");
/// let check = stack.add(HealthCheck::https("api-health", "api-us-east-1.kgas.dev", "/health"));
/// ```
#[derive(Clone, Debug)]
pub struct HealthCheck {
    id: String,
    host: String,
    path: String,
    interval: u32,
    failures: u32,
}

/// A handle to a [`HealthCheck`]: its id.
#[derive(Clone, Debug)]
pub struct HealthCheckRef {
    path: Path,
    stack: String,
}

impl HealthCheck {
    /// Checks `https://host/path` (`path` starts with `/`).
    pub fn https(id: &str, host: &str, path: &str) -> Self {
        Self {
            id: id.to_owned(),
            host: normalize(host),
            path: path.to_owned(),
            interval: 30,
            failures: 3,
        }
    }

    /// Checks every 10 seconds instead of 30 (faster failover, costs more). Default: 30.
    #[must_use]
    pub fn fast(mut self) -> Self {
        self.interval = 10;
        self
    }

    /// Failures in a row before the endpoint counts as unhealthy (1–10). Default: 3.
    #[must_use]
    pub fn failure_threshold(mut self, failures: u32) -> Self {
        self.failures = failures;
        self
    }
}

impl HealthCheckRef {
    /// The health check's id (for records).
    pub fn id(&self) -> Ref {
        Address::resource(
            &self.stack,
            "aws_route53_health_check",
            &tf_name(&self.path, ""),
        )
        .attr("id")
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

impl Construct for HealthCheck {
    type Handle = HealthCheckRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> HealthCheckRef {
        HealthCheckRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
        }
    }
}

impl Lower for HealthCheck {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        self.validate(cx);
        let name = cx.name("");
        cx.add_with(
            "aws_route53_health_check",
            "",
            tf! {
                "type" => "HTTPS",
                "fqdn" => self.host.as_str(),
                "port" => 443_u16,
                "resource_path" => self.path.as_str(),
                "enable_sni" => true,
                "request_interval" => self.interval,
                "failure_threshold" => self.failures,
                "measure_latency" => true,
                "tags" => name_tag(&name),
            },
            HEALTH_CHECK,
        );
    }
}

impl HealthCheck {
    fn validate(&self, cx: &mut Lowering<'_>) {
        let labels: Vec<&str> = self.host.split('.').collect();
        let host_ok = labels.len() >= 2
            && self.host.len() <= 255
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !host_ok {
            cx.error(
                "SS0611",
                format!(
                    "the health check's host `{}` is not a domain name",
                    self.host
                ),
                "check the public hostname of the endpoint, such as `api-us-east-1.example.com`",
            );
        }
        if !self.path.starts_with('/') || self.path.len() > 255 {
            cx.error(
                "SS0611",
                format!(
                    "the health check's path `{}` does not start with `/` or is longer than 255 characters",
                    self.path
                ),
                "use the application's health path, such as `/health`",
            );
        }
        if !(1..=10).contains(&self.failures) {
            cx.error(
                "SS0611",
                format!(
                    "`failure_threshold` is {}; Route 53 allows 1 to 10",
                    self.failures
                ),
                "use 3 (about 90 seconds to fail over at the 30-second interval)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::Value;

    #[test]
    fn checks_https_with_sni() {
        let mut stack = Stack::new("prod", "us-east-1");
        let check = stack.add(HealthCheck::https("api-health", "API.kgas.dev", "/health").fast());
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let b = g
            .resources
            .iter()
            .find(|r| r.address.kind() == "aws_route53_health_check")
            .map(|r| r.body.clone())
            .unwrap_or_default();
        assert_eq!(b.get("type"), Some(&Value::from("HTTPS")));
        assert_eq!(b.get("fqdn"), Some(&Value::from("api.kgas.dev")));
        assert_eq!(b.get("enable_sni"), Some(&Value::Bool(true)));
        assert_eq!(b.get("request_interval"), Some(&Value::from(10_u32)));
        assert_eq!(
            check.id().expression(),
            "aws_route53_health_check.api_health.id"
        );
    }

    #[test]
    fn fails_bad_host_path_and_threshold() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(HealthCheck::https("api-health", "localhost", "health").failure_threshold(0));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
