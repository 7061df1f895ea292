//! `VerticalPodAutoscaler`: CPU and memory requests recommended (or applied) for a workload's
//! pods from their usage, by the Kubernetes VPA (`autoscaling.k8s.io/v1`).

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::custom::{CustomResourceKind, Manifest, Namespaced, lower_typed};
use crate::labels::resolve_name;
use crate::{Cpu, DeploymentRef, Memory};

/// When the VPA applies its recommendations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub enum UpdateMode {
    /// Recommends only (in the object's status; `kubectl describe vpa`): requests stay as
    /// written. The default.
    #[serde(rename = "Off")]
    Off,
    /// Sets requests when a pod is created, never evicts.
    Initial,
    /// Evicts pods whose requests are far from the recommendation, so they restart with it.
    Recreate,
    /// Resizes running pods in place where it can, otherwise evicts them.
    InPlaceOrRecreate,
}

impl UpdateMode {
    fn as_str(self) -> &'static str {
        match self {
            Self::Off => "Off",
            Self::Initial => "Initial",
            Self::Recreate => "Recreate",
            Self::InPlaceOrRecreate => "InPlaceOrRecreate",
        }
    }
}

/// A VerticalPodAutoscaler for a workload's pods, made by
/// [`DeploymentRef::recommend_resources`]: it learns the pods' CPU and memory use and
/// recommends requests (and, in an applying mode, sets them).
///
/// Creates: one `autoscaling.k8s.io/v1` `VerticalPodAutoscaler` (`<workload>-vpa`) targeting
/// the workload (a Deployment, or the Rollout of a progressive canary), covering every
/// container's `cpu` and `memory`.
///
/// Needs: the VPA components (`ClusterAddon::VerticalPodAutoscaler`); synth fails without them
/// (SS0450).
///
/// Defaults: update mode `Off` — recommendation only, nothing is evicted or resized (seed 004's
/// "resource request optimization" as advice to fold back into the code); no bounds. A mode that
/// applies recommendations on a workload whose HorizontalPodAutoscaler scales on CPU or memory
/// is an error (SS0711): the two would fight over the same requests.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("apps"));
/// let api = stack.add(
///     Deployment::new(&ns, "api")
///         .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000)),
/// );
/// stack.add(api.recommend_resources());
/// ```
#[derive(Clone, Debug)]
pub struct VerticalPodAutoscaler {
    target: DeploymentRef,
    mode: UpdateMode,
    min: Option<(Cpu, Memory)>,
    max: Option<(Cpu, Memory)>,
}

impl VerticalPodAutoscaler {
    pub(crate) fn new(target: &DeploymentRef) -> Self {
        Self {
            target: target.clone(),
            mode: UpdateMode::Off,
            min: None,
            max: None,
        }
    }

    /// When recommendations are applied. Default: [`UpdateMode::Off`] (recommend only).
    #[must_use]
    pub fn update_mode(mut self, mode: UpdateMode) -> Self {
        self.mode = mode;
        self
    }

    /// The lowest requests it recommends, per container. Default: none.
    #[must_use]
    pub fn min_allowed(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.min = Some((cpu, memory));
        self
    }

    /// The highest requests it recommends, per container (keep them within a node). Default:
    /// none.
    #[must_use]
    pub fn max_allowed(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.max = Some((cpu, memory));
        self
    }

    fn check(&self, cx: &mut Lowering<'_>) -> bool {
        let mut ok = true;
        let path = cx.path().clone();
        if let (Some((cpu_lo, mem_lo)), Some((cpu_hi, mem_hi))) = (&self.min, &self.max) {
            if cpu_lo > cpu_hi || mem_lo > mem_hi {
                ok = false;
                cx.error(
                    "SS0710",
                    format!(
                        "VerticalPodAutoscaler {path} allows at least {} / {} but at most {} / {}",
                        cpu_lo, mem_lo, cpu_hi, mem_hi
                    ),
                    "make `min_allowed` no larger than `max_allowed`, for CPU and for memory",
                );
            }
        }
        if self.mode != UpdateMode::Off && !self.target.autoscaled_on.is_empty() {
            ok = false;
            cx.error(
                "SS0711",
                format!(
                    "VerticalPodAutoscaler {path} applies its recommendations (update mode {}) to {} {}, whose HorizontalPodAutoscaler scales on {}: each would undo the other",
                    self.mode.as_str(),
                    self.target.controller.1,
                    self.target.name,
                    self.target.autoscaled_on.join(" and ")
                ),
                "keep the VPA in recommendation mode (the default, `UpdateMode::Off`) and fold its recommendations into the requests, or scale horizontally on another metric",
            );
        }
        ok
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VpaSpec {
    target_ref: TargetRef,
    update_policy: UpdatePolicy,
    resource_policy: ResourcePolicy,
}

impl CustomResourceKind for VpaSpec {
    const API_VERSION: &'static str = "autoscaling.k8s.io/v1";
    const KIND: &'static str = "VerticalPodAutoscaler";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct TargetRef {
    api_version: String,
    #[schemars(length(min = 1))]
    kind: String,
    #[schemars(length(min = 1))]
    name: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct UpdatePolicy {
    update_mode: UpdateMode,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ResourcePolicy {
    container_policies: Vec<ContainerPolicy>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ContainerPolicy {
    container_name: String,
    controlled_resources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_allowed: Option<Resources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_allowed: Option<Resources>,
}

#[derive(Serialize, JsonSchema)]
struct Resources {
    cpu: String,
    memory: String,
}

impl Lower for VerticalPodAutoscaler {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(None, cx.path());
        let mut ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(false),
        );
        ok &= self.check(cx);
        let resources = |r: &Option<(Cpu, Memory)>| {
            r.as_ref().map(|(cpu, memory)| Resources {
                cpu: cpu.to_string(),
                memory: memory.to_string(),
            })
        };
        let spec = VpaSpec {
            target_ref: TargetRef {
                api_version: self.target.controller.0.to_owned(),
                kind: self.target.controller.1.to_owned(),
                name: self.target.name.clone(),
            },
            update_policy: UpdatePolicy {
                update_mode: self.mode,
            },
            resource_policy: ResourcePolicy {
                container_policies: vec![ContainerPolicy {
                    container_name: "*".to_owned(),
                    controlled_resources: vec!["cpu".to_owned(), "memory".to_owned()],
                    min_allowed: resources(&self.min),
                    max_allowed: resources(&self.max),
                }],
            },
        };
        let m = Manifest {
            api_version: VpaSpec::API_VERSION,
            kind: VpaSpec::KIND,
            name: &name,
            namespace: Some(&self.target.namespace),
            labels: &[],
            annotations: &[],
        };
        lower_typed(cx, &m, &spec, ok);
    }
}

impl Construct for VerticalPodAutoscaler {
    type Handle = Path;

    fn id(&self) -> &str {
        "vpa"
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.target.path)
    }

    fn handle(&self, scope: &Scope) -> Path {
        scope.path.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, Deployment, HorizontalPodAutoscaler, Namespace};
    use stacksmith_core::{Graph, Stack};

    fn lower(
        hpa: Option<HorizontalPodAutoscaler>,
        f: impl FnOnce(VerticalPodAutoscaler) -> VerticalPodAutoscaler,
    ) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let mut d = Deployment::new(&ns, "api")
            .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000));
        if let Some(hpa) = hpa {
            d = d.autoscale(hpa);
        }
        let api = stack.add(d);
        stack.add(f(api.recommend_resources()));
        stack.lower()
    }

    #[test]
    fn recommends_only_by_default_for_every_container() {
        let g = lower(Some(HorizontalPodAutoscaler::new(2, 5)), |v| v);
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let Some(vpa) = g.objects.iter().find(|o| o.kind == "VerticalPodAutoscaler") else {
            panic!("no VPA");
        };
        assert_eq!(vpa.name, "api-vpa");
        assert_eq!(vpa.body["spec"]["updatePolicy"]["updateMode"], "Off");
        assert_eq!(vpa.body["spec"]["targetRef"]["kind"], "Deployment");
        assert_eq!(vpa.body["spec"]["targetRef"]["name"], "api");
        let policy = &vpa.body["spec"]["resourcePolicy"]["containerPolicies"][0];
        assert_eq!(policy["containerName"], "*");
        assert!(policy.get("minAllowed").is_none());
    }

    #[test]
    fn applies_with_bounds_on_a_workload_without_autoscaler() {
        let g = lower(None, |v| {
            v.update_mode(UpdateMode::Recreate)
                .min_allowed(Cpu::millis(100), Memory::mib(128))
                .max_allowed(Cpu::millis(2000), Memory::gib(4))
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let vpa = g.objects.iter().find(|o| o.kind == "VerticalPodAutoscaler");
        let policy = vpa.map(|v| &v.body["spec"]["resourcePolicy"]["containerPolicies"][0]);
        assert_eq!(
            policy.map(|p| &p["maxAllowed"]["memory"]),
            Some(&"4Gi".into())
        );
        assert_eq!(
            policy.map(|p| &p["minAllowed"]["cpu"]),
            Some(&"100m".into())
        );
    }

    #[test]
    fn fails_applying_vpa_beside_an_hpa_on_the_same_resources() {
        let g = lower(
            Some(HorizontalPodAutoscaler::new(2, 5).memory_utilization(80)),
            |v| v.update_mode(UpdateMode::InPlaceOrRecreate),
        );
        assert_eq!(
            g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["SS0711"]
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_min_above_max() {
        let g = lower(None, |v| {
            v.min_allowed(Cpu::millis(2000), Memory::gib(1))
                .max_allowed(Cpu::millis(500), Memory::gib(2))
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
