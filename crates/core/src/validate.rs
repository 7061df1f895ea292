//! Whole-stack checks that no single construct can make: name collisions, dangling references,
//! and Secret/ConfigMap keys that nothing provides.
//!
//! No cascades: a construct that reported an error may have stopped lowering early, so a
//! reference into it is not reported again (SS0202); its errors are marked as the root cause
//! and reported first.

use crate::hash::{HashMap, HashMapExt, HashSet};
use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;

use crate::{Address, Diagnostic, Graph, Path, SourceKind};

/// Kubernetes objects from which their references are checked on a second core.
const REFERENCES_APART_FROM: usize = 512;

/// Runs every whole-stack check, adding diagnostics to the graph.
pub(crate) fn graph(g: &mut Graph) {
    let mut found = Vec::new();
    let mut causes = BTreeSet::new();
    let others = |found: &mut Vec<Diagnostic>, causes: &mut BTreeSet<String>| {
        let known = duplicate_addresses(g, found);
        dangling_references(g, known, found, causes);
        object_names(g, found);
        annotation_sizes(g, found);
        duplicate_objects(g, found);
        root_containers_claiming_non_root(g, found);
        crossings(g, found);
        unresolved_uses(g, found);
    };
    // A construct that reported an error may have stopped before creating the object another
    // one names: Kubernetes references are checked once everything lowered and nothing else
    // was found (no cascades). In a large stack they are checked on a second core meanwhile,
    // and the result dropped if something was.
    let mut references = Vec::new();
    if g.diagnostics.error_paths().next().is_some() {
        others(&mut found, &mut causes);
    } else if g.objects.len() < REFERENCES_APART_FROM {
        others(&mut found, &mut causes);
        if found.is_empty() {
            crate::kube_refs::check(g, &mut references);
        }
    } else {
        let g: &Graph = g;
        (references, ()) = crate::parallel::join(
            || {
                let mut references = Vec::new();
                crate::kube_refs::check(g, &mut references);
                references
            },
            || others(&mut found, &mut causes),
        );
    }
    if found.is_empty() {
        found = references;
    }
    unmet_requirements(g, &mut found);
    for cause in causes {
        g.diagnostics.mark_root_cause(&cause);
    }
    for d in found {
        g.diagnostics.push(d);
    }
}

/// Which construct a Terraform local name belongs to, by the longest construct name it starts
/// with (`network_private_a` → `prod/network`), among the constructs that lowered resources and
/// those that reported an error (and so may have lowered none).
struct Owners {
    /// Terraform name of a construct (`network`) → its path, and whether it reported an error.
    by_name: HashMap<String, (String, bool)>,
}

impl Owners {
    fn of(g: &Graph) -> Self {
        let mut by_name: HashMap<String, (String, bool)> = HashMap::new();
        if g.diagnostics.error_paths().next().is_none() {
            // Nothing failed: no reference is a consequence.
            return Self { by_name };
        }
        for r in g.resources.iter().chain(&g.data) {
            let name = crate::tf_name(&r.owner, "");
            by_name
                .entry(name)
                .or_insert_with(|| (r.owner.to_string(), false));
        }
        for path in g.diagnostics.error_paths() {
            // A stack-level error (path `prod`) names no construct. The stack's name is cut
            // off as it is, whatever it holds (an invalid one may hold a `/`).
            let Some(below) = path
                .strip_prefix(g.stack.as_str())
                .and_then(|p| p.strip_prefix('/'))
            else {
                continue;
            };
            let name = below.replace('/', "_").to_snake_case();
            // The first construct that failed under a name keeps it: the same errors recorded
            // again (as a stack lowered in parts records its region's once per part) change
            // nothing.
            let owner = by_name
                .entry(name)
                .or_insert_with(|| (path.to_owned(), true));
            if !owner.1 {
                *owner = (path.to_owned(), true);
            }
        }
        Self { by_name }
    }

    /// The path of the construct that reported an error and would have created `a`, if any.
    fn failed(&self, a: &Address) -> Option<&str> {
        let name = a.name();
        let mut prefixes = std::iter::once(name).chain(
            name.char_indices()
                .rev()
                .filter(|(_, c)| *c == '_')
                .map(|(i, _)| &name[..i]),
        );
        prefixes
            .find_map(|p| self.by_name.get(p))
            .filter(|(_, failed)| *failed)
            .map(|(path, _)| path.as_str())
    }
}

/// SS0201; returns every resource's and data source's address (with the construct that
/// produced it last).
fn duplicate_addresses<'g>(
    g: &'g Graph,
    out: &mut Vec<Diagnostic>,
) -> HashMap<&'g Address, &'g Path> {
    // Room for the ephemeral resources too, which the reference check adds.
    let capacity = capacity_of(g);
    let mut seen: HashMap<&Address, &Path> =
        HashMap::with_capacity(capacity.saturating_add(g.ephemeral.len()));
    let mut reported: BTreeSet<(&Path, &Path)> = BTreeSet::new();
    for r in g.resources.iter().chain(&g.data) {
        if let Some(first) = seen.insert(&r.address, &r.owner) {
            if (first != &r.owner || !r.address.is_data()) && reported.insert((first, &r.owner)) {
                out.push(
                    Diagnostic::error(
                        "SS0201",
                        &r.owner,
                        format!(
                            "Terraform address `{}` (and any others) is also produced by {first}; names collide after normalisation",
                            r.address.expression()
                        ),
                    )
                    .hint("rename one of the constructs so their snake_case paths differ"),
                );
            }
        }
    }
    seen
}

/// A reference or a `depends_on` address, as an expression for a diagnostic.
enum Expr<'a> {
    Ref(&'a crate::Ref<()>),
    Address(&'a Address),
}

impl Expr<'_> {
    fn text(&self) -> String {
        match self {
            Expr::Ref(r) => r.expression(),
            Expr::Address(a) => a.expression(),
        }
    }
}

/// Resources whose references are checked together, apart from others on another core.
const REFERENCES_CHECKED_TOGETHER: usize = 1024;

/// Resources and data sources.
fn capacity_of(g: &Graph) -> usize {
    g.resources.len().saturating_add(g.data.len())
}

/// SS0202, SS0203 and SS0538, given the addresses of the resources and data sources
/// ([`duplicate_addresses`]).
fn dangling_references<'g>(
    g: &'g Graph,
    mut known: HashMap<&'g Address, &'g Path>,
    out: &mut Vec<Diagnostic>,
    causes: &mut BTreeSet<String>,
) {
    for r in &g.ephemeral {
        known.entry(&r.address).or_insert(&r.owner);
    }
    let owners = Owners::of(g);
    let check = |owner: &Path,
                 refs: &[&crate::Ref<()>],
                 deps: &[Address],
                 out: &mut Vec<Diagnostic>,
                 causes: &mut BTreeSet<String>| {
        // The expression is written only into a diagnostic: made only when one is.
        let addrs = refs
            .iter()
            .map(|r| (r.address(), Expr::Ref(r)))
            .chain(deps.iter().map(|a| (a, Expr::Address(a))));
        for (a, expr) in addrs {
            if a.stack() == g.stack && known.contains_key(a) {
                continue;
            }
            let expr = expr.text();
            if a.stack() != g.stack {
                out.push(
                    Diagnostic::error(
                        "SS0203",
                        owner,
                        format!("reference `{expr}` points into stack `{}`, but this is stack `{}`", a.stack(), g.stack),
                    )
                    .hint("each stack is its own Terraform root; build the construct in this stack, or pass the value as a literal input"),
                );
            } else if known.contains_key(a) {
                continue;
            } else if let Some(cause) = owners.failed(a) {
                // The construct that creates it reported an error and stopped early.
                causes.insert(cause.to_owned());
            } else {
                out.push(
                    Diagnostic::error(
                        "SS0202",
                        owner,
                        format!(
                            "reference `{expr}` points to `{}`, which this stack does not contain",
                            a.expression()
                        ),
                    )
                    .hint("add the construct that creates it to the stack with `stack.add(...)`"),
                );
            }
        }
    };
    // Resources and data sources in runs checked on the machine's cores, the findings joined
    // in order. Ephemeral values outside write-only arguments (SS0538) are added after the
    // references.
    let runs: Vec<&[crate::terraform::Resource]> = g
        .resources
        .chunks(REFERENCES_CHECKED_TOGETHER)
        .chain(g.data.chunks(REFERENCES_CHECKED_TOGETHER))
        .collect();
    // Apart only when there is more than one run's worth.
    let apart_from = if capacity_of(g) > REFERENCES_CHECKED_TOGETHER {
        2
    } else {
        usize::MAX
    };
    let checked = crate::parallel::map_with(&runs, apart_from, |run| {
        let (mut found, mut ephemeral, mut causes) = (Vec::new(), Vec::new(), BTreeSet::new());
        let mut refs = Vec::new();
        for r in *run {
            refs.clear();
            for (key, v) in &r.body {
                v.refs(&mut refs);
                if let Some((key, e)) = ephemeral_outside_write_only(key, v) {
                    ephemeral.push(
                        Diagnostic::error(
                            "SS0538",
                            &r.owner,
                            format!(
                                "argument `{key}` of `{}` reads the ephemeral `{}`: only write-only arguments (`*_wo`) and provider settings may, since any other lands in plan and state",
                                r.address.expression(),
                                e.expression()
                            ),
                        )
                        .hint("write it to the resource's write-only argument (`password_wo`, `secret_string_wo`, `data_wo`) with its `*_wo_version`"),
                    );
                }
            }
            check(&r.owner, &refs, &r.depends_on, &mut found, &mut causes);
        }
        (found, ephemeral, causes)
    });
    let mut ephemeral = Vec::new();
    for (mut found, mut run_ephemeral, mut run_causes) in checked {
        out.append(&mut found);
        ephemeral.append(&mut run_ephemeral);
        causes.append(&mut run_causes);
    }
    let mut refs = Vec::new();
    for r in &g.ephemeral {
        refs.clear();
        r.body.values().for_each(|v| v.refs(&mut refs));
        check(&r.owner, &refs, &r.depends_on, out, causes);
    }
    for o in &g.outputs {
        let mut refs = Vec::new();
        o.value.refs(&mut refs);
        check(&o.owner, &refs, &[], out, causes);
        if let Some(e) = refs.iter().find(|r| r.address().is_ephemeral()) {
            ephemeral.push(
                Diagnostic::error(
                    "SS0538",
                    &o.owner,
                    format!(
                        "output `{}` reads the ephemeral `{}`: Terraform refuses an ephemeral value in an output of a root module",
                        o.name,
                        e.expression()
                    ),
                )
                .hint("output a non-secret attribute (the secret's ARN), never the ephemeral value"),
            );
        }
    }
    for c in &g.crossings {
        let mut refs = Vec::new();
        c.value.refs(&mut refs);
        check(&c.owner, &refs, &[], out, causes);
    }
    out.append(&mut ephemeral);
}

/// SS0538: the first ephemeral reference in argument `key`'s value `v` outside a write-only
/// argument (`*_wo`), with the argument it is in. Judged by the innermost key, so a nested
/// block's write-only argument may read one; Terraform refuses any other at validate, because
/// the value would land in plan and state.
fn ephemeral_outside_write_only<'a>(
    key: &'a str,
    v: &'a crate::terraform::Value,
) -> Option<(&'a str, &'a crate::Ref<()>)> {
    use crate::terraform::Value;
    if key.ends_with("_wo") {
        return None;
    }
    match v {
        Value::Map(m) => m
            .iter()
            .find_map(|(k, v)| ephemeral_outside_write_only(k, v)),
        Value::List(l) => l.iter().find_map(|v| ephemeral_outside_write_only(key, v)),
        _ => {
            let mut refs = Vec::new();
            v.refs(&mut refs);
            refs.into_iter()
                .find(|r| r.address().is_ephemeral())
                .map(|r| (key, r))
        }
    }
}

/// Whether `key` is a valid ConfigMap/Secret key: at most 253 of `[-._a-zA-Z0-9]`, not `.`/`..`.
fn valid_data_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key != "."
        && key != ".."
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Generated ConfigMap/Secret keys: valid keys, one value per key, secrets only in Secrets, and
/// no clash with an object the stack declares itself.
fn crossings(g: &Graph, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<(SourceKind, &str, &str, &str), &crate::Crossing> = BTreeMap::new();
    let mut clashes: BTreeSet<(SourceKind, &str, &str)> = BTreeSet::new();
    if g.crossings.is_empty() {
        return;
    }
    // The first object and the first external declaration of each (kind, namespace, name).
    let mut declared: HashMap<(&str, &str, &str), &Path> = HashMap::new();
    for o in &g.objects {
        if let Some(ns) = o.namespace.as_deref() {
            declared
                .entry((o.kind.as_str(), ns, o.name.as_str()))
                .or_insert(&o.owner);
        }
    }
    let mut external: HashMap<(SourceKind, &str, &str), &Path> = HashMap::new();
    for e in &g.externals {
        external
            .entry((e.source, e.namespace.as_str(), e.name.as_str()))
            .or_insert(&e.owner);
    }
    for c in &g.crossings {
        let kind = c.source().kind();
        if !valid_data_key(&c.key) {
            out.push(
                Diagnostic::error(
                    "SS0213",
                    &c.owner,
                    format!(
                        "{} reads key `{}` of the generated {kind} `{}`, which is not a valid {kind} key",
                        c.reader, c.key, c.object
                    ),
                )
                .hint("name the env var with letters, digits, `_`, `-` and `.` only (`REDIS_HOST`)"),
            );
        }
        if !c.sensitive && matches!(c.value, crate::CloudValue::SecretString { .. }) {
            out.push(
                Diagnostic::error(
                    "SS0212",
                    &c.owner,
                    format!(
                        "{} would write {} into ConfigMap `{}`, readable by anyone who can read ConfigMaps",
                        c.reader,
                        c.value.describe(),
                        c.object
                    ),
                )
                .hint("read a secret's value with `.secret_env_from_cloud(name, value)`, which writes it into a Secret"),
            );
        }
        let by = declared
            .get(&(kind, c.namespace.as_str(), c.object.as_str()))
            .or_else(|| external.get(&(c.source(), c.namespace.as_str(), c.object.as_str())));
        if let Some(by) = by {
            if clashes.insert((c.source(), c.namespace.as_str(), c.object.as_str())) {
                out.push(
                    Diagnostic::error(
                        "SS0210",
                        &c.owner,
                        format!(
                            "{} needs the generated {kind} `{}` in namespace `{}`, but {by} declares a {kind} of that name",
                            c.reader, c.object, c.namespace
                        ),
                    )
                    .hint(format!(
                        "stacksmith writes `{}` from the `cluster/` Terraform root; give the other {kind} a different name",
                        c.object
                    )),
                );
            }
        }
        let key = (
            c.source(),
            c.namespace.as_str(),
            c.object.as_str(),
            c.key.as_str(),
        );
        if let Some(first) = seen.insert(key, c) {
            if first.value != c.value {
                out.push(
                    Diagnostic::error(
                        "SS0211",
                        &c.owner,
                        format!(
                            "{} and {} both set key `{}` of the generated {kind} `{}`, to different values ({} and {})",
                            first.reader,
                            c.reader,
                            c.key,
                            c.object,
                            first.value.describe(),
                            c.value.describe()
                        ),
                    )
                    .hint("containers of one workload share its generated object: give the env vars different names, or read the same value"),
                );
            }
        }
    }
}

/// Whether `s` is a DNS-1123 label: 1–63 of lowercase letters, digits and `-`, starting and
/// ending with a letter or digit (what a namespace name must be).
fn dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first() != Some(&b'-')
        && b.last() != Some(&b'-')
}

/// Whether `s` can be an object name: what the API server accepts for every kind at least
/// (1–253 characters, not `.` or `..`, no `/` or `%`), without whitespace or control
/// characters. Object names become file names in the output, so this is also what keeps every
/// file inside it.
fn object_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s != "."
        && s != ".."
        && !s
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '%') || c.is_whitespace() || c.is_control())
}

/// Every object's kind, name and namespace are valid before any of them becomes a path.
fn object_names(g: &Graph, out: &mut Vec<Diagnostic>) {
    for o in &g.objects {
        let mut bad = Vec::new();
        if o.kind.is_empty() || !o.kind.bytes().all(|b| b.is_ascii_alphanumeric()) {
            bad.push(format!(
                "kind `{}` is not a Kubernetes kind (letters and digits)",
                o.kind.escape_debug()
            ));
        }
        if !object_name(&o.name) {
            bad.push(format!("name `{}` is not a valid object name (1–253 characters, no `/`, `%`, whitespace or control characters, not `.` or `..`)", o.name.escape_debug()));
        }
        if let Some(ns) = o.namespace.as_deref().filter(|ns| !dns_label(ns)) {
            bad.push(format!(
                "namespace `{}` is not a DNS-1123 label (1–63 lowercase letters, digits and `-`)",
                ns.escape_debug()
            ));
        }
        for problem in bad {
            out.push(
                Diagnostic::error("SS0207", &o.owner, format!("{} object: {problem}", o.kind.escape_debug()))
                    .hint("use a lowercase DNS-style name such as `api-config`; object names also become file names in the output"),
            );
        }
    }
}

/// The API server's limit on one object metadata's annotations, keys and values together
/// (`TotalAnnotationSizeLimitB`).
const ANNOTATIONS_MAX: usize = 256 * 1024;

/// Every `metadata.annotations` in an object (its own and its pod templates') stays within
/// [`ANNOTATIONS_MAX`] bytes (SS0403).
fn annotation_sizes(g: &Graph, out: &mut Vec<Diagnostic>) {
    /// Walks the maps under `v` (`at`: the keys leading to it), recording each `metadata`
    /// whose annotations are too large, with its dotted field path.
    fn walk<'a>(v: &'a crate::Body, at: &mut Vec<&'a str>, found: &mut Vec<(String, usize)>) {
        let crate::Body::Object(map) = v else {
            return;
        };
        for (k, child) in map {
            at.push(k);
            if k == "metadata" {
                if let Some(crate::Body::Object(a)) = child.get("annotations") {
                    let size: usize = a
                        .iter()
                        .map(|(k, v)| k.len().saturating_add(v.as_str().map_or(0, str::len)))
                        .sum();
                    if size > ANNOTATIONS_MAX {
                        found.push((format!("{}.annotations", at.join(".")), size));
                    }
                }
            }
            walk(child, at, found);
            at.pop();
        }
    }
    let mut at = Vec::new();
    for o in &g.objects {
        let mut found = Vec::new();
        walk(&o.body, &mut at, &mut found);
        for (field, size) in found {
            out.push(
                Diagnostic::error(
                    "SS0403",
                    &o.owner,
                    format!(
                        "{} `{}` has {size} bytes of annotations in `{field}`; the API server accepts at most {ANNOTATIONS_MAX} (256 KiB), keys and values together",
                        o.kind, o.name
                    ),
                )
                .hint("keep large data in a ConfigMap or in object storage and annotate only a reference to it"),
            );
        }
    }
}

fn duplicate_objects(g: &Graph, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, Option<&str>, &str), &Path> =
        HashMap::with_capacity(g.objects.len());
    for o in &g.objects {
        let key = (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str());
        if let Some(first) = seen.insert(key, &o.owner) {
            let ns = o
                .namespace
                .as_deref()
                .map(|n| format!(" in namespace `{n}`"))
                .unwrap_or_default();
            out.push(
                Diagnostic::error(
                    "SS0204",
                    &o.owner,
                    format!("{} `{}`{ns} is also produced by {first}", o.kind, o.name),
                )
                .hint("give one of them a different name (`.name(...)`) or id"),
            );
        }
    }
}

/// The pod spec of a workload object (`Pod`, the pod template of a Deployment, StatefulSet,
/// DaemonSet, ReplicaSet or Job, a CronJob's job template), whoever wrote it.
fn pod_spec(o: &crate::KubeObject) -> Option<&crate::Body> {
    let b = &o.body;
    match o.kind.as_str() {
        "Pod" => b.get("spec"),
        "CronJob" => crate::kube::at(b, &["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => crate::kube::at(b, &["spec", "template", "spec"]),
    }
}

/// SS0230: a container whose effective `runAsNonRoot` is true while its effective `runAsUser`
/// is 0. The container's security context overrides the pod's field by field; the kubelet
/// refuses to start such a container ("container's runAsUser breaks non-root policy"), and API
/// validation accepts it.
fn root_containers_claiming_non_root(g: &Graph, out: &mut Vec<Diagnostic>) {
    // A construct that reported an error (`run_as(0, ..)`, SS0322) is not reported again.
    let failed: HashSet<&str> = g.diagnostics.error_paths().collect();
    for o in &g.objects {
        let Some(spec) = pod_spec(o) else { continue };
        if !failed.is_empty() && failed.contains(o.owner.to_string().as_str()) {
            continue;
        }
        let pod = spec.get("securityContext");
        // The container's field, else the pod's.
        fn field<'a>(
            c: &'a crate::Body,
            pod: Option<&'a crate::Body>,
            f: &str,
        ) -> Option<&'a crate::Body> {
            crate::kube::at(c, &["securityContext", f])
                .filter(|v| !v.is_null())
                .or_else(|| pod.and_then(|p| p.get(f)))
        }
        let containers = ["initContainers", "containers"]
            .iter()
            .filter_map(|k| spec.get(k).and_then(|v| v.as_array()))
            .flatten();
        for c in containers {
            let non_root = field(c, pod, "runAsNonRoot").and_then(|v| v.as_bool());
            let user = field(c, pod, "runAsUser").and_then(|v| v.as_i64());
            if non_root == Some(true) && user == Some(0) {
                let name = c.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                out.push(
                    Diagnostic::error(
                        "SS0230",
                        &o.owner,
                        format!(
                            "container {name} of {} `{}` has `runAsNonRoot: true` but runs as user 0 (root)",
                            o.kind, o.name
                        ),
                    )
                    .hint("the kubelet refuses to start it (CreateContainerConfigError); run as a non-zero user, or set `runAsNonRoot: false` where the pod must run as root"),
                );
            }
        }
    }
}

fn unresolved_uses(g: &Graph, out: &mut Vec<Diagnostic>) {
    type Key<'a> = (SourceKind, &'a str, &'a str);
    let source = |kind: &str| match kind {
        "Secret" => Some(SourceKind::Secret),
        "ConfigMap" => Some(SourceKind::ConfigMap),
        _ => None,
    };
    let mut provided: HashMap<Key<'_>, Vec<&str>> = HashMap::new();
    for o in &g.objects {
        if let (Some(kind), Some(ns)) = (source(&o.kind), o.namespace.as_deref()) {
            provided
                .entry((kind, ns, o.name.as_str()))
                .or_default()
                .extend(o.keys());
        }
    }
    for c in &g.crossings {
        provided
            .entry((c.source(), c.namespace.as_str(), c.object.as_str()))
            .or_default()
            .push(c.key.as_str());
    }
    for e in &g.externals {
        provided
            .entry((e.source, e.namespace.as_str(), e.name.as_str()))
            .or_default()
            .push(e.key.as_str());
    }
    for u in &g.uses {
        let kind = u.source.kind();
        let Some(keys) = provided.get(&(u.source, u.namespace.as_str(), u.name.as_str())) else {
            let how = match u.source {
                SourceKind::Secret => {
                    "declare it with `Secret::external(&namespace, name, keys)` and `stack.add(...)` if something outside the stack provides it"
                }
                SourceKind::ConfigMap => {
                    "add a `ConfigMap` with that key, or declare it with `ConfigMap::external(&namespace, name, keys)`"
                }
            };
            out.push(
                Diagnostic::error(
                    "SS0205",
                    &u.owner,
                    format!("{} reads {kind} `{}` in namespace `{}`, which nothing in the stack declares", u.reader, u.name, u.namespace),
                )
                .hint(how),
            );
            continue;
        };
        if !keys.contains(&u.key.as_str()) {
            out.push(
                Diagnostic::error(
                    "SS0206",
                    &u.owner,
                    format!(
                        "{} reads key `{}` of {kind} `{}`, which has only: {}",
                        u.reader,
                        u.key,
                        u.name,
                        keys.join(", ")
                    ),
                )
                .hint(format!(
                    "use one of the keys {kind} `{}` declares, or add `{}` to it",
                    u.name, u.key
                )),
            );
        }
    }
}

/// Every object needing a cluster capability nothing in the stack provides (SS0450): the object,
/// the capability, and the line that installs it (the cluster's offer). Checked in stacks with a
/// cluster; a stack without one applies its objects to a cluster made elsewhere, and
/// `manifest.json` lists what that cluster must have ([`Graph::unmet_requirements`]).
fn unmet_requirements(g: &Graph, found: &mut Vec<Diagnostic>) {
    if g.offers.is_empty() {
        return;
    }
    for r in g.unmet_requirements() {
        let message = format!(
            "{} needs {}, which nothing in stack `{}` installs",
            r.object, r.capability, g.stack
        );
        let hint = match g.offers.iter().find(|o| o.capability == r.capability) {
            Some(o) => format!(
                "{}, or build the cluster with `.platform_defaults()` to install what its objects need",
                o.install
            ),
            None => format!(
                "the stack's cluster cannot install it: install it yourself and declare it with `.prerequisite({}, \"how it is installed\")` on the stack, which `manifest.json` lists",
                r.capability.spelled()
            ),
        };
        found.push(Diagnostic::error("SS0450", &r.owner, message).hint(hint));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Construct, Lower, Lowering, Scope, Stack, tf};

    /// A construct that lowers one resource referring to `refers_to` (a local name of an
    /// `example_thing`), or, with `fails`, reports an error and stops before lowering any.
    struct Thing {
        id: &'static str,
        fails: bool,
        refers_to: Option<&'static str>,
    }

    impl Lower for Thing {
        fn lower(&self, cx: &mut Lowering<'_>) {
            if self.fails {
                cx.error("SS0101", "invalid input", "fix it");
                return;
            }
            let body = match self.refers_to {
                Some(name) => {
                    let target = crate::Address::resource("prod", "example_thing", name);
                    tf! { "other" => &target.attr::<String>("id") }
                }
                None => tf! {},
            };
            cx.add("example_thing", "part", body);
        }
    }

    impl Construct for Thing {
        type Handle = ();
        fn id(&self) -> &str {
            self.id
        }
        fn handle(&self, _: &Scope) {}
    }

    fn thing(id: &'static str, fails: bool, refers_to: Option<&'static str>) -> Thing {
        Thing {
            id,
            fails,
            refers_to,
        }
    }

    #[test]
    fn references_into_a_failed_construct_are_not_reported_again() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(thing("zone", true, None));
        // `zone_part` would have come from `zone`, which failed: no SS0202.
        stack.add(thing("api", false, Some("zone_part")));
        // `zone_b_part` belongs to `zone-b`, which lowered but made no such thing: SS0202.
        stack.add(thing("zone-b", false, None));
        stack.add(thing("app", false, Some("zone_b_other")));
        let g = stack.lower();
        let seen: Vec<_> = g.diagnostics.iter().map(|d| (d.code, &*d.path)).collect();
        // The root cause first, although its path sorts after the other error's.
        assert_eq!(
            seen,
            [("SS0101", "prod/zone"), ("SS0202", "prod/app")],
            "{}",
            g.diagnostics
        );
        assert!(
            g.diagnostics
                .iter()
                .next()
                .is_some_and(|d| d.is_root_cause())
        );
    }

    /// A stack of several runs of resources (checked apart, on the machine's cores) reports
    /// each missing reference as a small stack does, at the construct that holds it.
    #[test]
    fn a_large_stack_reports_its_missing_references_as_a_small_one() {
        let mut stack = Stack::new("prod", "us-east-1");
        let mut expected = Vec::new();
        for i in 0..3000 {
            let id: &'static str = Box::leak(format!("t{i}").into_boxed_str());
            let missing = i % 700 == 5;
            if missing {
                expected.push(("SS0202", format!("prod/{id}")));
            }
            // The others refer to the first thing's part, which exists.
            stack.add(thing(
                id,
                false,
                Some(if missing { "nowhere" } else { "t0_part" }),
            ));
        }
        expected.sort();
        let g = stack.lower();
        let seen: Vec<_> = g
            .diagnostics
            .iter()
            .map(|d| (d.code, d.path.clone()))
            .collect();
        assert_eq!(seen, expected, "{}", g.diagnostics);
    }

    /// Lowers an ephemeral password and a resource writing it to `argument`.
    struct WritesSecret {
        argument: &'static str,
    }

    impl Lower for WritesSecret {
        fn lower(&self, cx: &mut Lowering<'_>) {
            let password = cx.ephemeral("example_password", "password", tf! {});
            let value = &password.attr::<String>("result");
            // `block.argument` nests the argument in a block.
            let body = match self.argument.split_once('.') {
                Some((block, argument)) => tf! { block => tf! { argument => value } },
                None => tf! { self.argument => value },
            };
            cx.add("example_db", "db", body);
        }
    }

    impl Construct for WritesSecret {
        type Handle = ();
        fn id(&self) -> &str {
            "db"
        }
        fn handle(&self, _: &Scope) {}
    }

    #[test]
    fn an_ephemeral_value_feeds_only_write_only_arguments() {
        let codes = |argument| {
            let mut stack = Stack::new("prod", "us-east-1");
            stack.add(WritesSecret { argument });
            let g = stack.lower();
            g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        };
        assert_eq!(codes("password_wo"), Vec::<&str>::new());
        assert_eq!(codes("password"), ["SS0538"]);
        // Judged by the innermost key: a nested block's write-only argument may read it.
        assert_eq!(codes("settings.password_wo"), Vec::<&str>::new());
        assert_eq!(codes("settings.password"), ["SS0538"]);
    }

    /// ConfigMaps in namespace `apps` (`ns` creates it), one per id; `twice` lowers the first
    /// one twice (SS0204).
    struct ConfigMaps {
        id: &'static str,
        names: std::ops::Range<usize>,
        creates_namespace: bool,
        twice: bool,
    }

    impl Lower for ConfigMaps {
        fn lower(&self, cx: &mut Lowering<'_>) {
            let object = |kind: &str, namespace: Option<&str>, name: String| crate::KubeObject {
                owner: cx.path().clone(),
                api_version: "v1".into(),
                kind: kind.into(),
                namespace: namespace.map(str::to_owned),
                body: serde_json::json!({ "kind": kind }).into(),
                name,
            };
            let mut objects = Vec::new();
            if self.creates_namespace {
                objects.push(object("Namespace", None, "apps".into()));
            }
            for i in self.names.clone() {
                objects.push(object("ConfigMap", Some("apps"), format!("config-{i}")));
            }
            if self.twice {
                objects.push(object("ConfigMap", Some("apps"), "config-0".into()));
            }
            for o in objects {
                cx.object(o);
            }
        }
    }

    impl Construct for ConfigMaps {
        type Handle = ();
        fn id(&self) -> &str {
            self.id
        }
        fn handle(&self, _: &Scope) {}
    }

    /// In a stack of over `REFERENCES_APART_FROM` objects, Kubernetes references are checked on
    /// a second core while the other checks run: reported as in a small stack, and left out when
    /// another check found something (no cascades).
    #[test]
    fn a_large_stack_reports_its_kubernetes_references_as_a_small_one() {
        let codes = |objects: usize, creates_namespace: bool, twice: bool| {
            let mut stack = Stack::new("prod", "us-east-1");
            stack.add(ConfigMaps {
                id: "configs",
                names: 0..objects,
                creates_namespace,
                twice,
            });
            let g = stack.lower();
            let mut codes: Vec<_> = g.diagnostics.iter().map(|d| d.code).collect();
            codes.dedup();
            codes
        };
        for objects in [3, super::REFERENCES_APART_FROM + 10] {
            assert_eq!(codes(objects, true, false), Vec::<&str>::new());
            // No namespace `apps`: every ConfigMap is created in a namespace nothing creates.
            assert_eq!(
                codes(objects, false, false),
                ["SS0220"],
                "{objects} objects"
            );
            // A duplicate is found first; the references are not reported on top of it.
            assert_eq!(codes(objects, false, true), ["SS0204"], "{objects} objects");
        }
    }
}
