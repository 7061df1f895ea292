//! The neutral Kubernetes layer: API objects as compact JSON trees ([`Body`]) with their
//! identity, and the Secret/ConfigMap keys workloads read, so validation can prove every key
//! exists.

use crate::{Body, Path};

/// The Kubernetes minor version whose API the Kubernetes constructs are typed against (the
/// schema `stacksmith-k8s`'s API types are generated from, and the `k8s-openapi` feature `v1_35`
/// `RawObject` takes; tests in `stacksmith-k8s` keep the three equal). Stacks without a cluster
/// of their own declare it in `manifest.json`.
pub const KUBERNETES_API_VERSION: &str = "1.35";

/// The private identity label every workload's selector uses: `stacksmith.dev/id`, valued with
/// the kebab-case construct path (`prod-rocketgraph-public-api`). User labels never reach a
/// selector, so selectors never drift; whole-stack checks find a workload's pods by it.
pub const IDENTITY_LABEL: &str = "stacksmith.dev/id";

/// One Kubernetes API object, already lowered (apiVersion, kind, metadata, spec...).
#[derive(Clone, Debug, PartialEq)]
pub struct KubeObject {
    /// The construct that created it.
    pub owner: Path,
    /// `apps/v1`.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// The namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// The whole object, held compactly until rendered (see [`Body`]).
    pub body: Body,
}

impl KubeObject {
    /// The keys a ConfigMap or Secret holds (`data`, `binaryData`, `stringData`).
    pub fn keys(&self) -> Vec<&str> {
        ["data", "binaryData", "stringData"]
            .iter()
            .filter_map(|f| self.body.get(f).and_then(|d| d.as_object()))
            .flat_map(|m| m.keys())
            .collect()
    }
}

/// The value at a path of object keys in `v` (`["spec", "template", "spec"]`), like
/// [`Body::pointer`] for a pointer of keys, without parsing and unescaping one.
pub(crate) fn at<'a>(v: &'a Body, keys: &[&str]) -> Option<&'a Body> {
    keys.iter().try_fold(v, |v, k| v.as_object()?.get(k))
}

/// Where a workload reads a value from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// A Secret.
    Secret,
    /// A ConfigMap.
    ConfigMap,
}

impl SourceKind {
    /// The Kubernetes kind.
    pub fn kind(self) -> &'static str {
        match self {
            SourceKind::Secret => "Secret",
            SourceKind::ConfigMap => "ConfigMap",
        }
    }
}

/// A key of a Secret or ConfigMap that something reads, or (with `declares`) that something
/// outside stacksmith provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeUse {
    /// The construct that reads (or declares) it.
    pub owner: Path,
    /// Secret or ConfigMap.
    pub source: SourceKind,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The key.
    pub key: String,
    /// What reads it, for messages: "env REDIS_URL of container api".
    pub reader: String,
}

/// A Kubernetes object that something outside the Kubernetes output names, such as the
/// ServiceAccount an EKS Pod Identity association gives an IAM role: the stack must create it
/// (SS0530), or the association points at nothing and the pods get no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeNamed {
    /// The construct that names it.
    pub owner: Path,
    /// What names it, for messages: "the EKS Pod Identity association".
    pub what: String,
    /// `ServiceAccount`.
    pub kind: String,
    /// Its namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// A label every pod running as it must carry (key, value), and why: pods running as the
    /// account through a handle that lacks it are reported (SS0535).
    pub pod_label: Option<(String, String, String)>,
    /// For a ServiceAccount: the workload that must run as it, by its construct path, its
    /// namespace and the identity label (`stacksmith.dev/id`) its pods carry. A grant on the
    /// account's role reaches pods only if they run as it, in its namespace (SS0536).
    pub run_by: Option<(Path, String, String)>,
}

/// A Kubernetes object that exists on the cluster without the stack creating it, declared on
/// purpose (`Namespace::existing("kube-system")`): objects may be created in it or refer to it
/// without a diagnostic (SS0220, SS0221).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeExisting {
    /// The construct that declares it.
    pub owner: Path,
    /// `Namespace`.
    pub kind: String,
    /// Its namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
}
