//! `LimitRange`: a namespace's default CPU and memory requests and limits for containers that
//! set none, and the bounds every container must stay within.

use std::collections::BTreeMap;

use crate::api::Quantity;
use crate::api::core_v1::{LimitRange as KLimitRange, LimitRangeItem, LimitRangeSpec};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::labels::{meta, push, resolve_name};
use crate::{Cpu, Memory, NamespaceRef};

/// A Kubernetes LimitRange for containers: what a container that declares no requests or
/// limits gets, and the least and most one may declare.
///
/// Creates: one `v1/LimitRange` in the namespace with one `type: Container` item holding
/// `defaultRequest`, `default`, and `min`/`max` when set.
///
/// Defaults worth knowing:
/// - default requests 100m CPU / 128Mi and default limits 500m CPU / 512Mi: the same defaults
///   stacksmith's [`Container`](crate::Container) writes, so pods made outside the stack (Helm
///   charts, `kubectl run`) are sized like the stack's own, and a
///   [`ResourceQuota`](crate::ResourceQuota) on CPU or memory never rejects them for declaring
///   nothing.
/// - no minimum and no maximum.
/// - each value must respect `min ≤ default request ≤ default limit ≤ max`, for CPU and memory
///   alike, or it is an error (SS0362): the API server would reject the LimitRange.
/// - the construct is a child of the namespace with id `limits`, so its name is
///   `<namespace>-limits`.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("flagwise"));
/// stack.add(
///     LimitRange::new(&ns)
///         .default_request(Cpu::millis(250), Memory::mib(256))
///         .default_limit(Cpu::millis(500), Memory::gib(1))
///         .max(Cpu::cores(4), Memory::gib(8)),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct LimitRange {
    namespace: NamespaceRef,
    name: Option<String>,
    default_request: (Cpu, Memory),
    default_limit: (Cpu, Memory),
    min: Option<(Cpu, Memory)>,
    max: Option<(Cpu, Memory)>,
}

impl LimitRange {
    /// The container limits of `namespace`.
    pub fn new(namespace: &NamespaceRef) -> Self {
        Self {
            namespace: namespace.clone(),
            name: None,
            default_request: (Cpu::millis(100), Memory::mib(128)),
            default_limit: (Cpu::millis(500), Memory::mib(512)),
            min: None,
            max: None,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The requests of a container that declares none (`defaultRequest`).
    /// Default: 100m CPU and 128Mi.
    #[must_use]
    pub fn default_request(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.default_request = (cpu, memory);
        self
    }

    /// The limits of a container that declares none (`default`). Default: 500m CPU and 512Mi.
    #[must_use]
    pub fn default_limit(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.default_limit = (cpu, memory);
        self
    }

    /// The least a container may request (`min`). Default: no minimum.
    #[must_use]
    pub fn min(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.min = Some((cpu, memory));
        self
    }

    /// The most a container may be limited to (`max`). Default: no maximum.
    #[must_use]
    pub fn max(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.max = Some((cpu, memory));
        self
    }

    fn check(&self, cx: &mut Lowering<'_>) {
        let ns = self.namespace.name();
        // (lower field, its value, higher field, its value) for each ordered pair that is set.
        let mut pairs = vec![(
            "default request",
            self.default_request,
            "default limit",
            self.default_limit,
        )];
        if let Some(min) = self.min {
            pairs.insert(0, ("min", min, "default request", self.default_request));
        }
        if let Some(max) = self.max {
            pairs.push(("default limit", self.default_limit, "max", max));
        }
        if let (Some(min), Some(max)) = (self.min, self.max) {
            pairs.push(("min", min, "max", max));
        }
        for (low, (low_cpu, low_mem), high, (high_cpu, high_mem)) in pairs {
            let over = [
                (
                    "CPU",
                    low_cpu > high_cpu,
                    low_cpu.to_string(),
                    high_cpu.to_string(),
                ),
                (
                    "memory",
                    low_mem > high_mem,
                    low_mem.to_string(),
                    high_mem.to_string(),
                ),
            ];
            for (what, above, lo, hi) in over {
                if above {
                    cx.error(
                        "SS0362",
                        format!("the LimitRange of namespace `{ns}` has a {low} of {lo} {what}, above its {high} of {hi}"),
                        format!("keep min ≤ default request ≤ default limit ≤ max: lower the {low} or raise the {high}; the API server rejects the LimitRange otherwise"),
                    );
                }
            }
        }
    }
}

fn quantities((cpu, memory): (Cpu, Memory)) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".to_owned(), Quantity(cpu.to_string())),
        ("memory".to_owned(), Quantity(memory.to_string())),
    ])
}

impl Lower for LimitRange {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        self.check(cx);
        let ns = self.namespace.name();
        let object = KLimitRange {
            metadata: meta(&name, Some(ns), [], []),
            spec: Some(LimitRangeSpec {
                limits: vec![LimitRangeItem {
                    type_: "Container".to_owned(),
                    default_request: Some(quantities(self.default_request)),
                    default: Some(quantities(self.default_limit)),
                    min: self.min.map(quantities),
                    max: self.max.map(quantities),
                    max_limit_request_ratio: None,
                }],
            }),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for LimitRange {
    type Handle = LimitRangeRef;

    fn id(&self) -> &str {
        "limits"
    }

    fn parent(&self) -> Option<&Path> {
        Some(self.namespace.path())
    }

    fn handle(&self, scope: &Scope) -> LimitRangeRef {
        LimitRangeRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
        }
    }
}

/// A handle to a [`LimitRange`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitRangeRef {
    path: Path,
    name: String,
    namespace: String,
}

impl LimitRangeRef {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;
    use stacksmith_core::{Graph, Stack};

    fn lower(build: impl FnOnce(&NamespaceRef) -> LimitRange) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let l = stack.add(build(&ns));
        assert_eq!((l.name(), l.namespace()), ("flagwise-limits", "flagwise"));
        stack.lower()
    }

    #[test]
    fn defaults_match_the_container_defaults() {
        let g = lower(LimitRange::new);
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let l = &g.objects[1];
        assert_eq!(
            (l.kind.as_str(), l.api_version.as_str()),
            ("LimitRange", "v1")
        );
        insta::assert_json_snapshot!(l.body);
    }

    #[test]
    fn min_and_max_are_written_when_set() {
        let g = lower(|ns| {
            LimitRange::new(ns)
                .min(Cpu::millis(50), Memory::mib(64))
                .max(Cpu::cores(4), Memory::gib(8))
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let item = &g.objects[1].body["spec"]["limits"][0];
        assert_eq!(
            item["max"],
            serde_json::json!({"cpu": "4", "memory": "8Gi"})
        );
        assert_eq!(
            item["min"],
            serde_json::json!({"cpu": "50m", "memory": "64Mi"})
        );
    }

    #[test]
    fn fails_default_request_above_default_limit() {
        let g = lower(|ns| {
            LimitRange::new(ns)
                .default_request(Cpu::cores(1), Memory::gib(1))
                .default_limit(Cpu::millis(500), Memory::gib(2))
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_defaults_outside_min_and_max() {
        let g = lower(|ns| {
            LimitRange::new(ns)
                .min(Cpu::millis(200), Memory::mib(64))
                .max(Cpu::cores(2), Memory::mib(256))
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
