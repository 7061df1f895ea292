//! The Kubernetes side of the diagram: namespaces with their Ingresses, Services and
//! workloads, connected by Ingress backends (Service name), Service selectors (pod template
//! labels) and NetworkPolicy rules. HPAs and PDBs fold into their workload's label;
//! ConfigMaps, Secrets, ServiceAccounts and RBAC are left out.

use serde_json::Value as Json;
use stacksmith_core::KubeObject;

use super::Builder;
use super::model::{EdgeKind, End, GroupKind, NodeKind};

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
    if let [eks] = b.eks_groups.as_slice() {
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
    for (i, o) in objects.iter().enumerate() {
        if HIDDEN.contains(&o.kind.as_str()) {
            continue;
        }
        let (kind, lines) = match o.kind.as_str() {
            "Ingress" => (NodeKind::Entry, ingress_lines(o)),
            "Service" => (NodeKind::Service, service_lines(o)),
            _ if template(o).is_some() => (NodeKind::Compute, workload_lines(b, o)),
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
    let mut out: Vec<&str> = o
        .body
        .pointer("/spec/rules")
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
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn workload_lines(b: &Builder<'_>, o: &KubeObject) -> Vec<String> {
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
            if let Some(n) = o.body.pointer("/spec/completions").and_then(Json::as_i64) {
                scale.push(format!("{n} completions"));
            }
        }
        _ => {
            if let Some(n) = o.body.pointer("/spec/replicas").and_then(Json::as_i64) {
                scale.push(format!("{n} replica{}", if n == 1 { "" } else { "s" }));
            }
        }
    }
    for hpa in b.g.objects.iter().filter(|h| {
        h.kind == "HorizontalPodAutoscaler"
            && h.namespace == o.namespace
            && s(&h.body, &["spec", "scaleTargetRef", "kind"]) == Some(o.kind.as_str())
            && s(&h.body, &["spec", "scaleTargetRef", "name"]) == Some(o.name.as_str())
    }) {
        let min = hpa.body.pointer("/spec/minReplicas").and_then(Json::as_i64);
        let max = hpa.body.pointer("/spec/maxReplicas").and_then(Json::as_i64);
        if let (Some(min), Some(max)) = (min, max) {
            scale.push(format!("HPA {min}–{max}"));
        } else if let Some(max) = max {
            scale.push(format!("HPA ≤ {max}"));
        }
    }
    let labels = template(o).and_then(|t| at(t, &["metadata", "labels"]));
    for pdb in b.g.objects.iter().filter(|p| {
        p.kind == "PodDisruptionBudget"
            && p.namespace == o.namespace
            && p.body
                .pointer("/spec/selector")
                .is_some_and(|sel| selects(sel, labels))
    }) {
        let spec = pdb.body.get("spec");
        if let Some(v) = spec.and_then(|s| s.get("maxUnavailable")) {
            scale.push(format!("PDB max unavailable {}", scalar(Some(v))));
        } else if let Some(v) = spec.and_then(|s| s.get("minAvailable")) {
            scale.push(format!("PDB min available {}", scalar(Some(v))));
        }
    }
    lines.push(scale.join(" · "));
    let containers = template(o)
        .and_then(|t| t.pointer("/spec/containers"))
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
        Some(Json::String(name)) => w
            .template
            .pointer("/spec/containers")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .flat_map(|c| {
                c.get("ports")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
            })
            .find(|p| p.get("name").and_then(Json::as_str) == Some(name))
            .and_then(|p| p.get("containerPort"))
            .map_or_else(|| name.clone(), |p| scalar(Some(p))),
        other => scalar(other),
    }
}

/// Ingress → Service → workload, NetworkPolicy rules, workloads → the IAM role they run as.
pub(super) fn edges(b: &mut Builder<'_>) {
    let ws = workloads(b);
    let g = b.g;
    let objects = &g.objects;
    let node_of = |b: &Builder<'_>, kind: &str, namespace: &str, name: &str| {
        objects
            .iter()
            .enumerate()
            .find(|(_, o)| o.kind == kind && ns(o) == namespace && o.name == name)
            .and_then(|(i, _)| b.kube_nodes.get(&i).copied())
    };

    for (i, o) in objects.iter().enumerate() {
        let Some(&n) = b.kube_nodes.get(&i) else {
            continue;
        };
        match o.kind.as_str() {
            "Ingress" => {
                let hs = hosts(o);
                let tls = o
                    .body
                    .pointer("/spec/tls")
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
                if let Some(d) = o.body.pointer("/spec/defaultBackend/service") {
                    backends.push(("default".into(), d));
                }
                for rule in o
                    .body
                    .pointer("/spec/rules")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    for p in rule
                        .pointer("/http/paths")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(svc) = p.pointer("/backend/service") {
                            let path = p.get("path").and_then(Json::as_str).unwrap_or("/");
                            backends.push((path.to_owned(), svc));
                        }
                    }
                }
                for (path, svc) in backends {
                    let Some(name) = svc.get("name").and_then(Json::as_str) else {
                        continue;
                    };
                    let port = svc
                        .pointer("/port/number")
                        .or_else(|| svc.pointer("/port/name"));
                    let to = match node_of(b, "Service", ns(o), name) {
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
                let Some(selector) = o.body.pointer("/spec/selector") else {
                    continue;
                };
                if selector.as_object().is_none_or(|m| m.is_empty()) {
                    continue;
                }
                if o.body.pointer("/spec/type").and_then(Json::as_str) == Some("LoadBalancer") {
                    let internet = b.internet();
                    b.d.edge(internet, End::Node(n), EdgeKind::Traffic, "LoadBalancer");
                }
                let ports: Vec<&Json> = o
                    .body
                    .pointer("/spec/ports")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .collect();
                for w in ws
                    .iter()
                    .filter(|w| ns(w.o) == ns(o) && selects(selector, w.labels))
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

    for o in objects.iter().filter(|o| o.kind == "NetworkPolicy") {
        network_policy(b, o, &ws);
    }

    for w in &ws {
        let Some(sa) = w
            .template
            .pointer("/spec/serviceAccountName")
            .and_then(Json::as_str)
        else {
            continue;
        };
        if let Some(&role) = b.service_accounts.get(&(ns(w.o).to_owned(), sa.to_owned())) {
            b.d.edge(End::Node(w.node), role, EdgeKind::Iam, "runs as");
        }
    }
}

/// Edges a NetworkPolicy allows: from its ingress peers to the pods it selects, and from
/// those pods to its egress peers, labelled with the ports.
fn network_policy(b: &mut Builder<'_>, o: &KubeObject, ws: &[Workload<'_>]) {
    let namespace = ns(o);
    let empty = Json::Object(serde_json::Map::new());
    let pod_selector = o.body.pointer("/spec/podSelector").unwrap_or(&empty);
    let selected: Vec<usize> = ws
        .iter()
        .filter(|w| ns(w.o) == namespace && selects(pod_selector, w.labels))
        .map(|w| w.node)
        .collect();
    if selected.is_empty() {
        return;
    }
    for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
        for rule in o
            .body
            .pointer(&format!("/spec/{dir}"))
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
                ends.extend(policy_peer(b, namespace, p, ws));
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
fn policy_peer(b: &mut Builder<'_>, namespace: &str, p: &Json, ws: &[Workload<'_>]) -> Vec<End> {
    if let Some(cidr) = p.pointer("/ipBlock/cidr").and_then(Json::as_str) {
        return vec![b.cidr(cidr)];
    }
    let pods = p.get("podSelector");
    let Some(ns_selector) = p.get("namespaceSelector") else {
        // Pods of the policy's own namespace.
        return ws
            .iter()
            .filter(|w| ns(w.o) == namespace && pods.is_none_or(|s| selects(s, w.labels)))
            .map(|w| End::Node(w.node))
            .collect();
    };
    // Namespaces the stack defines that the selector picks (by their labels, and the
    // `kubernetes.io/metadata.name` label every namespace carries).
    let namespaces: Vec<String> =
        b.g.objects
            .iter()
            .filter(|n| n.kind == "Namespace")
            .filter(|n| {
                let mut labels = n
                    .body
                    .pointer("/metadata/labels")
                    .cloned()
                    .unwrap_or_else(|| Json::Object(serde_json::Map::new()));
                if let Some(m) = labels.as_object_mut() {
                    m.insert(
                        "kubernetes.io/metadata.name".into(),
                        Json::String(n.name.clone()),
                    );
                }
                selects(ns_selector, Some(&labels))
            })
            .map(|n| n.name.clone())
            .collect();
    let inside: Vec<End> = ws
        .iter()
        .filter(|w| namespaces.iter().any(|n| n == ns(w.o)))
        .filter(|w| pods.is_none_or(|s| selects(s, w.labels)))
        .map(|w| End::Node(w.node))
        .collect();
    if !inside.is_empty() {
        return inside;
    }
    let named = ns_selector
        .pointer("/matchLabels/kubernetes.io~1metadata.name")
        .and_then(Json::as_str);
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
