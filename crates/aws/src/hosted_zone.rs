//! `HostedZone`: a reference to an existing public Route 53 hosted zone, the parent of the
//! stack's DNS records.

use stacksmith_core::{Address, Construct, Lower, Lowering, Path, Ref, Scope, tf, tf_name};

use crate::common;

/// An existing public Route 53 hosted zone (registered domains keep theirs outside any one
/// stack), found by its domain name with `data "aws_route53_zone"`.
///
/// Creates: nothing; reads the zone. Records are added with [`DnsRecord`](crate::DnsRecord).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::HostedZone;
/// let mut stack = Stack::new("prod", "us-east-1");
/// let zone = stack.add(HostedZone::existing("zone", "kgas.dev"));
/// ```
#[derive(Clone, Debug)]
pub struct HostedZone {
    id: String,
    domain: String,
}

/// A handle to a [`HostedZone`]: its id and domain.
#[derive(Clone, Debug)]
pub struct HostedZoneRef {
    path: Path,
    stack: String,
    domain: String,
}

impl HostedZone {
    /// The public hosted zone of `domain` (`kgas.dev`), which must exist in the account.
    pub fn existing(id: &str, domain: &str) -> Self {
        Self {
            id: id.to_owned(),
            domain: normalize(domain),
        }
    }
}

impl HostedZoneRef {
    /// The zone's id (for records).
    pub fn zone_id(&self) -> Ref {
        Address::data(&self.stack, "aws_route53_zone", &tf_name(&self.path, "")).attr("zone_id")
    }

    /// The zone's domain, lowercase, without a trailing dot.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Whether `name` is the zone's apex or a name inside it.
    pub fn contains(&self, name: &str) -> bool {
        let name = normalize(name);
        name == self.domain || name.ends_with(&format!(".{}", self.domain))
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

impl Construct for HostedZone {
    type Handle = HostedZoneRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> HostedZoneRef {
        HostedZoneRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            domain: self.domain.clone(),
        }
    }
}

impl Lower for HostedZone {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let labels: Vec<&str> = self.domain.split('.').collect();
        let valid = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !valid {
            cx.error(
                "SS0610",
                format!("`{}` is not a domain name", self.domain),
                "name the zone by its domain, such as `example.com`",
            );
        }
        cx.data(
            "aws_route53_zone",
            "",
            tf! { "name" => self.domain.as_str(), "private_zone" => false },
        );
    }
}

/// Lowercase, without surrounding space or a trailing dot.
pub(crate) fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;

    #[test]
    fn the_zone_is_read_by_name_and_contains_its_subdomains() {
        let mut stack = Stack::new("prod", "us-east-1");
        let zone = stack.add(HostedZone::existing("zone", "KGAS.dev."));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(
            zone.zone_id().expression(),
            "data.aws_route53_zone.zone.zone_id"
        );
        assert!(
            g.data
                .iter()
                .any(|d| d.address.expression() == "data.aws_route53_zone.zone")
        );
        assert!(zone.contains("api.kgas.dev") && zone.contains("kgas.dev"));
        assert!(!zone.contains("api.notkgas.dev"));
    }

    #[test]
    fn fails_not_a_domain() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(HostedZone::existing("zone", "kgas_dev"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
