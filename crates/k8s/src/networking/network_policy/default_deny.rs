//! `DefaultDeny`: a namespace's NetworkPolicy denying all ingress and egress but DNS, the base
//! the allow intents open holes in.

use k8s_openapi::api::networking::v1::{
    NetworkPolicy as KPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};

use super::{NAMESPACE_NAME_LABEL, NetworkPolicyRef, port, selector};
use crate::NamespaceRef;
use crate::labels::{meta, push};

/// Where cluster DNS runs and how its pods are labelled (CoreDNS on EKS, kubeadm, GKE...).
const DNS_NAMESPACE: &str = "kube-system";
const DNS_POD_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// A namespace's default-deny NetworkPolicy, made by [`NamespaceRef::default_deny`]: every pod
/// of the namespace may neither receive nor send traffic that another policy does not allow.
///
/// Creates: one `networking.k8s.io/v1/NetworkPolicy` named `default-deny` selecting all pods
/// (`podSelector: {}`), `policyTypes: [Ingress, Egress]`, no ingress rule, and one egress rule.
///
/// Defaults worth knowing:
/// - DNS stays allowed: egress on UDP and TCP port 53 to the pods labelled `k8s-app: kube-dns`
///   in `kube-system` (CoreDNS on EKS and most distributions). Without it every name lookup
///   fails and nearly everything breaks; [`DefaultDeny::without_dns`] removes it.
/// - Everything else is denied, including the Kubernetes API server, the instance metadata
///   service and EKS Pod Identity (`169.254.170.23`): allow what a workload needs with
///   [`DeploymentRef::allow_from`], [`DeploymentRef::allow_egress_to_cidr`] and
///   [`DeploymentRef::allow_egress_to_port`]. Kubelet health probes are not affected.
/// - The construct is a child of the namespace (id `default-deny`), so a namespace has one.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("flagwise"));
/// stack.add(ns.default_deny());
/// ```
///
/// [`NamespaceRef::default_deny`]: crate::NamespaceRef::default_deny
/// [`DeploymentRef::allow_from`]: crate::DeploymentRef::allow_from
/// [`DeploymentRef::allow_egress_to_cidr`]: crate::DeploymentRef::allow_egress_to_cidr
/// [`DeploymentRef::allow_egress_to_port`]: crate::DeploymentRef::allow_egress_to_port
#[derive(Clone, Debug)]
pub struct DefaultDeny {
    namespace: NamespaceRef,
    dns: bool,
}

impl DefaultDeny {
    /// The default-deny policy of `namespace`.
    pub fn new(namespace: &NamespaceRef) -> Self {
        Self {
            namespace: namespace.clone(),
            dns: true,
        }
    }

    /// Denies DNS lookups too, for namespaces whose pods resolve nothing (or use a node-local
    /// cache you allow yourself). Default: DNS to `kube-system`'s `k8s-app: kube-dns` pods on
    /// UDP and TCP 53 is allowed.
    #[must_use]
    pub fn without_dns(mut self) -> Self {
        self.dns = false;
        self
    }
}

impl Lower for DefaultDeny {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let ns = self.namespace.name();
        let egress = self.dns.then(|| {
            vec![NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(selector([(NAMESPACE_NAME_LABEL, DNS_NAMESPACE)])),
                    pod_selector: Some(selector([DNS_POD_LABEL])),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: Some(vec![port("UDP", 53), port("TCP", 53)]),
            }]
        });
        let object = KPolicy {
            metadata: meta("default-deny", Some(ns), [], []),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector::default()),
                policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
                ingress: None,
                egress,
            }),
        };
        push(cx, Some(ns), "default-deny", &object);
    }
}

impl Construct for DefaultDeny {
    type Handle = NetworkPolicyRef;

    fn id(&self) -> &str {
        "default-deny"
    }

    fn parent(&self) -> Option<&Path> {
        Some(self.namespace.path())
    }

    fn handle(&self, scope: &Scope) -> NetworkPolicyRef {
        NetworkPolicyRef {
            path: scope.path.clone(),
            policies: vec![(self.namespace.name().to_owned(), "default-deny".to_owned())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::object;
    use super::*;
    use crate::Namespace;
    use stacksmith_core::Stack;

    #[test]
    fn default_deny_selects_all_pods_and_allows_dns() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let deny = stack.add(ns.default_deny());
        assert_eq!(
            deny.policies().collect::<Vec<_>>(),
            [("flagwise", "default-deny")]
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let p = object(&g, "default-deny");
        assert_eq!(p.api_version, "networking.k8s.io/v1");
        assert_eq!(p.namespace.as_deref(), Some("flagwise"));
        insta::assert_json_snapshot!(p.body);
    }

    #[test]
    fn default_deny_without_dns_has_no_egress_rule() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        stack.add(ns.default_deny().without_dns());
        let g = stack.lower();
        let spec = &object(&g, "default-deny").body["spec"];
        assert_eq!(spec.get("egress"), None);
        assert_eq!(
            spec["policyTypes"],
            serde_json::json!(["Ingress", "Egress"])
        );
    }

    #[test]
    fn fails_same_policy_name_twice_is_a_duplicate_object() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        stack.add(ns.default_deny());
        // A hand-written policy of the same name: the whole-stack duplicate check reports it.
        let raw = KPolicy {
            metadata: meta("default-deny", Some("flagwise"), [], []),
            spec: None,
        };
        stack.add(crate::RawObject::new("legacy-deny", raw));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
