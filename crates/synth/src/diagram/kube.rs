//! The Kubernetes side of the diagram: namespaces with their Ingresses, Services and
//! workloads, connected by Ingress backends (Service name), Service selectors (pod template
//! labels) and NetworkPolicy rules. HPAs and PDBs fold into their workload's label;
//! ConfigMaps, Secrets, ServiceAccounts and RBAC are left out.

use stacksmith_core::hash::{HashMap, HashMapExt};

use stacksmith_core::KubeObject;
use stacksmith_core::{Body as Json, BodyMap};

use super::model::{EdgeKind, End, GroupKind, NodeKind};
use super::{Builder, tick};

/// Kinds drawn as workloads, and where their pod template sits.
const WORKLOADS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
    ("Pod", &[]),
];

/// Kinds left out (folded into a workload's label, or plumbing).
const HIDDEN: &[&str] = &[
    "Namespace",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "StorageClass",
    "CustomResourceDefinition",
];

fn at<'a>(v: &'a Json, path: &[&str]) -> Option<&'a Json> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn s<'a>(v: &'a Json, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Json::as_str)
}

fn template(o: &KubeObject) -> Option<&Json> {
    WORKLOADS
        .iter()
        .find(|(k, _)| *k == o.kind)
        .and_then(|(_, p)| at(&o.body, p))
}

fn ns(o: &KubeObject) -> &str {
    o.namespace.as_deref().unwrap_or("")
}

/// Whether a label selector (`matchLabels` + `matchExpressions`, or a plain map as Services
/// use) selects these labels. An empty selector selects everything.
fn selects(selector: &Json, labels: Option<&Json>) -> bool {
    tick();
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Json::as_str);
    let plain = selector.get("matchLabels").is_none() && selector.get("matchExpressions").is_none();
    let match_labels = if plain {
        selector.as_object()
    } else {
        selector.get("matchLabels").and_then(Json::as_object)
    };
    let labels_ok = match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| label(k) == v.as_str());
    let exprs_ok = selector
        .get("matchExpressions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e.get("key").and_then(Json::as_str).unwrap_or("");
            let values: Vec<&str> = e
                .get("values")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            match e.get("operator").and_then(Json::as_str) {
                Some("In") => label(key).is_some_and(|v| values.contains(&v)),
                Some("NotIn") => !label(key).is_some_and(|v| values.contains(&v)),
                Some("Exists") => label(key).is_some(),
                Some("DoesNotExist") => label(key).is_none(),
                _ => false,
            }
        });
    labels_ok && exprs_ok
}

/// The pairs a selector requires outright: a plain map (as Services use) or `matchLabels`.
fn required(selector: &Json) -> Option<&BodyMap> {
    if selector.get("matchLabels").is_none() && selector.get("matchExpressions").is_none() {
        selector.as_object()
    } else {
        selector.get("matchLabels").and_then(Json::as_object)
    }
}

/// Labelled things (pod templates, namespaces) by namespace and by each label, so a selector
/// is checked only against those carrying one of the pairs it requires, not against all.
/// Positions are ascending, so what a selector picks comes out in the caller's order.
#[derive(Default)]
struct Labelled<'g> {
    all: Vec<usize>,
    by_ns: HashMap<&'g str, Vec<usize>>,
    by_label: HashMap<(&'g str, &'g str, &'g str), Vec<usize>>,
}

impl<'g> Labelled<'g> {
    /// Indexes `(namespace, labels)` of each item, by its position.
    fn new(items: impl Iterator<Item = (&'g str, Option<&'g Json>)>) -> Self {
        let mut out = Self::default();
        for (i, (ns, labels)) in items.enumerate() {
            tick();
            out.all.push(i);
            out.by_ns.entry(ns).or_default().push(i);
            for (k, v) in labels.and_then(Json::as_object).into_iter().flatten() {
                if let Some(v) = v.as_str() {
                    out.by_label.entry((ns, k, v)).or_default().push(i);
                }
            }
        }
        out
    }

    /// The positions in `ns` that may match `selector` (`None`: everything in `ns`): the
    /// shortest list among the pairs it requires, or all of `ns` when it requires none.
    /// Callers still check each with [`selects`].
    fn candidates<'s>(&'s self, ns: &'s str, selector: Option<&'s Json>) -> &'s [usize] {
        let everything = || -> &'s [usize] { self.by_ns.get(ns).map_or(&[], Vec::as_slice) };
        let shortest: Option<&'s [usize]> = selector
            .and_then(required)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                let v = v.as_str()?;
                let list: &'s [usize] = self.by_label.get(&(ns, k, v)).map_or(&[], Vec::as_slice);
                Some(list)
            })
            .min_by_key(|l| l.len());
        shortest.unwrap_or_else(everything)
    }
}

/// The group a namespace's objects go in, made on first use inside the stack's EKS cluster
/// (or a `Kubernetes` group when the stack has none, or several).
pub(super) fn namespace(b: &mut Builder<'_>, name: &str) -> usize {
    if let Some(&g) = b.namespaces.get(name) {
        return g;
    }
    let parent = root(b);
    let g = b.d.group(
        &format!("ns_{name}"),
        parent,
        GroupKind::Namespace,
        format!("namespace {name}"),
        "",
    );
    b.namespaces.insert(name.to_owned(), g);
    g
}

/// Where namespaces go: the only EKS cluster, or a `Kubernetes` group.
fn root(b: &mut Builder<'_>) -> Option<usize> {
    if let [eks] = b.kubernetes_clusters.as_slice() {
        return Some(*eks);
    }
    if b.kubernetes.is_none() {
        b.kubernetes = Some(b.d.group(
            "kubernetes",
            None,
            GroupKind::Kubernetes,
            "Kubernetes",
            "objects applied from kubernetes/",
        ));
    }
    b.kubernetes
}

/// A drawn workload: its object, node, and pod template.
struct Workload<'g> {
    o: &'g KubeObject,
    node: usize,
    labels: Option<&'g Json>,
    template: &'g Json,
}

fn workloads<'g>(b: &Builder<'g>) -> Vec<Workload<'g>> {
    b.g.objects
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let t = template(o)?;
            let node = *b.kube_nodes.get(&i)?;
            Some(Workload {
                o,
                node,
                labels: at(t, &["metadata", "labels"]),
                template: t,
            })
        })
        .collect()
}

/// Draws Ingresses, Services, workloads and other objects worth a node.
pub(super) fn nodes(b: &mut Builder<'_>) {
    let g = b.g;
    let objects = &g.objects;
    let mut folded = folded(objects);
    for (i, o) in objects.iter().enumerate() {
        tick();
        if HIDDEN.contains(&o.kind.as_str()) {
            continue;
        }
        let (kind, lines) = match o.kind.as_str() {
            "Ingress" => (NodeKind::Entry, ingress_lines(o)),
            "Service" => (NodeKind::Service, service_lines(o)),
            _ if template(o).is_some() => (
                NodeKind::Compute,
                workload_lines(o, folded.remove(&i).unwrap_or_default()),
            ),
            _ => (NodeKind::Compute, Vec::new()),
        };
        let group = match &o.namespace {
            Some(n) => Some(namespace(b, n)),
            None => root(b),
        };
        let n = b.d.node(
            &format!("k8s_{}_{}_{}", ns(o), o.kind.to_lowercase(), o.name),
            group,
            kind,
            format!("{} {}", o.kind, o.name),
            lines,
        );
        b.kube_nodes.insert(i, n);
    }
}

fn ingress_lines(o: &KubeObject) -> Vec<String> {
    let spec = o.body.get("spec");
    let class = spec
        .and_then(|s| s.get("ingressClassName"))
        .and_then(Json::as_str)
        .or_else(|| {
            s(
                &o.body,
                &["metadata", "annotations", "kubernetes.io/ingress.class"],
            )
        });
    let tls = spec
        .and_then(|s| s.get("tls"))
        .and_then(Json::as_array)
        .is_some_and(|t| !t.is_empty());
    let mut first = Vec::new();
    if let Some(c) = class {
        first.push(format!("class {c}"));
    }
    if tls {
        first.push("TLS".to_owned());
    }
    vec![first.join(" · "), hosts(o).join(", ")]
}

fn hosts(o: &KubeObject) -> Vec<&str> {
    let mut out: Vec<&str> = at(&o.body, &["spec", "rules"])
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("host").and_then(Json::as_str))
        .collect();
    out.dedup();
    out
}

fn service_lines(o: &KubeObject) -> Vec<String> {
    let spec = o.body.get("spec");
    let headless = spec.and_then(|s| s.get("clusterIP")).and_then(Json::as_str) == Some("None");
    let kind = if headless {
        "headless"
    } else {
        spec.and_then(|s| s.get("type"))
            .and_then(Json::as_str)
            .unwrap_or("ClusterIP")
    };
    let ports: Vec<String> = spec
        .and_then(|s| s.get("ports"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let port = scalar(p.get("port"));
            match p.get("targetPort") {
                Some(t) if scalar(Some(t)) != port => format!("{port} → {}", scalar(Some(t))),
                _ => port,
            }
        })
        .collect();
    vec![format!("{kind} · port {}", ports.join(", "))]
}

/// A number or a string, as text.
fn scalar(v: Option<&Json>) -> String {
    match v {
        Some(Json::String(s)) => s.to_string(),
        Some(Json::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// What each workload's label says about the HPAs scaling it and the PDBs selecting its pods
/// (`HPA 2–10`, `PDB max unavailable 1`), by the workload's index among the objects: HPAs
/// found by their target's kind and name, PDBs by the labels their selector requires.
fn folded(objects: &[KubeObject]) -> HashMap<usize, Vec<String>> {
    let workloads: Vec<usize> = (0..objects.len())
        .filter(|&i| template(&objects[i]).is_some())
        .collect();
    let labels = |i: usize| template(&objects[i]).and_then(|t| at(t, &["metadata", "labels"]));
    let pods = Labelled::new(workloads.iter().map(|&i| (ns(&objects[i]), labels(i))));
    let mut by_name: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    for &i in &workloads {
        let o = &objects[i];
        by_name
            .entry((ns(o), o.kind.as_str(), o.name.as_str()))
            .or_default()
            .push(i);
    }
    let mut out: HashMap<usize, Vec<String>> = HashMap::new();
    let mut pdbs: Vec<(usize, String)> = Vec::new();
    for o in objects {
        tick();
        match o.kind.as_str() {
            "HorizontalPodAutoscaler" => {
                let target = (
                    s(&o.body, &["spec", "scaleTargetRef", "kind"]),
                    s(&o.body, &["spec", "scaleTargetRef", "name"]),
                );
                let (Some(kind), Some(name)) = target else {
                    continue;
                };
                let min = at(&o.body, &["spec", "minReplicas"]).and_then(Json::as_i64);
                let max = at(&o.body, &["spec", "maxReplicas"]).and_then(Json::as_i64);
                let line = match (min, max) {
                    (Some(min), Some(max)) => format!("HPA {min}–{max}"),
                    (None, Some(max)) => format!("HPA ≤ {max}"),
                    _ => continue,
                };
                for &i in by_name.get(&(ns(o), kind, name)).into_iter().flatten() {
                    out.entry(i).or_default().push(line.clone());
                }
            }
            "PodDisruptionBudget" => {
                let Some(sel) = at(&o.body, &["spec", "selector"]) else {
                    continue;
                };
                let spec = o.body.get("spec");
                let line = if let Some(v) = spec.and_then(|s| s.get("maxUnavailable")) {
                    format!("PDB max unavailable {}", scalar(Some(v)))
                } else if let Some(v) = spec.and_then(|s| s.get("minAvailable")) {
                    format!("PDB min available {}", scalar(Some(v)))
                } else {
                    continue;
                };
                for &p in pods.candidates(ns(o), Some(sel)) {
                    let i = workloads[p];
                    if selects(sel, labels(i)) {
                        pdbs.push((i, line.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    // HPAs before PDBs on each workload's line, each in object order.
    for (i, line) in pdbs {
        out.entry(i).or_default().push(line);
    }
    out
}

fn workload_lines(o: &KubeObject, folded: Vec<String>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut scale = Vec::new();
    match o.kind.as_str() {
        "DaemonSet" => scale.push("one pod per node".to_owned()),
        "CronJob" => {
            if let Some(sch) = s(&o.body, &["spec", "schedule"]) {
                scale.push(format!("schedule {sch}"));
            }
        }
        "Job" => {
            if let Some(n) = at(&o.body, &["spec", "completions"]).and_then(Json::as_i64) {
                scale.push(format!("{n} completions"));
            }
        }
        _ => {
            if let Some(n) = at(&o.body, &["spec", "replicas"]).and_then(Json::as_i64) {
                scale.push(format!("{n} replica{}", if n == 1 { "" } else { "s" }));
            }
        }
    }
    scale.extend(folded);
    lines.push(scale.join(" · "));
    let containers = template(o)
        .and_then(|t| at(t, &["spec", "containers"]))
        .and_then(Json::as_array);
    let images: Vec<&str> = containers
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("image").and_then(Json::as_str))
        .collect();
    lines.push(match images.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [first, rest @ ..] => format!("{first} + {} more", rest.len()),
    });
    let ports: Vec<String> = containers
        .into_iter()
        .flatten()
        .flat_map(|c| {
            c.get("ports")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(|p| p.get("containerPort").and_then(Json::as_i64))
        .map(|p| p.to_string())
        .collect();
    if !ports.is_empty() {
        lines.push(format!("port {}", ports.join(", ")));
    }
    lines
}

/// The container port a Service's `targetPort` names (a number, or a container port's name).
fn resolve_port(w: &Workload<'_>, target: Option<&Json>) -> String {
    match target {
        Some(Json::String(name)) => at(w.template, &["spec", "containers"])
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .flat_map(|c| {
                c.get("ports")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
            })
            .find(|p| p.get("name").and_then(Json::as_str) == Some(&**name))
            .and_then(|p| p.get("containerPort"))
            .map_or_else(|| name.to_string(), |p| scalar(Some(p))),
        other => scalar(other),
    }
}

/// Ingress → Service → workload, NetworkPolicy rules, workloads → the IAM role they run as.
pub(super) fn edges(b: &mut Builder<'_>) {
    let ws = workloads(b);
    let g = b.g;
    let objects = &g.objects;
    let mut services: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, o) in objects.iter().enumerate() {
        if o.kind == "Service" {
            services.entry((ns(o), o.name.as_str())).or_insert(i);
        }
    }
    let pods = Labelled::new(ws.iter().map(|w| (ns(w.o), w.labels)));
    let namespaces = namespace_labels(objects);
    let by_label = Labelled::new(namespaces.iter().map(|(_, l)| ("", Some(l))));

    for (i, o) in objects.iter().enumerate() {
        tick();
        let Some(&n) = b.kube_nodes.get(&i) else {
            continue;
        };
        match o.kind.as_str() {
            "Ingress" => {
                let hs = hosts(o);
                let tls = at(&o.body, &["spec", "tls"])
                    .and_then(Json::as_array)
                    .is_some_and(|t| !t.is_empty());
                if !hs.is_empty() || tls {
                    let internet = b.internet();
                    let scheme = if tls { "HTTPS" } else { "HTTP" };
                    b.d.edge(
                        internet,
                        End::Node(n),
                        EdgeKind::Traffic,
                        format!("{scheme} {}", hs.join(", ")),
                    );
                }
                let mut backends: Vec<(String, &Json)> = Vec::new();
                if let Some(d) = at(&o.body, &["spec", "defaultBackend", "service"]) {
                    backends.push(("default".into(), d));
                }
                for rule in at(&o.body, &["spec", "rules"])
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    for p in at(rule, &["http", "paths"])
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(svc) = at(p, &["backend", "service"]) {
                            let path = p.get("path").and_then(Json::as_str).unwrap_or("/");
                            backends.push((path.to_owned(), svc));
                        }
                    }
                }
                for (path, svc) in backends {
                    let Some(name) = svc.get("name").and_then(Json::as_str) else {
                        continue;
                    };
                    let port = at(svc, &["port", "number"]).or_else(|| at(svc, &["port", "name"]));
                    let service = services.get(&(ns(o), name));
                    let to = match service.and_then(|i| b.kube_nodes.get(i)).copied() {
                        Some(s) => End::Node(s),
                        None => {
                            let group = Some(namespace(b, ns(o)));
                            b.external_in(
                                group,
                                &format!("svc_{}_{name}", ns(o)),
                                &format!("Service {name}"),
                                vec!["not in this stack".into()],
                            )
                        }
                    };
                    b.d.edge(
                        End::Node(n),
                        to,
                        EdgeKind::Traffic,
                        format!("{path} → :{}", scalar(port)),
                    );
                }
            }
            "Service" => {
                let Some(selector) = at(&o.body, &["spec", "selector"]) else {
                    continue;
                };
                if selector.as_object().is_none_or(|m| m.is_empty()) {
                    continue;
                }
                if at(&o.body, &["spec", "type"]).and_then(Json::as_str) == Some("LoadBalancer") {
                    let internet = b.internet();
                    b.d.edge(internet, End::Node(n), EdgeKind::Traffic, "LoadBalancer");
                }
                let ports: Vec<&Json> = at(&o.body, &["spec", "ports"])
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .collect();
                for w in pods
                    .candidates(ns(o), Some(selector))
                    .iter()
                    .map(|&p| &ws[p])
                    .filter(|w| selects(selector, w.labels))
                {
                    let label: Vec<String> = ports
                        .iter()
                        .map(|p| {
                            let port = scalar(p.get("port"));
                            let target = resolve_port(w, p.get("targetPort").or(p.get("port")));
                            if target == port {
                                format!(":{port}")
                            } else {
                                format!(":{port} → {target}")
                            }
                        })
                        .collect();
                    b.d.edge(
                        End::Node(n),
                        End::Node(w.node),
                        EdgeKind::Traffic,
                        label.join(", "),
                    );
                }
            }
            _ => {}
        }
    }

    let known = Known {
        ws: &ws,
        pods: &pods,
        namespaces: &namespaces,
        by_label: &by_label,
    };
    for o in objects.iter().filter(|o| o.kind == "NetworkPolicy") {
        network_policy(b, o, &known);
    }

    for w in &ws {
        let Some(sa) = at(w.template, &["spec", "serviceAccountName"]).and_then(Json::as_str)
        else {
            continue;
        };
        if let Some(&role) = b.service_accounts.get(&(ns(w.o).to_owned(), sa.to_owned())) {
            b.d.edge(End::Node(w.node), role, EdgeKind::Grant, "runs as");
        }
    }
}

/// The workloads drawn, indexed by their pod labels, and the namespaces the stack defines.
struct Known<'w, 'g> {
    ws: &'w [Workload<'g>],
    pods: &'w Labelled<'g>,
    /// Each namespace's name and labels, and the same indexed by label.
    namespaces: &'w [(&'g str, Json)],
    by_label: &'w Labelled<'w>,
}

impl<'w, 'g> Known<'w, 'g> {
    /// The workloads of `namespace` a pod selector picks (`None`: all of them), in order.
    fn pick<'s>(
        &'s self,
        namespace: &'s str,
        selector: Option<&'s Json>,
    ) -> impl Iterator<Item = &'w Workload<'g>> + 's {
        self.pods
            .candidates(namespace, selector)
            .iter()
            .map(|&p| &self.ws[p])
            .filter(move |w| selector.is_none_or(|s| selects(s, w.labels)))
    }
}

/// The namespaces the stack defines, with the labels a namespace selector sees (their own and
/// `kubernetes.io/metadata.name`).
fn namespace_labels(objects: &[KubeObject]) -> Vec<(&str, Json)> {
    objects
        .iter()
        .filter(|n| n.kind == "Namespace")
        .map(|n| {
            let mut labels = match at(&n.body, &["metadata", "labels"]).map(Json::to_value) {
                Some(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            };
            labels.insert(
                "kubernetes.io/metadata.name".into(),
                serde_json::Value::String(n.name.clone()),
            );
            (
                n.name.as_str(),
                Json::from(serde_json::Value::Object(labels)),
            )
        })
        .collect()
}

/// Edges a NetworkPolicy allows: from its ingress peers to the pods it selects, and from
/// those pods to its egress peers, labelled with the ports.
fn network_policy(b: &mut Builder<'_>, o: &KubeObject, k: &Known<'_, '_>) {
    let namespace = ns(o);
    let empty = Json::Object(BodyMap::default());
    let pod_selector = at(&o.body, &["spec", "podSelector"]).unwrap_or(&empty);
    let selected: Vec<usize> = k
        .pick(namespace, Some(pod_selector))
        .map(|w| w.node)
        .collect();
    if selected.is_empty() {
        return;
    }
    for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
        for rule in at(&o.body, &["spec", dir])
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let ports: Vec<String> = rule
                .get("ports")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    let port = scalar(p.get("port"));
                    match p.get("protocol").and_then(Json::as_str) {
                        Some(proto) if proto != "TCP" => format!(":{port}/{proto}"),
                        _ => format!(":{port}"),
                    }
                })
                .collect();
            let label = if ports.is_empty() {
                "policy: all ports".to_owned()
            } else {
                format!("policy {}", ports.join(", "))
            };
            let peers: Vec<&Json> = rule
                .get(peers_key)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .collect();
            let mut ends: Vec<End> = Vec::new();
            if peers.is_empty() {
                ends.push(b.external("anywhere", "any source or destination", Vec::new()));
            }
            for p in peers {
                ends.extend(policy_peer(b, namespace, p, k));
            }
            for peer in ends {
                for &pod in &selected {
                    let (from, to) = if dir == "ingress" {
                        (peer, End::Node(pod))
                    } else {
                        (End::Node(pod), peer)
                    };
                    b.d.edge(from, to, EdgeKind::Policy, label.clone());
                }
            }
        }
    }
}

/// What a NetworkPolicy peer stands for: workloads of the stack it selects, a namespace
/// outside the stack, or a CIDR.
fn policy_peer(b: &mut Builder<'_>, namespace: &str, p: &Json, k: &Known<'_, '_>) -> Vec<End> {
    if let Some(cidr) = at(p, &["ipBlock", "cidr"]).and_then(Json::as_str) {
        return vec![b.cidr(cidr)];
    }
    let pods = p.get("podSelector");
    let Some(ns_selector) = p.get("namespaceSelector") else {
        // Pods of the policy's own namespace.
        return k.pick(namespace, pods).map(|w| End::Node(w.node)).collect();
    };
    // Namespaces the stack defines that the selector picks (by their labels, and the
    // `kubernetes.io/metadata.name` label every namespace carries), then their pods, in the
    // workloads' order.
    let mut picked: Vec<usize> = Vec::new();
    for &n in k.by_label.candidates("", Some(ns_selector)) {
        let (name, labels) = &k.namespaces[n];
        if selects(ns_selector, Some(labels)) {
            picked.extend(k.pods.candidates(name, pods));
        }
    }
    picked.sort_unstable();
    picked.dedup();
    let inside: Vec<End> = picked
        .into_iter()
        .map(|p| &k.ws[p])
        .filter(|w| pods.is_none_or(|s| selects(s, w.labels)))
        .map(|w| End::Node(w.node))
        .collect();
    if !inside.is_empty() {
        return inside;
    }
    let named =
        at(ns_selector, &["matchLabels", "kubernetes.io/metadata.name"]).and_then(Json::as_str);
    let (key, title) = match named {
        Some(n) => (format!("ns_{n}"), format!("namespace {n}")),
        None => {
            let text = ns_selector
                .get("matchLabels")
                .and_then(Json::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", scalar(Some(v))))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "all".into());
            (format!("ns_sel_{text}"), format!("namespaces {text}"))
        }
    };
    let group = root(b);
    vec![b.external_in(
        group,
        &key,
        &title,
        vec!["not managed by this stack".into()],
    )]
}
