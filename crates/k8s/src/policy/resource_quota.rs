//! `ResourceQuota`: caps on what one namespace may request in total — CPU, memory, pods,
//! Services, volume claims and storage — so one team or runaway rollout cannot take the cluster.

use std::collections::BTreeMap;

use crate::api::Quantity;
use crate::api::core_v1::{ResourceQuota as KQuota, ResourceQuotaSpec};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::labels::{meta, push, resolve_name};
use crate::{Cpu, Memory, NamespaceRef};

/// A Kubernetes ResourceQuota: the totals a namespace's objects may not exceed.
///
/// Creates: one `v1/ResourceQuota` in the namespace, `spec.hard` holding exactly what was set:
/// `requests.cpu`, `requests.memory`, `limits.cpu`, `limits.memory`, `pods`, `services`,
/// `services.loadbalancers`, `services.nodeports`, `persistentvolumeclaims`, `requests.storage`.
///
/// Defaults worth knowing:
/// - nothing is capped until set; a quota capping nothing is an error (SS0363).
/// - once CPU or memory is capped, the API server rejects every pod whose containers do not
///   declare that resource. stacksmith's containers always do (100m/128Mi requests and
///   500m/512Mi limits unless set), and a [`LimitRange`](crate::LimitRange) gives the same
///   defaults to pods made outside the stack.
/// - the construct is a child of the namespace with id `quota`, so its name is
///   `<namespace>-quota`.
/// - requests capped above the limits cap warn (SS0364): every container's request is at most
///   its limit, so that requests cap can never be reached.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("flagwise"));
/// stack.add(
///     ResourceQuota::new(&ns)
///         .requests(Cpu::cores(8), Memory::gib(16))
///         .limits(Cpu::cores(16), Memory::gib(32))
///         .pods(50)
///         .load_balancers(0),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct ResourceQuota {
    namespace: NamespaceRef,
    name: Option<String>,
    requests: Option<(Cpu, Memory)>,
    limits: Option<(Cpu, Memory)>,
    pods: Option<u32>,
    services: Option<u32>,
    load_balancers: Option<u32>,
    node_ports: Option<u32>,
    claims: Option<u32>,
    storage: Option<Memory>,
}

impl ResourceQuota {
    /// A quota for `namespace`; set at least one cap.
    pub fn new(namespace: &NamespaceRef) -> Self {
        Self {
            namespace: namespace.clone(),
            name: None,
            requests: None,
            limits: None,
            pods: None,
            services: None,
            load_balancers: None,
            node_ports: None,
            claims: None,
            storage: None,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Caps the sum of CPU and memory requests (`requests.cpu`, `requests.memory`).
    /// Default: not capped.
    #[must_use]
    pub fn requests(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.requests = Some((cpu, memory));
        self
    }

    /// Caps the sum of CPU and memory limits (`limits.cpu`, `limits.memory`).
    /// Default: not capped.
    #[must_use]
    pub fn limits(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.limits = Some((cpu, memory));
        self
    }

    /// Caps the number of pods that are not finished. Default: not capped.
    #[must_use]
    pub fn pods(mut self, n: u32) -> Self {
        self.pods = Some(n);
        self
    }

    /// Caps the number of Services. Default: not capped.
    #[must_use]
    pub fn services(mut self, n: u32) -> Self {
        self.services = Some(n);
        self
    }

    /// Caps the number of `LoadBalancer` Services, each a cloud load balancer (0 forbids
    /// them, leaving the Ingress as the way in). Default: not capped.
    #[must_use]
    pub fn load_balancers(mut self, n: u32) -> Self {
        self.load_balancers = Some(n);
        self
    }

    /// Caps the number of `NodePort` Services, each a port open on every node. Default: not
    /// capped.
    #[must_use]
    pub fn node_ports(mut self, n: u32) -> Self {
        self.node_ports = Some(n);
        self
    }

    /// Caps the number of PersistentVolumeClaims (`persistentvolumeclaims`). Default: not
    /// capped.
    #[must_use]
    pub fn persistent_volume_claims(mut self, n: u32) -> Self {
        self.claims = Some(n);
        self
    }

    /// Caps the storage all claims request together (`requests.storage`). Default: not capped.
    #[must_use]
    pub fn storage(mut self, size: Memory) -> Self {
        self.storage = Some(size);
        self
    }

    fn hard(&self) -> BTreeMap<String, Quantity> {
        let mut hard = BTreeMap::new();
        let mut set = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                hard.insert(key.to_owned(), Quantity(v));
            }
        };
        set("requests.cpu", self.requests.map(|(c, _)| c.to_string()));
        set("requests.memory", self.requests.map(|(_, m)| m.to_string()));
        set("limits.cpu", self.limits.map(|(c, _)| c.to_string()));
        set("limits.memory", self.limits.map(|(_, m)| m.to_string()));
        set("pods", self.pods.map(|n| n.to_string()));
        set("services", self.services.map(|n| n.to_string()));
        set(
            "services.loadbalancers",
            self.load_balancers.map(|n| n.to_string()),
        );
        set("services.nodeports", self.node_ports.map(|n| n.to_string()));
        set("persistentvolumeclaims", self.claims.map(|n| n.to_string()));
        set("requests.storage", self.storage.map(|s| s.to_string()));
        hard
    }

    fn check(&self, cx: &mut Lowering<'_>, hard: &BTreeMap<String, Quantity>) {
        let ns = self.namespace.name();
        if hard.is_empty() {
            cx.error(
                "SS0363",
                format!("the ResourceQuota of namespace `{ns}` caps nothing"),
                "set at least one cap, e.g. `.requests(Cpu::cores(8), Memory::gib(16))` or `.pods(50)`, or remove the quota",
            );
        }
        if let (Some((req_cpu, req_mem)), Some((lim_cpu, lim_mem))) = (self.requests, self.limits) {
            let over = [
                (
                    "CPU",
                    req_cpu > lim_cpu,
                    req_cpu.to_string(),
                    lim_cpu.to_string(),
                ),
                (
                    "memory",
                    req_mem > lim_mem,
                    req_mem.to_string(),
                    lim_mem.to_string(),
                ),
            ];
            for (what, above, req, lim) in over {
                if above {
                    cx.warning(
                        "SS0364",
                        format!("the ResourceQuota of namespace `{ns}` caps {what} requests at {req}, above its {what} limits cap of {lim}: the requests cap can never be reached"),
                        format!("cap {what} requests at or below {lim}, or raise the limits cap"),
                    );
                }
            }
        }
    }
}

impl Lower for ResourceQuota {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        let hard = self.hard();
        self.check(cx, &hard);
        let ns = self.namespace.name();
        let object = KQuota {
            metadata: meta(&name, Some(ns), [], []),
            spec: Some(ResourceQuotaSpec {
                hard: Some(hard),
                ..ResourceQuotaSpec::default()
            }),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for ResourceQuota {
    type Handle = ResourceQuotaRef;

    fn id(&self) -> &str {
        "quota"
    }

    fn parent(&self) -> Option<&Path> {
        Some(self.namespace.path())
    }

    fn handle(&self, scope: &Scope) -> ResourceQuotaRef {
        ResourceQuotaRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
        }
    }
}

/// A handle to a [`ResourceQuota`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceQuotaRef {
    path: Path,
    name: String,
    namespace: String,
}

impl ResourceQuotaRef {
    /// Its construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;
    use stacksmith_core::{Graph, Stack};

    fn lower(build: impl FnOnce(&NamespaceRef) -> ResourceQuota) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let q = stack.add(build(&ns));
        assert_eq!((q.name(), q.namespace()), ("flagwise-quota", "flagwise"));
        stack.lower()
    }

    #[test]
    fn quota_writes_exactly_the_caps_set() {
        let g = lower(|ns| {
            ResourceQuota::new(ns)
                .requests(Cpu::cores(8), Memory::gib(16))
                .limits(Cpu::millis(16500), Memory::gib(32))
                .pods(50)
                .services(10)
                .load_balancers(0)
                .node_ports(0)
                .persistent_volume_claims(5)
                .storage(Memory::gib(500))
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let q = &g.objects[1];
        assert_eq!(
            (q.kind.as_str(), q.api_version.as_str()),
            ("ResourceQuota", "v1")
        );
        insta::assert_json_snapshot!(q.body);
    }

    #[test]
    fn only_set_caps_are_written() {
        let g = lower(|ns| ResourceQuota::new(ns).pods(20));
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.objects[1].body["spec"],
            serde_json::json!({"hard": {"pods": "20"}})
        );
    }

    #[test]
    fn fails_quota_capping_nothing() {
        insta::assert_snapshot!(lower(ResourceQuota::new).diagnostics.to_string());
    }

    #[test]
    fn fails_requests_cap_above_limits_cap_warns() {
        let g = lower(|ns| {
            ResourceQuota::new(ns)
                .requests(Cpu::cores(8), Memory::gib(64))
                .limits(Cpu::cores(4), Memory::gib(32))
        });
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
