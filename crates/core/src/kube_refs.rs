//! Kubernetes references that must stay inside the stack, like Terraform references do
//! (SS0203): the namespace an object is created in (SS0220), the object another one names — an
//! Ingress's Service, an autoscaler's target, a binding's Role, a pod's ServiceAccount, a
//! Rollout's Services, Ingress and AnalysisTemplates (SS0221)
//! — and the pods a Service, disruption budget or NetworkPolicy peer selects (SS0222).
//!
//! Each stack's `kubernetes/` folder is applied on its own, so a handle taken from another
//! stack or app, a `RawObject` or a custom resource naming something this stack does not create
//! would point at nothing on the cluster. The checks read the lowered objects, so every entry
//! point is covered alike; objects declared as existing (`Namespace::existing`) count as
//! present.

use crate::hash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeMap;

use crate::{Body, BodyMap};

use crate::{Diagnostic, Graph, IDENTITY_LABEL, KubeObject};

/// A pod template's labels.
type Labels = BodyMap;

/// The label the API server sets on every namespace, valued with its name.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// API groups whose kinds make no pods of their own beyond their pod template: a namespace
/// holding an object of any other group (an operator's custom resource) may run pods whose
/// labels the stack cannot see, so selectors there are not checked.
const BUILT_IN: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1",
    "networking.k8s.io/v1",
    "policy/v1",
    "autoscaling/v2",
    "autoscaling/v1",
    "rbac.authorization.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// Runs the three checks, adding diagnostics to `out`.
pub(crate) fn check(g: &Graph, out: &mut Vec<Diagnostic>) {
    if g.objects.is_empty() && g.named.is_empty() {
        return;
    }
    let created: HashSet<(&str, Option<&str>, &str)> = g
        .objects
        .iter()
        .map(|o| (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str()))
        .chain(
            g.existing
                .iter()
                .map(|e| (e.kind.as_str(), e.namespace.as_deref(), e.name.as_str())),
        )
        .collect();
    namespaces(g, &created, out);
    named_objects(g, &created, out);
    named_from_outside(g, &created, out);
    pod_labels_of_named(g, out);
    run_by(g, out);
    selectors(g, out);
}

/// SS0536: a workload that something gives a ServiceAccount's IAM role to use (an MSK client
/// grant) runs as that account; otherwise the grant reaches a role its pods never assume.
fn run_by(g: &Graph, out: &mut Vec<Diagnostic>) {
    let claims: Vec<(&crate::KubeNamed, &crate::Path, &str, &str)> = g
        .named
        .iter()
        .filter_map(|n| {
            let (p, ns, id) = n.run_by.as_ref()?;
            Some((n, p, ns.as_str(), id.as_str()))
        })
        .collect();
    if claims.is_empty() {
        return;
    }
    // (namespace, identity) → the object whose pods carry it.
    let by_identity: HashMap<(&str, &str), &KubeObject> = g
        .objects
        .iter()
        .filter(|o| pod_spec(&o.body).is_some())
        .filter_map(|o| {
            let id = pod_labels(&o.body)?.get(IDENTITY_LABEL)?.as_str()?;
            Some(((o.namespace.as_deref()?, id), o))
        })
        .collect();
    for (n, workload, workload_ns, id) in claims {
        let Some(ns) = n.namespace.as_deref() else {
            continue;
        };
        if workload_ns != ns {
            out.push(
                Diagnostic::error(
                    "SS0536",
                    &n.owner,
                    format!(
                        "{} gives `{workload}` the IAM role of ServiceAccount `{ns}/{}`, but `{workload}` runs in namespace `{workload_ns}`: a pod can run only as a ServiceAccount of its own namespace, so the role is never assumed",
                        n.what, n.name
                    ),
                )
                .hint(format!(
                    "give the workload an identity of its own namespace: `cluster.pod_identity(&sa)` with a ServiceAccount in `{workload_ns}`"
                )),
            );
            continue;
        }
        // A workload this stack does not create is reported by the checks that need it.
        let Some(o) = by_identity.get(&(ns, id)) else {
            continue;
        };
        let actual = pod_spec(&o.body)
            .and_then(|spec| spec.get("serviceAccountName"))
            .and_then(Body::as_str)
            .unwrap_or("default");
        if actual != n.name {
            out.push(
                Diagnostic::error(
                    "SS0536",
                    &n.owner,
                    format!(
                        "{} gives `{workload}` the IAM role of ServiceAccount `{ns}/{}`, but {} `{}` runs as `{actual}`: its pods never assume that role, so every call it allows is denied",
                        n.what, n.name, o.kind, o.name
                    ),
                )
                .hint(format!(
                    "run `{workload}` as the identity's account: `.service_account(&identity.service_account())`"
                )),
            );
        }
    }
}

/// SS0535: pods running as a ServiceAccount that something outside the Kubernetes output gives
/// a role carry the label that role needs (the AWS egress of a Pod Identity's pods).
fn pod_labels_of_named(g: &Graph, out: &mut Vec<Diagnostic>) {
    let needs: HashMap<(&str, &str), &crate::KubeNamed> = g
        .named
        .iter()
        .filter(|n| n.kind == "ServiceAccount" && n.pod_label.is_some())
        .filter_map(|n| Some(((n.namespace.as_deref()?, n.name.as_str()), n)))
        .collect();
    if needs.is_empty() {
        return;
    }
    for o in &g.objects {
        let (Some(ns), Some(spec)) = (o.namespace.as_deref(), pod_spec(&o.body)) else {
            continue;
        };
        let Some(account) = spec.get("serviceAccountName").and_then(Body::as_str) else {
            continue;
        };
        let Some(n) = needs.get(&(ns, account)) else {
            continue;
        };
        let Some((key, value, why)) = &n.pod_label else {
            continue;
        };
        let labelled = pod_labels(&o.body)
            .and_then(|l| l.get(key))
            .and_then(Body::as_str)
            == Some(value.as_str());
        if !labelled {
            out.push(
                Diagnostic::error(
                    "SS0535",
                    &o.owner,
                    format!(
                        "{} `{}` runs as ServiceAccount `{account}`, which {} gives an IAM role, but its pods lack the label `{key}: \"{value}\"` ({why})",
                        o.kind, o.name, n.what
                    ),
                )
                .hint(
                    "run it as the identity's account: `.service_account(&identity.service_account())`, `identity` being the handle `stack.add(cluster.pod_identity(&sa))` returned",
                ),
            );
        }
    }
}

/// SS0530: every object named from outside the Kubernetes output (a Pod Identity
/// association's ServiceAccount) is one the stack creates or declares.
fn named_from_outside(
    g: &Graph,
    created: &HashSet<(&str, Option<&str>, &str)>,
    out: &mut Vec<Diagnostic>,
) {
    for n in &g.named {
        if created.contains(&(n.kind.as_str(), n.namespace.as_deref(), n.name.as_str())) {
            continue;
        }
        let within = n
            .namespace
            .as_deref()
            .map(|ns| format!(" in namespace `{ns}`"))
            .unwrap_or_default();
        out.push(
            Diagnostic::error(
                "SS0530",
                &n.owner,
                format!(
                    "{} names {} `{}`{within}, which stack `{}` does not create: no pod runs as it, so the identity reaches nothing",
                    n.what, n.kind, n.name, g.stack
                ),
            )
            .hint(format!(
                "add the {} to this stack (`stack.add({}::new(&ns, \"{}\"))`) and pass its handle",
                n.kind, n.kind, n.name
            )),
        );
    }
}

/// SS0220: every namespaced object is created in a namespace the stack creates or declares;
/// reported once per namespace, at the first object in it.
fn namespaces(g: &Graph, created: &HashSet<(&str, Option<&str>, &str)>, out: &mut Vec<Diagnostic>) {
    // Namespace → (the first object in it, how many are).
    let mut missing: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, o) in g.objects.iter().enumerate() {
        let Some(ns) = o.namespace.as_deref() else {
            continue;
        };
        if !created.contains(&("Namespace", None, ns)) {
            let entry = missing.entry(ns).or_insert((i, 0));
            entry.1 = entry.1.saturating_add(1);
        }
    }
    let mut first: Vec<_> = missing.into_iter().collect();
    // In the order the objects were added, like every other diagnostic.
    first.sort_by_key(|(_, (i, _))| *i);
    for (ns, (i, count)) in first {
        let Some(o) = g.objects.get(i) else {
            continue;
        };
        let others = match count.saturating_sub(1) {
            0 => String::new(),
            n => format!(" (and {n} other object(s))"),
        };
        out.push(
            Diagnostic::error(
                "SS0220",
                &o.owner,
                format!(
                    "{} `{}`{others} is created in namespace `{ns}`, which stack `{}` neither creates nor declares as existing",
                    o.kind, o.name, g.stack
                ),
            )
            .hint(format!(
                "add `Namespace::new(\"{ns}\")` to this stack (a namespace another stack or app creates is not in this stack's `kubernetes/` output), or, if it exists on the cluster already, say so: `stack.add(Namespace::existing(\"{ns}\"))`"
            )),
        );
    }
}

/// One object naming another of `kind` in its own namespace.
struct Named<'a> {
    what: What<'a>,
    kind: &'a str,
    name: &'a str,
    /// How to make the missing object, given the object naming it, when a construct's intent
    /// method makes it; the generic advice (add it and use its handle) otherwise.
    fix: Option<fn(&KubeObject) -> String>,
}

/// Which field of an object names another, for a diagnostic (written only when one is).
enum What<'a> {
    /// A field named in words: `scale target`.
    Field(&'static str),
    /// An Ingress route: its host and path.
    Route(&'a str, &'a str),
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Field(what) => f.write_str(what),
            What::Route(host, path) => write!(f, "route `{host}{path}`"),
        }
    }
}

/// The objects `o` names, by kind.
fn names_of(o: &KubeObject) -> Vec<Named<'_>> {
    let b = &o.body;
    let mut found: Vec<Named<'_>> = Vec::new();
    match o.kind.as_str() {
        "Ingress" => {
            found.extend(named(
                What::Field("default backend"),
                "Service",
                crate::kube::at(b, &["spec", "defaultBackend", "service", "name"]),
            ));
            for rule in arr(crate::kube::at(b, &["spec", "rules"])) {
                let host = rule.get("host").and_then(Body::as_str).unwrap_or("*");
                for p in arr(crate::kube::at(rule, &["http", "paths"])) {
                    let path = p.get("path").and_then(Body::as_str).unwrap_or("/");
                    found.extend(named(
                        What::Route(host, path),
                        "Service",
                        crate::kube::at(p, &["backend", "service", "name"]),
                    ));
                }
            }
        }
        "HorizontalPodAutoscaler" => {
            if let Some(kind) =
                crate::kube::at(b, &["spec", "scaleTargetRef", "kind"]).and_then(Body::as_str)
            {
                found.extend(named(
                    What::Field("scale target"),
                    kind,
                    crate::kube::at(b, &["spec", "scaleTargetRef", "name"]),
                ));
            }
        }
        "Rollout" => {
            let canary = crate::kube::at(b, &["spec", "strategy", "canary"]);
            let at = |path: &[&str]| canary.and_then(|c| crate::kube::at(c, path));
            found.extend(named(
                What::Field("stable service"),
                "Service",
                at(&["stableService"]),
            ));
            found.extend(named(
                What::Field("canary service"),
                "Service",
                at(&["canaryService"]),
            ));
            let ingresses = at(&["trafficRouting", "alb", "ingress"])
                .into_iter()
                .chain(arr(at(&["trafficRouting", "alb", "ingresses"])));
            for ingress in ingresses {
                found.extend(
                    named(What::Field("ALB traffic routing"), "Ingress", Some(ingress)).map(|n| {
                        Named {
                            fix: Some(|o| {
                                format!(
                                    "expose the release in this stack: `stack.add(release.expose_via_ingress(host, path))`, `release` being the handle of `{}`",
                                    o.name
                                )
                            }),
                            ..n
                        }
                    }),
                );
            }
            let step_analyses = arr(at(&["steps"]))
                .iter()
                .filter_map(|step| crate::kube::at(step, &["analysis", "templates"]));
            for templates in std::iter::once(at(&["analysis", "templates"]))
                .flatten()
                .chain(step_analyses)
            {
                // A cluster-scoped template (`clusterScope: true`) is not in the namespace.
                let namespaced = arr(Some(templates))
                    .iter()
                    .filter(|t| t.get("clusterScope").and_then(Body::as_bool) != Some(true));
                for t in namespaced {
                    found.extend(named(
                        What::Field("analysis"),
                        "AnalysisTemplate",
                        t.get("templateName"),
                    ));
                }
            }
        }
        "RoleBinding"
            if crate::kube::at(b, &["roleRef", "kind"]).and_then(Body::as_str) == Some("Role") =>
        {
            found.extend(named(
                What::Field("role"),
                "Role",
                crate::kube::at(b, &["roleRef", "name"]),
            ));
        }
        _ => {}
    }
    if let Some(spec) = pod_spec(b) {
        found.extend(
            named(
                What::Field("pods' service account"),
                "ServiceAccount",
                spec.get("serviceAccountName"),
            )
            .filter(|n| n.name != "default"),
        );
    }
    found.retain(|n| !n.name.is_empty());
    found
}

fn named<'a>(what: What<'a>, kind: &'a str, name: Option<&'a Body>) -> Option<Named<'a>> {
    name.and_then(Body::as_str).map(|name| Named {
        what,
        kind,
        name,
        fix: None,
    })
}

/// SS0221: every object another names is one the stack creates or declares.
fn named_objects(
    g: &Graph,
    created: &HashSet<(&str, Option<&str>, &str)>,
    out: &mut Vec<Diagnostic>,
) {
    for o in &g.objects {
        for n in names_of(o) {
            let ns = o.namespace.as_deref();
            if created.contains(&(n.kind, ns, n.name)) {
                continue;
            }
            let within = ns
                .map(|ns| format!(" in namespace `{ns}`"))
                .unwrap_or_default();
            out.push(
                Diagnostic::error(
                    "SS0221",
                    &o.owner,
                    format!(
                        "the {} of {} `{}` is {} `{}`{within}, which stack `{}` does not create",
                        n.what, o.kind, o.name, n.kind, n.name, g.stack
                    ),
                )
                .hint(n.fix.map_or_else(
                    || format!(
                        "add the {} to this stack and use its handle; a handle from another stack or app names an object only that stack's `kubernetes/` output creates",
                        n.kind
                    ),
                    |fix| fix(o),
                )),
            );
        }
    }
}

/// The pod spec of a workload object (its template's, or a Pod's own).
fn pod_spec(b: &Body) -> Option<&Body> {
    crate::kube::at(b, &["spec", "template", "spec"])
        .or_else(|| crate::kube::at(b, &["spec", "jobTemplate", "spec", "template", "spec"]))
        .or_else(|| (b.get("kind")? == "Pod").then(|| b.get("spec")).flatten())
}

/// The labels a workload object's pods carry.
fn pod_labels(b: &Body) -> Option<&BodyMap> {
    crate::kube::at(b, &["spec", "template", "metadata", "labels"])
        .or_else(|| {
            crate::kube::at(
                b,
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "metadata",
                    "labels",
                ],
            )
        })
        .or_else(|| {
            (b.get("kind")? == "Pod")
                .then(|| crate::kube::at(b, &["metadata", "labels"]))
                .flatten()
        })
        .and_then(Body::as_object)
}

fn arr(v: Option<&Body>) -> &[Body] {
    v.and_then(Body::as_array).unwrap_or_default()
}

/// A selector's `matchLabels` (or a Service's plain map), when it has no `matchExpressions`
/// and is not empty (an empty selector picks every pod, and is never wrong).
fn match_labels(selector: &Body, plain: bool) -> Option<&BodyMap> {
    let labels = if plain {
        selector.as_object()
    } else {
        if selector.get("matchExpressions").is_some() {
            return None;
        }
        selector.get("matchLabels").and_then(Body::as_object)
    };
    labels.filter(|l| !l.is_empty())
}

/// SS0222: every label selector in a namespace the stack creates picks some pod the stack runs.
fn selectors(g: &Graph, out: &mut Vec<Diagnostic>) {
    // The namespaces the stack creates (not existing ones: their pods are not ours to know).
    let ours: HashSet<&str> = g
        .objects
        .iter()
        .filter(|o| o.kind == "Namespace")
        .map(|o| o.name.as_str())
        .collect();
    // Namespaces holding an operator's resources: pods there may carry any labels.
    let mut opaque: HashSet<&str> = HashSet::new();
    let mut pods: BTreeMap<&str, Vec<&Labels>> = BTreeMap::new();
    // (namespace, label key, label value) → the pod templates carrying it.
    let mut by_label: HashMap<(&str, &str, &str), Vec<&Labels>> = HashMap::new();
    for o in &g.objects {
        let Some(ns) = o.namespace.as_deref() else {
            continue;
        };
        if !BUILT_IN.contains(&o.api_version.as_str()) {
            opaque.insert(ns);
        }
        if let Some(labels) = pod_labels(&o.body) {
            pods.entry(ns).or_default().push(labels);
            for (k, v) in labels {
                if let Some(v) = v.as_str() {
                    by_label.entry((ns, k, v)).or_default().push(labels);
                }
            }
        }
    }
    // A selector is looked up by its first label, then checked in full on those pods only:
    // linear in the objects, however many selectors one namespace holds.
    let selects = |ns: &str, sel: &BodyMap| {
        let matches = |p: &&BodyMap| sel.iter().all(|(k, v)| p.get(k) == Some(v));
        match sel.iter().next() {
            Some((k, v)) => match v.as_str() {
                Some(v) => by_label
                    .get(&(ns, k, v))
                    .is_some_and(|c| c.iter().any(matches)),
                None => false,
            },
            None => pods.get(ns).is_some_and(|all| !all.is_empty()),
        }
    };
    for o in &g.objects {
        let Some(own) = o.namespace.as_deref() else {
            continue;
        };
        // (what, the selector's namespace, its labels)
        let mut wanted: Vec<(&str, &str, &BodyMap)> = Vec::new();
        let b = &o.body;
        match o.kind.as_str() {
            "Service" => wanted.extend(
                crate::kube::at(b, &["spec", "selector"])
                    .and_then(|s| match_labels(s, true))
                    .map(|l| ("selector", own, l)),
            ),
            "PodDisruptionBudget" => wanted.extend(
                crate::kube::at(b, &["spec", "selector"])
                    .and_then(|s| match_labels(s, false))
                    .map(|l| ("selector", own, l)),
            ),
            // The pods a policy applies to may be made later by a controller (cert-manager's
            // solver pods) and a policy selecting none is inert; its peers are what it opens to.
            "NetworkPolicy" => {
                let peers = arr(crate::kube::at(b, &["spec", "ingress"]))
                    .iter()
                    .flat_map(|r| arr(r.get("from")))
                    .map(|p| ("ingress peer", p))
                    .chain(
                        arr(crate::kube::at(b, &["spec", "egress"]))
                            .iter()
                            .flat_map(|r| arr(r.get("to")))
                            .map(|p| ("egress peer", p)),
                    );
                for (what, peer) in peers {
                    let Some(labels) = peer.get("podSelector").and_then(|s| match_labels(s, false))
                    else {
                        continue;
                    };
                    let ns = match peer.get("namespaceSelector") {
                        None => Some(own),
                        Some(sel) => match_labels(sel, false)
                            .filter(|l| l.len() == 1)
                            .and_then(|l| l.get(NAMESPACE_NAME_LABEL))
                            .and_then(Body::as_str),
                    };
                    if let Some(ns) = ns {
                        wanted.push((what, ns, labels));
                    }
                }
            }
            _ => {}
        }
        for (what, ns, labels) in wanted {
            if !ours.contains(ns) || opaque.contains(ns) || selects(ns, labels) {
                continue;
            }
            let text = labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",");
            out.push(
                Diagnostic::error(
                    "SS0222",
                    &o.owner,
                    format!(
                        "the {what} of {} `{}` picks pods labelled `{text}` in namespace `{ns}`, but no workload of stack `{}` runs such pods there",
                        o.kind, o.name, g.stack
                    ),
                )
                .hint("select a workload this stack adds, through its handle from this stack (`api.allow_from(&web)`); pods another stack or app runs are not in this stack's output"),
            );
        }
    }
}
