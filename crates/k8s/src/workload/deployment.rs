//! `Deployment`: a replicated, rolling-updated set of pods, secure and spread across nodes and
//! zones by default, and `DeploymentRef`, whose intent methods make its Service, HPA and PDB.

use crate::api::apps_v1::{
    Deployment as KDeployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::labels::{IDENTITY_LABEL, identity_selector, identity_value, meta, push, resolve_name};
use crate::pod::{
    PodContext, PodTemplate, Pods, Spread, check_replicas, check_rolling_update, pod_methods,
};
use crate::workload::horizontal_pod_autoscaler::Scale;
use crate::{
    Budget, HorizontalPodAutoscaler, IntOrPercent, NamespaceRef, PodDisruptionBudget, PortRef,
    Service,
};

/// A Kubernetes Deployment: a set of identical pods kept at a replica count and replaced by
/// rolling updates.
///
/// Creates: one `apps/v1/Deployment`, and with [`Deployment::autoscale`] its
/// HorizontalPodAutoscaler. Its handle makes the related objects:
/// [`DeploymentRef::expose_via_service`], [`DeploymentRef::disruption_budget`].
///
/// Defaults worth knowing:
/// - 2 replicas, or under an autoscaler none written: the autoscaler owns `spec.replicas` and
///   the Deployment starts at its minimum; rolling update with `maxUnavailable` and `maxSurge`
///   of 25%.
/// - the selector is only the private identity label `stacksmith.dev/id` (the kebab-case path);
///   user labels go on the Deployment and its pod template, never into the immutable selector.
/// - pod `securityContext`: `runAsNonRoot: true`, `runAsUser: 10001`, `fsGroup: 10001`,
///   `seccompProfile: RuntimeDefault`; each container's secure defaults are on [`Container`](crate::Container).
/// - `automountServiceAccountToken: false`, always, unless
///   [`Deployment::mount_service_account_token`] asks for it: naming a service account with
///   [`Deployment::service_account`] gives the pods an identity (IRSA's projected token still
///   works), not a Kubernetes API credential.
/// - spread: preferred pod anti-affinity across `kubernetes.io/hostname` (weight 100) and a
///   `topology.kubernetes.io/zone` spread constraint (max skew 1, `ScheduleAnyway`;
///   [`Deployment::require_zone_spread`] makes it `DoNotSchedule`).
/// - volumes: exactly those its containers mount ([`Container::mount`](crate::Container::mount)).
///
/// The pod methods (containers, init containers, identity, volumes, pull secrets, scheduling)
/// and their checks are shared with [`StatefulSet`](crate::StatefulSet),
/// [`DaemonSet`](crate::DaemonSet), [`Job`](crate::Job) and [`CronJob`](crate::CronJob).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let api = stack.add(
///     Deployment::new(&ns, "rocketgraph-public-api")
///         .autoscale(HorizontalPodAutoscaler::new(6, 50).cpu_utilization(70))
///         .rolling_update(IntOrPercent::Count(1), IntOrPercent::Count(2))
///         .label("version", "v1.0.0")
///         .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000)),
/// );
/// let svc = stack.add(api.expose_via_service(80, "http"));
/// ```
#[derive(Clone, Debug)]
pub struct Deployment {
    pub(crate) id: String,
    pub(crate) namespace: NamespaceRef,
    pub(crate) name: Option<String>,
    pub(crate) scale: Scale,
    pub(crate) max_unavailable: IntOrPercent,
    pub(crate) max_surge: IntOrPercent,
    pub(crate) pod: PodTemplate,
    /// The idle version of a blue-green release, scaled to zero on purpose: no SS0313.
    pub(crate) idle: bool,
}

impl Deployment {
    /// A Deployment in `namespace`; add at least one container.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            scale: Scale::new(2),
            max_unavailable: IntOrPercent::Percent(25),
            max_surge: IntOrPercent::Percent(25),
            pod: PodTemplate::new(Spread::Preferred),
            idle: false,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the number of pods. Default: 2, so one pod can be lost without an outage; under
    /// an autoscaler, its minimum (a different count here is ignored, warning SS0480).
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.scale.replicas = Some(replicas);
        self
    }

    /// Scales the Deployment with a HorizontalPodAutoscaler (the child `hpa`), which owns the
    /// replica count: `spec.replicas` is not written, and the Deployment starts at the
    /// autoscaler's minimum. See [`HorizontalPodAutoscaler`]. Default: a fixed `replicas`.
    #[must_use]
    pub fn autoscale(mut self, autoscaler: HorizontalPodAutoscaler) -> Self {
        self.scale.autoscaler = Some(autoscaler);
        self
    }

    /// Sets how many pods a rollout may take down and add at once. Default: 25% and 25%.
    #[must_use]
    pub fn rolling_update(
        mut self,
        max_unavailable: IntOrPercent,
        max_surge: IntOrPercent,
    ) -> Self {
        self.max_unavailable = max_unavailable;
        self.max_surge = max_surge;
        self
    }

    pod_methods!();

    /// Refuses to schedule a pod that would unbalance zones by more than one
    /// (`whenUnsatisfiable: DoNotSchedule`). Default: `ScheduleAnyway`, a preference.
    #[must_use]
    pub fn require_zone_spread(mut self) -> Self {
        self.pod.spread = Spread::Required;
        self
    }
}

impl Lower for Deployment {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        if !self.idle && self.scale.autoscaler.is_none() {
            check_replicas(cx, "Deployment", self.scale.starting());
        }
        check_rolling_update(cx, self.max_unavailable, self.max_surge);
        let ns = self.namespace.name();
        let identity = identity_value(cx.path());
        let replicas = self.scale.spec_replicas(cx, "Deployment");
        let template = self.pod.lower(
            cx,
            &PodContext {
                kind: "Deployment",
                namespace: ns,
                identity: &identity,
                restart_policy: None,
                claims: &[],
            },
        );
        let object = KDeployment {
            metadata: meta(
                &name,
                Some(ns),
                self.pod
                    .labels
                    .iter()
                    .chain(&self.pod.release_labels)
                    .map(|(k, v)| (k, v)),
                self.pod.reload_annotation().iter().map(|(k, v)| (k, v)),
            ),
            spec: Some(DeploymentSpec {
                replicas,
                selector: identity_selector(&identity),
                strategy: Some(DeploymentStrategy {
                    type_: Some("RollingUpdate".to_owned()),
                    rolling_update: Some(RollingUpdateDeployment {
                        max_unavailable: Some(self.max_unavailable.int_or_string()),
                        max_surge: Some(self.max_surge.int_or_string()),
                    }),
                }),
                template,
                ..DeploymentSpec::default()
            }),
        };
        push(cx, Some(ns), &name, &object);
        self.scale.lower_autoscaler(cx, "Deployment", &name, ns);
    }
}

impl Construct for Deployment {
    type Handle = DeploymentRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> DeploymentRef {
        DeploymentRef {
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
            identity: identity_value(&scope.path),
            path: scope.path.clone(),
            replicas: self.scale.starting(),
            ports: self.pod.ports().cloned().collect(),
            max_unavailable: self.max_unavailable,
            autoscaled: self.scale.autoscaler.is_some(),
            controller: ("apps/v1", "Deployment"),
            autoscaled_on: self.scale.resources(),
        }
    }
}

/// A handle to a [`Deployment`]: its name, selector identity and ports, and the intent methods
/// that make the objects around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentRef {
    pub(crate) path: Path,
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) identity: String,
    pub(crate) replicas: u32,
    pub(crate) ports: Vec<(String, u16)>,
    pub(crate) max_unavailable: IntOrPercent,
    /// Whether a HorizontalPodAutoscaler scales it.
    pub(crate) autoscaled: bool,
    /// The object that owns the pods' replica count: (apiVersion, kind).
    pub(crate) controller: (&'static str, &'static str),
    /// The resources its autoscaler scales on (`cpu`, `memory`); empty without one.
    pub(crate) autoscaled_on: Vec<&'static str>,
}

impl DeploymentRef {
    /// The Deployment's construct path.
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

    /// The identity label its selector matches: (`stacksmith.dev/id`, value).
    pub fn identity(&self) -> (&'static str, &str) {
        (IDENTITY_LABEL, &self.identity)
    }

    /// The replica count it starts at: its autoscaler's minimum when it has one.
    pub fn replicas(&self) -> u32 {
        self.replicas
    }

    /// Every container port of its pod, as (name, number).
    pub fn ports(&self) -> &[(String, u16)] {
        &self.ports
    }

    /// Its rolling update's `maxUnavailable`.
    pub fn max_unavailable(&self) -> IntOrPercent {
        self.max_unavailable
    }

    /// A ClusterIP Service (id `service`, named `<deployment>-service`) sending `port` to the
    /// container port `target` (a name such as `"http"` or a number).
    pub fn expose_via_service(&self, port: u16, target: impl Into<PortRef>) -> Service {
        Service::new(&self.pods(), port, target.into())
    }

    /// A VerticalPodAutoscaler (id `vpa`, named `<deployment>-vpa`) recommending CPU and memory
    /// requests for these pods, without applying them (update mode `Off`); see
    /// [`VerticalPodAutoscaler`](crate::VerticalPodAutoscaler).
    pub fn recommend_resources(&self) -> crate::VerticalPodAutoscaler {
        crate::VerticalPodAutoscaler::new(self)
    }

    /// A disruption budget (id `pdb`) limiting voluntary evictions of these pods, checked
    /// against the replica count it starts at (an autoscaler's minimum).
    pub fn disruption_budget(&self, budget: Budget) -> PodDisruptionBudget {
        PodDisruptionBudget::new(&self.pods(), self.replicas, budget)
    }

    fn pods(&self) -> Pods {
        Pods {
            path: self.path.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            identity: self.identity.clone(),
            ports: self.ports.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, Cpu, Memory, Namespace, Probe, Secret, ServiceAccount};
    use stacksmith_core::{Graph, Stack};

    fn image() -> &'static str {
        "rocketgraph/public-api:1.0.0"
    }

    fn lower(build: impl FnOnce(&NamespaceRef) -> Deployment) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(build(&ns));
        stack.lower()
    }

    fn web(ns: &NamespaceRef) -> Deployment {
        Deployment::new(ns, "rocketgraph-public-api")
            .container(Container::new("api", image()).port("http", 8000))
    }

    #[test]
    fn deployment_is_named_after_its_path() {
        let g = lower(web);
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let d = &g.objects[1];
        assert_eq!(
            (d.kind.as_str(), d.api_version.as_str()),
            ("Deployment", "apps/v1")
        );
        assert_eq!(d.name, "rocketgraph-public-api");
        assert_eq!(d.body["metadata"]["namespace"], "apps");
        assert_eq!(d.body["spec"]["replicas"], 2);
    }

    #[test]
    fn selector_holds_only_the_identity_label() {
        let g = lower(|ns| web(ns).label("app", "api").label("version", "v1"));
        let spec = &g.objects[1].body["spec"];
        assert_eq!(
            spec["selector"],
            serde_json::json!({"matchLabels": {"stacksmith.dev/id": "prod-rocketgraph-public-api"}})
        );
        let pod_labels = &spec["template"]["metadata"]["labels"];
        assert_eq!(pod_labels["version"], "v1");
        assert_eq!(
            pod_labels["stacksmith.dev/id"],
            "prod-rocketgraph-public-api"
        );
        assert_eq!(g.objects[1].body["metadata"]["labels"]["app"], "api");
    }

    #[test]
    fn default_pod_is_locked_down() {
        let g = lower(web);
        let pod = &g.objects[1].body["spec"]["template"]["spec"];
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(pod["securityContext"]["runAsUser"], 10001);
        assert_eq!(pod["securityContext"]["fsGroup"], 10001);
        assert_eq!(pod["automountServiceAccountToken"], false);
        assert_eq!(pod.get("serviceAccountName"), None);
        let sc = &pod["containers"][0]["securityContext"];
        assert_eq!(sc["readOnlyRootFilesystem"], true);
        assert_eq!(sc["allowPrivilegeEscalation"], false);
        assert_eq!(sc["runAsNonRoot"], true);
        assert_eq!(sc["privileged"], false);
        assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["ALL"]));
    }

    #[test]
    fn pods_spread_across_hosts_and_zones() {
        let g = lower(web);
        let pod = &g.objects[1].body["spec"]["template"]["spec"];
        let term = &pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
            [0];
        assert_eq!(term["weight"], 100);
        assert_eq!(
            term["podAffinityTerm"]["topologyKey"],
            "kubernetes.io/hostname"
        );
        let spread = &pod["topologySpreadConstraints"][0];
        assert_eq!(spread["topologyKey"], "topology.kubernetes.io/zone");
        assert_eq!(spread["whenUnsatisfiable"], "ScheduleAnyway");
        assert_eq!(spread["maxSkew"], 1);
        let g = lower(|ns| web(ns).require_zone_spread());
        let pod = &g.objects[1].body["spec"]["template"]["spec"];
        assert_eq!(
            pod["topologySpreadConstraints"][0]["whenUnsatisfiable"],
            "DoNotSchedule"
        );
    }

    #[test]
    fn rolling_update_defaults_to_a_quarter() {
        let g = lower(web);
        let ru = &g.objects[1].body["spec"]["strategy"]["rollingUpdate"];
        assert_eq!(ru["maxUnavailable"], "25%");
        assert_eq!(ru["maxSurge"], "25%");
    }

    #[test]
    fn service_account_names_identity_but_token_needs_asking() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let sa = stack.add(ServiceAccount::new(&ns, "api-sa"));
        stack.add(web(&ns).service_account(&sa));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pod = &g.objects[2].body["spec"]["template"]["spec"];
        assert_eq!(pod["serviceAccountName"], "api-sa");
        assert_eq!(pod["automountServiceAccountToken"], false);
    }

    #[test]
    fn token_is_mounted_when_asked() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let sa = stack.add(ServiceAccount::new(&ns, "api-sa"));
        stack.add(web(&ns).service_account(&sa).mount_service_account_token());
        let g = stack.lower();
        let pod = &g.objects[2].body["spec"]["template"]["spec"];
        assert_eq!(pod["automountServiceAccountToken"], true);
    }

    #[test]
    fn env_reads_a_declared_secret() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let redis = stack.add(Secret::external(&ns, "redis-credentials", ["url"]));
        stack.add(
            Deployment::new(&ns, "api").container(
                Container::new("api", image())
                    .env("ENVIRONMENT", "production")
                    .env_from_secret("REDIS_URL", &redis, "url"),
            ),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let env = &g.objects[1].body["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(
            env[0],
            serde_json::json!({"name": "ENVIRONMENT", "value": "production"})
        );
        assert_eq!(
            env[1]["valueFrom"]["secretKeyRef"],
            serde_json::json!({"key": "url", "name": "redis-credentials"})
        );
        assert_eq!(g.uses[0].reader, "env REDIS_URL of container api");
    }

    #[test]
    fn fails_env_reads_a_secret_nothing_declares() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let redis = Secret::external(&ns, "redis-credentials", ["url"]).reference();
        stack.add(
            Deployment::new(&ns, "api").container(Container::new("api", image()).env_from_secret(
                "REDIS_URL",
                &redis,
                "url",
            )),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_env_reads_a_missing_key() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let redis = stack.add(Secret::external(&ns, "redis-credentials", ["url"]));
        stack.add(Deployment::new(&ns, "api").container(
            Container::new("api", image()).env_from_secret("REDIS_PASSWORD", &redis, "password"),
        ));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_env_reads_another_namespace() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let other = stack.add(Namespace::new("other"));
        let redis = stack.add(Secret::external(&other, "redis-credentials", ["url"]));
        stack.add(
            Deployment::new(&ns, "api").container(Container::new("api", image()).env_from_secret(
                "REDIS_URL",
                &redis,
                "url",
            )),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_no_containers() {
        insta::assert_snapshot!(
            lower(|ns| Deployment::new(ns, "api"))
                .diagnostics
                .to_string()
        );
    }

    #[test]
    fn fails_duplicate_container_names() {
        let g = lower(|ns| {
            Deployment::new(ns, "api")
                .container(Container::new("api", image()))
                .container(Container::new("api", image()))
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_duplicate_ports() {
        let g = lower(|ns| {
            Deployment::new(ns, "api")
                .container(Container::new("api", image()).port("http", 8000))
                .container(Container::new("sidecar", image()).port("http", 8000))
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_invalid_port_name() {
        let g = lower(|ns| {
            Deployment::new(ns, "api").container(
                Container::new("api", image())
                    .port("HTTP_API", 8000)
                    .port("a-very-long-port-name", 9000)
                    .port("8080", 8080),
            )
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_probe_on_unexposed_port() {
        let g = lower(|ns| {
            Deployment::new(ns, "api").container(
                Container::new("api", image())
                    .port("http", 8000)
                    .liveness(Probe::http_get("/health", 9000))
                    .readiness(Probe::tcp(8000)),
            )
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_requests_above_limits() {
        let g = lower(|ns| {
            Deployment::new(ns, "api").container(
                Container::new("api", image())
                    .requests(Cpu::cores(2), Memory::gib(4))
                    .limits(Cpu::millis(500), Memory::gib(1)),
            )
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_unpinned_images() {
        let g = lower(|ns| {
            Deployment::new(ns, "api")
                .container(Container::new("api", "rocketgraph/public-api:latest"))
                .container(Container::new("proxy", "registry.local:5000/envoy"))
                .container(Container::new("pinned", "envoy@sha256:abc"))
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_duplicate_env() {
        let g = lower(|ns| {
            Deployment::new(ns, "api").container(
                Container::new("api", image())
                    .env("MODE", "a")
                    .env("MODE", "b"),
            )
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_zero_replicas_warns() {
        let g = lower(|ns| web(ns).replicas(0));
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_rollout_that_cannot_progress() {
        let g =
            lower(|ns| web(ns).rolling_update(IntOrPercent::Percent(0), IntOrPercent::Count(0)));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_percentage_above_100() {
        let g =
            lower(|ns| web(ns).rolling_update(IntOrPercent::Percent(150), IntOrPercent::Count(1)));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_run_as_root() {
        insta::assert_snapshot!(lower(|ns| web(ns).run_as(0, 0)).diagnostics.to_string());
    }

    #[test]
    fn fails_reserved_label() {
        let g = lower(|ns| web(ns).label("stacksmith.dev/id", "mine"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_service_account_of_another_namespace() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let other = stack.add(Namespace::new("other"));
        let sa = stack.add(ServiceAccount::new(&other, "api-sa"));
        stack.add(web(&ns).service_account(&sa));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
