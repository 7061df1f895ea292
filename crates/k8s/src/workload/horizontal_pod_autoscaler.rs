//! `HorizontalPodAutoscaler`: autoscaling/v2 scaling of a Deployment or StatefulSet between a
//! minimum and a maximum on CPU and memory utilisation; the autoscaler owns the replica count.

use crate::api::autoscaling_v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules,
    HorizontalPodAutoscaler as KHpa, HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec,
    MetricSpec, MetricTarget, ResourceMetricSource,
};
use stacksmith_core::{Lowering, NameOrigin, NameRule};

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

/// A Kubernetes HorizontalPodAutoscaler (autoscaling/v2) for a Deployment or a StatefulSet,
/// given to it with [`Deployment::autoscale`](crate::Deployment::autoscale) or
/// [`StatefulSet::autoscale`](crate::StatefulSet::autoscale).
///
/// Creates: one `autoscaling/v2/HorizontalPodAutoscaler` targeting the workload, as the child
/// `hpa` of the workload, so the name is `<workload>-hpa`.
///
/// The autoscaler owns the replica count: the workload's manifest has no `spec.replicas`, so a
/// `kubectl apply` never resets the scale the autoscaler chose, and the workload starts at the
/// autoscaler's minimum (Kubernetes creates it with one pod, and the autoscaler raises it to
/// `min` at once). A disruption budget counts from that minimum. An explicit
/// `.replicas(n)` that differs from `min` is ignored, with warning SS0480. Once a workload
/// already running is given an autoscaler, the first `kubectl apply` without `spec.replicas`
/// sets it to one pod until the autoscaler scales it back to `min` (seconds later).
///
/// Defaults: when no metric is set, 80% average CPU utilisation of the requests; Kubernetes'
/// default scaling behaviour.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// stack.add(
///     Deployment::new(&ns, "rocketgraph-public-api")
///         .autoscale(
///             HorizontalPodAutoscaler::new(6, 50)
///                 .cpu_utilization(70)
///                 .memory_utilization(80)
///                 .scale_up(ScalingBehavior::new(60).percent(100, 15))
///                 .scale_down(ScalingBehavior::new(300).percent(10, 60)),
///         )
///         .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000)),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct HorizontalPodAutoscaler {
    name: Option<String>,
    min: u32,
    max: u32,
    cpu: Option<u32>,
    memory: Option<u32>,
    scale_up: Option<ScalingBehavior>,
    scale_down: Option<ScalingBehavior>,
}

impl HorizontalPodAutoscaler {
    /// An autoscaler keeping between `min` and `max` replicas; the workload starts at `min`.
    pub fn new(min: u32, max: u32) -> Self {
        Self {
            name: None,
            min,
            max,
            cpu: None,
            memory: None,
            scale_up: None,
            scale_down: None,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack,
    /// `<workload>-hpa`.
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

    /// Checks the autoscaler and lowers it targeting the workload `kind`/`name` in `namespace`;
    /// `cx` is the autoscaler's own context (the workload's child `hpa`).
    fn lower(&self, cx: &mut Lowering<'_>, kind: &str, name: &str, namespace: &str) {
        self.lower_for(cx, "apps/v1", kind, name, namespace);
    }

    /// [`Self::lower`] for a scale target of any API group (an Argo `Rollout`).
    pub(crate) fn lower_for(
        &self,
        cx: &mut Lowering<'_>,
        api_version: &str,
        kind: &str,
        name: &str,
        namespace: &str,
    ) {
        let own = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &own,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        self.check(cx);
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
            metadata: meta(&own, Some(namespace), [], []),
            spec: Some(HorizontalPodAutoscalerSpec {
                scale_target_ref: CrossVersionObjectReference {
                    api_version: Some(api_version.to_owned()),
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                },
                min_replicas: Some(int(self.min)),
                max_replicas: int(self.max),
                metrics: Some(metrics),
                behavior,
            }),
        };
        push(cx, Some(namespace), &own, &object);
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
    }
}

/// Who sets a replicated workload's size: the user's `replicas` (or the kind's default), or an
/// autoscaler, which then owns `spec.replicas`. Held by [`Deployment`](crate::Deployment) and
/// [`StatefulSet`](crate::StatefulSet).
#[derive(Clone, Debug)]
pub(crate) struct Scale {
    /// The kind's default size, when neither `replicas` nor an autoscaler is given.
    pub(crate) default: u32,
    /// `replicas`, as the user set it.
    pub(crate) replicas: Option<u32>,
    pub(crate) autoscaler: Option<HorizontalPodAutoscaler>,
}

impl Scale {
    pub(crate) fn new(default: u32) -> Self {
        Self {
            default,
            replicas: None,
            autoscaler: None,
        }
    }

    /// The resources its autoscaler scales on (`cpu` when it names none); empty without one.
    pub(crate) fn resources(&self) -> Vec<&'static str> {
        let Some(hpa) = &self.autoscaler else {
            return Vec::new();
        };
        let mut on = Vec::new();
        if hpa.cpu.is_some() || hpa.memory.is_none() {
            on.push("cpu");
        }
        if hpa.memory.is_some() {
            on.push("memory");
        }
        on
    }

    /// The size the workload starts at: the autoscaler's minimum, else `replicas`, else the
    /// default. Disruption budgets count from it.
    pub(crate) fn starting(&self) -> u32 {
        match &self.autoscaler {
            Some(hpa) => hpa.min,
            None => self.replicas.unwrap_or(self.default),
        }
    }

    /// The `spec.replicas` the workload `kind` being lowered writes: none under an
    /// autoscaler, which owns it (SS0480 when an explicit `replicas` differs from its minimum).
    pub(crate) fn spec_replicas(&self, cx: &mut Lowering<'_>, kind: &str) -> Option<i32> {
        let Some(hpa) = &self.autoscaler else {
            return Some(int(self.starting()));
        };
        if let Some(replicas) = self.replicas.filter(|r| *r != hpa.min) {
            let path = cx.path().clone();
            let min = hpa.min;
            cx.warning(
                "SS0480",
                format!(
                    "{kind} {path} sets `replicas` to {replicas}, but its autoscaler owns the replica count and starts it at its minimum, {min}; `replicas` is not written"
                ),
                format!(
                    "remove `.replicas({replicas})`, or make the autoscaler's minimum {replicas} if the workload should start there"
                ),
            );
        }
        None
    }

    /// Lowers the autoscaler, if any, as the child `hpa` of the workload `kind`/`name` in
    /// `namespace` being lowered.
    pub(crate) fn lower_autoscaler(
        &self,
        cx: &mut Lowering<'_>,
        kind: &str,
        name: &str,
        namespace: &str,
    ) {
        if let Some(hpa) = &self.autoscaler {
            hpa.lower(&mut cx.child("hpa"), kind, name, namespace);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Budget, Container, Deployment, IntOrPercent, Namespace, NamespaceRef, StatefulSet,
    };
    use stacksmith_core::{Graph, Stack};

    fn api(ns: &NamespaceRef) -> Deployment {
        Deployment::new(ns, "api")
            .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000))
    }

    fn lower(build: impl FnOnce(&NamespaceRef) -> Deployment) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(build(&ns));
        stack.lower()
    }

    #[test]
    fn hpa_targets_the_deployment_with_cpu_80_by_default() {
        let g = lower(|ns| api(ns).autoscale(HorizontalPodAutoscaler::new(2, 10)));
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let hpa = &g.objects[2];
        assert_eq!(
            (hpa.kind.as_str(), hpa.name.as_str()),
            ("HorizontalPodAutoscaler", "api-hpa")
        );
        assert_eq!(hpa.owner.to_string(), "prod/api/hpa");
        let spec = &hpa.body["spec"];
        assert_eq!(hpa.api_version, "autoscaling/v2");
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

    /// Issue 14, item 6: `kubectl apply` of a Deployment with `spec.replicas` would reset the
    /// scale the autoscaler chose, so under an autoscaler the field is not written.
    #[test]
    fn the_autoscaler_owns_replicas() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let d = stack.add(api(&ns).autoscale(HorizontalPodAutoscaler::new(6, 50)));
        assert_eq!(d.replicas(), 6, "the Deployment starts at the minimum");
        let sts = stack.add(
            StatefulSet::new(&ns, "cache")
                .autoscale(HorizontalPodAutoscaler::new(3, 9))
                .container(Container::new("cache", "redis:7.2.4")),
        );
        assert_eq!(sts.replicas(), 3);
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = |kind: &str, name: &str| {
            let Some(o) = g.objects.iter().find(|o| o.kind == kind && o.name == name) else {
                panic!("no {kind} {name}");
            };
            o.body["spec"].clone()
        };
        assert_eq!(spec("Deployment", "api").get("replicas"), None);
        assert_eq!(spec("StatefulSet", "cache").get("replicas"), None);
        assert_eq!(
            spec("HorizontalPodAutoscaler", "cache-hpa")["scaleTargetRef"]["kind"],
            "StatefulSet"
        );
    }

    #[test]
    fn without_an_autoscaler_replicas_are_written() {
        let g = lower(|ns| api(ns).replicas(4));
        assert_eq!(g.objects[1].body["spec"]["replicas"], 4);
        let g = lower(api);
        assert_eq!(g.objects[1].body["spec"]["replicas"], 2);
    }

    /// The budget counts from the autoscaler's minimum, not a `replicas` it ignores: with a
    /// minimum of 2, `min_available: 2` blocks every eviction.
    #[test]
    fn fails_budget_counts_from_the_autoscaler_minimum() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let d = stack.add(api(&ns).autoscale(HorizontalPodAutoscaler::new(2, 10)));
        stack.add(d.disruption_budget(Budget::MinAvailable(IntOrPercent::Count(2))));
        let g = stack.lower();
        assert_eq!(
            g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["SS0308"]
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn hpa_writes_behavior_policies() {
        let g = lower(|ns| {
            api(ns).autoscale(
                HorizontalPodAutoscaler::new(6, 50)
                    .cpu_utilization(70)
                    .memory_utilization(80)
                    .scale_up(ScalingBehavior::new(60).percent(100, 15))
                    .scale_down(ScalingBehavior::new(300).percent(10, 60)),
            )
        });
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
        let g = lower(|ns| api(ns).autoscale(HorizontalPodAutoscaler::new(5, 3)));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_min_zero_and_bad_targets() {
        let g = lower(|ns| {
            api(ns).autoscale(
                HorizontalPodAutoscaler::new(0, 3)
                    .cpu_utilization(0)
                    .memory_utilization(2000)
                    .scale_down(ScalingBehavior::new(4000).pods(0, 60)),
            )
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_replicas_beside_an_autoscaler_warns() {
        let g = lower(|ns| {
            api(ns)
                .replicas(2)
                .autoscale(HorizontalPodAutoscaler::new(6, 50))
        });
        assert!(!g.diagnostics.has_errors());
        assert_eq!(g.objects[1].body["spec"].get("replicas"), None);
        insta::assert_snapshot!(g.diagnostics.to_string());
        // The same count as the minimum says nothing new: no warning.
        let g = lower(|ns| {
            api(ns)
                .replicas(6)
                .autoscale(HorizontalPodAutoscaler::new(6, 50))
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
    }
}
