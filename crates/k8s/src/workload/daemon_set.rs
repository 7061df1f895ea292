//! `DaemonSet`: one pod per node for node agents (log shippers, metrics exporters), rolled one
//! node at a time, with host directories offered only as an explicit, read-only, warned choice.

use crate::api::apps_v1::{
    DaemonSet as KDaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy, RollingUpdateDaemonSet,
};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::labels::{IDENTITY_LABEL, identity_selector, identity_value, meta, push, resolve_name};
use crate::pod::{PodContext, PodTemplate, Pods, Spread, check_percent, pod_methods};
use crate::{IntOrPercent, NamespaceRef, PortRef, Service};

/// How a DaemonSet replaces its pods during a rollout. Kubernetes allows only one of the two to
/// be non-zero, so they are one choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DaemonSetUpdate {
    /// Stop the old pod, then start the new one, on at most this many nodes at once
    /// (`maxUnavailable`, `maxSurge: 0`). The node runs without the agent in between.
    MaxUnavailable(IntOrPercent),
    /// Start the new pod next to the old one, then stop the old, on at most this many nodes at
    /// once (`maxSurge`, `maxUnavailable: 0`): no gap, but two agents briefly share the node
    /// (and its host ports).
    MaxSurge(IntOrPercent),
}

/// A Kubernetes DaemonSet: one pod on every (matching) node, for node agents.
///
/// Creates: one `apps/v1/DaemonSet`. Its handle can make a Service in front of the agents
/// ([`DaemonSetRef::expose_via_service`]).
///
/// Defaults worth knowing:
/// - rolling update one node at a time: `maxUnavailable: 1`, `maxSurge: 0`
///   ([`DaemonSetUpdate`]).
/// - runs only on nodes without taints it does not tolerate; add
///   `.toleration(Toleration::all_taints())` to run on every node, control plane included.
/// - no host directories: [`DaemonSet::host_path_read_only`] is the explicit choice, always
///   read-only, never for paths holding credentials or runtime sockets (SS0337), and reported
///   as a warning (SS0336) so it shows in every review.
/// - the pod defaults of [`Deployment`](crate::Deployment) (non-root, seccomp, no API token,
///   read-only root filesystem), without anti-affinity or zone spread (one pod per node
///   already). Reading root-only host files such as `/var/log/pods/*/*.log` may need a
///   matching `run_as` user or group.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("logging"));
/// let config = stack.add(ConfigMap::new(&ns, "fluentd-config").data("fluent.conf", "<source>…</source>"));
/// let config = Volume::config_map("config", &config);
/// let positions = Volume::empty_dir("positions");
/// stack.add(
///     DaemonSet::new(&ns, "fluentd")
///         .toleration(Toleration::all_taints())
///         .host_path_read_only("/var/log")
///         .container(
///             Container::new("fluentd", "fluent/fluentd:v1.17.1-1.0")
///                 .mount(&config, "/fluentd/etc")
///                 .mount_writable(&positions, "/fluentd/positions"),
///         ),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct DaemonSet {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    update: DaemonSetUpdate,
    pod: PodTemplate,
}

impl DaemonSet {
    /// A DaemonSet in `namespace`; add at least one container.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            update: DaemonSetUpdate::MaxUnavailable(IntOrPercent::Count(1)),
            pod: PodTemplate::new(Spread::None),
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets how pods are replaced during a rollout. Default:
    /// `DaemonSetUpdate::MaxUnavailable(IntOrPercent::Count(1))`, one node at a time.
    #[must_use]
    pub fn rolling_update(mut self, update: DaemonSetUpdate) -> Self {
        self.update = update;
        self
    }

    pod_methods!();

    /// Mounts the node's directory `path` read-only, at the same path, into every container
    /// (a `hostPath` volume of type `Directory`): what a log shipper needs to read `/var/log`.
    ///
    /// A named security choice, reported as a warning (SS0336) on every synthesis so it stays
    /// visible. The path must be absolute and must not be, contain or lie within `/`, `/boot`,
    /// `/dev`, `/etc`, `/home`, `/proc`, `/root`, `/run`, `/sys`, `/var/lib/kubelet` or
    /// `/var/run`: node credentials, container runtime sockets (usable through a read-only
    /// mount) and other pods' Secrets live there (SS0337). Default: no host directory.
    #[must_use]
    pub fn host_path_read_only(mut self, path: impl Into<String>) -> Self {
        self.pod.host_paths.push(path.into());
        self
    }

    /// Runs the pods as root (`runAsUser: 0`, `runAsNonRoot: false`): what a log shipper needs
    /// to read the kubelet's root-only container logs (`/var/log/pods/*/*.log`, mode 0640).
    /// Containers still drop every capability, cannot escalate and keep a read-only root
    /// filesystem. A named security choice, reported as a warning (SS0342) on every synthesis.
    /// Default: user 10001, non-root.
    #[must_use]
    pub fn run_as_root(mut self) -> Self {
        self.pod.root = true;
        self
    }

    fn check_update(&self, cx: &mut Lowering<'_>) {
        let (field, value) = match self.update {
            DaemonSetUpdate::MaxUnavailable(v) => ("max_unavailable", v),
            DaemonSetUpdate::MaxSurge(v) => ("max_surge", v),
        };
        check_percent(cx, &format!("rolling update `{field}`"), value);
        if value.is_zero() {
            cx.error(
                "SS0320",
                format!("rolling update `{field}` is 0: a rollout could neither remove nor add a pod"),
                "replace at least one node's pod at a time, e.g. `DaemonSetUpdate::MaxUnavailable(IntOrPercent::Count(1))`",
            );
        }
    }
}

impl Lower for DaemonSet {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        self.check_update(cx);
        if self.pod.root {
            cx.warning(
                "SS0342",
                format!("DaemonSet {} runs its pods as root", cx.path()),
                "keep it to agents that must read root-only node files, with no capabilities and a service account without broad permissions",
            );
        }
        let ns = self.namespace.name();
        let identity = identity_value(cx.path());
        let template = self.pod.lower(
            cx,
            &PodContext {
                kind: "DaemonSet",
                namespace: ns,
                identity: &identity,
                restart_policy: None,
                claims: &[],
            },
        );
        let zero = IntOrPercent::Count(0).int_or_string();
        let (max_unavailable, max_surge) = match self.update {
            DaemonSetUpdate::MaxUnavailable(v) => (v.int_or_string(), zero),
            DaemonSetUpdate::MaxSurge(v) => (zero, v.int_or_string()),
        };
        let object = KDaemonSet {
            metadata: meta(
                &name,
                Some(ns),
                self.pod.labels.iter().map(|(k, v)| (k, v)),
                self.pod.reload_annotation().iter().map(|(k, v)| (k, v)),
            ),
            spec: Some(DaemonSetSpec {
                selector: identity_selector(&identity),
                update_strategy: Some(DaemonSetUpdateStrategy {
                    type_: Some("RollingUpdate".to_owned()),
                    rolling_update: Some(RollingUpdateDaemonSet {
                        max_unavailable: Some(max_unavailable),
                        max_surge: Some(max_surge),
                    }),
                }),
                template,
                ..DaemonSetSpec::default()
            }),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for DaemonSet {
    type Handle = DaemonSetRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> DaemonSetRef {
        DaemonSetRef {
            pods: Pods {
                path: scope.path.clone(),
                name: resolve_name(self.name.as_ref(), &scope.path),
                namespace: self.namespace.name().to_owned(),
                identity: identity_value(&scope.path),
                ports: self.pod.ports().cloned().collect(),
            },
        }
    }
}

/// A handle to a [`DaemonSet`]: its name, selector identity and ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DaemonSetRef {
    pods: Pods,
}

impl DaemonSetRef {
    /// The DaemonSet's construct path.
    pub fn path(&self) -> &Path {
        &self.pods.path
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.pods.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.pods.namespace
    }

    /// The identity label its selector matches: (`stacksmith.dev/id`, value).
    pub fn identity(&self) -> (&'static str, &str) {
        (IDENTITY_LABEL, &self.pods.identity)
    }

    /// Every container port of its pod, as (name, number).
    pub fn ports(&self) -> &[(String, u16)] {
        &self.pods.ports
    }

    /// A ClusterIP Service (id `service`, named `<daemonset>-service`) sending `port` to the
    /// container port `target` of the agents.
    pub fn expose_via_service(&self, port: u16, target: impl Into<PortRef>) -> Service {
        Service::new(&self.pods, port, target.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigMap, Container, Namespace, Toleration, Volume};
    use stacksmith_core::{Graph, Stack};

    const IMAGE: &str = "fluent/fluentd:v1.17.1-1.0";

    fn lower(build: impl FnOnce(&mut Stack, &NamespaceRef)) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("logging"));
        build(&mut stack, &ns);
        stack.lower()
    }

    fn fluentd(stack: &mut Stack, ns: &NamespaceRef) -> DaemonSet {
        let config = stack
            .add(ConfigMap::new(ns, "fluentd-config").data("fluent.conf", "<source>\n</source>\n"));
        let config = Volume::config_map("config", &config).item("fluent.conf", "fluent.conf");
        let positions = Volume::empty_dir("positions");
        DaemonSet::new(ns, "fluentd")
            .toleration(Toleration::all_taints())
            .host_path_read_only("/var/log")
            .container(
                Container::new("fluentd", IMAGE)
                    .port("forward", 24224)
                    .mount(&config, "/fluentd/etc")
                    .mount_writable(&positions, "/fluentd/positions"),
            )
    }

    #[test]
    fn daemonset_rolls_one_node_at_a_time_and_mounts_the_host_read_only() {
        let g = lower(|stack, ns| {
            let ds = fluentd(stack, ns);
            stack.add(ds);
        });
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let ds = &g.objects[2];
        assert_eq!(
            (ds.kind.as_str(), ds.api_version.as_str()),
            ("DaemonSet", "apps/v1")
        );
        let spec = &ds.body["spec"];
        assert_eq!(
            spec["updateStrategy"],
            serde_json::json!({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"})
        );
        let pod = &spec["template"]["spec"];
        assert_eq!(
            pod["tolerations"],
            serde_json::json!([{"operator": "Exists"}])
        );
        assert_eq!(pod.get("affinity"), None);
        assert_eq!(
            pod["volumes"][3],
            serde_json::json!({"hostPath": {"path": "/var/log", "type": "Directory"}, "name": "host-var-log"})
        );
        assert_eq!(
            pod["containers"][0]["volumeMounts"][3],
            serde_json::json!({"mountPath": "/var/log", "name": "host-var-log", "readOnly": true})
        );
        insta::assert_json_snapshot!(ds.body);
    }

    #[test]
    fn fails_host_path_is_always_warned() {
        let g = lower(|stack, ns| {
            let ds = fluentd(stack, ns);
            stack.add(ds);
        });
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn surge_updates_leave_no_gap() {
        let g = lower(|stack, ns| {
            stack.add(
                DaemonSet::new(ns, "agent")
                    .rolling_update(DaemonSetUpdate::MaxSurge(IntOrPercent::Percent(10)))
                    .container(Container::new("agent", IMAGE)),
            );
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.objects[1].body["spec"]["updateStrategy"]["rollingUpdate"],
            serde_json::json!({"maxSurge": "10%", "maxUnavailable": 0})
        );
    }

    #[test]
    fn daemonset_can_be_exposed() {
        let g = lower(|stack, ns| {
            let ds = fluentd(stack, ns);
            let ds = stack.add(ds);
            stack.add(ds.expose_via_service(24224, "forward"));
        });
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(g.objects[3].name, "fluentd-service");
        assert_eq!(
            g.objects[3].body["spec"]["selector"]["stacksmith.dev/id"],
            "prod-fluentd"
        );
    }

    #[test]
    fn fails_sensitive_or_relative_host_paths() {
        let g = lower(|stack, ns| {
            stack.add(
                DaemonSet::new(ns, "agent")
                    .host_path_read_only("/")
                    .host_path_read_only("/var")
                    .host_path_read_only("/var/run/docker.sock")
                    .host_path_read_only("/var/lib/kubelet/pods")
                    .host_path_read_only("var/log")
                    .container(Container::new("agent", IMAGE)),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_rollout_that_cannot_progress() {
        let g = lower(|stack, ns| {
            stack.add(
                DaemonSet::new(ns, "agent")
                    .rolling_update(DaemonSetUpdate::MaxUnavailable(IntOrPercent::Count(0)))
                    .container(Container::new("agent", IMAGE)),
            );
            stack.add(
                DaemonSet::new(ns, "other")
                    .rolling_update(DaemonSetUpdate::MaxSurge(IntOrPercent::Percent(120)))
                    .container(Container::new("agent", IMAGE)),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn run_as_root_is_explicit_and_warned() {
        let g = lower(|stack, ns| {
            stack.add(
                DaemonSet::new(ns, "shipper")
                    .run_as_root()
                    .container(Container::new("shipper", "example/shipper:1.0.0")),
            );
        });
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert!(g.diagnostics.iter().any(|d| d.code == "SS0342"));
        let Some(ds) = g.objects.iter().find(|o| o.kind == "DaemonSet") else {
            panic!("no DaemonSet");
        };
        let ctx = &ds.body["spec"]["template"]["spec"]["securityContext"];
        assert_eq!(ctx["runAsNonRoot"], false);
        assert_eq!(ctx["runAsUser"], 0);
        // The container's own context must not say the opposite: it would win, and the kubelet
        // would refuse to start the container (it had `runAsNonRoot: true`).
        let container = &ds.body["spec"]["template"]["spec"]["containers"][0]["securityContext"];
        assert_eq!(container["runAsNonRoot"], false);
    }

    /// Issue 14, F07: a container's `runAsNonRoot` overrides the pod's, so under a root pod the
    /// container must not claim non-root, or the kubelet never starts it.
    #[test]
    fn containers_of_a_root_pod_do_not_claim_non_root() {
        let g = lower(|stack, ns| {
            stack.add(
                DaemonSet::new(ns, "shipper")
                    .run_as_root()
                    .init_container(Container::new("prepare", "example/shipper:1.0.0"))
                    .container(Container::new("shipper", "example/shipper:1.0.0")),
            );
        });
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let Some(ds) = g.objects.iter().find(|o| o.kind == "DaemonSet") else {
            panic!("no DaemonSet");
        };
        let spec = &ds.body["spec"]["template"]["spec"];
        for c in ["containers", "initContainers"] {
            assert_eq!(spec[c][0]["securityContext"]["runAsNonRoot"], false, "{c}");
        }
        // Pods that are not root keep claiming it.
        let g = lower(|stack, ns| {
            stack.add(
                DaemonSet::new(ns, "agent")
                    .container(Container::new("agent", "example/agent:1.0.0")),
            );
        });
        let Some(ds) = g.objects.iter().find(|o| o.kind == "DaemonSet") else {
            panic!("no DaemonSet");
        };
        let c = &ds.body["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["securityContext"]["runAsNonRoot"], true);
    }

    /// The whole-stack guard (SS0230) catches the same mistake in an object written by hand.
    #[cfg(feature = "k8s-openapi")]
    #[test]
    fn fails_container_claiming_non_root_in_a_root_pod() {
        use k8s_openapi::api::apps::v1::{DaemonSet as KDs, DaemonSetSpec as KSpec};
        use k8s_openapi::api::core::v1::{
            Container as KC, PodSecurityContext, PodSpec, PodTemplateSpec, SecurityContext,
        };
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        let object = KDs {
            metadata: ObjectMeta {
                name: Some("shipper".to_owned()),
                namespace: Some("logging".to_owned()),
                ..ObjectMeta::default()
            },
            spec: Some(KSpec {
                template: PodTemplateSpec {
                    spec: Some(PodSpec {
                        security_context: Some(PodSecurityContext {
                            run_as_user: Some(0),
                            run_as_non_root: Some(false),
                            ..PodSecurityContext::default()
                        }),
                        containers: vec![KC {
                            name: "shipper".to_owned(),
                            security_context: Some(SecurityContext {
                                run_as_non_root: Some(true),
                                ..SecurityContext::default()
                            }),
                            ..KC::default()
                        }],
                        ..PodSpec::default()
                    }),
                    ..PodTemplateSpec::default()
                },
                ..KSpec::default()
            }),
            ..KDs::default()
        };
        let g = lower(|stack, _| {
            stack.add(crate::RawObject::new("shipper", object));
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
