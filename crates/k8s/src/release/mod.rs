//! What blue-green and canary releases share: two versions of one workload made from one pod
//! description, each its own Deployment labelled with its release and version, checked so that
//! either version can stand in for the other.

pub(crate) mod blue_green;
pub(crate) mod canary;
pub(crate) mod progressive_canary;

use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};

use crate::labels::{RELEASE_LABEL, identity_value};
use crate::pod::{PodTemplate, describe_ports};
use crate::{
    Container, Deployment, DeploymentRef, HorizontalPodAutoscaler, IntOrPercent, NamespaceRef,
};

/// The part of a release both versions share: everything but the versioned container and the
/// replica count.
pub(crate) struct Release<'a> {
    /// `blue-green release`, for messages.
    pub(crate) kind: &'static str,
    pub(crate) namespace: &'a NamespaceRef,
    /// The user's base name; the versions are `<name>-<version>`.
    pub(crate) name: Option<&'a String>,
    pub(crate) max_unavailable: IntOrPercent,
    pub(crate) max_surge: IntOrPercent,
    /// The shared pod: sidecars, init containers, identity, volumes, scheduling.
    pub(crate) pod: &'a PodTemplate,
    /// The label naming the version: `stacksmith.dev/colour` or `stacksmith.dev/track`.
    pub(crate) version_label: &'static str,
}

/// One version of a release: `blue`, `green`, `stable` or `canary`.
pub(crate) struct Version<'a> {
    /// The version's name: its construct id below the release and its label value.
    pub(crate) id: &'static str,
    /// Its versioned container, if set.
    pub(crate) container: Option<&'a Container>,
    /// Its `replicas`, as the user set them (`None`: the Deployment's default).
    pub(crate) replicas: Option<u32>,
    /// The autoscaler each version gets its own copy of, if any.
    pub(crate) autoscaler: Option<&'a HorizontalPodAutoscaler>,
    /// Scaled to zero on purpose (an idle blue-green colour): no SS0313 warning.
    pub(crate) idle: bool,
}

impl Release<'_> {
    /// Records SS0390 for a version without its container and SS0391 when the two versions'
    /// containers expose different ports.
    pub(crate) fn check(&self, cx: &mut Lowering<'_>, versions: &[Version<'_>; 2]) {
        let path = cx.path().clone();
        for v in versions {
            if v.container.is_none() {
                cx.error(
                    "SS0390",
                    format!("{} {path} has no {} container", self.kind, v.id),
                    format!(
                        "add it with `.{}(Container::new(name, image))`; both versions are needed (give both the same container for a first rollout)",
                        v.id
                    ),
                );
            }
        }
        let [Some(a), Some(b)] = versions.each_ref().map(|v| v.container) else {
            return;
        };
        let sorted = |c: &Container| {
            let mut p = c.ports.clone();
            p.sort();
            p
        };
        if sorted(a) != sorted(b) {
            let [va, vb] = versions.each_ref().map(|v| v.id);
            cx.error(
                "SS0391",
                format!(
                    "the {va} and {vb} containers of {path} expose different ports: {va} {}, {vb} {}",
                    describe_ports(&a.ports),
                    describe_ports(&b.ports)
                ),
                "Services, probes and clients reach either version through the same ports; give both containers the same `.port(name, number)`s",
            );
        }
    }

    /// The Deployment of version `v` of the release at `release`: the shared pod with the
    /// versioned container first, labelled with the release and the version.
    pub(crate) fn deployment(&self, release: &Path, v: &Version<'_>) -> Deployment {
        let mut pod = self.pod.clone();
        if let Some(c) = v.container {
            pod.containers.insert(0, c.clone());
        }
        pod.release_labels = vec![
            (RELEASE_LABEL.to_owned(), identity_value(release)),
            (self.version_label.to_owned(), v.id.to_owned()),
        ];
        let mut d = Deployment::new(self.namespace, v.id);
        d.name = self.name.map(|n| format!("{n}-{}", v.id));
        d.scale.replicas = v.replicas;
        d.scale.autoscaler = v.autoscaler.cloned();
        d.max_unavailable = self.max_unavailable;
        d.max_surge = self.max_surge;
        d.pod = pod;
        d.idle = v.idle;
        d
    }

    /// Lowers version `v` as the child `v.id` of the release being lowered; a version without
    /// its container is left out (SS0390 says so).
    pub(crate) fn lower_version(&self, cx: &mut Lowering<'_>, v: &Version<'_>) {
        if v.container.is_some() {
            let d = self.deployment(cx.path(), v);
            d.lower(&mut cx.child(v.id));
        }
    }

    /// The handle of version `v` of the release at `scope`.
    pub(crate) fn version_ref(&self, scope: &Scope, v: &Version<'_>) -> DeploymentRef {
        self.deployment(&scope.path, v).handle(&Scope {
            path: scope.path.child(v.id),
            region: scope.region.clone(),
        })
    }
}
