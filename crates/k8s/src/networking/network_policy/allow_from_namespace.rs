//! `AllowFromNamespace`: ingress to a workload's pods from the pods of a namespace, on the ports
//! the pods expose.

use crate::api::meta_v1::LabelSelector;
use crate::api::networking_v1::NetworkPolicyIngressRule;
use stacksmith_core::{Construct, Lower, Lowering, NameRule, Path, Scope};

use super::{
    NetworkPeer, NetworkPolicyRef, Opening, Pods, bounded, is_label_value, namespace_peer,
    policy_name, resolve_ports, sanitize,
};
use crate::PortRef;
use crate::labels::{check_key, identity_selector, push};

/// Traffic allowed from the pods of a namespace the stack need not own (an ingress controller's,
/// a monitoring system's), made by [`DeploymentRef::allow_from_namespace`].
///
/// Creates: one `networking.k8s.io/v1/NetworkPolicy` named `<target>-from-<namespace>` in the
/// target's namespace, selecting its pods by identity label, `policyTypes: [Ingress]`, allowing
/// the namespace (selected by its `kubernetes.io/metadata.name` label, which the API server sets
/// and nobody can forge) on the ports. The other namespace's own egress is its business.
///
/// Defaults: every pod of that namespace ([`AllowFromNamespace::pods`] narrows to labelled
/// pods); ports as for [`AllowFrom`](crate::AllowFrom): every exposed container port unless
/// [`AllowFromNamespace::port`] narrows it, an unexposed port being an error (SS0350).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let api = stack.add(Deployment::new(&ns, "rocketgraph-public-api")
///     .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000)));
/// stack.add(api.allow_from_namespace("ingress-nginx").port("http"));
/// ```
///
/// [`DeploymentRef::allow_from_namespace`]: crate::DeploymentRef::allow_from_namespace
#[derive(Clone, Debug)]
pub struct AllowFromNamespace {
    id: String,
    target: Pods,
    namespace: String,
    name: Option<String>,
    pod_labels: Vec<(String, String)>,
    ports: Vec<PortRef>,
}

impl AllowFromNamespace {
    /// Traffic from the pods of `namespace` to `target`'s.
    pub fn new(target: &impl NetworkPeer, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        Self {
            id: bounded(&format!("from-namespace-{}", sanitize(&namespace))),
            target: Pods::of(target),
            namespace,
            name: None,
            pod_labels: Vec::new(),
            ports: Vec::new(),
        }
    }

    /// Sets the policy's name (to keep an existing policy's). Default: derived from the
    /// construct path, `<target>-from-namespace-<namespace>`, at most 63 characters.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Allows only the pods of that namespace carrying this label
    /// (`app.kubernetes.io/name: ingress-nginx`); call again to require more labels.
    /// Default: every pod of the namespace.
    #[must_use]
    pub fn pods(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.pod_labels.push((key.into(), value.into()));
        self
    }

    /// Allows only this container port of the target; call again to allow more.
    /// Default: every port the target's containers expose.
    #[must_use]
    pub fn port(mut self, port: impl Into<PortRef>) -> Self {
        self.ports.push(port.into());
        self
    }
}

impl Lower for AllowFromNamespace {
    fn lower(&self, cx: &mut Lowering<'_>) {
        if let Err(msg) = NameRule::DNS_LABEL.check(&self.namespace) {
            cx.error(
                "SS0103",
                format!("{msg} (the namespace traffic is allowed from)"),
                "give the namespace's name as Kubernetes knows it (`ingress-nginx`)",
            );
        }
        for (k, v) in &self.pod_labels {
            if check_key(cx, "pod selector label", k) && !is_label_value(v) {
                cx.error(
                    "SS0321",
                    format!("pod selector label `{k}` has the value `{v}`, which is not a valid label value"),
                    "label values are empty or at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit",
                );
            }
        }
        let ports = resolve_ports(cx, &self.target, &self.ports);
        if ports.is_empty() {
            // An empty port list would allow every port; the error is recorded.
            return;
        }
        let name = policy_name(cx, self.name.as_ref());
        let ns = &self.target.namespace;
        let pod_selector = (!self.pod_labels.is_empty()).then(|| LabelSelector {
            match_labels: Some(self.pod_labels.iter().cloned().collect()),
        });
        let policy = Opening {
            name: &name,
            namespace: ns,
            pods: identity_selector(&self.target.identity),
            ingress: vec![NetworkPolicyIngressRule {
                from: Some(vec![namespace_peer(&self.namespace, pod_selector)]),
                ports: Some(ports),
            }],
            egress: Vec::new(),
        };
        push(cx, Some(ns), &name, &policy.policy());
    }
}

impl Construct for AllowFromNamespace {
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
    use crate::Namespace;
    use stacksmith_core::Stack;

    #[test]
    fn allow_from_namespace_replaces_the_raw_ingress_policy() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("rocketgraph-api"));
        let api = stack.add(deployment(&ns, "rocketgraph-public-api", &[("http", 8000)]));
        stack.add(
            api.allow_from_namespace("ingress-nginx")
                .pods("app.kubernetes.io/name", "ingress-nginx")
                .port("http"),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let p = object(&g, "rocketgraph-public-api-from-namespace-ingress-nginx");
        insta::assert_json_snapshot!(p.body);
    }

    #[test]
    fn a_policy_can_keep_an_existing_name() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("rocketgraph-api"));
        let api = stack.add(deployment(&ns, "rocketgraph-public-api", &[("http", 8000)]));
        let h = stack.add(
            api.allow_from_namespace("ingress-nginx")
                .port("http")
                .name("rocketgraph-public-api-from-ingress"),
        );
        assert_eq!(
            h.policies().collect::<Vec<_>>(),
            [("rocketgraph-api", "rocketgraph-public-api-from-ingress")]
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let p = object(&g, "rocketgraph-public-api-from-ingress");
        assert_eq!(p.body["spec"]["ingress"][0]["ports"][0]["port"], 8000);
    }

    #[test]
    fn fails_invalid_namespace_and_selector_label() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let api = stack.add(deployment(&ns, "api", &[("http", 8000)]));
        stack.add(
            api.allow_from_namespace("Ingress_Nginx")
                .pods("app", "not valid"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
