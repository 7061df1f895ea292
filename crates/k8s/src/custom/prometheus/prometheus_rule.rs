//! Prometheus Operator `PrometheusRule` (monitoring.coreos.com/v1): alerting rules for one
//! workload's pods, made by the `alert_on` intent method of its handle.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use super::slo::{Objective, Slo};
use crate::custom::{CustomResourceKind, Manifest, Namespaced, lower_typed};
use crate::labels::resolve_name;
use crate::{DeploymentRef, StatefulSetRef};

/// A Prometheus duration, as the operator's CRD accepts it.
const PROMETHEUS_DURATION: &str =
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

/// The workload the alerts are about.
#[derive(Clone, Debug)]
struct Watched {
    path: Path,
    kind: &'static str,
    name: String,
    namespace: String,
    autoscaled: bool,
}

impl Watched {
    /// A regular expression matching exactly the names of its pods: `<name>-<pod-template-hash>-<5>`
    /// for a Deployment (a hash has no `-`, so `api` never matches `api-worker`'s pods),
    /// `<name>-<ordinal>` for a StatefulSet.
    fn pods(&self) -> String {
        match self.kind {
            "StatefulSet" => format!("{}-[0-9]+", self.name),
            _ => format!("{}-[a-z0-9]+-[a-z0-9]{{5}}", self.name),
        }
    }

    /// The label matchers of its pods' series.
    fn selector(&self) -> String {
        format!(r#"namespace="{}",pod=~"{}""#, self.namespace, self.pods())
    }
}

/// Prometheus alerting rules for one Deployment or StatefulSet, made by
/// [`DeploymentRef::alert_on`] or [`StatefulSetRef::alert_on`] with one [`Slo`] and more with
/// [`PrometheusRule::and`].
///
/// Creates: one `monitoring.coreos.com/v1/PrometheusRule` in the workload's namespace, one rule
/// group named after it, each alert labelled with `severity` (`critical` pages, `warning`
/// does not), `namespace` and `workload`, and annotated with a summary saying what is wrong.
///
/// Selection: alerts read the series of the workload's own pods, `namespace="<ns>"` and
/// `pod=~"<name>-<hash>-<id>"` (`<name>-<n>` for a StatefulSet), the labels Prometheus gives
/// every target of a ServiceMonitor and kube-state-metrics every pod series.
///
/// Needs the Prometheus Operator's API group (`ClusterAddon::prometheus()`, SS0450 without
/// it). Defaults: the construct id is `alerts`, a child of the workload, so the name is
/// `<workload>-alerts`.
///
/// ```no_run
/// use std::time::Duration;
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("shop"));
/// let api = stack.add(
///     Deployment::new(&ns, "api")
///         .autoscale(HorizontalPodAutoscaler::new(3, 10).cpu_utilization(70))
///         .container(Container::new("api", "shop/api:1.0.0").port("http", 8000)),
/// );
/// stack.add(
///     api.alert_on(Slo::availability(99.9))
///         .and(Slo::latency(99.0, Duration::from_millis(300)))
///         .and(Slo::restarts(3))
///         .and(Slo::autoscaler_at_max()),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct PrometheusRule {
    watched: Watched,
    id: String,
    slos: Vec<Slo>,
    labels: Vec<(String, String)>,
}

/// A handle to a [`PrometheusRule`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrometheusRuleRef {
    path: Path,
    name: String,
    namespace: String,
}

impl PrometheusRuleRef {
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

impl DeploymentRef {
    /// Alerts (a PrometheusRule, id `alerts`) when the Deployment (or the Rollout of a
    /// progressive canary, whose pods this handle names) misses `slo`; add more objectives with
    /// [`PrometheusRule::and`]. The autoscaler alert matches the HPA by the kind it scales.
    pub fn alert_on(&self, slo: Slo) -> PrometheusRule {
        PrometheusRule::new(
            Watched {
                path: self.path.clone(),
                kind: self.controller.1,
                name: self.name.clone(),
                namespace: self.namespace.clone(),
                autoscaled: self.autoscaled,
            },
            slo,
        )
    }
}

impl StatefulSetRef {
    /// Alerts (a PrometheusRule, id `alerts`) when the StatefulSet misses `slo`; add more
    /// objectives with [`PrometheusRule::and`].
    pub fn alert_on(&self, slo: Slo) -> PrometheusRule {
        PrometheusRule::new(
            Watched {
                path: self.path().clone(),
                kind: "StatefulSet",
                name: self.name().to_owned(),
                namespace: self.namespace().to_owned(),
                autoscaled: self.autoscaled,
            },
            slo,
        )
    }
}

impl PrometheusRule {
    fn new(watched: Watched, slo: Slo) -> Self {
        Self {
            watched,
            id: "alerts".to_owned(),
            slos: vec![slo],
            labels: Vec::new(),
        }
    }

    /// Alerts on another objective too.
    #[must_use]
    pub fn and(mut self, slo: Slo) -> Self {
        self.slos.push(slo);
        self
    }

    /// Sets the construct id, for a second rule object of the same workload. Default: `alerts`.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Adds a label to the PrometheusRule object (what a Prometheus `ruleSelector` matches; the
    /// Prometheus add-on reads every rule without one).
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// The rules of one objective.
    fn rules(&self, slo: &Slo) -> Vec<Rule> {
        let w = &self.watched;
        let sel = w.selector();
        let who = format!("{} {}/{}", w.kind, w.namespace, w.name);
        let rule =
            |alert: &str, expr: String, for_: Option<&str>, severity: &str, summary: String| Rule {
                alert: alert.to_owned(),
                expr,
                for_: for_.map(str::to_owned),
                labels: [
                    ("severity".to_owned(), severity.to_owned()),
                    ("namespace".to_owned(), w.namespace.clone()),
                    ("workload".to_owned(), w.name.clone()),
                ]
                .into(),
                annotations: [("summary".to_owned(), summary)].into(),
            };
        match &slo.objective {
            Objective::Availability(percent) => {
                let budget = (100.0 - percent) / 100.0;
                let (metric, code) = &slo.requests;
                let ratio = |window: &str| {
                    format!(
                        r#"sum(rate({metric}{{{sel},{code}=~"5.."}}[{window}])) / sum(rate({metric}{{{sel}}}[{window}]))"#
                    )
                };
                let burn = |long: &str, short: &str, factor: f64| {
                    let limit = number(factor * budget);
                    format!("({} > {limit} and {} > {limit})", ratio(long), ratio(short))
                };
                vec![
                    rule(
                        "ErrorBudgetBurnFast",
                        format!("{} or {}", burn("1h", "5m", 14.4), burn("6h", "30m", 6.0)),
                        None,
                        "critical",
                        format!(
                            "{who} is using its {}% availability error budget fast: at this rate it is gone in days",
                            number(*percent)
                        ),
                    ),
                    rule(
                        "ErrorBudgetBurnSlow",
                        format!("{} or {}", burn("1d", "2h", 3.0), burn("3d", "6h", 1.0)),
                        None,
                        "warning",
                        format!(
                            "{who} is using its {}% availability error budget faster than it lasts a month",
                            number(*percent)
                        ),
                    ),
                ]
            }
            Objective::Latency(percentile, threshold) => {
                let q = number(percentile / 100.0);
                let limit = number(threshold.as_secs_f64());
                vec![rule(
                    "LatencyHigh",
                    format!(
                        "histogram_quantile({q}, sum by (le) (rate({}_bucket{{{sel}}}[5m]))) > {limit}",
                        slo.histogram
                    ),
                    Some("10m"),
                    "warning",
                    format!(
                        "{who}: the {}th percentile of request durations has been above {limit}s for 10 minutes",
                        number(*percentile)
                    ),
                )]
            }
            Objective::Restarts(n) => vec![rule(
                "PodRestarting",
                format!(
                    "sum by (pod) (increase(kube_pod_container_status_restarts_total{{{sel}}}[1h])) > {n}"
                ),
                None,
                "warning",
                format!("{who}: a pod restarted more than {n} times in the last hour"),
            )],
            Objective::AutoscalerAtMax => {
                let ns = &w.namespace;
                vec![rule(
                    "AutoscalerAtMax",
                    format!(
                        r#"(kube_horizontalpodautoscaler_status_current_replicas{{namespace="{ns}"}} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{{namespace="{ns}"}}) and on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_info{{namespace="{ns}",scaletargetref_kind="{}",scaletargetref_name="{}"}}"#,
                        w.kind, w.name
                    ),
                    Some("15m"),
                    "warning",
                    format!(
                        "{who} has been at its autoscaler's maximum for 15 minutes: raise the maximum or add capacity"
                    ),
                )]
            }
        }
    }
}

/// `x` with at most 10 significant digits and no float noise (`0.0144`, not
/// `0.014400000000000013`).
fn number(x: f64) -> String {
    format!("{x:.9e}")
        .parse::<f64>()
        .map_or_else(|_| x.to_string(), |v| v.to_string())
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct PrometheusRuleSpec {
    #[schemars(length(min = 1))]
    groups: Vec<RuleGroup>,
}

impl CustomResourceKind for PrometheusRuleSpec {
    const API_VERSION: &'static str = "monitoring.coreos.com/v1";
    const KIND: &'static str = "PrometheusRule";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
struct RuleGroup {
    #[schemars(length(min = 1))]
    name: String,
    #[schemars(length(min = 1))]
    rules: Vec<Rule>,
}

#[derive(Serialize, JsonSchema)]
struct Rule {
    #[schemars(length(min = 1))]
    alert: String,
    #[schemars(length(min = 1))]
    expr: String,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(PROMETHEUS_DURATION))]
    for_: Option<String>,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

impl Lower for PrometheusRule {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(None, cx.path());
        let mut ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(false),
        );
        let mut rules = Vec::new();
        for slo in &self.slos {
            if let Some((problem, hint)) = slo.problem(self.watched.autoscaled) {
                ok = false;
                cx.error(
                    "SS0562",
                    format!("{problem} ({} `{}`)", self.watched.kind, self.watched.name),
                    hint,
                );
                continue;
            }
            rules.extend(self.rules(slo));
        }
        let spec = PrometheusRuleSpec {
            groups: vec![RuleGroup {
                name: name.clone(),
                rules,
            }],
        };
        let m = Manifest {
            api_version: PrometheusRuleSpec::API_VERSION,
            kind: PrometheusRuleSpec::KIND,
            name: &name,
            namespace: Some(&self.watched.namespace),
            labels: &self.labels,
            annotations: &[],
        };
        lower_typed(cx, &m, &spec, ok);
    }
}

impl Construct for PrometheusRule {
    type Handle = PrometheusRuleRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.watched.path)
    }

    fn handle(&self, scope: &Scope) -> PrometheusRuleRef {
        PrometheusRuleRef {
            path: scope.path.clone(),
            name: resolve_name(None, &scope.path),
            namespace: self.watched.namespace.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Container, Deployment, HorizontalPodAutoscaler, Memory, Namespace, StatefulSet, VolumeClaim,
    };
    use stacksmith_core::Stack;
    use std::time::Duration;

    fn api(stack: &mut Stack, autoscaled: bool) -> DeploymentRef {
        let ns = stack.add(Namespace::new("shop"));
        let mut d = Deployment::new(&ns, "api")
            .container(Container::new("api", "shop/api:1.0.0").port("http", 8000));
        if autoscaled {
            d = d.autoscale(HorizontalPodAutoscaler::new(3, 10).cpu_utilization(70));
        }
        stack.add(d)
    }

    fn rule_object(g: &stacksmith_core::Graph) -> serde_json::Value {
        g.objects
            .iter()
            .find(|o| o.kind == "PrometheusRule")
            .map(|o| o.body.to_value())
            .unwrap_or_default()
    }

    #[test]
    fn availability_alerts_on_the_burn_rate_of_the_workloads_own_pods() {
        let mut stack = Stack::new("prod", "us-east-1");
        let api = api(&mut stack, true);
        let r = stack.add(
            api.alert_on(Slo::availability(99.9))
                .and(Slo::latency(99.0, Duration::from_millis(300)))
                .and(Slo::restarts(3))
                .and(Slo::autoscaler_at_max()),
        );
        assert_eq!(r.name(), "api-alerts");
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let o = rule_object(&g);
        assert_eq!(o["metadata"]["namespace"], "shop");
        let rules = &o["spec"]["groups"][0]["rules"];
        assert_eq!(rules[0]["alert"], "ErrorBudgetBurnFast");
        assert_eq!(rules[0]["labels"]["severity"], "critical");
        let fast = rules[0]["expr"].as_str().unwrap_or_default();
        assert!(
            fast.contains(r#"sum(rate(http_requests_total{namespace="shop",pod=~"api-[a-z0-9]+-[a-z0-9]{5}",code=~"5.."}[1h]))"#),
            "{fast}"
        );
        assert!(fast.contains("> 0.0144 and"), "{fast}");
        assert!(fast.contains("> 0.006 and"), "{fast}");
        assert_eq!(rules[1]["alert"], "ErrorBudgetBurnSlow");
        assert!(
            rules[2]["expr"]
                .as_str()
                .unwrap_or_default()
                .contains("histogram_quantile(0.99,")
        );
        assert!(
            rules[2]["expr"]
                .as_str()
                .unwrap_or_default()
                .ends_with("> 0.3")
        );
        assert_eq!(rules[2]["for"], "10m");
        assert!(
            rules[3]["expr"]
                .as_str()
                .unwrap_or_default()
                .ends_with("[1h])) > 3")
        );
        assert!(
            rules[4]["expr"]
                .as_str()
                .unwrap_or_default()
                .contains(r#"scaletargetref_kind="Deployment",scaletargetref_name="api""#)
        );
        insta::assert_json_snapshot!(o);
    }

    #[test]
    fn a_statefulsets_pods_are_selected_by_ordinal() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("data"));
        let data = VolumeClaim::new("data", Memory::gib(10));
        let db = stack.add(
            StatefulSet::new(&ns, "xgt").volume_claim(&data).container(
                Container::new("xgt", "rocketgraph/xgt:2.3.1")
                    .port("xgt", 4367)
                    .mount_writable(&data, "/data"),
            ),
        );
        stack.add(db.alert_on(Slo::restarts(1)));
        let g = stack.lower();
        let expr = rule_object(&g)["spec"]["groups"][0]["rules"][0]["expr"].clone();
        assert!(
            expr.as_str()
                .unwrap_or_default()
                .contains(r#"pod=~"xgt-[0-9]+""#),
            "{expr}"
        );
    }

    #[test]
    fn the_operator_must_be_installed() {
        let mut stack = Stack::new("prod", "us-east-1");
        let api = api(&mut stack, false);
        stack.add(api.alert_on(Slo::restarts(3)));
        let g = stack.lower();
        assert!(g.requirements.iter().any(
            |r| r.capability == stacksmith_core::Capability::api_group("monitoring.coreos.com")
        ),);
    }

    #[test]
    fn fails_objectives_out_of_range() {
        let mut stack = Stack::new("prod", "us-east-1");
        let api = api(&mut stack, false);
        stack.add(
            api.alert_on(Slo::availability(100.0))
                .and(Slo::availability(0.0))
                .and(Slo::latency(100.0, Duration::from_millis(300)))
                .and(Slo::latency(99.0, Duration::ZERO))
                .and(Slo::restarts(0))
                .and(Slo::autoscaler_at_max()),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
