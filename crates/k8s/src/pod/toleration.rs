//! `Toleration` and `TaintEffect`: which node taints a workload's pods accept, so they may run
//! on dedicated or control-plane nodes (a log shipper on every node).

use crate::api::core_v1::Toleration as KToleration;
use stacksmith_core::Lowering;

use crate::labels::check_key;

/// What a taint does to pods that do not tolerate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaintEffect {
    /// New pods are not scheduled on the node.
    NoSchedule,
    /// The scheduler avoids the node if it can.
    PreferNoSchedule,
    /// Running pods are evicted and new ones not scheduled.
    NoExecute,
}

impl TaintEffect {
    fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// A node taint a pod accepts.
///
/// Default effect: every effect (the field is left out); narrow it with
/// [`Toleration::effect`].
///
/// ```no_run
/// use stacksmith_k8s::*;
///
/// let gpu = Toleration::equal("nvidia.com/gpu", "present").effect(TaintEffect::NoSchedule);
/// let everywhere = Toleration::all_taints(); // a log shipper on every node
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toleration {
    key: Option<String>,
    value: Option<String>,
    effect: Option<TaintEffect>,
}

impl Toleration {
    /// Tolerates any taint with key `key`, whatever its value (`operator: Exists`).
    pub fn exists(key: impl Into<String>) -> Self {
        Self {
            key: Some(key.into()),
            value: None,
            effect: None,
        }
    }

    /// Tolerates the taint `key=value` (`operator: Equal`).
    pub fn equal(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: Some(key.into()),
            value: Some(value.into()),
            effect: None,
        }
    }

    /// Tolerates every taint (`operator: Exists` without a key): the pods may run on every
    /// node, control-plane and dedicated nodes included, and are never evicted by a taint.
    /// Meant for node agents (DaemonSets).
    pub fn all_taints() -> Self {
        Self {
            key: None,
            value: None,
            effect: None,
        }
    }

    /// Tolerates only taints with this effect. Default: every effect.
    #[must_use]
    pub fn effect(mut self, effect: TaintEffect) -> Self {
        self.effect = Some(effect);
        self
    }

    /// Checks the key (SS0321) and lowers the toleration.
    pub(crate) fn lower(&self, cx: &mut Lowering<'_>) -> KToleration {
        if let Some(key) = &self.key {
            check_key(cx, "toleration", key);
        }
        KToleration {
            key: self.key.clone(),
            operator: Some(
                if self.value.is_some() {
                    "Equal"
                } else {
                    "Exists"
                }
                .to_owned(),
            ),
            value: self.value.clone(),
            effect: self.effect.map(|e| e.as_str().to_owned()),
            toleration_seconds: None,
        }
    }
}
