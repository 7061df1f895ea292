//! `PodDisruptionBudget`: policy/v1 limits on voluntary evictions (node drains, upgrades) of a
//! Deployment's or StatefulSet's pods, checked so a budget can never block every eviction.

use crate::api::policy_v1::{PodDisruptionBudget as KPdb, PodDisruptionBudgetSpec};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::IntOrPercent;
use crate::labels::{identity_selector, meta, push, resolve_name};
use crate::pod::{Pods, check_percent};

/// What a disruption budget guarantees: one of the two, so both cannot be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// At most this many pods may be down from voluntary evictions at once (`maxUnavailable`).
    MaxUnavailable(IntOrPercent),
    /// At least this many pods stay available (`minAvailable`; percentages round up).
    MinAvailable(IntOrPercent),
}

/// A Kubernetes PodDisruptionBudget for a workload's pods, made by
/// [`DeploymentRef::disruption_budget`](crate::DeploymentRef::disruption_budget) or
/// [`StatefulSetRef::disruption_budget`](crate::StatefulSetRef::disruption_budget).
///
/// Creates: one `policy/v1/PodDisruptionBudget` selecting the workload's identity label.
///
/// Defaults: `unhealthyPodEvictionPolicy: AlwaysAllow`, so pods that are not ready never hold up
/// a node drain. The construct id is `pdb`, a child of the workload, so the name is
/// `<workload>-pdb`. A budget that allows no eviction at the workload's replica count is an
/// error (SS0308): it would hang every drain and cluster upgrade.
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
///         .container(Container::new("api", "rocketgraph/public-api:1.0.0")),
/// );
/// stack.add(api.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
/// ```
#[derive(Clone, Debug)]
pub struct PodDisruptionBudget {
    pods: Pods,
    replicas: u32,
    name: Option<String>,
    budget: Budget,
}

impl PodDisruptionBudget {
    pub(crate) fn new(pods: &Pods, replicas: u32, budget: Budget) -> Self {
        Self {
            pods: pods.clone(),
            replicas,
            name: None,
            budget,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    fn check(&self, cx: &mut Lowering<'_>) {
        let (field, value) = match self.budget {
            Budget::MaxUnavailable(v) => ("max_unavailable", v),
            Budget::MinAvailable(v) => ("min_available", v),
        };
        if matches!(value, IntOrPercent::Percent(p) if p > 100) {
            check_percent(cx, &format!("disruption budget `{field}`"), value);
            return;
        }
        let replicas = self.replicas;
        let blocks = match self.budget {
            Budget::MaxUnavailable(v) => v.is_zero(),
            Budget::MinAvailable(_) if replicas == 0 => false,
            Budget::MinAvailable(IntOrPercent::Count(n)) => n >= replicas,
            Budget::MinAvailable(IntOrPercent::Percent(p)) => {
                u64::from(p)
                    .saturating_mul(u64::from(replicas))
                    .div_ceil(100)
                    >= u64::from(replicas)
            }
        };
        if blocks {
            cx.error(
                "SS0308",
                format!(
                    "disruption budget `{field}` {value} allows no eviction of the {replicas} replicas of {}",
                    self.pods.path
                ),
                "node drains and cluster upgrades would hang; let at least one pod go, e.g. `Budget::MaxUnavailable(IntOrPercent::Count(1))`",
            );
        }
    }
}

/// A handle to a [`PodDisruptionBudget`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodDisruptionBudgetRef {
    path: Path,
    name: String,
    namespace: String,
}

impl PodDisruptionBudgetRef {
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

impl Lower for PodDisruptionBudget {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        self.check(cx);
        let d = &self.pods;
        let (max_unavailable, min_available) = match self.budget {
            Budget::MaxUnavailable(v) => (Some(v.int_or_string()), None),
            Budget::MinAvailable(v) => (None, Some(v.int_or_string())),
        };
        let object = KPdb {
            metadata: meta(&name, Some(&d.namespace), [], []),
            spec: Some(PodDisruptionBudgetSpec {
                max_unavailable,
                min_available,
                selector: Some(identity_selector(&d.identity)),
                unhealthy_pod_eviction_policy: Some("AlwaysAllow".to_owned()),
            }),
        };
        push(cx, Some(&d.namespace), &name, &object);
    }
}

impl Construct for PodDisruptionBudget {
    type Handle = PodDisruptionBudgetRef;

    fn id(&self) -> &str {
        "pdb"
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.pods.path)
    }

    fn handle(&self, scope: &Scope) -> PodDisruptionBudgetRef {
        PodDisruptionBudgetRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.pods.namespace.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, Deployment, Namespace};
    use stacksmith_core::Stack;

    fn lower(replicas: u32, budget: Budget) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let api = stack.add(
            Deployment::new(&ns, "api")
                .replicas(replicas)
                .container(Container::new("api", "rocketgraph/public-api:1.0.0")),
        );
        stack.add(api.disruption_budget(budget));
        stack.lower()
    }

    #[test]
    fn pdb_selects_the_identity_label() {
        let g = lower(3, Budget::MaxUnavailable(IntOrPercent::Count(1)));
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pdb = &g.objects[2];
        assert_eq!(
            (pdb.api_version.as_str(), pdb.name.as_str()),
            ("policy/v1", "api-pdb")
        );
        assert_eq!(pdb.body["spec"]["maxUnavailable"], 1);
        assert_eq!(
            pdb.body["spec"]["selector"]["matchLabels"]["stacksmith.dev/id"],
            "prod-api"
        );
        assert_eq!(pdb.body["spec"].get("minAvailable"), None);
    }

    #[test]
    fn min_available_below_replicas_is_fine() {
        let g = lower(3, Budget::MinAvailable(IntOrPercent::Percent(50)));
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects[2].body["spec"]["minAvailable"], "50%");
    }

    #[test]
    fn fails_max_unavailable_zero() {
        let g = lower(3, Budget::MaxUnavailable(IntOrPercent::Percent(0)));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_min_available_all_replicas() {
        let g = lower(2, Budget::MinAvailable(IntOrPercent::Count(2)));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_min_available_percent_rounding_up_to_all() {
        let g = lower(2, Budget::MinAvailable(IntOrPercent::Percent(60)));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
