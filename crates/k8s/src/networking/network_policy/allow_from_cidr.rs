//! `AllowFromCidr`: ingress to a workload's pods from an IPv4 CIDR block (clients in the VPC,
//! a partner network, an NLB that preserves client addresses), on the ports the pods expose.

use crate::api::networking_v1::NetworkPolicyIngressRule;
use stacksmith_core::{Cidr, Construct, Lower, Lowering, Path, Scope};

use super::{
    NetworkPeer, NetworkPolicyRef, Opening, Pods, bounded, cidr_peer, policy_name, resolve_ports,
    sanitize,
};
use crate::PortRef;
use crate::labels::{identity_selector, push};

/// Where the allowed traffic comes from.
#[derive(Clone, Debug)]
enum Source {
    /// A CIDR block, as given (checked when lowering, SS0482).
    Given(String),
    /// A CIDR block checked where it was made (a network's).
    Block(Cidr),
}

/// Traffic allowed into a workload's pods from a CIDR block, made by
/// [`DeploymentRef::allow_from_cidr`] (and the same method of every workload handle).
///
/// Creates: one `networking.k8s.io/v1/NetworkPolicy` named `<target>-from-<cidr>` in the
/// target's namespace, selecting its pods by identity label, `policyTypes: [Ingress]`, allowing
/// the `ipBlock` on the ports.
///
/// Defaults worth knowing:
/// - the block must be an IPv4 network with zero host bits (`10.0.0.0/16`; SS0482), so a typo
///   such as `10.0.0.1/16` cannot silently admit more or less than meant;
///   [`AllowFromCidr::from_block`] takes a block already checked (a network's).
/// - ports as for [`AllowFrom`](crate::AllowFrom): every exposed container port unless
///   [`AllowFromCidr::port`] narrows it; an unexposed port, or a target exposing none, is an
///   error (SS0350).
/// - NetworkPolicies see the packet's source address: traffic through a load balancer or a
///   node port that rewrites it arrives from the balancer's or node's address, not the
///   client's.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("kgas"));
/// let api = stack.add(Deployment::new(&ns, "api")
///     .container(Container::new("api", "kgas/api:1.0.0").port("grpc", 9000).port("metrics", 9090)));
/// stack.add(api.allow_from_cidr("10.60.0.0/16").port("grpc"));
/// ```
///
/// [`DeploymentRef::allow_from_cidr`]: crate::DeploymentRef::allow_from_cidr
#[derive(Clone, Debug)]
pub struct AllowFromCidr {
    id: String,
    target: Pods,
    from: Source,
    name: Option<String>,
    ports: Vec<PortRef>,
}

impl AllowFromCidr {
    /// Traffic from `cidr` to `target`'s pods.
    pub fn new(target: &impl NetworkPeer, cidr: impl Into<String>) -> Self {
        let cidr = cidr.into();
        Self {
            id: bounded(&format!("from-{}", sanitize(&cidr))),
            target: Pods::of(target),
            from: Source::Given(cidr),
            name: None,
            ports: Vec::new(),
        }
    }

    /// Traffic from `block` to `target`'s pods: like [`AllowFromCidr::new`] with a block already
    /// parsed (a network handle's), so it is not checked again.
    pub fn from_block(target: &impl NetworkPeer, block: Cidr) -> Self {
        Self {
            from: Source::Block(block),
            ..Self::new(target, block.to_string())
        }
    }

    /// Sets the policy's name (to keep an existing policy's). Default: derived from the
    /// construct path, `<target>-from-<cidr>`, at most 63 characters.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Allows only this container port of the target (a name such as `"grpc"` or a number);
    /// call again to allow more. Default: every port the target's containers expose.
    #[must_use]
    pub fn port(mut self, port: impl Into<PortRef>) -> Self {
        self.ports.push(port.into());
        self
    }
}

impl Lower for AllowFromCidr {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let block = match &self.from {
            Source::Block(block) => Some(*block),
            Source::Given(given) => match Cidr::parse(given) {
                Ok(c) => Some(c),
                Err(e) => {
                    let target = self.target.path.clone();
                    cx.error(
                        "SS0482",
                        format!("the CIDR block allowed into {target} is invalid: {e}"),
                        "give an IPv4 network with its host bits zero, such as `10.0.0.0/16` (a VPC's) or `203.0.113.0/24`",
                    );
                    None
                }
            },
        };
        let ports = resolve_ports(cx, &self.target, &self.ports);
        // Without a block or a port (an empty port list would allow every port), the error is
        // recorded and nothing is written.
        let Some(block) = block.filter(|_| !ports.is_empty()) else {
            return;
        };
        let name = policy_name(cx, self.name.as_ref());
        let ns = &self.target.namespace;
        let policy = Opening {
            name: &name,
            namespace: ns,
            pods: identity_selector(&self.target.identity),
            ingress: vec![NetworkPolicyIngressRule {
                from: Some(vec![cidr_peer(&block.to_string())]),
                ports: Some(ports),
            }],
            egress: Vec::new(),
        };
        push(cx, Some(ns), &name, &policy.policy());
    }
}

impl Construct for AllowFromCidr {
    type Handle = NetworkPolicyRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.target.path)
    }

    fn handle(&self, scope: &Scope) -> NetworkPolicyRef {
        NetworkPolicyRef {
            path: scope.path.clone(),
            policies: vec![(
                self.target.namespace.clone(),
                self.name
                    .clone()
                    .unwrap_or_else(|| bounded(&scope.path.below_stack().join("-"))),
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{deployment, object};
    use super::AllowFromCidr;
    use crate::{Job, Namespace};
    use stacksmith_core::{Cidr, Stack};

    #[test]
    fn allow_from_cidr_admits_the_block_on_the_exposed_ports() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let api = stack.add(deployment(&ns, "api", &[("grpc", 9000), ("metrics", 9090)]));
        let h = stack.add(api.allow_from_cidr("10.60.0.0/16").port("grpc"));
        assert_eq!(
            h.policies().collect::<Vec<_>>(),
            [("kgas", "api-from-10-60-0-0-16")]
        );
        let Ok(partner) = Cidr::parse("203.0.113.0/24") else {
            panic!("a valid block");
        };
        stack.add(AllowFromCidr::from_block(&api, partner));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = &object(&g, "api-from-10-60-0-0-16").body["spec"];
        assert_eq!(spec["policyTypes"], serde_json::json!(["Ingress"]));
        assert_eq!(
            spec["podSelector"]["matchLabels"]["stacksmith.dev/id"],
            "prod-api"
        );
        assert_eq!(
            spec["ingress"][0],
            serde_json::json!({
                "from": [{"ipBlock": {"cidr": "10.60.0.0/16"}}],
                "ports": [{"port": 9000, "protocol": "TCP"}]
            })
        );
        assert_eq!(
            object(&g, "api-from-203-0-113-0-24").body["spec"]["ingress"][0]["ports"],
            serde_json::json!([{"port": 9000, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}])
        );
    }

    #[test]
    fn fails_invalid_ingress_cidr_and_a_target_without_ports() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        let job = stack.add(
            Job::new(&ns, "migrate").container(crate::Container::new("migrate", "kgas/api:1.0.0")),
        );
        stack.add(api.allow_from_cidr("10.0.0.1/16"));
        stack.add(api.allow_from_cidr("10.0.0/16"));
        stack.add(job.allow_from_cidr("10.0.0.0/16"));
        let g = stack.lower();
        assert!(!g.objects.iter().any(|o| o.kind == "NetworkPolicy"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
