//! `Canary`: a stable and a canary Deployment of one workload, each with its own Service, and
//! ingress-nginx weighted routing that sends a percentage of a host's requests to the canary.

use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};

use crate::labels::{TRACK_LABEL, resolve_name};
use crate::pod::{PodTemplate, Spread, pod_methods};
use crate::release::{Release, Version};
use crate::{
    Container, DeploymentRef, HorizontalPodAutoscaler, Ingress, IngressRef, IntOrPercent,
    NamespaceRef, PortRef, Service, ServiceRef,
};

/// The ingress-nginx annotation marking an Ingress as the canary of the Ingress with the same
/// host and path.
const CANARY: &str = "nginx.ingress.kubernetes.io/canary";

/// The ingress-nginx annotation holding the canary's share of requests, in percent.
const CANARY_WEIGHT: &str = "nginx.ingress.kubernetes.io/canary-weight";

/// A canary release: a `stable` and a `canary` Deployment of one workload, made from one
/// description and differing only in their versioned container, each behind its own Service;
/// an Ingress sends a host and path to the stable Service and a second, canary Ingress sends
/// [`Canary::weight`] percent of those requests to the canary Service (ingress-nginx weighted
/// canary routing).
///
/// Creates, below the release (`prod/kgas-api`):
/// - `stable`: an `apps/v1/Deployment` `<release>-stable`, its Service
///   `<release>-stable-service` and the main Ingress `<release>-stable-ingress`;
/// - `canary`: an `apps/v1/Deployment` `<release>-canary`, its Service
///   `<release>-canary-service` and the canary Ingress `<release>-canary-ingress`, annotated
///   `nginx.ingress.kubernetes.io/canary: "true"` and `canary-weight: "<weight>"`, for the same
///   host and path (ingress-nginx pairs them by host and path).
///
/// The progression of the seed, 5% → 25% → 50% → 100%, is a change of [`Canary::weight`] each
/// step (watch the canary's error rate and latency between steps; pods carry
/// `stacksmith.dev/track: stable|canary` to tell them apart in metrics). To promote: set the
/// stable container to the canary's while the weight is still 100, let the stable Deployment
/// roll, then set the weight back to 0. To roll back: set the weight to 0.
///
/// The TLS, certificate issuer, class and annotation settings are shared: both Ingresses get the
/// same class and `tls` block; the issuer and the other annotations go only on the main Ingress
/// (ingress-nginx takes a canary's other settings from its main Ingress, and two Ingresses
/// asking cert-manager for one Secret would fight over it).
///
/// Defaults worth knowing: weight 0 (the canary runs but gets no requests); 2 stable replicas
/// and as many canary replicas, so the canary can take every weight up to 100 (with
/// [`Canary::autoscale`], each track has its own autoscaler instead); every other
/// default is [`Deployment`](crate::Deployment)'s and [`Ingress`]'s (`ingressClassName: nginx`,
/// no TLS). Both containers must be set (SS0390) and expose the same ports (SS0391); the
/// Service port and the ingress host and path are required (SS0390); the weight is at most 100
/// (SS0323).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// fn api(image: &str) -> Container {
///     Container::new("api", image)
///         .port("http", 8000)
///         .readiness(Probe::http_get("/health", 8000))
/// }
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("kgas"));
/// let release = stack.add(
///     Canary::new(&ns, "kgas-api")
///         .autoscale(HorizontalPodAutoscaler::new(3, 10))
///         .stable(api("kgas/api:1.4.0"))
///         .canary(api("kgas/api:1.5.0"))
///         .weight(5)
///         .service_port(80, "http")
///         .ingress("api.kgas.dev", "/")
///         .tls("kgas-api-tls")
///         .cluster_issuer("letsencrypt-prod"),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Canary {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    replicas: Option<u32>,
    canary_replicas: Option<u32>,
    autoscaler: Option<HorizontalPodAutoscaler>,
    max_unavailable: IntOrPercent,
    max_surge: IntOrPercent,
    pod: PodTemplate,
    stable: Option<Container>,
    canary: Option<Container>,
    weight: u32,
    ports: Vec<(u16, PortRef)>,
    route: Option<(String, String)>,
    class: Option<String>,
    tls: Option<String>,
    annotations: Vec<(String, String)>,
}

impl Canary {
    /// A canary release in `namespace`; set both containers ([`Canary::stable`],
    /// [`Canary::canary`]), a Service port and the ingress host and path.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            replicas: None,
            canary_replicas: None,
            autoscaler: None,
            max_unavailable: IntOrPercent::Percent(25),
            max_surge: IntOrPercent::Percent(25),
            pod: PodTemplate::new(Spread::Preferred),
            stable: None,
            canary: None,
            weight: 0,
            ports: Vec::new(),
            route: None,
            class: None,
            tls: None,
            annotations: Vec::new(),
        }
    }

    /// Sets the base of the objects' names (`<name>-stable`, `<name>-canary`). Default: the
    /// kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The stable Deployment's versioned container (the first container of its pods).
    #[must_use]
    pub fn stable(mut self, container: Container) -> Self {
        self.stable = Some(container);
        self
    }

    /// The canary Deployment's versioned container (the first container of its pods).
    #[must_use]
    pub fn canary(mut self, container: Container) -> Self {
        self.canary = Some(container);
        self
    }

    /// The canary's share of the host's requests, in percent (0–100;
    /// `nginx.ingress.kubernetes.io/canary-weight`). Default: 0, the canary gets none.
    #[must_use]
    pub fn weight(mut self, percent: u32) -> Self {
        self.weight = percent;
        self
    }

    /// Adds a port to both Services, sending `port` to the container port `target` (a name
    /// such as `"http"` or a number); the Ingresses send to the first. Default: none; at least
    /// one is required.
    #[must_use]
    pub fn service_port(mut self, port: u16, target: impl Into<PortRef>) -> Self {
        self.ports.push((port, target.into()));
        self
    }

    /// Routes `https://host/path_prefix…` to the stable Service, and `weight` percent of it to
    /// the canary's. Required.
    #[must_use]
    pub fn ingress(mut self, host: impl Into<String>, path_prefix: impl Into<String>) -> Self {
        self.route = Some((host.into(), path_prefix.into()));
        self
    }

    /// Sets both Ingresses' controller class (`spec.ingressClassName`). Default: `nginx`;
    /// weighted canaries need ingress-nginx.
    #[must_use]
    pub fn ingress_class(mut self, class: impl Into<String>) -> Self {
        self.class = Some(class.into());
        self
    }

    /// Terminates TLS for the host with the certificate in Secret `secret_name`, on both
    /// Ingresses. Default: no TLS.
    #[must_use]
    pub fn tls(mut self, secret_name: impl Into<String>) -> Self {
        self.tls = Some(secret_name.into());
        self
    }

    /// Has cert-manager issue the TLS certificate from this ClusterIssuer
    /// (`cert-manager.io/cluster-issuer`, on the main Ingress only).
    #[must_use]
    pub fn cluster_issuer(self, issuer: impl Into<String>) -> Self {
        self.ingress_annotation("cert-manager.io/cluster-issuer", issuer)
    }

    /// Redirects plain HTTP to HTTPS (`ssl-redirect` and `force-ssl-redirect`, on the main
    /// Ingress; the canary follows it).
    #[must_use]
    pub fn force_ssl_redirect(self) -> Self {
        self.ingress_annotation("nginx.ingress.kubernetes.io/ssl-redirect", "true")
            .ingress_annotation("nginx.ingress.kubernetes.io/force-ssl-redirect", "true")
    }

    /// Adds any annotation to the main Ingress: the escape hatch for controller settings
    /// without a typed method. ingress-nginx applies them to the canary's requests too.
    #[must_use]
    pub fn ingress_annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }

    /// Sets the stable Deployment's number of pods. Default: 2, so one pod can be lost without
    /// an outage.
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = Some(replicas);
        self
    }

    /// Scales each track with its own copy of `autoscaler` (`<release>-stable-hpa`,
    /// `<release>-canary-hpa`), which owns the track's replica count (see
    /// [`Deployment::autoscale`](crate::Deployment::autoscale)), so the canary grows with the
    /// share of requests its weight sends it. Default: fixed `replicas` and `canary_replicas`.
    #[must_use]
    pub fn autoscale(mut self, autoscaler: HorizontalPodAutoscaler) -> Self {
        self.autoscaler = Some(autoscaler);
        self
    }

    /// Sets the canary Deployment's number of pods. Default: the stable count, so the canary
    /// can serve any weight up to 100; fewer saves capacity at small weights, but then raise it
    /// before raising the weight.
    #[must_use]
    pub fn canary_replicas(mut self, replicas: u32) -> Self {
        self.canary_replicas = Some(replicas);
        self
    }

    /// Sets how many pods a rollout of either Deployment may take down and add at once.
    /// Default: 25% and 25%.
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

    fn release(&self) -> Release<'_> {
        Release {
            kind: "canary release",
            namespace: &self.namespace,
            name: self.name.as_ref(),
            max_unavailable: self.max_unavailable,
            max_surge: self.max_surge,
            pod: &self.pod,
            version_label: TRACK_LABEL,
        }
    }

    fn versions(&self) -> [Version<'_>; 2] {
        [
            Version {
                id: "stable",
                container: self.stable.as_ref(),
                replicas: self.replicas,
                autoscaler: self.autoscaler.as_ref(),
                idle: false,
            },
            Version {
                id: "canary",
                container: self.canary.as_ref(),
                replicas: self.canary_replicas.or(self.replicas),
                autoscaler: self.autoscaler.as_ref(),
                idle: false,
            },
        ]
    }

    /// The Service and Ingress of one track, made from its Deployment's handle, as they are
    /// lowered and as the handle reports them.
    fn track(&self, deployment: &DeploymentRef, is_canary: bool, region: &str) -> Track {
        let mut service: Option<Service> = None;
        for (port, target) in &self.ports {
            service = Some(match service {
                None => deployment.expose_via_service(*port, target.clone()),
                Some(s) => s.port(*port, target.clone()),
            });
        }
        let service_ref = service.as_ref().map(|s| {
            s.handle(&Scope {
                path: deployment.path.child("service"),
                region: region.to_owned(),
            })
        });
        let ingress = match (&service_ref, &self.route) {
            (Some(s), Some((host, path))) => {
                let mut ingress = s.expose_via_ingress(host.clone(), path.clone());
                // Weighted canaries are an ingress-nginx feature: its class unless told otherwise.
                ingress = ingress.class(self.class.clone().unwrap_or_else(|| "nginx".into()));
                if let Some(tls) = &self.tls {
                    ingress = ingress.tls(tls.clone());
                }
                if is_canary {
                    ingress = ingress
                        .annotation(CANARY, "true")
                        .annotation(CANARY_WEIGHT, self.weight.to_string());
                } else {
                    for (k, v) in &self.annotations {
                        ingress = ingress.annotation(k.clone(), v.clone());
                    }
                }
                Some(ingress)
            }
            _ => None,
        };
        Track {
            service,
            service_ref,
            ingress,
        }
    }

    fn check(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        if self.weight > 100 {
            cx.error(
                "SS0323",
                format!(
                    "canary `weight` is {}% at {path}; at most 100% is allowed",
                    self.weight
                ),
                "give the canary's share of requests from 0 to 100 (5, 25, 50, 100 step by step)",
            );
        }
        if self.ports.is_empty() {
            cx.error(
                "SS0390",
                format!("canary release {path} has no Service port"),
                "add one with `.service_port(80, \"http\")`",
            );
        }
        if self.route.is_none() {
            cx.error(
                "SS0390",
                format!("canary release {path} has no ingress host and path to split"),
                "add them with `.ingress(\"api.example.com\", \"/\")`",
            );
        }
    }
}

/// The objects of one track around its Deployment.
struct Track {
    service: Option<Service>,
    service_ref: Option<ServiceRef>,
    ingress: Option<Ingress>,
}

impl Lower for Canary {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let release = self.release();
        let versions = self.versions();
        release.check(cx, &versions);
        self.check(cx);
        let scope = Scope {
            path: cx.path().clone(),
            region: cx.region().to_owned(),
        };
        for v in &versions {
            if v.container.is_none() {
                continue;
            }
            release.lower_version(cx, v);
            let deployment = release.version_ref(&scope, v);
            let is_canary = v.id == "canary";
            let track = self.track(&deployment, is_canary, &scope.region);
            let mut cx = cx.child(v.id);
            if let Some(service) = &track.service {
                service.lower(&mut cx.child("service"));
            }
            if let Some(ingress) = &track.ingress {
                ingress.lower_checking(&mut cx.child("ingress"), !is_canary);
            }
        }
    }
}

impl Construct for Canary {
    type Handle = CanaryRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> CanaryRef {
        let release = self.release();
        let [stable, canary] = self.versions().map(|v| release.version_ref(scope, &v));
        let stable_track = self.track(&stable, false, &scope.region);
        let canary_track = self.track(&canary, true, &scope.region);
        let ingress = |t: Track, path: &Path| {
            t.ingress.map(|i| {
                i.handle(&Scope {
                    path: path.child("ingress"),
                    region: scope.region.clone(),
                })
            })
        };
        CanaryRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
            weight: self.weight,
            stable_service: stable_track.service_ref.clone(),
            canary_service: canary_track.service_ref.clone(),
            stable_ingress: ingress(stable_track, &stable.path),
            canary_ingress: ingress(canary_track, &canary.path),
            stable,
            canary,
        }
    }
}

/// A handle to a [`Canary`] release: its two Deployments, their Services and Ingresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanaryRef {
    path: Path,
    name: String,
    namespace: String,
    weight: u32,
    stable: DeploymentRef,
    canary: DeploymentRef,
    stable_service: Option<ServiceRef>,
    canary_service: Option<ServiceRef>,
    stable_ingress: Option<IngressRef>,
    canary_ingress: Option<IngressRef>,
}

impl CanaryRef {
    /// The release's construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The base of its objects' names.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The canary's share of requests, in percent.
    pub fn weight(&self) -> u32 {
        self.weight
    }

    /// The stable Deployment (for `disruption_budget` and the policy intents).
    pub fn stable(&self) -> &DeploymentRef {
        &self.stable
    }

    /// The canary Deployment.
    pub fn canary(&self) -> &DeploymentRef {
        &self.canary
    }

    /// The stable Service; `None` when no Service port was given (an error).
    pub fn stable_service(&self) -> Option<&ServiceRef> {
        self.stable_service.as_ref()
    }

    /// The canary Service; `None` when no Service port was given (an error).
    pub fn canary_service(&self) -> Option<&ServiceRef> {
        self.canary_service.as_ref()
    }

    /// The main Ingress; `None` when no host was given (an error).
    pub fn stable_ingress(&self) -> Option<&IngressRef> {
        self.stable_ingress.as_ref()
    }

    /// The canary Ingress; `None` when no host was given (an error).
    pub fn canary_ingress(&self) -> Option<&IngressRef> {
        self.canary_ingress.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Namespace, Probe};
    use stacksmith_core::{Graph, KubeObject, Stack};

    fn api(image: &str) -> Container {
        Container::new("api", image)
            .port("http", 8000)
            .readiness(Probe::http_get("/health", 8000))
    }

    fn release(ns: &NamespaceRef) -> Canary {
        Canary::new(ns, "kgas-api")
            .replicas(3)
            .stable(api("kgas/api:1.4.0"))
            .canary(api("kgas/api:1.5.0"))
            .weight(5)
            .service_port(80, "http")
            .ingress("api.kgas.dev", "/")
            .tls("kgas-api-tls")
            .cluster_issuer("letsencrypt-prod")
            .force_ssl_redirect()
    }

    fn lower(build: impl FnOnce(&NamespaceRef) -> Canary) -> (Graph, CanaryRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let r = stack.add(build(&ns));
        (stack.lower(), r)
    }

    fn object<'g>(g: &'g Graph, kind: &str, name: &str) -> &'g KubeObject {
        let Some(o) = g.objects.iter().find(|o| o.kind == kind && o.name == name) else {
            panic!("no {kind} {name} in {:?}", g.objects);
        };
        o
    }

    #[test]
    fn two_tracks_each_with_a_service() {
        let (g, r) = lower(release);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let kinds: Vec<(&str, &str)> = g
            .objects
            .iter()
            .map(|o| (o.kind.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Namespace", "kgas"),
                ("Deployment", "kgas-api-stable"),
                ("Service", "kgas-api-stable-service"),
                ("Ingress", "kgas-api-stable-ingress"),
                // The stable Ingress has a cluster issuer: cert-manager's solver is admitted.
                ("NetworkPolicy", "kgas-api-stable-ingress-acme-solver"),
                ("Deployment", "kgas-api-canary"),
                ("Service", "kgas-api-canary-service"),
                ("Ingress", "kgas-api-canary-ingress"),
            ]
        );
        let canary = object(&g, "Deployment", "kgas-api-canary");
        let labels = &canary.body["spec"]["template"]["metadata"]["labels"];
        assert_eq!(labels["stacksmith.dev/track"], "canary");
        assert_eq!(labels["stacksmith.dev/release"], "prod-kgas-api");
        assert_eq!(canary.body["spec"]["replicas"], 3);
        let svc = object(&g, "Service", "kgas-api-canary-service");
        assert_eq!(
            svc.body["spec"]["selector"],
            serde_json::json!({"stacksmith.dev/id": "prod-kgas-api-canary"})
        );
        assert_eq!(
            r.canary_service().map(ServiceRef::name),
            Some("kgas-api-canary-service")
        );
        assert_eq!(
            r.stable_ingress().map(IngressRef::name),
            Some("kgas-api-stable-ingress")
        );
        assert_eq!(r.stable().name(), "kgas-api-stable");
        // What the handle reports is what was lowered.
        for (kind, name) in [
            ("Service", r.stable_service().map(ServiceRef::name)),
            ("Ingress", r.canary_ingress().map(IngressRef::name)),
        ] {
            assert!(name.is_some_and(|n| g.objects.iter().any(|o| o.kind == kind && o.name == n)));
        }
    }

    #[test]
    fn canary_ingress_splits_the_same_host_and_path_by_weight() {
        let (g, _) = lower(release);
        let main = object(&g, "Ingress", "kgas-api-stable-ingress");
        let canary = object(&g, "Ingress", "kgas-api-canary-ingress");
        assert_eq!(
            main.body["spec"]["rules"][0]["host"],
            canary.body["spec"]["rules"][0]["host"]
        );
        let path = |o: &KubeObject| o.body["spec"]["rules"][0]["http"]["paths"][0].clone();
        assert_eq!(path(main)["path"], path(canary)["path"]);
        assert_eq!(
            path(main)["backend"]["service"]["name"],
            "kgas-api-stable-service"
        );
        assert_eq!(
            path(canary)["backend"]["service"]["name"],
            "kgas-api-canary-service"
        );
        assert_eq!(
            canary.body["metadata"]["annotations"],
            serde_json::json!({
                "nginx.ingress.kubernetes.io/canary": "true",
                "nginx.ingress.kubernetes.io/canary-weight": "5",
            })
        );
        let a = &main.body["metadata"]["annotations"];
        assert_eq!(a["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
        assert_eq!(a.get("nginx.ingress.kubernetes.io/canary"), None);
        assert_eq!(main.body["spec"]["tls"], canary.body["spec"]["tls"]);
        assert_eq!(main.body["spec"]["ingressClassName"], "nginx");
    }

    #[test]
    fn progression_changes_only_the_weight() {
        let (five, _) = lower(release);
        for weight in [25, 50, 100] {
            let (g, r) = lower(|ns| release(ns).weight(weight));
            assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
            assert_eq!(r.weight(), weight);
            let changed: Vec<&str> = five
                .objects
                .iter()
                .zip(&g.objects)
                .filter(|(a, b)| a != b)
                .map(|(a, _)| a.name.as_str())
                .collect();
            assert_eq!(changed, ["kgas-api-canary-ingress"]);
            let canary = object(&g, "Ingress", "kgas-api-canary-ingress");
            assert_eq!(
                canary.body["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary-weight"],
                weight.to_string()
            );
        }
    }

    #[test]
    fn canary_objects_snapshot() {
        let (g, _) = lower(|ns| release(ns).canary_replicas(1));
        let bodies: Vec<&stacksmith_core::Body> =
            g.objects.iter().skip(4).map(|o| &o.body).collect();
        insta::assert_json_snapshot!(bodies);
    }

    #[test]
    fn fails_weight_above_100() {
        let (g, _) = lower(|ns| release(ns).weight(150));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_incomplete_canary() {
        let (g, r) = lower(|ns| Canary::new(ns, "kgas-api").stable(api("kgas/api:1.4.0")));
        assert_eq!(r.stable_service(), None);
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_invalid_host_reported_once() {
        let (g, _) = lower(|ns| release(ns).ingress("API_host", "api"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
