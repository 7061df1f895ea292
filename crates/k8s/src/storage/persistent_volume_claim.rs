//! `PersistentVolumeClaim`: durable storage a pod mounts by its typed handle, and `VolumeClaim`,
//! the same claim as a StatefulSet template (one claim per pod).

use std::collections::BTreeMap;

use crate::api::core_v1::{
    PersistentVolumeClaim as KPvc, PersistentVolumeClaimSpec, VolumeResourceRequirements,
};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::labels::{meta, push, resolve_name};
use crate::{Memory, NamespaceRef};

/// How many nodes may mount a claimed volume, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AccessMode {
    /// Read-write by the pods of one node (`ReadWriteOnce`): what block storage such as EBS
    /// offers. The default.
    #[default]
    ReadWriteOnce,
    /// Read-write by one pod only (`ReadWriteOncePod`).
    ReadWriteOncePod,
    /// Read-only by many nodes (`ReadOnlyMany`).
    ReadOnlyMany,
    /// Read-write by many nodes (`ReadWriteMany`): needs shared storage such as EFS.
    ReadWriteMany,
}

impl AccessMode {
    fn as_str(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadWriteOncePod => "ReadWriteOncePod",
            AccessMode::ReadOnlyMany => "ReadOnlyMany",
            AccessMode::ReadWriteMany => "ReadWriteMany",
        }
    }
}

/// What a claim asks for: size, class and access mode.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ClaimSpec {
    size: Memory,
    storage_class: Option<String>,
    access_mode: AccessMode,
}

impl ClaimSpec {
    fn new(size: Memory) -> Self {
        Self {
            size,
            storage_class: None,
            access_mode: AccessMode::ReadWriteOnce,
        }
    }

    /// Checks the claim (`what` names it in messages) and lowers its spec.
    fn lower(&self, cx: &mut Lowering<'_>, what: &str) -> PersistentVolumeClaimSpec {
        if self.size.as_mib() == 0 {
            cx.error(
                "SS0333",
                format!("{what} requests 0 bytes of storage"),
                "request the size the data needs, e.g. `Memory::gib(100)`",
            );
        }
        if let Some(class) = &self.storage_class {
            cx.check_name(&NameRule::DNS_SUBDOMAIN, class, "storage class");
        }
        PersistentVolumeClaimSpec {
            access_modes: Some(vec![self.access_mode.as_str().to_owned()]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_owned(),
                    self.size.quantity(),
                )])),
                ..VolumeResourceRequirements::default()
            }),
            storage_class_name: self.storage_class.clone(),
            volume_mode: Some("Filesystem".to_owned()),
            ..PersistentVolumeClaimSpec::default()
        }
    }
}

/// A StatefulSet volume claim template: each pod gets its own claim (`<claim>-<pod>`), kept
/// when the pod moves, is replaced or the StatefulSet scales down.
///
/// Declare it on the StatefulSet with
/// [`StatefulSet::volume_claim`](crate::StatefulSet::volume_claim) and mount it with
/// `container.mount_writable(&claim, "/data")`; mounting a claim the StatefulSet does not
/// declare is an error (SS0330).
///
/// Defaults: `ReadWriteOnce`, `volumeMode: Filesystem`, the cluster's default StorageClass
/// (the field is left out). A size of 0 is an error (SS0333). Claim templates cannot be
/// changed once the StatefulSet exists.
///
/// ```no_run
/// use stacksmith_k8s::*;
///
/// let data = VolumeClaim::new("data", Memory::gib(500)).storage_class("gp3");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeClaim {
    pub(crate) name: String,
    spec: ClaimSpec,
}

impl VolumeClaim {
    /// A claim template named `name` (a DNS-1123 label; also the volume name containers
    /// mount) requesting `size` of storage.
    pub fn new(name: impl Into<String>, size: Memory) -> Self {
        Self {
            name: name.into(),
            spec: ClaimSpec::new(size),
        }
    }

    /// Sets the StorageClass (`gp3`). Default: the cluster's default class.
    #[must_use]
    pub fn storage_class(mut self, class: impl Into<String>) -> Self {
        self.spec.storage_class = Some(class.into());
        self
    }

    /// Sets how the volume may be mounted. Default: [`AccessMode::ReadWriteOnce`].
    #[must_use]
    pub fn access_mode(mut self, mode: AccessMode) -> Self {
        self.spec.access_mode = mode;
        self
    }

    /// The claim's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks the template and lowers it (metadata carries the managed-by label).
    pub(crate) fn lower(&self, cx: &mut Lowering<'_>) -> KPvc {
        cx.check_name(&NameRule::DNS_LABEL, &self.name, "volume claim name");
        let spec = self
            .spec
            .lower(cx, &format!("volume claim `{}`", self.name));
        KPvc {
            metadata: meta(&self.name, None, [], []),
            spec: Some(spec),
        }
    }
}

/// A Kubernetes PersistentVolumeClaim: durable storage, provisioned by a StorageClass, that
/// pods mount with [`Volume::claim`](crate::Volume::claim).
///
/// Creates: one `v1/PersistentVolumeClaim`.
///
/// Defaults: `ReadWriteOnce`, `volumeMode: Filesystem`, the cluster's default StorageClass (the
/// field is left out); the name is the kebab-case construct path. A size of 0 is an error
/// (SS0333). Deleting the claim may delete the volume (per the class's reclaim policy). For
/// one claim per replica, use a [`StatefulSet`](crate::StatefulSet) with a [`VolumeClaim`].
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("apps"));
/// let uploads = stack.add(PersistentVolumeClaim::new(&ns, "uploads", Memory::gib(20)).storage_class("gp3"));
/// let api = Container::new("api", "rocketgraph/public-api:1.0.0")
///     .mount_writable(&Volume::claim("uploads", &uploads), "/uploads");
/// ```
#[derive(Clone, Debug)]
pub struct PersistentVolumeClaim {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    spec: ClaimSpec,
}

impl PersistentVolumeClaim {
    /// A claim in `namespace` requesting `size` of storage.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>, size: Memory) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            spec: ClaimSpec::new(size),
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the StorageClass (`gp3`). Default: the cluster's default class.
    #[must_use]
    pub fn storage_class(mut self, class: impl Into<String>) -> Self {
        self.spec.storage_class = Some(class.into());
        self
    }

    /// Sets how the volume may be mounted. Default: [`AccessMode::ReadWriteOnce`].
    #[must_use]
    pub fn access_mode(mut self, mode: AccessMode) -> Self {
        self.spec.access_mode = mode;
        self
    }
}

/// A handle to a [`PersistentVolumeClaim`], for [`Volume::claim`](crate::Volume::claim).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersistentVolumeClaimRef {
    pub(crate) path: Path,
    pub(crate) name: String,
    pub(crate) namespace: String,
}

impl PersistentVolumeClaimRef {
    /// The claim's construct path.
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

impl Lower for PersistentVolumeClaim {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        let spec = self
            .spec
            .lower(cx, &format!("PersistentVolumeClaim `{name}`"));
        let ns = self.namespace.name();
        let object = KPvc {
            metadata: meta(&name, Some(ns), [], []),
            spec: Some(spec),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for PersistentVolumeClaim {
    type Handle = PersistentVolumeClaimRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> PersistentVolumeClaimRef {
        PersistentVolumeClaimRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;
    use stacksmith_core::Stack;

    #[test]
    fn claim_writes_size_mode_and_class() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let claim = stack.add(
            PersistentVolumeClaim::new(&ns, "uploads", Memory::gib(20))
                .storage_class("gp3")
                .access_mode(AccessMode::ReadWriteOncePod),
        );
        assert_eq!(claim.name(), "uploads");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pvc = &g.objects[1];
        assert_eq!(
            (pvc.kind.as_str(), pvc.api_version.as_str()),
            ("PersistentVolumeClaim", "v1")
        );
        assert_eq!(
            pvc.body["spec"],
            serde_json::json!({
                "accessModes": ["ReadWriteOncePod"],
                "resources": {"requests": {"storage": "20Gi"}},
                "storageClassName": "gp3",
                "volumeMode": "Filesystem",
            })
        );
    }

    #[test]
    fn fails_zero_size_claim() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(PersistentVolumeClaim::new(&ns, "uploads", Memory::mib(0)).storage_class("gp3"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
