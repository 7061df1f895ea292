//! `HorizontalPodAutoscaler`: autoscaling/v2 scaling of a Deployment between a minimum and a
//! maximum on CPU and memory utilisation, with optional scale-up and scale-down behaviour.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules,
    HorizontalPodAutoscaler as KHpa, HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec,
    MetricSpec, MetricTarget, ResourceMetricSource,
};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::DeploymentRef;
use crate::labels::{int, meta, push, resolve_name};

/// CPU target when no metric is set: 80% of the requests.
const DEFAULT_CPU_UTILIZATION: u32 = 80;

/// How fast an autoscaler may scale in one direction: a stabilisation window and rate policies.
///
/// ```no_run
/// use stacksmith_k8s::ScalingBehavior;
///
/// // Double at most every 15 seconds, or add 4 pods, whichever is more.
/// let up = ScalingBehavior::new(60).percent(100, 15).pods(4, 15);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalingBehavior {
    stabilization: u32,
    policies: Vec<(&'static str, u32, u32)>,
}

impl ScalingBehavior {
    /// A behaviour that acts on the most conservative recommendation of the last
    /// `stabilization_secs` seconds (`stabilizationWindowSeconds`, 0–3600).
    pub fn new(stabilization_secs: u32) -> Self {
        Self {
            stabilization: stabilization_secs,
            policies: Vec::new(),
        }
    }

    /// Allows changing by `value`% of the current replicas per `period_secs` (1–1800).
    #[must_use]
    pub fn percent(mut self, value: u32, period_secs: u32) -> Self {
        self.policies.push(("Percent", value, period_secs));
        self
    }

    /// Allows changing by `value` pods per `period_secs` (1–1800).
    #[must_use]
    pub fn pods(mut self, value: u32, period_secs: u32) -> Self {
        self.policies.push(("Pods", value, period_secs));
        self
    }

    fn check(&self, cx: &mut Lowering<'_>, field: &str) {
        if self.stabilization > 3600 {
            cx.error(
                "SS0315",
                format!(
                    "`{field}` stabilisation window is {}s; at most 3600s is allowed",
                    self.stabilization
                ),
                "use a window from 0 to 3600 seconds",
            );
        }
        for (kind, value, period) in &self.policies {
            if *value == 0 || *period == 0 || *period > 1800 {
                cx.error(
                    "SS0315",
                    format!("`{field}` {kind} policy of {value} per {period}s is out of range"),
                    "policy values must be above 0 and periods from 1 to 1800 seconds",
                );
            }
        }
    }

    fn k8s(&self) -> HPAScalingRules {
        HPAScalingRules {
            stabilization_window_seconds: Some(int(self.stabilization)),
            policies: (!self.policies.is_empty()).then(|| {
                self.policies
                    .iter()
                    .map(|(kind, value, period)| HPAScalingPolicy {
                        type_: (*kind).to_owned(),
                        value: int(*value),
                        period_seconds: int(*period),
                    })
                    .collect()
            }),
            ..HPAScalingRules::default()
        }
    }
}

/// A Kubernetes HorizontalPodAutoscaler (autoscaling/v2) for a Deployment, made by
/// [`DeploymentRef::autoscale`].
///
/// Creates: one `autoscaling/v2/HorizontalPodAutoscaler` targeting the Deployment.
///
/// Defaults: when no metric is set, 80% average CPU utilisation of the requests; Kubernetes'
/// default scaling behaviour. The construct id is `hpa`, a child of the Deployment, so the name
/// is `<deployment>-hpa`. The Deployment's own `replicas` should lie in `[min, max]` (SS0307).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let api = stack.add(
///     Deployment::new(&ns, "rocketgraph-public-api")
///         .replicas(6)
///         .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000)),
/// );
/// stack.add(
///     api.autoscale(6, 50)
///         .cpu_utilization(70)
///         .memory_utilization(80)
///         .scale_up(ScalingBehavior::new(60).percent(100, 15))
///         .scale_down(ScalingBehavior::new(300).percent(10, 60)),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct HorizontalPodAutoscaler {
    deployment: DeploymentRef,
    name: Option<String>,
    min: u32,
    max: u32,
    cpu: Option<u32>,
    memory: Option<u32>,
    scale_up: Option<ScalingBehavior>,
    scale_down: Option<ScalingBehavior>,
}

impl HorizontalPodAutoscaler {
    pub(crate) fn new(deployment: &DeploymentRef, min: u32, max: u32) -> Self {
        Self {
            deployment: deployment.clone(),
            name: None,
            min,
            max,
            cpu: None,
            memory: None,
            scale_up: None,
            scale_down: None,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Targets this average CPU utilisation, in percent of the requests (1–1000).
    /// Default: 80 when no metric is set.
    #[must_use]
    pub fn cpu_utilization(mut self, percent: u32) -> Self {
        self.cpu = Some(percent);
        self
    }

    /// Targets this average memory utilisation, in percent of the requests (1–1000).
    #[must_use]
    pub fn memory_utilization(mut self, percent: u32) -> Self {
        self.memory = Some(percent);
        self
    }

    /// Limits how fast it scales up. Default: Kubernetes' (no window; 100% or 4 pods per 15s).
    #[must_use]
    pub fn scale_up(mut self, behavior: ScalingBehavior) -> Self {
        self.scale_up = Some(behavior);
        self
    }

    /// Limits how fast it scales down. Default: Kubernetes' (300s window; 100% per 15s).
    #[must_use]
    pub fn scale_down(mut self, behavior: ScalingBehavior) -> Self {
        self.scale_down = Some(behavior);
        self
    }

    fn check(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let (min, max) = (self.min, self.max);
        if min > max {
            cx.error(
                "SS0306",
                format!("`min_replicas` ({min}) is greater than `max_replicas` ({max}) at {path}"),
                "raise max_replicas or lower min_replicas",
            );
        } else {
            let replicas = self.deployment.replicas;
            if replicas < min || replicas > max {
                cx.warning(
                    "SS0307",
                    format!(
                        "Deployment {} has {replicas} replicas, outside its autoscaler's range {min}–{max}; the autoscaler will override it",
                        self.deployment.path
                    ),
                    format!("set the Deployment's `replicas` between {min} and {max}"),
                );
            }
        }
        if min == 0 {
            cx.error(
                "SS0314",
                format!("`min_replicas` is 0 at {path}"),
                "use at least 1 (scaling to zero needs the alpha HPAScaleToZero feature gate); 2 survives the loss of a pod",
            );
        }
        for (field, value) in [
            ("cpu_utilization", self.cpu),
            ("memory_utilization", self.memory),
        ] {
            if let Some(v) = value.filter(|v| *v == 0 || *v > 1000) {
                cx.error(
                    "SS0315",
                    format!(
                        "`{field}` is {v}% at {path}; it must be from 1% to 1000% of the requests"
                    ),
                    "target a utilisation such as 70 (percent of the containers' requests)",
                );
            }
        }
        if let Some(b) = &self.scale_up {
            b.check(cx, "scale_up");
        }
        if let Some(b) = &self.scale_down {
            b.check(cx, "scale_down");
        }
    }
}

fn resource_metric(name: &str, percent: u32) -> MetricSpec {
    MetricSpec {
        type_: "Resource".to_owned(),
        resource: Some(ResourceMetricSource {
            name: name.to_owned(),
            target: MetricTarget {
                type_: "Utilization".to_owned(),
                average_utilization: Some(int(percent)),
                ..MetricTarget::default()
            },
        }),
        ..MetricSpec::default()
    }
}

/// A handle to a [`HorizontalPodAutoscaler`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HorizontalPodAutoscalerRef {
    path: Path,
    name: String,
    namespace: String,
}

impl HorizontalPodAutoscalerRef {
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

impl Lower for HorizontalPodAutoscaler {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        self.check(cx);
        let d = &self.deployment;
        let cpu = match (self.cpu, self.memory) {
            (None, None) => Some(DEFAULT_CPU_UTILIZATION),
            (cpu, _) => cpu,
        };
        let mut metrics = Vec::with_capacity(2);
        if let Some(p) = cpu {
            metrics.push(resource_metric("cpu", p));
        }
        if let Some(p) = self.memory {
            metrics.push(resource_metric("memory", p));
        }
        let behavior = (self.scale_up.is_some() || self.scale_down.is_some()).then(|| {
            HorizontalPodAutoscalerBehavior {
                scale_up: self.scale_up.as_ref().map(ScalingBehavior::k8s),
                scale_down: self.scale_down.as_ref().map(ScalingBehavior::k8s),
            }
        });
        let object = KHpa {
            metadata: meta(&name, Some(&d.namespace), [], []),
            spec: Some(HorizontalPodAutoscalerSpec {
                scale_target_ref: CrossVersionObjectReference {
                    api_version: Some("apps/v1".to_owned()),
                    kind: "Deployment".to_owned(),
                    name: d.name.clone(),
                },
                min_replicas: Some(int(self.min)),
                max_replicas: int(self.max),
                metrics: Some(metrics),
                behavior,
            }),
            ..KHpa::default()
        };
        push(cx, Some(&d.namespace), &name, &object);
    }
}

impl Construct for HorizontalPodAutoscaler {
    type Handle = HorizontalPodAutoscalerRef;

    fn id(&self) -> &str {
        "hpa"
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.deployment.path)
    }

    fn handle(&self, scope: &Scope) -> HorizontalPodAutoscalerRef {
        HorizontalPodAutoscalerRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.deployment.namespace.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, Deployment, Namespace};
    use stacksmith_core::Stack;

    fn stack(replicas: u32) -> (Stack, DeploymentRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let api =
            stack.add(Deployment::new(&ns, "api").replicas(replicas).container(
                Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000),
            ));
        (stack, api)
    }

    #[test]
    fn hpa_targets_the_deployment_with_cpu_80_by_default() {
        let (mut stack, api) = stack(2);
        let hpa = stack.add(api.autoscale(2, 10));
        assert_eq!(hpa.name(), "api-hpa");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = &g.objects[2].body["spec"];
        assert_eq!(g.objects[2].api_version, "autoscaling/v2");
        assert_eq!(
            spec["scaleTargetRef"],
            serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"})
        );
        assert_eq!(spec["metrics"][0]["resource"]["name"], "cpu");
        assert_eq!(
            spec["metrics"][0]["resource"]["target"]["averageUtilization"],
            80
        );
        assert_eq!(spec.get("behavior"), None);
    }

    #[test]
    fn hpa_writes_behavior_policies() {
        let (mut stack, api) = stack(6);
        stack.add(
            api.autoscale(6, 50)
                .cpu_utilization(70)
                .memory_utilization(80)
                .scale_up(ScalingBehavior::new(60).percent(100, 15))
                .scale_down(ScalingBehavior::new(300).percent(10, 60)),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = &g.objects[2].body["spec"];
        assert_eq!(
            spec["metrics"][1]["resource"]["target"]["averageUtilization"],
            80
        );
        assert_eq!(
            spec["behavior"]["scaleUp"],
            serde_json::json!({"policies": [{"periodSeconds": 15, "type": "Percent", "value": 100}], "stabilizationWindowSeconds": 60})
        );
    }

    #[test]
    fn fails_min_above_max() {
        let (mut stack, api) = stack(2);
        stack.add(api.autoscale(5, 3));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_min_zero_and_bad_targets() {
        let (mut stack, api) = stack(2);
        stack.add(
            api.autoscale(0, 3)
                .cpu_utilization(0)
                .memory_utilization(2000)
                .scale_down(ScalingBehavior::new(4000).pods(0, 60)),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_replicas_outside_range_warns() {
        let (mut stack, api) = stack(2);
        stack.add(api.autoscale(6, 50));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
