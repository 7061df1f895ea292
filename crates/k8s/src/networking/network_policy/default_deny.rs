//! `DefaultDeny`: a namespace's NetworkPolicy denying all ingress and egress but DNS, the base
//! the allow intents open holes in.

use crate::api::meta_v1::LabelSelector;
use crate::api::networking_v1::NetworkPolicyEgressRule;
use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};

use super::{NetworkPolicyRef, Opening, cidr_peer, namespace_peer, port, selector};
use crate::labels::push;
use crate::{AWS_IDENTITY_LABEL, NamespaceRef};

/// Where cluster DNS runs and how its pods are labelled (CoreDNS on EKS, kubeadm, GKE...).
const DNS_NAMESPACE: &str = "kube-system";
const DNS_POD_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// The EKS Pod Identity agent's link-local address (a DaemonSet on every node, port 80): pods
/// associated with an IAM role get their credentials from it.
const POD_IDENTITY_AGENT: &str = "169.254.170.23/32";

/// The name of the policy letting pods with an AWS identity reach AWS.
const AWS_APIS: &str = "default-deny-aws-apis";

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
    aws_apis: bool,
}

impl DefaultDeny {
    /// The default-deny policy of `namespace`.
    pub fn new(namespace: &NamespaceRef) -> Self {
        Self {
            namespace: namespace.clone(),
            dns: true,
            aws_apis: true,
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

    /// Leaves out the second policy, which lets pods with an AWS identity reach AWS, for
    /// namespaces that reach AWS only through VPC endpoints you allow yourself. Default: pods
    /// labelled `stacksmith.dev/aws-identity: "true"` (those running as a service account with
    /// an IRSA role or EKS Pod Identity) may open TCP connections to the Pod Identity agent
    /// (`169.254.170.23:80`) and to any address on 443 (STS and the AWS APIs, public endpoints
    /// unless the VPC has interface endpoints).
    #[must_use]
    pub fn without_aws_apis(mut self) -> Self {
        self.aws_apis = false;
        self
    }
}

impl Lower for DefaultDeny {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let ns = self.namespace.name();
        let mut deny = Opening {
            name: "default-deny",
            namespace: ns,
            pods: LabelSelector::default(),
            ingress: Vec::new(),
            egress: Vec::new(),
        }
        .policy();
        if let Some(spec) = deny.spec.as_mut() {
            // Both directions denied, whatever the rules: the deny is the point.
            spec.policy_types = Some(vec!["Ingress".to_owned(), "Egress".to_owned()]);
            spec.egress = self.dns.then(|| {
                vec![NetworkPolicyEgressRule {
                    to: Some(vec![namespace_peer(
                        DNS_NAMESPACE,
                        Some(selector([DNS_POD_LABEL])),
                    )]),
                    ports: Some(vec![port("UDP", 53), port("TCP", 53)]),
                }]
            });
        }
        push(cx, Some(ns), "default-deny", &deny);
        if self.aws_apis {
            let aws = Opening {
                name: AWS_APIS,
                namespace: ns,
                pods: selector([(AWS_IDENTITY_LABEL, "true")]),
                ingress: Vec::new(),
                egress: vec![
                    NetworkPolicyEgressRule {
                        to: Some(vec![cidr_peer(POD_IDENTITY_AGENT)]),
                        ports: Some(vec![port("TCP", 80)]),
                    },
                    NetworkPolicyEgressRule {
                        to: None,
                        ports: Some(vec![port("TCP", 443)]),
                    },
                ],
            };
            push(cx, Some(ns), AWS_APIS, &aws.policy());
        }
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
            policies: std::iter::once("default-deny")
                .chain(self.aws_apis.then_some(AWS_APIS))
                .map(|p| (self.namespace.name().to_owned(), p.to_owned()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::object;
    use crate::Namespace;
    use stacksmith_core::Stack;

    #[test]
    fn default_deny_selects_all_pods_and_allows_dns() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let deny = stack.add(ns.default_deny());
        assert_eq!(
            deny.policies().collect::<Vec<_>>(),
            [
                ("flagwise", "default-deny"),
                ("flagwise", "default-deny-aws-apis")
            ]
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let p = object(&g, "default-deny");
        assert_eq!(p.api_version, "networking.k8s.io/v1");
        assert_eq!(p.namespace.as_deref(), Some("flagwise"));
        insta::assert_json_snapshot!(p.body);
    }

    /// Issue 15 item 5: a pod whose service account has an IAM role (IRSA) is labelled, and
    /// the default deny's second policy lets exactly those pods reach the Pod Identity agent
    /// and HTTPS; before, the deny dropped their STS and AWS API calls.
    #[test]
    fn pods_with_an_aws_identity_reach_aws_under_the_default_deny() {
        use crate::{Container, Deployment, ServiceAccount};
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        // As `cluster.pod_identity(&sa)`'s handle gives it (`identity.service_account()`).
        let sa = stack
            .add(ServiceAccount::new(&ns, "backup-account"))
            .with_aws_identity();
        let plain = stack.add(ServiceAccount::new(&ns, "web-account"));
        for (id, account) in [("backup", &sa), ("web", &plain)] {
            stack.add(
                Deployment::new(&ns, id)
                    .service_account(account)
                    .container(Container::new(id, "example/app:1.0.0")),
            );
        }
        stack.add(ns.default_deny());
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let labels = |name: &str| &object(&g, name).body["spec"]["template"]["metadata"]["labels"];
        assert_eq!(labels("backup")["stacksmith.dev/aws-identity"], "true");
        assert_eq!(labels("web").get("stacksmith.dev/aws-identity"), None);
        let p = &object(&g, "default-deny-aws-apis").body["spec"];
        assert_eq!(
            p["podSelector"],
            serde_json::json!({"matchLabels": {"stacksmith.dev/aws-identity": "true"}})
        );
        assert_eq!(p["policyTypes"], serde_json::json!(["Egress"]));
        assert_eq!(
            p["egress"],
            serde_json::json!([
                {"to": [{"ipBlock": {"cidr": "169.254.170.23/32"}}], "ports": [{"port": 80, "protocol": "TCP"}]},
                {"ports": [{"port": 443, "protocol": "TCP"}]}
            ])
        );
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

    #[cfg(feature = "k8s-openapi")]
    #[test]
    fn fails_same_policy_name_twice_is_a_duplicate_object() {
        use k8s_openapi::api::networking::v1::NetworkPolicy as KPolicy;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        stack.add(ns.default_deny());
        // A hand-written policy of the same name: the whole-stack duplicate check reports it.
        let raw = KPolicy {
            metadata: ObjectMeta {
                name: Some("default-deny".to_owned()),
                namespace: Some("flagwise".to_owned()),
                ..ObjectMeta::default()
            },
            ..KPolicy::default()
        };
        stack.add(crate::RawObject::new("legacy-deny", raw));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
