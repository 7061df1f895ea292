//! `AllowEgress`: outbound TCP from a workload's pods to a CIDR block (a VPC's data stores) or,
//! broadly, to any address on a port — never to the instance metadata service.

use crate::api::networking_v1::{
    IPBlock, NetworkPolicy as KPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer,
    NetworkPolicySpec,
};
use stacksmith_core::{Cidr, Construct, Lower, Lowering, Path, Scope};

use super::{NetworkPeer, NetworkPolicyRef, Pods, bounded, policy_name, port, sanitize};
use crate::labels::{identity_selector, meta, push};

/// The EC2 instance metadata service: never reachable through a broad egress rule.
const METADATA_SERVICE: &str = "169.254.169.254/32";

/// Where an egress policy lets pods connect.
#[derive(Clone, Debug)]
enum Destination {
    /// A CIDR block, as given (checked when lowering).
    Cidr(String),
    /// A CIDR block checked where it was made (a network's).
    Block(Cidr),
    /// Any IPv4 address except the instance metadata service.
    Anywhere,
}

/// Outbound TCP connections allowed from a workload's pods, made by
/// [`DeploymentRef::allow_egress_to_cidr`] and [`DeploymentRef::allow_egress_to_port`].
///
/// Creates: one `networking.k8s.io/v1/NetworkPolicy` named `<workload>-to-<cidr>-<port>` (or
/// `<workload>-to-any-<port>`) in the workload's namespace, selecting its pods,
/// `policyTypes: [Egress]`, with one rule: an `ipBlock` and the TCP port(s).
///
/// Defaults worth knowing:
/// - `to_cidr`: the block must be an IPv4 CIDR with zero host bits (SS0351). Use it for data
///   stores outside the cluster (RDS, ElastiCache, MSK in the VPC's private subnets).
/// - `to_port`: **broad** — any IPv4 address, in the cluster or outside it, on that port; only
///   the instance metadata service `169.254.169.254` is excepted. Prefer a CIDR where the
///   destination's addresses are known; use this for HTTPS APIs on the internet.
/// - every block containing the instance metadata service excepts it (`except:
///   [169.254.169.254/32]`), so no egress rule hands pods the node's credentials.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("flagwise"));
/// let api = stack.add(Deployment::new(&ns, "api")
///     .container(Container::new("api", "flagwise/api:1.0.0").port("http", 8000)));
/// stack.add(api.allow_egress_to_cidr("10.0.0.0/16", 5432));
/// stack.add(api.allow_egress_to_port(443));
/// ```
///
/// [`DeploymentRef::allow_egress_to_cidr`]: crate::DeploymentRef::allow_egress_to_cidr
/// [`DeploymentRef::allow_egress_to_port`]: crate::DeploymentRef::allow_egress_to_port
#[derive(Clone, Debug)]
pub struct AllowEgress {
    id: String,
    source: Pods,
    to: Destination,
    name: Option<String>,
    ports: Vec<u16>,
    /// The host name the block serves, for [`AllowEgress::to_host`].
    host: Option<String>,
}

/// The annotation recording which host an egress policy's address block is for.
const DESTINATION_HOST: &str = "stacksmith.io/destination-host";

impl AllowEgress {
    /// Connections from `source`'s pods to `cidr` on TCP `port`.
    pub fn to_cidr(source: &impl NetworkPeer, cidr: impl Into<String>, port: u16) -> Self {
        let cidr = cidr.into();
        Self {
            id: bounded(&format!("to-{}-{port}", sanitize(&cidr))),
            source: Pods::of(source),
            to: Destination::Cidr(cidr),
            name: None,
            ports: vec![port],
            host: None,
        }
    }

    /// Connections from `source`'s pods to the external service `host` (a DNS name, e.g. a
    /// database cluster outside the stack) at `cidr`, on TCP `port`: the rule of
    /// [`AllowEgress::to_cidr`], named `<workload>-to-<host>-<port>` and annotated with the
    /// host, so the dependency is declared where its traffic is allowed. The host must be a DNS
    /// name (SS0442); resolving it inside the cluster (a Route 53 private zone) is the
    /// network's business.
    pub fn to_host(
        source: &impl NetworkPeer,
        host: impl Into<String>,
        cidr: impl Into<String>,
        port: u16,
    ) -> Self {
        let host = host.into();
        Self {
            id: bounded(&format!("to-{}-{port}", sanitize(&host))),
            host: Some(host),
            ..Self::to_cidr(source, cidr, port)
        }
    }

    /// Connections from `source`'s pods to `block` on TCP `port`: like [`AllowEgress::to_cidr`]
    /// with a block already parsed (a network handle's), so it is not checked again.
    pub fn to_block(source: &impl NetworkPeer, block: Cidr, port: u16) -> Self {
        Self {
            to: Destination::Block(block),
            ..Self::to_cidr(source, block.to_string(), port)
        }
    }

    /// Connections from `source`'s pods to any IPv4 address (except the instance metadata
    /// service) on TCP `port`. Broad: see the type's documentation.
    pub fn to_port(source: &impl NetworkPeer, port: u16) -> Self {
        Self {
            id: format!("to-any-{port}"),
            source: Pods::of(source),
            to: Destination::Anywhere,
            name: None,
            ports: vec![port],
            host: None,
        }
    }

    /// Sets the policy's name (to keep an existing policy's). Default: derived from the
    /// construct path, `<workload>-to-<cidr>-<port>` or `<workload>-to-any-<port>`, at most 63
    /// characters.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Allows one more TCP port to the same destination. Default: only the port given first.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.ports.push(port);
        self
    }
}

impl Lower for AllowEgress {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let block = match &self.to {
            Destination::Anywhere => Cidr::parse("0.0.0.0/0").ok(),
            Destination::Block(block) => Some(*block),
            Destination::Cidr(given) => match Cidr::parse(given) {
                Ok(c) => Some(c),
                Err(e) => {
                    cx.error(
                        "SS0351",
                        format!("egress CIDR block is invalid: {e}"),
                        "give an IPv4 network with its host bits zero, such as `10.0.0.0/16` (the VPC's) or `10.0.32.0/19` (a subnet's)",
                    );
                    None
                }
            },
        };
        for p in &self.ports {
            if *p == 0 {
                cx.error(
                    "SS0352",
                    "egress port is 0, which no connection can use",
                    "give the destination's port, e.g. 5432 for PostgreSQL or 443 for HTTPS",
                );
            }
        }
        let mut ports: Vec<u16> = Vec::new();
        for p in &self.ports {
            if *p != 0 && !ports.contains(p) {
                ports.push(*p);
            }
        }
        // Without a block or a port (an empty port list would allow every port), the error is
        // recorded and nothing is written.
        let Some(block) = block.filter(|_| !ports.is_empty()) else {
            return;
        };
        if let Some(host) = &self.host {
            if let Err(msg) = stacksmith_core::NameRule::DNS_SUBDOMAIN.check(host) {
                cx.error(
                    "SS0442",
                    format!("egress host `{host}` is not a DNS name: {msg}"),
                    "name the service as its clients resolve it, e.g. `xgt-cluster.internal`",
                );
            }
        }
        let ns = &self.source.namespace;
        let name = policy_name(cx, self.name.as_ref());
        let key = DESTINATION_HOST.to_owned();
        let host = self.host.iter().map(|h| (&key, h));
        let object = KPolicy {
            metadata: meta(&name, Some(ns), [], host),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(identity_selector(&self.source.identity)),
                policy_types: Some(vec!["Egress".to_owned()]),
                ingress: None,
                egress: Some(vec![NetworkPolicyEgressRule {
                    to: Some(vec![NetworkPolicyPeer {
                        ip_block: Some(ip_block(block)),
                        ..NetworkPolicyPeer::default()
                    }]),
                    ports: Some(ports.into_iter().map(|p| port("TCP", p)).collect()),
                }]),
            }),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for AllowEgress {
    type Handle = NetworkPolicyRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.source.path)
    }

    fn handle(&self, scope: &Scope) -> NetworkPolicyRef {
        NetworkPolicyRef {
            path: scope.path.clone(),
            policies: vec![(
                self.source.namespace.clone(),
                self.name
                    .clone()
                    .unwrap_or_else(|| bounded(&scope.path.below_stack().join("-"))),
            )],
        }
    }
}

pub(super) fn ip_block(block: Cidr) -> IPBlock {
    let except = Cidr::parse(METADATA_SERVICE)
        .ok()
        .filter(|m| block.prefix() < 32 && block.overlaps(m))
        .map(|m| vec![m.to_string()]);
    IPBlock {
        cidr: block.to_string(),
        except,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{deployment, object};
    use crate::Namespace;
    use stacksmith_core::Stack;

    /// Issue 14, F21: an external dependency is declared where its traffic is allowed.
    #[test]
    fn egress_to_an_external_host() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("rocketgraph-api"));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        stack.add(api.allow_egress_to_host("xgt-cluster.internal", "10.40.0.0/16", 4367));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let policy = &object(&g, "api-to-xgt-cluster-internal-4367").body;
        assert_eq!(
            policy["metadata"]["annotations"]["stacksmith.io/destination-host"],
            "xgt-cluster.internal"
        );
        assert_eq!(
            policy["spec"]["egress"][0],
            serde_json::json!({
                "ports": [{"port": 4367, "protocol": "TCP"}],
                "to": [{"ipBlock": {"cidr": "10.40.0.0/16"}}]
            })
        );
    }

    #[test]
    fn fails_egress_to_a_host_that_is_not_a_dns_name() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("rocketgraph-api"));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        stack.add(api.allow_egress_to_host("XGT cluster", "10.40.0.0/16", 4367));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn egress_to_cidr_and_port() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        stack.add(api.allow_egress_to_cidr("10.0.0.0/16", 5432).port(6379));
        let https = stack.add(api.allow_egress_to_port(443));
        assert_eq!(
            https.policies().collect::<Vec<_>>(),
            [("flagwise", "api-to-any-443")]
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let db = &object(&g, "api-to-10-0-0-0-16-5432").body["spec"];
        assert_eq!(db["policyTypes"], serde_json::json!(["Egress"]));
        assert_eq!(
            db["egress"][0],
            serde_json::json!({
                "ports": [{"port": 5432, "protocol": "TCP"}, {"port": 6379, "protocol": "TCP"}],
                "to": [{"ipBlock": {"cidr": "10.0.0.0/16"}}]
            })
        );
        assert_eq!(
            object(&g, "api-to-any-443").body["spec"]["egress"][0]["to"][0]["ipBlock"],
            serde_json::json!({"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]})
        );
    }

    #[test]
    fn fails_invalid_egress_cidr_and_port() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        stack.add(api.allow_egress_to_cidr("10.0.0.1/16", 5432));
        stack.add(api.allow_egress_to_cidr("10.0.0/16", 5432));
        stack.add(api.allow_egress_to_port(0));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
