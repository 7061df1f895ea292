//! `ProgressiveCanary`: an automated canary release through Argo Rollouts — traffic shifted in
//! steps by the AWS Load Balancer Controller's weighted target groups, each step gated by an
//! analysis of the canary's 5xx ratio on the ALB (CloudWatch), rolled back automatically when
//! the ratio exceeds its limit.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::custom::{CustomResourceKind, Manifest, Namespaced, lower_typed};
use crate::labels::{identity_selector, identity_value, resolve_name};
use crate::pod::{PodContext, PodTemplate, Spread, check_replicas, pod_methods};
use crate::workload::horizontal_pod_autoscaler::Scale;
use crate::{
    DeploymentRef, HorizontalPodAutoscaler, Ingress, IntOrPercent, NamespaceRef, PortRef, Service,
    ServiceRef,
};

/// Argo Rollouts' API version.
const ARGO: &str = "argoproj.io/v1alpha1";

/// The most 5xx responses the canary may return, as a share of its requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorRate {
    /// Tenths of a per mille: 10 is 0.1%, 100 is 1%.
    per_ten_thousand: u32,
}

impl ErrorRate {
    /// `n` percent (1 = 1%).
    pub fn percent(n: u32) -> Self {
        Self {
            per_ten_thousand: n.saturating_mul(100),
        }
    }

    /// `n` per mille (1 = 0.1%).
    pub fn per_mille(n: u32) -> Self {
        Self {
            per_ten_thousand: n.saturating_mul(10),
        }
    }

    /// As a ratio: 0.001 for 0.1%.
    fn ratio(self) -> f64 {
        f64::from(self.per_ten_thousand) / 10_000.0
    }
}

/// An automated canary release (Argo Rollouts): a new version of the pod gets a growing share
/// of the ALB's traffic, step by step, while an analysis watches its 5xx ratio; when the ratio
/// goes over the limit the rollout is aborted and all traffic returns to the stable version.
///
/// Creates: an `argoproj.io/v1alpha1` `Rollout` (the pod template and replica count, as a
/// Deployment would hold them), its stable and canary Services (`<name>-stable`,
/// `<name>-canary`, port `port` to the container port `target`), an `AnalysisTemplate`
/// (`<name>-error-rate`) querying CloudWatch for the canary target group's
/// `HTTPCode_Target_5XX_Count / RequestCount`, and the autoscaler if any (scaling the Rollout).
/// [`ProgressiveCanaryRef::expose_via_ingress`] makes the ALB Ingress whose route is the
/// weighted action the rollout rewrites.
///
/// Needs: the Argo Rollouts controller (`ClusterAddon::ArgoRollouts`, with the IAM identity
/// allowed `cloudwatch:GetMetricData` and to read the ALB's target groups) and the AWS Load
/// Balancer Controller; synth fails without them (SS0450).
///
/// Defaults: steps 5% → 25% → 50% → 100%, each held 5 minutes; the analysis runs every minute
/// from the first step, over the last 5 minutes of the canary's target group, and fails when
/// more than 1% of its requests return 5xx (three failed measurements abort the rollout; no
/// requests count as no errors); 3 replicas unless autoscaled; zone spread preferred. To
/// release, change the container's image: the rollout controller does the rest.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("kgas"));
/// let api = stack.add(
///     ProgressiveCanary::new(&ns, "kgas-api-server", 80, "http")
///         .container(Container::new("api", "kgas/api-server:v1.1.0").port("http", 8000))
///         .max_error_rate(ErrorRate::per_mille(1)),
/// );
/// stack.add(api.expose_via_ingress("api.kgas.dev", "/"));
/// ```
#[derive(Clone, Debug)]
pub struct ProgressiveCanary {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    port: u16,
    target: PortRef,
    steps: Vec<u32>,
    pause: Duration,
    max_error_rate: ErrorRate,
    scale: Scale,
    pub(crate) pod: PodTemplate,
}

impl ProgressiveCanary {
    /// A progressive canary in `namespace` whose Services send `port` to the container port
    /// `target` (a name such as `"http"` or a number).
    pub fn new(
        namespace: &NamespaceRef,
        id: impl Into<String>,
        port: u16,
        target: impl Into<PortRef>,
    ) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            port,
            target: target.into(),
            steps: vec![5, 25, 50],
            pause: Duration::from_secs(300),
            max_error_rate: ErrorRate::percent(1),
            scale: Scale::new(3),
            pod: PodTemplate::new(Spread::Preferred),
        }
    }

    pod_methods!();

    /// Sets the Rollout's name (the Services and template are named after it). Default: the
    /// kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The canary's traffic shares, in percent, each below 100 and above the one before; after
    /// the last the canary gets 100% and becomes stable. Default: 5, 25, 50 (seed 004).
    #[must_use]
    pub fn steps(mut self, percents: impl IntoIterator<Item = u32>) -> Self {
        self.steps = percents.into_iter().collect();
        self
    }

    /// How long each step is held while the analysis watches it, 1 minute to 24 hours.
    /// Default: 5 minutes.
    #[must_use]
    pub fn pause(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    /// The canary's 5xx share above which the rollout is rolled back. Default: 1%.
    #[must_use]
    pub fn max_error_rate(mut self, rate: ErrorRate) -> Self {
        self.max_error_rate = rate;
        self
    }

    /// The replica count. Default: 3.
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.scale.replicas = Some(replicas);
        self
    }

    /// Scales the Rollout with `autoscaler` (which then owns `replicas`). Default: none.
    #[must_use]
    pub fn autoscale(mut self, autoscaler: HorizontalPodAutoscaler) -> Self {
        self.scale.autoscaler = Some(autoscaler);
        self
    }

    /// Refuses to schedule pods so that zones become unbalanced (`DoNotSchedule`). Default:
    /// preferred.
    #[must_use]
    pub fn require_zone_spread(mut self) -> Self {
        self.pod.spread = Spread::Required;
        self
    }

    fn check(&self, cx: &mut Lowering<'_>) -> bool {
        let path = cx.path().clone();
        let mut ok = true;
        let increasing = self.steps.windows(2).all(|w| w.first() < w.get(1));
        if self.steps.is_empty() || !increasing || self.steps.iter().any(|s| !(1..=99).contains(s))
        {
            ok = false;
            cx.error(
                "SS0705",
                format!(
                    "the steps of progressive canary {path} are {:?}; they must be 1 to 99 percent, each above the one before",
                    self.steps
                ),
                "use increasing shares below 100, such as `.steps([5, 25, 50])`; the canary gets 100% after the last",
            );
        }
        if !(60..=86_400).contains(&self.pause.as_secs()) || self.pause.subsec_nanos() != 0 {
            ok = false;
            cx.error(
                "SS0705",
                format!(
                    "progressive canary {path} holds each step {:?}; the analysis needs 1 minute to 24 hours, in whole seconds",
                    self.pause
                ),
                "use e.g. `.pause(Duration::from_secs(300))`: five one-minute measurements per step",
            );
        }
        let r = self.max_error_rate.per_ten_thousand;
        if r == 0 || r >= 10_000 {
            ok = false;
            cx.error(
                "SS0705",
                format!(
                    "progressive canary {path} allows an error rate of {}%; it must be above 0 and below 100%",
                    f64::from(r) / 100.0
                ),
                "use e.g. `.max_error_rate(ErrorRate::percent(1))` or `ErrorRate::per_mille(1)` (0.1%)",
            );
        }
        ok
    }

    fn pods(&self, path: &Path) -> crate::pod::Pods {
        crate::pod::Pods {
            path: path.clone(),
            name: resolve_name(self.name.as_ref(), path),
            namespace: self.namespace.name().to_owned(),
            identity: identity_value(path),
            ports: self.pod.ports().cloned().collect(),
        }
    }

    fn service(&self, path: &Path, id: &str) -> Service {
        let name = format!("{}-{id}", resolve_name(self.name.as_ref(), path));
        Service::new(&self.pods(path), self.port, self.target.clone())
            .id(id)
            .name(name)
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RolloutSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    replicas: Option<i32>,
    selector: Value,
    template: Value,
    strategy: Strategy,
}

impl CustomResourceKind for RolloutSpec {
    const API_VERSION: &'static str = ARGO;
    const KIND: &'static str = "Rollout";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
struct Strategy {
    canary: CanaryStrategy,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct CanaryStrategy {
    #[schemars(length(min = 1))]
    canary_service: String,
    #[schemars(length(min = 1))]
    stable_service: String,
    traffic_routing: TrafficRouting,
    analysis: BackgroundAnalysis,
    #[schemars(length(min = 1))]
    steps: Vec<Step>,
}

#[derive(Serialize, JsonSchema)]
struct TrafficRouting {
    alb: AlbRouting,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct AlbRouting {
    #[schemars(length(min = 1))]
    ingress: String,
    #[schemars(range(min = 1, max = 65535))]
    service_port: u16,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct BackgroundAnalysis {
    #[schemars(length(min = 1))]
    templates: Vec<TemplateRef>,
    #[schemars(range(min = 0))]
    starting_step: u32,
    args: Vec<AnalysisArg>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct TemplateRef {
    #[schemars(length(min = 1))]
    template_name: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct AnalysisArg {
    name: String,
    value_from: ValueFrom,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ValueFrom {
    field_ref: FieldRef,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct FieldRef {
    field_path: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
enum Step {
    SetWeight(#[schemars(range(min = 0, max = 100))] u32),
    Pause(PauseStep),
}

#[derive(Serialize, JsonSchema)]
struct PauseStep {
    #[schemars(pattern(r"^[0-9]+[smh]$"))]
    duration: String,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct AnalysisTemplateSpec {
    args: Vec<ArgDecl>,
    #[schemars(length(min = 1))]
    metrics: Vec<Metric>,
}

impl CustomResourceKind for AnalysisTemplateSpec {
    const API_VERSION: &'static str = ARGO;
    const KIND: &'static str = "AnalysisTemplate";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
struct ArgDecl {
    #[schemars(length(min = 1))]
    name: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Metric {
    name: String,
    #[schemars(pattern(r"^[0-9]+[smh]$"))]
    interval: String,
    success_condition: String,
    #[schemars(range(min = 0))]
    failure_limit: u32,
    provider: Provider,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Provider {
    cloud_watch: CloudWatch,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct CloudWatch {
    #[schemars(pattern(r"^[0-9]+[smh]$"))]
    interval: String,
    #[schemars(length(min = 1))]
    metric_data_queries: Vec<Value>,
}

/// The arguments the Rollout passes its analysis: the ALB and the canary's target group, as
/// the controller records them in the Rollout's status once it has verified the weights
/// (`name/id`; CloudWatch's dimensions add the `app/` and `targetgroup/` prefixes).
const LOAD_BALANCER_ARG: (&str, &str) = ("load-balancer", "status.alb.loadBalancer.fullName");
const TARGET_GROUP_ARG: (&str, &str) = (
    "canary-target-group",
    "status.alb.canaryTargetGroup.fullName",
);

/// One CloudWatch query of an ALB metric of the canary's target group, summed per minute.
fn alb_query(id: &str, metric: &str) -> Value {
    serde_json::json!({
        "id": id,
        "returnData": false,
        "metricStat": {
            "metric": {
                "namespace": "AWS/ApplicationELB",
                "metricName": metric,
                "dimensions": [
                    {"name": "LoadBalancer", "value": format!("app/{{{{args.{}}}}}", LOAD_BALANCER_ARG.0)},
                    {"name": "TargetGroup", "value": format!("targetgroup/{{{{args.{}}}}}", TARGET_GROUP_ARG.0)},
                ],
            },
            "period": 60,
            "stat": "Sum",
        },
    })
}

impl ProgressiveCanary {
    fn analysis(&self) -> AnalysisTemplateSpec {
        let minutes = self.pause.as_secs().div_ceil(60).max(1);
        AnalysisTemplateSpec {
            args: [LOAD_BALANCER_ARG, TARGET_GROUP_ARG]
                .iter()
                .map(|(name, _)| ArgDecl {
                    name: (*name).to_owned(),
                })
                .collect(),
            metrics: vec![Metric {
                name: "error-rate".to_owned(),
                interval: "1m".to_owned(),
                // No requests in a minute: no values, no evidence of errors.
                success_condition: format!(
                    "all(result[0].Values, {{# <= {}}})",
                    self.max_error_rate.ratio()
                ),
                failure_limit: 2,
                provider: Provider {
                    cloud_watch: CloudWatch {
                        interval: format!("{minutes}m"),
                        metric_data_queries: vec![
                            // 5xx counts are only reported when there are some.
                            serde_json::json!({
                                "id": "rate",
                                "expression": "FILL(errors, 0) / requests",
                                "returnData": true,
                            }),
                            alb_query("errors", "HTTPCode_Target_5XX_Count"),
                            alb_query("requests", "RequestCount"),
                        ],
                    },
                },
            }],
        }
    }

    fn rollout(
        &self,
        name: &str,
        identity: &str,
        replicas: Option<i32>,
        template: Value,
    ) -> RolloutSpec {
        let minutes = self.pause.as_secs().div_ceil(60).max(1);
        let steps = self
            .steps
            .iter()
            .flat_map(|w| {
                [
                    Step::SetWeight(*w),
                    Step::Pause(PauseStep {
                        duration: format!("{minutes}m"),
                    }),
                ]
            })
            .collect();
        RolloutSpec {
            replicas,
            selector: serde_json::to_value(identity_selector(identity)).unwrap_or(Value::Null),
            template,
            strategy: Strategy {
                canary: CanaryStrategy {
                    canary_service: format!("{name}-canary"),
                    stable_service: format!("{name}-stable"),
                    traffic_routing: TrafficRouting {
                        alb: AlbRouting {
                            ingress: format!("{name}-ingress"),
                            service_port: self.port,
                        },
                    },
                    analysis: BackgroundAnalysis {
                        templates: vec![TemplateRef {
                            template_name: format!("{name}-error-rate"),
                        }],
                        // After the first weight is set and verified, which records the ALB
                        // and target group the analysis reads.
                        starting_step: 1,
                        args: [LOAD_BALANCER_ARG, TARGET_GROUP_ARG]
                            .iter()
                            .map(|(arg, field)| AnalysisArg {
                                name: (*arg).to_owned(),
                                value_from: ValueFrom {
                                    field_ref: FieldRef {
                                        field_path: (*field).to_owned(),
                                    },
                                },
                            })
                            .collect(),
                    },
                    steps,
                },
            },
        }
    }
}

impl Lower for ProgressiveCanary {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        let mut ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        ok &= self.check(cx);
        if self.scale.autoscaler.is_none() {
            check_replicas(cx, "Rollout", self.scale.starting());
        }
        let ns = self.namespace.name();
        let path = cx.path().clone();
        let identity = identity_value(&path);
        let replicas = self.scale.spec_replicas(cx, "Rollout");
        let template = self.pod.lower(
            cx,
            &PodContext {
                kind: "Rollout",
                namespace: ns,
                identity: &identity,
                restart_policy: None,
                claims: &[],
            },
        );
        let template = serde_json::to_value(&template).unwrap_or(Value::Null);
        let spec = self.rollout(&name, &identity, replicas, template);
        let labels = self.pod.labels.clone();
        // Reloader restarts a Rollout as it does a Deployment (`isArgoRollouts`): the new
        // template goes through the canary steps and their analysis like any release.
        let annotations: Vec<(String, String)> = self.pod.reload_annotation().into_iter().collect();
        let m = Manifest {
            api_version: RolloutSpec::API_VERSION,
            kind: RolloutSpec::KIND,
            name: &name,
            namespace: Some(ns),
            labels: &labels,
            annotations: &annotations,
        };
        lower_typed(cx, &m, &spec, ok);
        let analysis = format!("{name}-error-rate");
        let m = Manifest {
            api_version: AnalysisTemplateSpec::API_VERSION,
            kind: AnalysisTemplateSpec::KIND,
            name: &analysis,
            namespace: Some(ns),
            labels: &[],
            annotations: &[],
        };
        lower_typed(cx, &m, &self.analysis(), ok);
        for id in ["stable", "canary"] {
            self.service(&path, id).lower(&mut cx.child(id));
        }
        if let Some(hpa) = &self.scale.autoscaler {
            hpa.lower_for(&mut cx.child("hpa"), ARGO, "Rollout", &name, ns);
        }
    }
}

impl Construct for ProgressiveCanary {
    type Handle = ProgressiveCanaryRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> ProgressiveCanaryRef {
        let service = |id: &str| {
            self.service(&scope.path, id).handle(&Scope {
                path: scope.path.child(id),
                region: scope.region.clone(),
            })
        };
        ProgressiveCanaryRef {
            pods: DeploymentRef {
                path: scope.path.clone(),
                name: resolve_name(self.name.as_ref(), &scope.path),
                namespace: self.namespace.name().to_owned(),
                identity: identity_value(&scope.path),
                replicas: self.scale.starting(),
                ports: self.pod.ports().cloned().collect(),
                max_unavailable: IntOrPercent::Percent(25),
                controller: (ARGO, "Rollout"),
                autoscaled_on: self.scale.resources(),
                autoscaled: self.scale.autoscaler.is_some(),
            },
            stable: service("stable"),
            canary: service("canary"),
        }
    }
}

/// A handle to a [`ProgressiveCanary`]: its pods (both versions), its stable and canary
/// Services, and the Ingress whose traffic it weighs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressiveCanaryRef {
    pods: DeploymentRef,
    stable: ServiceRef,
    canary: ServiceRef,
}

impl ProgressiveCanaryRef {
    /// Its construct path.
    pub fn path(&self) -> &Path {
        &self.pods.path
    }

    /// The Rollout's object name.
    pub fn name(&self) -> &str {
        &self.pods.name
    }

    /// The pods of both versions, for what selects them: `.disruption_budget(..)`,
    /// `.allow_from_cidr(..)`, `.allow_egress_to_cidr(..)`.
    pub fn pods(&self) -> &DeploymentRef {
        &self.pods
    }

    /// The Service of the stable version (`<name>-stable`).
    pub fn stable_service(&self) -> &ServiceRef {
        &self.stable
    }

    /// The Service of the canary version (`<name>-canary`).
    pub fn canary_service(&self) -> &ServiceRef {
        &self.canary
    }

    /// The ALB Ingress (id `ingress`, named `<name>-ingress`) sending `https://host/path…` to
    /// the release: its route is the weighted ALB action (backend port `use-annotation`) that
    /// starts with everything on the stable Service and that the rollout rewrites at each step.
    /// Its ALB settings are those of any ALB Ingress; its class stays `alb` (SS0705).
    pub fn expose_via_ingress(
        &self,
        host: impl Into<String>,
        path_prefix: impl Into<String>,
    ) -> Ingress {
        // A child of the release (the Service's parent), named as the Rollout expects.
        let mut ingress = self
            .stable
            .expose_via_ingress(host, path_prefix)
            .name(format!("{}-ingress", self.pods.name));
        ingress.weighted_canary = Some(self.canary.clone());
        ingress
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, Namespace};
    use stacksmith_core::{Graph, Stack};

    fn lower(build: impl FnOnce(ProgressiveCanary) -> ProgressiveCanary) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let release = stack.add(build(
            ProgressiveCanary::new(&ns, "api", 80, "http")
                .container(Container::new("api", "kgas/api-server:v1.0.0").port("http", 8000)),
        ));
        stack.add(release.expose_via_ingress("api.kgas.dev", "/"));
        stack.lower()
    }

    /// The autoscaler-at-max alert of a canary's pods watches the HPA that scales the Rollout.
    #[test]
    fn alerts_on_the_pods_watch_the_rollouts_autoscaler() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let release = stack.add(
            ProgressiveCanary::new(&ns, "api", 80, "http")
                .container(Container::new("api", "kgas/api-server:v1.0.0").port("http", 8000))
                .autoscale(HorizontalPodAutoscaler::new(2, 20)),
        );
        stack.add(release.expose_via_ingress("api.kgas.dev", "/"));
        stack.add(release.pods().alert_on(crate::Slo::autoscaler_at_max()));
        let g = stack.lower();
        let rule = object(&g, "PrometheusRule").to_string();
        assert!(
            rule.contains(r#"scaletargetref_kind=\"Rollout\",scaletargetref_name=\"api\""#),
            "{rule}"
        );
    }

    fn object<'g>(g: &'g Graph, kind: &str) -> &'g stacksmith_core::Body {
        match g.objects.iter().find(|o| o.kind == kind) {
            Some(o) => &o.body,
            None => panic!("no {kind}"),
        }
    }

    #[test]
    fn a_rollout_in_seed_steps_gated_by_the_canary_error_rate() {
        let g = lower(|c| c.autoscale(HorizontalPodAutoscaler::new(2, 20)));
        let errors: Vec<_> = g
            .diagnostics
            .iter()
            .filter(|d| d.code != "SS0450")
            .collect();
        assert!(errors.is_empty(), "{}", g.diagnostics);
        let rollout = object(&g, "Rollout");
        let canary = &rollout["spec"]["strategy"]["canary"];
        let weights: Vec<_> = canary["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("setWeight"))
            .collect();
        assert_eq!(weights, [5, 25, 50]);
        assert_eq!(canary["stableService"], "api-stable");
        assert_eq!(canary["canaryService"], "api-canary");
        assert_eq!(canary["trafficRouting"]["alb"]["ingress"], "api-ingress");
        assert_eq!(
            canary["analysis"]["templates"][0]["templateName"],
            "api-error-rate"
        );
        // The autoscaler owns the count and scales the Rollout.
        assert!(rollout["spec"].get("replicas").is_none());
        let hpa = object(&g, "HorizontalPodAutoscaler");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Rollout");
        assert_eq!(
            hpa["spec"]["scaleTargetRef"]["apiVersion"],
            "argoproj.io/v1alpha1"
        );
        let analysis = object(&g, "AnalysisTemplate");
        assert_eq!(
            analysis["spec"]["metrics"][0]["successCondition"],
            "all(result[0].Values, {# <= 0.01})"
        );
        let ingress = object(&g, "Ingress");
        let backend = &ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
        assert_eq!(backend["name"], "api-stable");
        assert_eq!(backend["port"]["name"], "use-annotation");
        assert!(
            ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/actions.api-stable"]
                .as_str()
                .is_some_and(|a| a.contains("\"Weight\":100"))
        );
        // Both Services select the release's pods; Argo adds the version's hash at run time.
        let services: Vec<_> = g.objects.iter().filter(|o| o.kind == "Service").collect();
        assert_eq!(services.len(), 2);
        for s in services {
            assert_eq!(
                s.body["spec"]["selector"]["stacksmith.dev/id"],
                rollout["spec"]["selector"]["matchLabels"]["stacksmith.dev/id"]
            );
        }
    }

    #[test]
    fn fails_bad_steps_pause_and_error_rate() {
        let g = lower(|c| {
            c.steps([25, 5, 100])
                .pause(Duration::from_secs(10))
                .max_error_rate(ErrorRate::percent(0))
        });
        let mine: Vec<_> = g
            .diagnostics
            .iter()
            .filter(|d| d.code == "SS0705")
            .collect();
        assert_eq!(mine.len(), 3, "{}", g.diagnostics);
        insta::assert_snapshot!(
            mine.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn fails_progressive_canary_ingress_of_another_class() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("kgas"));
        let release = stack.add(
            ProgressiveCanary::new(&ns, "api", 80, "http")
                .container(Container::new("api", "kgas/api-server:v1.0.0").port("http", 8000)),
        );
        stack.add(
            release
                .expose_via_ingress("api.kgas.dev", "/")
                .class("nginx"),
        );
        let g = stack.lower();
        assert!(
            g.diagnostics.iter().any(|d| d.code == "SS0705"),
            "{}",
            g.diagnostics
        );
    }
}
