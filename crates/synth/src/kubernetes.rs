//! The Kubernetes folder: one YAML file per object in apply order (Namespaces first), and a
//! kustomization listing them so `kubectl apply -k`, Argo CD and Flux take it as is.
//!
//! The kustomization is written under kustomize's third recognised file name, `Kustomization`,
//! rather than `kustomization.yaml`: it is not a Kubernetes API object, and strict schema
//! validators that read every `*.yaml` in the folder reject its kind.

use std::sync::atomic::{AtomicBool, Ordering};

use stacksmith_core::{Graph, KubeObject};

use crate::manifest::File;
use crate::yaml::body_to_yaml;

/// Install order by kind, as Helm orders a release: what others depend on comes first.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// The kustomization's file name (kustomize accepts `kustomization.yaml`, `.yml` and this).
pub(crate) const KUSTOMIZATION: &str = "Kustomization";

fn rank(kind: &str) -> usize {
    KIND_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(KIND_ORDER.len())
}

/// The sort key of the apply order: by kind, then namespace, then name.
fn order_key(o: &KubeObject) -> (usize, &str, Option<&str>, &str) {
    (
        rank(&o.kind),
        o.kind.as_str(),
        o.namespace.as_deref(),
        o.name.as_str(),
    )
}

/// The objects in apply order: by kind, then namespace, then name.
pub(crate) fn apply_order(g: &Graph) -> Vec<&KubeObject> {
    let mut objects: Vec<&KubeObject> = g.objects.iter().collect();
    objects.sort_by_cached_key(|o| order_key(o));
    objects
}

/// The file an object is written to, relative to the `kubernetes/` folder:
/// `<namespace>/<kind>-<name>.yaml`, or `<kind>-<name>.yaml` for cluster-scoped objects.
pub(crate) fn file_name(o: &KubeObject) -> String {
    let kind = o.kind.to_ascii_lowercase();
    match &o.namespace {
        Some(ns) => format!("{ns}/{kind}-{}.yaml", o.name),
        None => format!("{kind}-{}.yaml", o.name),
    }
}

/// Objects whose files [`Rendering`] hands on together.
const PART: usize = 256;

/// Renders every object, and the kustomization listing them in apply order (`kubernetes/`
/// paths); also returns the objects in that order as `Kind/namespace/name` (for the manifest).
pub(crate) fn render(g: &Graph) -> (Vec<File>, Vec<String>) {
    let ordered = apply_order(g);
    // The YAML of each object, on every core (in order: the same bytes as a serial run).
    let yaml = stacksmith_core::parallel::map(&ordered, |o| body_to_yaml(&o.body));
    let mut listing = Listing::new(ordered.len());
    let mut files: Vec<File> = ordered
        .into_iter()
        .zip(yaml)
        .map(|(o, text)| listing.file(o, text))
        .collect();
    files.extend(listing.kustomization());
    (files, listing.names)
}

/// [`render`], taking the objects out of the graph: each object's body is dropped as soon as
/// its YAML is written, so a stack's bodies and its YAML are not held at once (the same bytes).
/// The files are handed on as they are rendered, a few hundred at a time, the kustomization
/// last. The first objects may be rendered ahead, while the graph still holds every body.
pub(crate) struct Rendering {
    /// The objects' places in the graph, in apply order.
    order: Vec<usize>,
    listing: Listing,
    /// Objects of `order` already rendered ([`Rendering::ahead`]).
    rendered: usize,
}

impl Rendering {
    pub(crate) fn new(g: &Graph) -> Self {
        // A stable sort on the same key: the order of `apply_order`.
        let mut order: Vec<usize> = (0..g.objects.len()).collect();
        order.sort_by_cached_key(|&i| order_key(&g.objects[i]));
        Self {
            listing: Listing::new(order.len()),
            order,
            rendered: 0,
        }
    }

    /// How many objects there are to render.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// Renders the first objects while `g` still holds every body (the diagram is drawn from
    /// them meanwhile): until `stop` is set, or once the YAML reaches `budget` bytes (what is
    /// held beside the bodies), or every object is rendered.
    pub(crate) fn ahead(
        &mut self,
        g: &Graph,
        stop: &AtomicBool,
        budget: usize,
        emit: &mut dyn FnMut(Vec<File>),
    ) {
        let mut bytes = 0usize;
        let mut files = Vec::with_capacity(PART);
        for o in self.order.iter().filter_map(|&i| g.objects.get(i)) {
            if bytes >= budget || stop.load(Ordering::Relaxed) {
                break;
            }
            let text = body_to_yaml(&o.body);
            bytes = bytes.saturating_add(text.len());
            files.push(self.listing.file(o, text));
            self.rendered += 1;
            if files.len() == PART {
                emit(std::mem::replace(&mut files, Vec::with_capacity(PART)));
            }
        }
        emit(files);
    }

    /// Renders the objects not rendered ahead, taking every object out of `g`; returns the
    /// objects in apply order as `Kind/namespace/name` (for the manifest).
    pub(crate) fn taking(mut self, g: &mut Graph, emit: &mut dyn FnMut(Vec<File>)) -> Vec<String> {
        let mut slots: Vec<Option<KubeObject>> = std::mem::take(&mut g.objects)
            .into_iter()
            .map(Some)
            .collect();
        // The bodies rendered ahead are dropped here, with their objects.
        let mut objects: Vec<KubeObject> = self
            .order
            .iter()
            .skip(self.rendered)
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
            .collect();
        drop(slots);
        // On this thread: another thread would allocate its YAML in an allocator arena of its
        // own instead of reusing the bodies freed here (measured: 10 % more peak memory in one
        // stack, for no measurable gain in time).
        for part in objects.chunks_mut(PART) {
            let files = part
                .iter_mut()
                .map(|o| {
                    let body = std::mem::take(&mut o.body);
                    self.listing.file(o, body_to_yaml(&body))
                })
                .collect();
            emit(files);
        }
        emit(self.listing.kustomization().into_iter().collect());
        self.listing.names
    }
}

/// The kustomization and the manifest's object names, listed as the objects' files are made.
struct Listing {
    names: Vec<String>,
    kustomization: String,
}

impl Listing {
    fn new(objects: usize) -> Self {
        Self {
            names: Vec::with_capacity(objects),
            kustomization: String::from(
                "# Generated by stacksmith: the objects below, in apply order.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
            ),
        }
    }

    /// The file of `o`, whose YAML is `text`, listed.
    fn file(&mut self, o: &KubeObject, text: String) -> File {
        self.names.push(match &o.namespace {
            Some(ns) => format!("{}/{ns}/{}", o.kind, o.name),
            None => format!("{}/{}", o.kind, o.name),
        });
        let name = file_name(o);
        self.kustomization.push_str("- ");
        self.kustomization.push_str(&name);
        self.kustomization.push('\n');
        File::text(format!("kubernetes/{name}"), text)
    }

    /// The kustomization, once every object's file is listed (none without objects).
    fn kustomization(&mut self) -> Option<File> {
        (!self.names.is_empty()).then(|| {
            File::text(
                format!("kubernetes/{KUSTOMIZATION}"),
                std::mem::take(&mut self.kustomization),
            )
        })
    }
}
