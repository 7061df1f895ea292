//! NetworkPolicies from intent: a namespace's default deny (DNS still allowed), traffic allowed
//! between workloads (both sides), from a namespace, and egress to a CIDR block or a port.

mod allow_from;
mod allow_from_cidr;
mod allow_from_namespace;
mod default_deny;
mod egress;

pub use allow_from::AllowFrom;
pub use allow_from_cidr::AllowFromCidr;
pub use allow_from_namespace::AllowFromNamespace;
pub use default_deny::DefaultDeny;
pub use egress::AllowEgress;

use std::collections::BTreeMap;

use crate::api::meta_v1::LabelSelector;
use crate::api::networking_v1::{
    IPBlock, NetworkPolicy as KPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule,
    NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use stacksmith_core::{Lowering, NameRule, Path, short_hash};

use crate::labels::{identity_selector, meta, port_int};
use crate::{DeploymentRef, NamespaceRef, PortRef};

/// The label the API server sets on every namespace, valued with its name (immutable, so safe to
/// select on, unlike a `name` label anyone may set).
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Derived names and ids are kept to a DNS-1123 label (63), shortened with a hash when longer.
const NAME_MAX: usize = 63;

/// A set of pods a NetworkPolicy selects or names as a peer: a workload's handle.
///
/// Implemented for the handle of every workload kind that owns pods: [`DeploymentRef`],
/// [`StatefulSetRef`](crate::StatefulSetRef), [`DaemonSetRef`](crate::DaemonSetRef),
/// [`JobRef`](crate::JobRef) and [`CronJobRef`](crate::CronJobRef), so a Job reaches a data
/// store (`db.allow_workload(&migrate, &cluster)`) or another workload like a Deployment.
pub trait NetworkPeer {
    /// The workload's construct path.
    fn peer_path(&self) -> &Path;
    /// Its namespace.
    fn peer_namespace(&self) -> &str;
    /// The value of the identity label (`stacksmith.dev/id`) its pods carry.
    fn peer_identity(&self) -> &str;
    /// Its pods' container ports, as (name, number).
    fn peer_ports(&self) -> &[(String, u16)];
}

/// Every workload handle is a network peer through the same four accessors.
macro_rules! network_peer {
    ($($handle:ty),*) => {$(
        impl NetworkPeer for $handle {
            fn peer_path(&self) -> &Path {
                self.path()
            }

            fn peer_namespace(&self) -> &str {
                self.namespace()
            }

            fn peer_identity(&self) -> &str {
                self.identity().1
            }

            fn peer_ports(&self) -> &[(String, u16)] {
                self.ports()
            }
        }
    )*};
}

network_peer!(
    DeploymentRef,
    crate::StatefulSetRef,
    crate::DaemonSetRef,
    crate::JobRef,
    crate::CronJobRef
);

/// What a policy needs of a workload, owned.
#[derive(Clone, Debug)]
pub(super) struct Pods {
    pub(super) path: Path,
    pub(super) namespace: String,
    pub(super) identity: String,
    pub(super) ports: Vec<(String, u16)>,
}

impl Pods {
    pub(super) fn of(peer: &impl NetworkPeer) -> Self {
        Self {
            path: peer.peer_path().clone(),
            namespace: peer.peer_namespace().to_owned(),
            identity: peer.peer_identity().to_owned(),
            ports: peer.peer_ports().to_vec(),
        }
    }

    /// The kebab-case path below the stack: the stem of derived names.
    pub(super) fn stem(&self) -> String {
        self.path.below_stack().join("-")
    }

    /// These pods as a peer of a policy in namespace `from`: by identity label, plus the
    /// namespace when it is another.
    pub(super) fn peer(&self, from: &str) -> NetworkPolicyPeer {
        NetworkPolicyPeer {
            namespace_selector: (self.namespace != from)
                .then(|| selector([(NAMESPACE_NAME_LABEL, self.namespace.as_str())])),
            pod_selector: Some(identity_selector(&self.identity)),
            ..NetworkPolicyPeer::default()
        }
    }
}

// `namespace.default_deny()` and the allow intents on workload handles live here, beside the
// policies they make.
impl NamespaceRef {
    /// A policy denying all ingress and egress of every pod in this namespace except DNS
    /// lookups. See [`DefaultDeny`].
    pub fn default_deny(&self) -> DefaultDeny {
        DefaultDeny::new(self)
    }
}

/// The network-policy intents of every workload handle.
macro_rules! network_intents {
    ($($handle:ty),*) => {$(
        impl $handle {
            /// Allows `source`'s pods to reach these pods on their container ports (all of them unless
            /// [`AllowFrom::port`] narrows it): an ingress policy here and an egress policy on the
            /// source. See [`AllowFrom`].
            pub fn allow_from(&self, source: &impl NetworkPeer) -> AllowFrom {
                AllowFrom::new(self, source)
            }

            /// Allows every pod of the namespace `namespace` (an ingress controller's, e.g.
            /// `ingress-nginx`) to reach these pods. See [`AllowFromNamespace`].
            pub fn allow_from_namespace(&self, namespace: impl Into<String>) -> AllowFromNamespace {
                AllowFromNamespace::new(self, namespace)
            }

            /// Allows connections from the IPv4 block `cidr` (`10.60.0.0/16`, clients in the VPC) to
            /// these pods on their container ports (all of them unless [`AllowFromCidr::port`]
            /// narrows it). See [`AllowFromCidr`].
            pub fn allow_from_cidr(&self, cidr: impl Into<String>) -> AllowFromCidr {
                AllowFromCidr::new(self, cidr)
            }

            /// Allows these pods to open TCP connections to `cidr` (`10.0.0.0/16`, a VPC's data stores)
            /// on `port`. See [`AllowEgress`].
            pub fn allow_egress_to_cidr(&self, cidr: impl Into<String>, port: u16) -> AllowEgress {
                AllowEgress::to_cidr(self, cidr, port)
            }

            /// Allows these pods to open TCP connections to an external dependency known by its
            /// host name (`xgt-cluster.internal`) on `port`. NetworkPolicies match addresses, not
            /// names, so `cidr` is where the name resolves; the host names the policy and is
            /// recorded on it (`stacksmith.io/destination-host`). See [`AllowEgress::to_host`].
            pub fn allow_egress_to_host(
                &self,
                host: impl Into<String>,
                cidr: impl Into<String>,
                port: u16,
            ) -> AllowEgress {
                AllowEgress::to_host(self, host, cidr, port)
            }

            /// Allows these pods to open TCP connections to any address on `port` (443 for HTTPS
            /// APIs). Broad: see [`AllowEgress::to_port`].
            pub fn allow_egress_to_port(&self, port: u16) -> AllowEgress {
                AllowEgress::to_port(self, port)
            }
        }
    )*};
}

network_intents!(
    DeploymentRef,
    crate::StatefulSetRef,
    crate::DaemonSetRef,
    crate::JobRef,
    crate::CronJobRef
);

/// A handle to the NetworkPolicies one intent made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkPolicyRef {
    pub(super) path: Path,
    pub(super) policies: Vec<(String, String)>,
}

impl NetworkPolicyRef {
    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The policies it creates, as (namespace, name): one, or two for [`AllowFrom`].
    pub fn policies(&self) -> impl Iterator<Item = (&str, &str)> {
        self.policies.iter().map(|(n, p)| (n.as_str(), p.as_str()))
    }
}

/// The port numbers `wanted` names on `target` (all of its ports when empty), as TCP policy
/// ports; records SS0350 for a port it does not expose, or when it exposes none.
pub(super) fn resolve_ports(
    cx: &mut Lowering<'_>,
    target: &Pods,
    wanted: &[PortRef],
) -> Vec<NetworkPolicyPort> {
    if target.ports.is_empty() {
        cx.error(
            "SS0350",
            format!(
                "the policy allows traffic to {}, whose containers expose no port",
                target.path
            ),
            "declare the ports its containers listen on with `Container::port(name, number)`; a rule without ports would allow every port",
        );
        return Vec::new();
    }
    let mut numbers: Vec<u16> = Vec::new();
    if wanted.is_empty() {
        numbers.extend(target.ports.iter().map(|(_, n)| *n));
    }
    for w in wanted {
        let found = target.ports.iter().find(|(name, number)| match w {
            PortRef::Name(n) => n == name,
            PortRef::Number(p) => p == number,
        });
        match found {
            Some((_, n)) if !numbers.contains(n) => numbers.push(*n),
            Some(_) => {}
            None => cx.error(
                "SS0350",
                format!(
                    "the policy allows port {w} of {}, which no container of it exposes",
                    target.path
                ),
                format!(
                    "allow one of the ports it exposes: {}",
                    target
                        .ports
                        .iter()
                        .map(|(n, p)| format!("{n} ({p})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    numbers.into_iter().map(|n| port("TCP", n)).collect()
}

/// The user's policy name (checked, SS0103) or the one derived from the construct path.
pub(super) fn policy_name(cx: &mut Lowering<'_>, name: Option<&String>) -> String {
    match name {
        Some(n) => {
            cx.check_name(&NameRule::DNS_SUBDOMAIN, n, "name");
            n.clone()
        }
        None => bounded(&cx.path().below_stack().join("-")),
    }
}

/// What a namespace's pods need so that stacksmith's own defaults keep working under a default
/// deny: one NetworkPolicy of `name` in `namespace` selecting `pods`, with ingress rules, egress
/// rules, or both (`policyTypes` follow). [`DefaultDeny`] keeps DNS and AWS APIs open with it,
/// and an Ingress admits cert-manager's HTTP-01 solver with it; the same shape, made once.
pub(crate) struct Opening<'a> {
    pub(crate) name: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) pods: LabelSelector,
    pub(crate) ingress: Vec<NetworkPolicyIngressRule>,
    pub(crate) egress: Vec<NetworkPolicyEgressRule>,
}

impl Opening<'_> {
    /// The NetworkPolicy.
    pub(crate) fn policy(self) -> KPolicy {
        let mut types = Vec::new();
        if !self.ingress.is_empty() {
            types.push("Ingress".to_owned());
        }
        if !self.egress.is_empty() {
            types.push("Egress".to_owned());
        }
        KPolicy {
            metadata: meta(self.name, Some(self.namespace), [], []),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(self.pods),
                policy_types: Some(types),
                ingress: (!self.ingress.is_empty()).then_some(self.ingress),
                egress: (!self.egress.is_empty()).then_some(self.egress),
            }),
        }
    }
}

/// The pods of namespace `namespace` (all of them, or those matching `pods`), as a peer.
pub(crate) fn namespace_peer(namespace: &str, pods: Option<LabelSelector>) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(selector([(NAMESPACE_NAME_LABEL, namespace)])),
        pod_selector: pods,
        ..NetworkPolicyPeer::default()
    }
}

/// The addresses of `cidr`, as a peer.
pub(crate) fn cidr_peer(cidr: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.to_owned(),
            except: None,
        }),
        ..NetworkPolicyPeer::default()
    }
}

pub(crate) fn port(protocol: &str, number: u16) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(port_int(number)),
        protocol: Some(protocol.to_owned()),
        end_port: None,
    }
}

pub(crate) fn selector<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> LabelSelector {
    let map: BTreeMap<String, String> = labels
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    LabelSelector {
        match_labels: Some(map),
    }
}

/// Whether `v` is a label value: empty, or at most 63 of `[A-Za-z0-9-_.]` starting and ending
/// alphanumeric.
pub(super) fn is_label_value(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= NAME_MAX
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// Lowercase letters and digits of `s`, every other run of characters one `-`.
pub(crate) fn sanitize(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// `name` in kebab case, at most 63 characters: longer ones keep 54 and end with `-` and a hash
/// of the whole, so they stay distinct.
pub(crate) fn bounded(name: &str) -> String {
    let name = heck::ToKebabCase::to_kebab_case(name);
    if name.len() <= NAME_MAX {
        return name;
    }
    let mut short: String = name.chars().take(54).collect();
    while short.ends_with('-') {
        short.pop();
    }
    short.push('-');
    short.push_str(&short_hash(&name));
    short
}

#[cfg(test)]
mod testing {
    use stacksmith_core::{Graph, KubeObject};

    use crate::{Container, Deployment, NamespaceRef};

    /// A Deployment `id` whose one container exposes `ports`.
    pub(super) fn deployment(ns: &NamespaceRef, id: &str, ports: &[(&str, u16)]) -> Deployment {
        let c = ports.iter().fold(
            Container::new(id, "flagwise/app:1.0.0"),
            |c, (name, port)| c.port(*name, *port),
        );
        Deployment::new(ns, id).container(c)
    }

    /// The object named `name`.
    pub(super) fn object<'g>(g: &'g Graph, name: &str) -> &'g KubeObject {
        let Some(o) = g.objects.iter().find(|o| o.name == name) else {
            panic!(
                "no object {name} in {:?}",
                g.objects.iter().map(|o| &o.name).collect::<Vec<_>>()
            );
        };
        o
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{deployment, object};
    use crate::Namespace;
    use stacksmith_core::Stack;

    /// Seed 002 (FlagWise) has one policy for the whole namespace: ingress from `ingress-nginx`
    /// on 80 and 8000 to every pod, egress only to DNS. Here each workload gets only what it
    /// needs: web and api from the ingress controller, api from web, the consumer nothing in.
    #[test]
    fn flagwise_seed_policies() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let web = stack.add(deployment(&ns, "web", &[("http", 80)]));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        let consumer = stack.add(deployment(&ns, "consumer", &[("health", 8081)]));
        stack.add(ns.default_deny());
        stack.add(web.allow_from_namespace("ingress-nginx"));
        stack.add(api.allow_from_namespace("ingress-nginx"));
        stack.add(api.allow_from(&web));
        stack.add(api.allow_egress_to_cidr("10.0.0.0/16", 5432));
        stack.add(
            consumer
                .allow_egress_to_cidr("10.0.0.0/16", 5432)
                .port(9098),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let mut names: Vec<&str> = g
            .objects
            .iter()
            .filter(|o| o.kind == "NetworkPolicy")
            .map(|o| o.name.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "api-from-namespace-ingress-nginx",
                "api-from-web",
                "api-to-10-0-0-0-16-5432",
                "consumer-to-10-0-0-0-16-5432",
                "default-deny",
                "default-deny-aws-apis",
                "web-from-namespace-ingress-nginx",
                "web-to-api",
            ]
        );
        let web_in = &object(&g, "web-from-namespace-ingress-nginx").body["spec"]["ingress"][0];
        assert_eq!(
            web_in["ports"],
            serde_json::json!([{"port": 80, "protocol": "TCP"}])
        );
    }
}
