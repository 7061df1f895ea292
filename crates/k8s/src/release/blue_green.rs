//! `BlueGreen`: two Deployments of one workload, blue and green, made from one description and
//! differing only in their versioned container, and a Service that sends traffic to the live one.

use std::collections::BTreeMap;
use std::fmt;

use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};

use crate::labels::{COLOUR_LABEL, RELEASE_LABEL, identity_value, resolve_name};
use crate::pod::{PodTemplate, Pods, Spread, pod_methods};
use crate::release::{Release, Version};
use crate::{
    Container, DeploymentRef, HorizontalPodAutoscaler, IntOrPercent, NamespaceRef, PortRef, Service,
};

/// One of the two Deployments of a [`BlueGreen`] release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Colour {
    /// The `blue` Deployment.
    Blue,
    /// The `green` Deployment.
    Green,
}

impl Colour {
    /// `blue` or `green`: the value of the colour label and the Deployment's id.
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Blue => "blue",
            Colour::Green => "green",
        }
    }

    /// The other colour.
    #[must_use]
    pub fn other(self) -> Colour {
        match self {
            Colour::Blue => Colour::Green,
            Colour::Green => Colour::Blue,
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A blue-green release: two Deployments of one workload, `blue` and `green`, made from one
/// description and differing only in their versioned container; the Service made with
/// [`BlueGreenRef::expose_via_service`] sends every request to the live colour.
///
/// Creates: two `apps/v1/Deployment`s, ids `blue` and `green` below the release (named
/// `<release>-blue` and `<release>-green`); the handle makes the Service (id `service`, named
/// `<release>-service`), which [`ServiceRef::expose_via_ingress`](crate::ServiceRef::expose_via_ingress)
/// puts behind an Ingress like any other.
///
/// How it works: each Deployment keeps its own identity selector (`stacksmith.dev/id`), and its
/// pods also carry `stacksmith.dev/release: <release path>` and `stacksmith.dev/colour:
/// blue|green`. The Service selects exactly those two labels, with the live colour, so the two
/// Deployments' selectors and the Service's cannot disagree, and a switch is one line:
///
/// 1. deploy the new version to the idle colour (`.green(Container::new("api", "kgas/api:1.5.0"))`);
///    it runs at full size beside the live one; test it through its own
///    `release.green().expose_via_service(...)` if you like;
/// 2. switch: `.live(Colour::Green)`. The only change in the output is the Service's
///    `stacksmith.dev/colour` selector value;
/// 3. roll back by switching back (blue still runs the old version), or keep green and put the
///    next version on blue.
///
/// Defaults worth knowing:
/// - blue is live; 2 replicas for each colour: the idle colour keeps the live count
///   ([`BlueGreen::idle_replicas`]), so switching and rolling back never wait for pods.
/// - every other default is [`Deployment`](crate::Deployment)'s: rolling update of 25%/25%,
///   locked-down pods spread over hosts and zones, no service account token.
/// - both colours' containers must expose the same ports (SS0391), and both must be set
///   (SS0390).
///
/// [`BlueGreen::autoscale`] gives each colour its own autoscaler with the same settings, so a
/// switch changes nothing but the selector (the idle colour, receiving no traffic, settles at
/// the minimum). Disruption budgets work per colour, through [`BlueGreenRef::blue`] and
/// [`BlueGreenRef::green`].
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
///     BlueGreen::new(&ns, "kgas-api")
///         .autoscale(HorizontalPodAutoscaler::new(3, 10))
///         .blue(api("kgas/api:1.4.0"))
///         .green(api("kgas/api:1.5.0"))
///         .live(Colour::Green),
/// );
/// let svc = stack.add(release.expose_via_service(80, "http"));
/// stack.add(svc.expose_via_ingress("api.kgas.dev", "/").tls("kgas-api-tls"));
/// for colour in [release.blue(), release.green()] {
///     stack.add(colour.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
/// }
/// ```
#[derive(Clone, Debug)]
pub struct BlueGreen {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    replicas: Option<u32>,
    idle_replicas: Option<u32>,
    autoscaler: Option<HorizontalPodAutoscaler>,
    max_unavailable: IntOrPercent,
    max_surge: IntOrPercent,
    pod: PodTemplate,
    blue: Option<Container>,
    green: Option<Container>,
    live: Colour,
}

impl BlueGreen {
    /// A blue-green release in `namespace`; set both colours' containers with
    /// [`BlueGreen::blue`] and [`BlueGreen::green`].
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            replicas: None,
            idle_replicas: None,
            autoscaler: None,
            max_unavailable: IntOrPercent::Percent(25),
            max_surge: IntOrPercent::Percent(25),
            pod: PodTemplate::new(Spread::Preferred),
            blue: None,
            green: None,
            live: Colour::Blue,
        }
    }

    /// Sets the base of the Deployments' names (`<name>-blue`, `<name>-green`). Default: the
    /// kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The blue Deployment's versioned container (the first container of its pods).
    #[must_use]
    pub fn blue(mut self, container: Container) -> Self {
        self.blue = Some(container);
        self
    }

    /// The green Deployment's versioned container (the first container of its pods).
    #[must_use]
    pub fn green(mut self, container: Container) -> Self {
        self.green = Some(container);
        self
    }

    /// Which colour the Service sends traffic to. Changing it changes only the Service's
    /// selector. Default: [`Colour::Blue`].
    #[must_use]
    pub fn live(mut self, colour: Colour) -> Self {
        self.live = colour;
        self
    }

    /// Sets the live colour's number of pods. Default: 2, so one pod can be lost without an
    /// outage.
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = Some(replicas);
        self
    }

    /// Scales each colour with its own copy of `autoscaler` (`<release>-<colour>-hpa`), which
    /// owns the colour's replica count (see [`Deployment::autoscale`](crate::Deployment::autoscale));
    /// an idle colour at `idle_replicas(0)` gets none. Default: a fixed `replicas`.
    #[must_use]
    pub fn autoscale(mut self, autoscaler: HorizontalPodAutoscaler) -> Self {
        self.autoscaler = Some(autoscaler);
        self
    }

    /// Sets the idle colour's number of pods; 0 saves its capacity (and is not warned about).
    /// Default: the live colour's count, so the idle colour can be tested before a switch and
    /// a rollback is instant. With 0, scale the idle colour back up (remove this) and let its
    /// pods become ready before switching to it, or the Service will have no pod to send to.
    #[must_use]
    pub fn idle_replicas(mut self, replicas: u32) -> Self {
        self.idle_replicas = Some(replicas);
        self
    }

    /// Sets how many pods a rollout of either colour may take down and add at once.
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
            kind: "blue-green release",
            namespace: &self.namespace,
            name: self.name.as_ref(),
            max_unavailable: self.max_unavailable,
            max_surge: self.max_surge,
            pod: &self.pod,
            version_label: COLOUR_LABEL,
        }
    }

    fn version(&self, colour: Colour) -> Version<'_> {
        let live = colour == self.live;
        let replicas = if live {
            self.replicas
        } else {
            self.idle_replicas.or(self.replicas)
        };
        let idle = !live && replicas == Some(0);
        Version {
            id: colour.as_str(),
            container: match colour {
                Colour::Blue => self.blue.as_ref(),
                Colour::Green => self.green.as_ref(),
            },
            replicas,
            autoscaler: self.autoscaler.as_ref().filter(|_| !idle),
            idle,
        }
    }

    fn versions(&self) -> [Version<'_>; 2] {
        [self.version(Colour::Blue), self.version(Colour::Green)]
    }
}

impl Lower for BlueGreen {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let release = self.release();
        let versions = self.versions();
        release.check(cx, &versions);
        for v in &versions {
            release.lower_version(cx, v);
        }
    }
}

impl Construct for BlueGreen {
    type Handle = BlueGreenRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> BlueGreenRef {
        let release = self.release();
        BlueGreenRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
            release: identity_value(&scope.path),
            live: self.live,
            blue: release.version_ref(scope, &self.version(Colour::Blue)),
            green: release.version_ref(scope, &self.version(Colour::Green)),
        }
    }
}

/// A handle to a [`BlueGreen`] release: its two Deployments, the live colour, and the intent
/// method that makes the Service in front of the live colour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlueGreenRef {
    path: Path,
    name: String,
    namespace: String,
    release: String,
    live: Colour,
    blue: DeploymentRef,
    green: DeploymentRef,
}

impl BlueGreenRef {
    /// The release's construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The base of its Deployments' names (`<name>-blue`, `<name>-green`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The release's namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The release label both colours' pods carry: (`stacksmith.dev/release`, value).
    pub fn release(&self) -> (&'static str, &str) {
        (RELEASE_LABEL, &self.release)
    }

    /// The colour the Service sends traffic to.
    pub fn live(&self) -> Colour {
        self.live
    }

    /// The blue Deployment.
    pub fn blue(&self) -> &DeploymentRef {
        &self.blue
    }

    /// The green Deployment.
    pub fn green(&self) -> &DeploymentRef {
        &self.green
    }

    /// The Deployment of `colour`.
    pub fn deployment(&self, colour: Colour) -> &DeploymentRef {
        match colour {
            Colour::Blue => &self.blue,
            Colour::Green => &self.green,
        }
    }

    /// The live colour's Deployment.
    pub fn live_deployment(&self) -> &DeploymentRef {
        self.deployment(self.live)
    }

    /// The labels the Service selects: the release label and the live colour.
    pub fn selector(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (RELEASE_LABEL.to_owned(), self.release.clone()),
            (COLOUR_LABEL.to_owned(), self.live.as_str().to_owned()),
        ])
    }

    /// A Service (id `service`, named `<release>-service`) in front of the live colour, sending
    /// `port` to the container port `target` (a name such as `"http"` or a number); an ordinary
    /// [`Service`], so ports, NLB and `expose_via_ingress` work as for any other.
    pub fn expose_via_service(&self, port: u16, target: impl Into<PortRef>) -> Service {
        let live = self.live_deployment();
        let pods = Pods {
            path: self.path.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            identity: self.release.clone(),
            ports: live.ports.clone(),
        };
        Service::new(&pods, port, target.into()).selecting(self.selector())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Budget, Namespace, Probe};
    use stacksmith_core::{Graph, KubeObject, Stack};

    fn api(image: &str) -> Container {
        Container::new("api", image)
            .port("http", 8000)
            .readiness(Probe::http_get("/health", 8000))
    }

    fn release(ns: &NamespaceRef) -> BlueGreen {
        BlueGreen::new(ns, "kgas-api")
            .replicas(3)
            .label("app", "kgas-api")
            .blue(api("kgas/api:1.4.0"))
            .green(api("kgas/api:1.5.0"))
    }

    /// The release with its Service behind an Ingress, lowered.
    fn lower(build: impl FnOnce(&NamespaceRef) -> BlueGreen) -> (Graph, BlueGreenRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let r = stack.add(build(&ns));
        let svc = stack.add(r.expose_via_service(80, "http"));
        stack.add(
            svc.expose_via_ingress("api.kgas.dev", "/")
                .tls("kgas-api-tls"),
        );
        (stack.lower(), r)
    }

    fn object<'g>(g: &'g Graph, kind: &str, name: &str) -> &'g KubeObject {
        let Some(o) = g.objects.iter().find(|o| o.kind == kind && o.name == name) else {
            panic!("no {kind} {name} in {:?}", g.objects);
        };
        o
    }

    /// Whether every label of `selector` is on the pods of `deployment`.
    fn selects(selector: &stacksmith_core::Body, deployment: &KubeObject) -> bool {
        let pod_labels = &deployment.body["spec"]["template"]["metadata"]["labels"];
        selector
            .as_object()
            .is_some_and(|m| !m.is_empty() && m.iter().all(|(k, v)| &pod_labels[k] == v))
    }

    #[test]
    fn two_deployments_from_one_description() {
        let (g, r) = lower(release);
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let blue = object(&g, "Deployment", "kgas-api-blue");
        let green = object(&g, "Deployment", "kgas-api-green");
        assert_eq!(blue.owner.to_string(), "prod/kgas-api/blue");
        assert_eq!(
            blue.body["spec"]["selector"],
            serde_json::json!({"matchLabels": {"stacksmith.dev/id": "prod-kgas-api-blue"}})
        );
        let labels = &green.body["spec"]["template"]["metadata"]["labels"];
        assert_eq!(labels["stacksmith.dev/release"], "prod-kgas-api");
        assert_eq!(labels["stacksmith.dev/colour"], "green");
        assert_eq!(labels["stacksmith.dev/id"], "prod-kgas-api-green");
        assert_eq!(labels["app"], "kgas-api");
        assert_eq!(
            green.body["metadata"]["labels"]["stacksmith.dev/colour"],
            "green"
        );
        let image =
            |d: &KubeObject| d.body["spec"]["template"]["spec"]["containers"][0]["image"].clone();
        assert_eq!(image(blue), "kgas/api:1.4.0");
        assert_eq!(image(green), "kgas/api:1.5.0");
        // Apart from names, identities, colours and images, the two Deployments are the same.
        let normalise = |d: &KubeObject| {
            d.body
                .to_string()
                .replace("green", "COLOUR")
                .replace("blue", "COLOUR")
                .replace("1.5.0", "VERSION")
                .replace("1.4.0", "VERSION")
        };
        assert_eq!(normalise(blue), normalise(green));
        assert_eq!(r.blue().name(), "kgas-api-blue");
        assert_eq!(r.name(), "kgas-api");
        assert_eq!(r.live(), Colour::Blue);
        assert_eq!(r.live_deployment().replicas(), 3);
    }

    #[test]
    fn service_selects_exactly_the_live_colour() {
        for live in [Colour::Blue, Colour::Green] {
            let (g, r) = lower(|ns| release(ns).live(live));
            assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
            let svc = object(&g, "Service", "kgas-api-service");
            let selector = &svc.body["spec"]["selector"];
            let live_d = object(&g, "Deployment", r.deployment(live).name());
            let idle_d = object(&g, "Deployment", r.deployment(live.other()).name());
            assert!(
                selects(selector, live_d),
                "{live}: {selector} vs {}",
                live_d.body
            );
            assert!(
                !selects(selector, idle_d),
                "{live}: {selector} selects the idle colour"
            );
            assert_eq!(
                selector,
                &serde_json::json!({"stacksmith.dev/colour": live.as_str(), "stacksmith.dev/release": "prod-kgas-api"})
            );
        }
    }

    #[test]
    fn switching_changes_only_the_service_selector() {
        let (blue, _) = lower(|ns| release(ns).live(Colour::Blue));
        let (green, _) = lower(|ns| release(ns).live(Colour::Green));
        assert_eq!(blue.objects.len(), green.objects.len());
        let changed: Vec<(&str, &str)> = blue
            .objects
            .iter()
            .zip(&green.objects)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| (a.kind.as_str(), a.name.as_str()))
            .collect();
        assert_eq!(changed, [("Service", "kgas-api-service")]);
        let svc = |g: &Graph| object(g, "Service", "kgas-api-service").body.to_value();
        let (mut a, b) = (svc(&blue), svc(&green));
        a["spec"]["selector"]["stacksmith.dev/colour"] = "green".into();
        assert_eq!(a, b);
    }

    #[test]
    fn service_handle_makes_an_ordinary_ingress() {
        let (g, _) = lower(release);
        let ing = object(&g, "Ingress", "kgas-api-ingress");
        assert_eq!(ing.owner.to_string(), "prod/kgas-api/ingress");
        assert_eq!(
            ing.body["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"],
            serde_json::json!({"name": "kgas-api-service", "port": {"number": 80}})
        );
    }

    #[test]
    fn idle_colour_can_scale_to_zero_without_a_warning() {
        let (g, _) = lower(|ns| release(ns).live(Colour::Green).idle_replicas(0));
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            object(&g, "Deployment", "kgas-api-blue").body["spec"]["replicas"],
            0
        );
        assert_eq!(
            object(&g, "Deployment", "kgas-api-green").body["spec"]["replicas"],
            3
        );
        // By default the idle colour stays warm.
        let (g, _) = lower(release);
        assert_eq!(
            object(&g, "Deployment", "kgas-api-green").body["spec"]["replicas"],
            3
        );
    }

    #[test]
    fn name_sets_the_base_of_both_names() {
        let (g, r) = lower(|ns| release(ns).name("api"));
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            (r.blue().name(), r.green().name()),
            ("api-blue", "api-green")
        );
        object(&g, "Deployment", "api-green");
    }

    #[test]
    fn colours_take_autoscalers_and_budgets() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let r = stack.add(release(&ns).autoscale(HorizontalPodAutoscaler::new(3, 10)));
        for colour in [r.blue(), r.green()] {
            assert_eq!(colour.replicas(), 3);
            stack.add(colour.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
        }
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        for colour in ["blue", "green"] {
            let hpa = object(
                &g,
                "HorizontalPodAutoscaler",
                &format!("kgas-api-{colour}-hpa"),
            );
            assert_eq!(
                hpa.body["spec"]["scaleTargetRef"]["name"],
                format!("kgas-api-{colour}")
            );
            let d = object(&g, "Deployment", &format!("kgas-api-{colour}"));
            assert_eq!(d.body["spec"].get("replicas"), None);
        }
        let pdb = object(&g, "PodDisruptionBudget", "kgas-api-blue-pdb");
        assert_eq!(
            pdb.body["spec"]["selector"]["matchLabels"]["stacksmith.dev/id"],
            "prod-kgas-api-blue"
        );
        // An idle colour scaled to zero keeps its zero and gets no autoscaler.
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        stack.add(
            release(&ns)
                .autoscale(HorizontalPodAutoscaler::new(3, 10))
                .idle_replicas(0),
        );
        let g = stack.lower();
        assert_eq!(
            object(&g, "Deployment", "kgas-api-green").body["spec"]["replicas"],
            0
        );
        assert!(!g.objects.iter().any(|o| o.name == "kgas-api-green-hpa"));
    }

    #[test]
    fn release_objects_snapshot() {
        let (g, _) = lower(|ns| release(ns).live(Colour::Green));
        let bodies: Vec<&stacksmith_core::Body> = g.objects.iter().map(|o| &o.body).collect();
        insta::assert_json_snapshot!(bodies);
    }

    #[test]
    fn fails_missing_colour_and_different_ports() {
        let (g, _) = lower(|ns| BlueGreen::new(ns, "kgas-api").blue(api("kgas/api:1.4.0")));
        let (g2, _) = lower(|ns| {
            BlueGreen::new(ns, "kgas-api")
                .blue(api("kgas/api:1.4.0"))
                .green(Container::new("api", "kgas/api:1.5.0").port("http", 8080))
        });
        insta::assert_snapshot!(format!("{}{}", g.diagnostics, g2.diagnostics));
    }

    #[test]
    fn fails_reserved_release_labels() {
        let (g, _) = lower(|ns| release(ns).label("stacksmith.dev/colour", "blue"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
