//! `AllowFrom`: ingress to a workload's pods from another workload (with the matching egress on
//! its side), on the ports the pods expose.

use crate::api::networking_v1::{
    NetworkPolicy as KPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicySpec,
};
use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};

use super::{NetworkPeer, NetworkPolicyRef, Pods, bounded, resolve_ports};
use crate::PortRef;
use crate::labels::{identity_selector, meta, push};

/// Traffic allowed from one workload's pods to another's, made by
/// [`DeploymentRef::allow_from`]: `api.allow_from(&web)`.
///
/// Creates: two `networking.k8s.io/v1/NetworkPolicy` objects, so the traffic passes a default
/// deny on both sides:
/// - `<target>-from-<source>` in the target's namespace, selecting the target's pods by identity
///   label, `policyTypes: [Ingress]`, allowing the source's pods on the ports;
/// - `<source>-to-<target>` in the source's namespace, selecting the source's pods,
///   `policyTypes: [Egress]`, allowing the target's pods on the same ports.
///
/// Defaults worth knowing:
/// - ports: every container port the target's pods expose, by number, TCP; [`AllowFrom::port`]
///   narrows it. Naming a port the target does not expose is an error (SS0350), and so is a
///   target exposing none (a rule without ports would allow every port).
/// - peers are selected by the private identity label; a peer in another namespace also by
///   that namespace's `kubernetes.io/metadata.name` label.
/// - the construct is a child of the target with id `from-<source path>`; names are derived from
///   the construct paths and kept within 63 characters (a hash ends longer ones).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("flagwise"));
/// let web = stack.add(Deployment::new(&ns, "web")
///     .container(Container::new("web", "flagwise/web:1.0.0").port("http", 8080)));
/// let api = stack.add(Deployment::new(&ns, "api")
///     .container(Container::new("api", "flagwise/api:1.0.0")
///         .port("http", 8000)
///         .port("metrics", 9090)));
/// stack.add(api.allow_from(&web).port("http"));
/// ```
///
/// [`DeploymentRef::allow_from`]: crate::DeploymentRef::allow_from
#[derive(Clone, Debug)]
pub struct AllowFrom {
    id: String,
    target: Pods,
    source: Pods,
    ports: Vec<PortRef>,
}

impl AllowFrom {
    /// Traffic from `source`'s pods to `target`'s.
    pub fn new(target: &impl NetworkPeer, source: &impl NetworkPeer) -> Self {
        let source = Pods::of(source);
        Self {
            id: bounded(&format!("from-{}", source.stem())),
            target: Pods::of(target),
            source,
            ports: Vec::new(),
        }
    }

    /// Allows only this container port of the target (a name such as `"http"` or a number);
    /// call again to allow more. Default: every port the target's containers expose.
    #[must_use]
    pub fn port(mut self, port: impl Into<PortRef>) -> Self {
        self.ports.push(port.into());
        self
    }

    fn names(&self, path: &Path) -> (String, String) {
        let ingress = bounded(&path.below_stack().join("-"));
        let egress = format!("{}-to-{}", self.source.stem(), self.target.stem());
        (ingress, bounded(&egress))
    }
}

impl Lower for AllowFrom {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let ports = resolve_ports(cx, &self.target, &self.ports);
        if ports.is_empty() {
            // An empty port list would allow every port; the error is recorded.
            return;
        }
        let (ingress_name, egress_name) = self.names(cx.path());
        let (target_ns, source_ns) = (&self.target.namespace, &self.source.namespace);
        let ingress = KPolicy {
            metadata: meta(&ingress_name, Some(target_ns), [], []),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(identity_selector(&self.target.identity)),
                policy_types: Some(vec!["Ingress".to_owned()]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    from: Some(vec![self.source.peer(target_ns)]),
                    ports: Some(ports.clone()),
                }]),
                egress: None,
            }),
        };
        push(cx, Some(target_ns), &ingress_name, &ingress);
        let egress = KPolicy {
            metadata: meta(&egress_name, Some(source_ns), [], []),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(identity_selector(&self.source.identity)),
                policy_types: Some(vec!["Egress".to_owned()]),
                ingress: None,
                egress: Some(vec![NetworkPolicyEgressRule {
                    to: Some(vec![self.target.peer(source_ns)]),
                    ports: Some(ports),
                }]),
            }),
        };
        push(cx, Some(source_ns), &egress_name, &egress);
    }
}

impl Construct for AllowFrom {
    type Handle = NetworkPolicyRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.target.path)
    }

    fn handle(&self, scope: &Scope) -> NetworkPolicyRef {
        let (ingress, egress) = self.names(&scope.path);
        NetworkPolicyRef {
            path: scope.path.clone(),
            policies: vec![
                (self.target.namespace.clone(), ingress),
                (self.source.namespace.clone(), egress),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{deployment, object};
    use crate::Namespace;
    use stacksmith_core::{NameRule, Stack};

    #[test]
    fn allow_from_writes_both_sides() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let web = stack.add(deployment(&ns, "web", &[("http", 8080)]));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000), ("metrics", 9090)]));
        let h = stack.add(api.allow_from(&web).port("http"));
        assert_eq!(
            h.policies().collect::<Vec<_>>(),
            [("flagwise", "api-from-web"), ("flagwise", "web-to-api")]
        );
        assert_eq!(h.path().to_string(), "prod/api/from-web");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let ingress = &object(&g, "api-from-web").body;
        let egress = &object(&g, "web-to-api").body;
        insta::assert_json_snapshot!("allow_from_ingress", ingress);
        assert_eq!(
            egress["spec"]["podSelector"]["matchLabels"]["stacksmith.dev/id"],
            "prod-web"
        );
        assert_eq!(
            egress["spec"]["egress"][0],
            serde_json::json!({
                "ports": [{"port": 8000, "protocol": "TCP"}],
                "to": [{"podSelector": {"matchLabels": {"stacksmith.dev/id": "prod-api"}}}]
            })
        );
    }

    #[test]
    fn allow_from_defaults_to_every_exposed_port() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let web = stack.add(deployment(&ns, "web", &[("http", 8080)]));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000), ("metrics", 9090)]));
        stack.add(api.allow_from(&web).port(8000).port("http"));
        stack.add(web.allow_from(&api));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            object(&g, "api-from-web").body["spec"]["ingress"][0]["ports"],
            serde_json::json!([{"port": 8000, "protocol": "TCP"}])
        );
        assert_eq!(
            object(&g, "web-from-api").body["spec"]["ingress"][0]["ports"],
            serde_json::json!([{"port": 8080, "protocol": "TCP"}])
        );
        object(&g, "api-to-web");
    }

    #[test]
    fn allow_from_another_namespace_selects_it() {
        let mut stack = Stack::new("prod", "us-east-1");
        let front = stack.add(Namespace::new("front"));
        let back = stack.add(Namespace::new("back"));
        let web = stack.add(deployment(&front, "web", &[("http", 8080)]));
        let api = stack.add(deployment(&back, "api", &[("http", 8000)]));
        stack.add(api.allow_from(&web));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let ingress = object(&g, "api-from-web");
        assert_eq!(ingress.namespace.as_deref(), Some("back"));
        assert_eq!(
            ingress.body["spec"]["ingress"][0]["from"][0]["namespaceSelector"],
            serde_json::json!({"matchLabels": {"kubernetes.io/metadata.name": "front"}})
        );
        let egress = object(&g, "web-to-api");
        assert_eq!(egress.namespace.as_deref(), Some("front"));
        assert_eq!(
            egress.body["spec"]["egress"][0]["to"][0]["namespaceSelector"],
            serde_json::json!({"matchLabels": {"kubernetes.io/metadata.name": "back"}})
        );
    }

    #[test]
    fn long_names_are_shortened_with_a_hash() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let long = "a-workload-with-a-really-quite-long-construct-identifier";
        let web = stack.add(deployment(&ns, long, &[("http", 8080)]));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        let h = stack.add(api.allow_from(&web));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        for (_, name) in h.policies() {
            assert!(name.len() <= 63, "{name}");
            assert!(NameRule::DNS_LABEL.check(name).is_ok(), "{name}");
            object(&g, name);
        }
    }

    #[test]
    fn fails_port_not_exposed_by_the_target() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let web = stack.add(deployment(&ns, "web", &[("http", 8080)]));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000), ("metrics", 9090)]));
        let worker = stack.add(deployment(&ns, "consumer", &[]));
        stack.add(api.allow_from(&web).port("grpc").port(8443));
        stack.add(worker.allow_from_namespace("monitoring"));
        let g = stack.lower();
        // No policy without ports is written: an empty port list would allow every port.
        assert!(!g.objects.iter().any(|o| o.name.contains("monitoring")));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
