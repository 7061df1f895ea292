//! What objects need from the cluster they run on besides the API server (a metrics API, an
//! Ingress controller, the CRDs of an operator), and who provides it.
//!
//! A construct that needs a cluster capability records a [`Requirement`]
//! ([`Lowering::require`](crate::Lowering::require)); whatever installs it records a
//! [`Provision`] ([`Lowering::provide`](crate::Lowering::provide)), and a cluster that could
//! install it records an [`Offer`] with the line that does so. After every construct has
//! lowered, and the cluster has had its [`Lower::finish`](crate::Lower::finish) (where a cluster
//! built with platform defaults installs what is required), validation reports each requirement
//! nothing provides (SS0450), naming the object, the capability and the line that installs it.
//! A capability installed outside the stack is declared with
//! [`Stack::prerequisite`](crate::Stack::prerequisite), and `manifest.json` lists it.

use std::fmt;

use serde::Serialize;

use crate::Path;

/// Something a Kubernetes object (or a node group) needs the cluster to run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// The resource metrics API (`metrics.k8s.io`), which an HPA on CPU or memory reads
    /// (metrics-server).
    ResourceMetrics,
    /// A controller serving Ingresses of this class (`alb`: the AWS Load Balancer Controller).
    IngressClass(String),
    /// A controller that makes a network load balancer for a `type: LoadBalancer` Service.
    LoadBalancerService,
    /// Something that grows and shrinks node groups between their minimum and maximum (Cluster
    /// Autoscaler, Karpenter, EKS Auto Mode).
    NodeAutoscaling,
    /// DNS records made from Ingress and Service hostnames (ExternalDNS).
    DnsRecords,
    /// The CRDs (and the operator acting on them) of an API group: `cert-manager.io`,
    /// `kubedb.com`, `monitoring.coreos.com`.
    ApiGroup(String),
    /// A controller that restarts a workload's pods when a Secret named in its
    /// `secret.reloader.stakater.com/reload` annotation changes (Stakater Reloader): env vars
    /// are read once, when a container starts.
    SecretReloads,
}

impl Capability {
    /// The CRDs of an API group.
    pub fn api_group(group: &str) -> Self {
        Self::ApiGroup(group.to_owned())
    }

    /// How it is written in Rust, for hints: `Capability::api_group("kubedb.com")`.
    pub fn spelled(&self) -> String {
        match self {
            Self::ResourceMetrics => "Capability::ResourceMetrics".into(),
            Self::IngressClass(c) => format!("Capability::IngressClass(\"{c}\".into())"),
            Self::LoadBalancerService => "Capability::LoadBalancerService".into(),
            Self::NodeAutoscaling => "Capability::NodeAutoscaling".into(),
            Self::DnsRecords => "Capability::DnsRecords".into(),
            Self::ApiGroup(g) => format!("Capability::api_group(\"{g}\")"),
            Self::SecretReloads => "Capability::SecretReloads".into(),
        }
    }

    /// A read-only command that succeeds when the cluster has it (`kubectl` against the
    /// stack's cluster).
    pub fn check_command(&self) -> String {
        match self {
            Self::ResourceMetrics => "kubectl get apiservice v1beta1.metrics.k8s.io".into(),
            Self::IngressClass(c) => format!("kubectl get ingressclass {c}"),
            Self::LoadBalancerService => {
                "kubectl get deployment -A -l app.kubernetes.io/name=aws-load-balancer-controller -o name | grep -q ."
                    .into()
            }
            Self::NodeAutoscaling => {
                "kubectl get deployment -A -l app.kubernetes.io/name=aws-cluster-autoscaler -o name | grep -q ."
                    .into()
            }
            Self::DnsRecords => {
                "kubectl get deployment -A -l app.kubernetes.io/name=external-dns -o name | grep -q ."
                    .into()
            }
            Self::ApiGroup(g) => format!("kubectl api-resources --api-group={g} -o name | grep -q ."),
            Self::SecretReloads => {
                "kubectl get deployment -A -l app.kubernetes.io/name=reloader -o name | grep -q ."
                    .into()
            }
        }
    }

    /// Whether objects needing this are custom resources, applied after their CRDs.
    pub fn is_custom_resource(&self) -> bool {
        matches!(self, Self::ApiGroup(_))
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ResourceMetrics => f.write_str("the resource metrics API (metrics-server)"),
            Self::IngressClass(class) => write!(f, "an Ingress controller for class `{class}`"),
            Self::LoadBalancerService => {
                f.write_str("a load balancer controller for `type: LoadBalancer` Services")
            }
            Self::NodeAutoscaling => f.write_str("a node autoscaler"),
            Self::DnsRecords => f.write_str("DNS records from hostnames (ExternalDNS)"),
            Self::ApiGroup(group) => write!(f, "the `{group}` CRDs and their operator"),
            Self::SecretReloads => {
                f.write_str("a controller restarting pods when their Secrets change (Reloader)")
            }
        }
    }
}

impl Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// An object that needs a [`Capability`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The construct that made the object.
    pub owner: Path,
    /// The object, as a user reads it: `Ingress rocketgraph-api/web`, `node group general`.
    pub object: String,
    /// What it needs.
    pub capability: Capability,
}

/// A capability the stack has: an add-on it installs, or a prerequisite declared installed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provision {
    /// What is provided.
    pub capability: Capability,
    /// What provides it: `aws_eks_addon metrics-server`, `helm_release cert-manager`, or how a
    /// prerequisite is installed.
    pub by: String,
    /// Whether it is installed outside the stack (declared with
    /// [`Stack::prerequisite`](crate::Stack::prerequisite)).
    pub prerequisite: bool,
}

/// How a construct of the stack could provide a capability: the line that installs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// What it would provide.
    pub capability: Capability,
    /// The line to add, e.g. ``add `.addon(ClusterAddon::MetricsServer)` to `EksCluster` `prod/eks` ``.
    pub install: String,
}

/// API groups built into Kubernetes: objects of any other group are custom resources, which
/// need their CRDs installed first.
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
];

/// What a Kubernetes object needs from its cluster, read from the object itself, so every
/// construct (typed, untyped, raw) is checked alike: a custom resource needs its API group's
/// CRDs; an Ingress its class's controller; a `type: LoadBalancer` Service a load balancer
/// controller; an HPA on CPU or memory the resource metrics API; a cert-manager annotation
/// cert-manager; an ExternalDNS hostname annotation ExternalDNS; a Reloader annotation Reloader.
pub fn object_requirements(o: &crate::KubeObject) -> Vec<Capability> {
    let mut needs = Vec::new();
    let group = o.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    if !BUILT_IN_GROUPS.contains(&group) {
        needs.push(Capability::api_group(group));
    }
    let spec = o.body.get("spec");
    let text = |v: Option<&crate::Body>| v.and_then(|v| v.as_str()).map(str::to_owned);
    match o.kind.as_str() {
        "Ingress" => {
            if let Some(class) = text(spec.and_then(|s| s.get("ingressClassName"))) {
                needs.push(Capability::IngressClass(class));
            }
        }
        "Service" if text(spec.and_then(|s| s.get("type"))).as_deref() == Some("LoadBalancer") => {
            needs.push(Capability::LoadBalancerService);
        }
        "HorizontalPodAutoscaler" => {
            let metrics = spec
                .and_then(|s| s.get("metrics"))
                .and_then(|m| m.as_array());
            let on_resources = metrics.is_some_and(|m| {
                m.iter()
                    .any(|m| text(m.get("type")).as_deref() == Some("Resource"))
            });
            if on_resources {
                needs.push(Capability::ResourceMetrics);
            }
        }
        _ => {}
    }
    let annotations = o
        .body
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.as_object());
    if let Some(a) = annotations {
        if a.keys().any(|k| k.starts_with("cert-manager.io/")) {
            needs.push(Capability::api_group("cert-manager.io"));
        }
        if a.keys()
            .any(|k| k.starts_with("external-dns.alpha.kubernetes.io/"))
        {
            needs.push(Capability::DnsRecords);
        }
        if a.keys().any(|k| k.contains("reloader.stakater.com/")) {
            needs.push(Capability::SecretReloads);
        }
    }
    needs.dedup();
    needs
}

/// The capability a Kubernetes object of the stack provides itself: a CustomResourceDefinition
/// provides its API group.
pub fn object_provision(o: &crate::KubeObject) -> Option<Capability> {
    (o.kind == "CustomResourceDefinition")
        .then(|| {
            o.body
                .get("spec")?
                .get("group")?
                .as_str()
                .map(Capability::api_group)
        })
        .flatten()
}
