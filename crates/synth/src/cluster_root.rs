//! The `cluster/` Terraform root: the ConfigMaps and Secrets that carry cloud values (a database
//! endpoint, a cache address, a managed secret's password) to Kubernetes workloads.
//!
//! It is a root of its own because the `kubernetes` provider must not be configured from a
//! cluster created in the same root. It finds everything through data sources by the stable names
//! stacksmith gave the infrastructure, so it needs no remote state: a reference
//! `${aws_db_instance.db.address}` of the infrastructure root becomes
//! `${data.aws_db_instance.db.address}` here, the data source `aws_db_instance.db` found by its
//! `db_instance_identifier`, the `identifier` literal of the resource. How each resource is
//! found is what the construct that created it declared ([`Facts`]): its [`Lookup`] names the data
//! source, the argument it is found by and the resource attribute that argument's value comes
//! from, and the attributes that can be read; [`SecretValue`] how the value of a secret it names
//! is read; [`KubernetesCluster`] how the `kubernetes` provider reaches the cluster workloads run
//! on. A resource that declares no lookup is an error, never a guess.
//!
//! [`Facts`]: stacksmith_core::Facts
//! [`SecretValue`]: stacksmith_core::SecretValue
//! [`KubernetesCluster`]: stacksmith_core::KubernetesCluster

use std::collections::BTreeMap;

use stacksmith_core::terraform::{Map, Provider, Resource, Value};
use stacksmith_core::{
    Address, CloudValue, Crossing, Diagnostic, Diagnostics, Graph, KubernetesCluster, Lookup, Part,
    Path, Ref, SourceKind, Template, tf,
};

use crate::manifest::ApplyStep;
use crate::{SynthError, kubernetes, terraform_json};

/// The pinned Kubernetes provider of the `cluster/` root.
pub(crate) const KUBERNETES_PROVIDER_VERSION: &str = "2.38.0";

/// The pinned Helm provider of the `cluster/` root (cluster add-ons' Helm releases).
pub(crate) const HELM_PROVIDER_VERSION: &str = "3.0.2";

/// The exec credential API the `kubernetes` provider's token command answers in.
const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1beta1";

/// The `cluster/` root's JSON, or `None` when no workload reads a cloud value. Every problem is
/// reported at once, at the reading workload's path.
pub(crate) fn render(g: &Graph) -> Result<Option<Vec<u8>>, SynthError> {
    if g.crossings.is_empty() && g.cluster_resources.is_empty() {
        return Ok(None);
    }
    let root = build(g).map_err(SynthError::Diagnostics)?;
    terraform_json::render(&root).map(Some)
}

/// The apply step of the `cluster/` root, between the infrastructure and the Kubernetes
/// objects: first the cluster add-ons' Helm releases (controllers, operators and their CRDs),
/// then the ConfigMaps and Secrets carrying cloud values. The generated ConfigMaps and Secrets
/// live in the workloads' namespaces, and some releases put objects there too (Reloader's
/// Roles), so the Namespaces the stack declares for them are applied first (`kubectl apply` of
/// the same files again in the next step changes nothing), after writing the kubeconfig entry
/// `kubectl` needs.
pub(crate) fn apply_step(g: &Graph) -> ApplyStep {
    let written: std::collections::HashSet<&str> = g
        .crossings
        .iter()
        .map(|c| c.namespace.as_str())
        .chain(g.cluster_namespaces.iter().map(String::as_str))
        .collect();
    let mut namespaces: Vec<String> = Vec::new();
    for o in &g.objects {
        let needed =
            o.kind == "Namespace" && o.namespace.is_none() && written.contains(o.name.as_str());
        if needed {
            namespaces.push(format!("-f kubernetes/{}", kubernetes::file_name(o)));
        }
    }
    let terraform = "terraform -chdir=cluster init && terraform -chdir=cluster apply";
    let command = if namespaces.is_empty() {
        terraform.to_owned()
    } else {
        let kubectl = format!("kubectl apply {} && {terraform}", namespaces.join(" "));
        match kubeconfig(g) {
            Some(k) => format!("{k} && {kubectl}"),
            None => kubectl,
        }
    };
    let what = match (g.cluster_resources.is_empty(), g.crossings.is_empty()) {
        (false, false) => {
            "cluster add-ons (Helm releases: controllers, operators, CRDs) and cloud values for workloads (ConfigMaps and Secrets, Terraform)"
        }
        (false, true) => "cluster add-ons (Helm releases: controllers, operators, CRDs; Terraform)",
        _ => "cloud values for workloads (ConfigMaps and Secrets, Terraform)",
    };
    ApplyStep {
        root: "cluster".into(),
        what: what.into(),
        command,
    }
}

/// The command writing the kubeconfig entry of the stack's one Kubernetes cluster, as the
/// cluster declares it ([`KubernetesCluster::kubeconfig`]), if it declares one and has a
/// literal name.
pub(crate) fn kubeconfig(g: &Graph) -> Option<String> {
    let [(cluster, access)] = g
        .resources
        .iter()
        .filter_map(|r| r.facts.kubernetes_cluster.map(|k| (r, k)))
        .collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let Some(Lookup::By { from, .. }) = cluster.facts.found_by else {
        return None;
    };
    let Some(Value::String(name)) = cluster.body.get(*from) else {
        return None;
    };
    if access.kubeconfig.is_empty() {
        return None;
    }
    let args: Vec<&str> = access
        .kubeconfig
        .iter()
        .map(|a| match *a {
            "{name}" => name.as_str(),
            "{region}" => g.region.as_str(),
            a => a,
        })
        .collect();
    Some(args.join(" "))
}

/// The `cluster/` root as a graph of its own (providers, data sources, resources).
pub(crate) fn build(g: &Graph) -> Result<Graph, Diagnostics> {
    let mut t = Translator {
        g,
        root: Graph::new(&g.stack, &g.region),
        diagnostics: Diagnostics::default(),
    };
    let first = g.crossings.first().map(|c| c.owner.clone());
    let first = first.or_else(|| g.cluster_resources.first().map(|r| r.owner.clone()));
    let kubernetes = first.and_then(|owner| t.cluster(&owner));
    if let Some(aws) = g.providers.get("aws") {
        t.root.providers.insert("aws".into(), aws.clone());
    }
    if let Some(config) = kubernetes {
        if !g.crossings.is_empty() {
            t.root.providers.insert(
                "kubernetes".into(),
                Provider {
                    source: "hashicorp/kubernetes".into(),
                    version: KUBERNETES_PROVIDER_VERSION.into(),
                    config: Some(config.clone()),
                },
            );
        }
        if !g.cluster_resources.is_empty() {
            // Helm 3 takes the same connection as one `kubernetes` attribute.
            t.root.providers.insert(
                "helm".into(),
                Provider {
                    source: "hashicorp/helm".into(),
                    version: HELM_PROVIDER_VERSION.into(),
                    config: Some(tf! { "kubernetes" => config }),
                },
            );
        }
    }
    // Declared cluster resources (add-ons' Helm releases), their references to the
    // infrastructure read through data sources.
    for r in &g.cluster_resources {
        let what = format!("{} `{}`", r.address.kind(), r.address.name());
        let mut body = Map::new();
        let mut ok = true;
        for (k, v) in &r.body {
            match t.translate(&r.owner, &what, v) {
                Some(v) => {
                    body.insert(k.clone(), v);
                }
                None => ok = false,
            }
        }
        if ok {
            let mut copy = Resource::new(r.address.clone(), r.owner.clone(), body);
            for d in &r.depends_on {
                copy = copy.depends_on(d);
            }
            t.root.resources.push(copy);
        }
    }
    t.root.backend = g.backend.as_ref().map(cluster_backend);

    // One object per (kind, namespace, name), keys in the order workloads declared them.
    let mut objects: BTreeMap<(SourceKind, &str, &str), Map> = BTreeMap::new();
    for c in &g.crossings {
        let Some(value) = t.value(c) else { continue };
        objects
            .entry((c.source(), c.namespace.as_str(), c.object.as_str()))
            .or_default()
            .entry(c.key.clone().into())
            .or_insert(value);
    }
    for ((source, namespace, name), data) in objects {
        let (kind, extra) = match source {
            SourceKind::ConfigMap => ("kubernetes_config_map_v1", None),
            SourceKind::Secret => ("kubernetes_secret_v1", Some(("type", "Opaque"))),
        };
        let mut body = tf! {
            "metadata" => tf! {
                "name" => name,
                "namespace" => namespace,
                "labels" => tf! { "app.kubernetes.io/managed-by" => "stacksmith" },
            },
        };
        if let Some((k, v)) = extra {
            body.insert(k.into(), v.into());
        }
        match source {
            SourceKind::ConfigMap => {
                body.insert("data".into(), Value::Map(data));
            }
            // Write-only: the values (read through ephemeral resources) never reach the state,
            // so Terraform cannot see them change; it writes them again when the revision
            // changes. The revision is a hash of the keys and their sources: adding a key or
            // pointing one at another value writes the Secret again (the provider updates on
            // any change of the number). A value that rotates behind the same source reaches
            // pods through an `ExternalSecret` instead, which follows it.
            SourceKind::Secret => {
                let revision = revision_of(&data);
                body.insert("data_wo".into(), Value::Map(data));
                body.insert("data_wo_revision".into(), revision.into());
            }
        }
        let local = format!("{namespace}_{name}").replace(['-', '.'], "_");
        let owner = Path::root(&g.stack);
        t.root.resources.push(Resource::new(
            Address::resource(&g.stack, kind, &local),
            owner,
            body,
        ));
    }
    if t.diagnostics.is_empty() {
        Ok(t.root)
    } else {
        t.diagnostics.sort();
        Err(t.diagnostics)
    }
}

/// The `data_wo_revision` of a write-only Secret: a number from 1 to 2^31 derived from its keys
/// and the expressions they are read from, as written in the JSON (not a Rust `Debug` or
/// `Hash`, which may change between releases), so that it changes with them and stays the
/// same from one synth to the next.
fn revision_of(data: &Map) -> i64 {
    let written = serde_json::to_string(data).unwrap_or_default();
    let hash = stacksmith_core::short_hash(&written);
    i64::from_str_radix(&hash, 16).map_or(1, |h| (h & 0x7fff_ffff).saturating_add(1))
}

/// The `kubernetes` provider configured as the cluster declares ([`KubernetesCluster`]): host
/// and CA read through the cluster's data source (`host`, `ca`), a short-lived token from its
/// exec command, whose `{name}` and `{region}` arguments are filled in.
fn kubernetes_config(
    access: &KubernetesCluster,
    host: Ref<()>,
    ca: &Ref<()>,
    name: &str,
    region: &str,
) -> Map {
    let args: Vec<&str> = access
        .token_args
        .iter()
        .map(|a| match *a {
            "{name}" => name,
            "{region}" => region,
            a => a,
        })
        .collect();
    tf! {
        "host" => Value::Ref(host),
        "cluster_ca_certificate" => Value::Expr(format!("base64decode({})", ca.expression())),
        "exec" => tf! {
            "api_version" => EXEC_API_VERSION,
            "command" => access.token_command,
            "args" => args,
        },
    }
}

/// The stack's backend with its own state key: `<stack>/terraform.tfstate` →
/// `<stack>/cluster.tfstate`.
fn cluster_backend(backend: &Map) -> Map {
    let mut b = backend.clone();
    if let Some(Value::String(key)) = b.get("key") {
        let key = match key.strip_suffix("terraform.tfstate") {
            Some(dir) => format!("{dir}cluster.tfstate"),
            None => format!("{}.cluster.tfstate", key.trim_end_matches(".tfstate")),
        };
        b.insert("key".into(), key.into());
    }
    b
}

struct Translator<'g> {
    g: &'g Graph,
    root: Graph,
    diagnostics: Diagnostics,
}

impl Translator<'_> {
    fn error(&mut self, code: &'static str, owner: &Path, message: String, hint: String) {
        self.diagnostics
            .push(Diagnostic::error(code, owner, message).hint(hint));
    }

    /// The `kubernetes` provider's configuration for the stack's one cluster workloads run on
    /// (the resource declaring [`KubernetesCluster`]), reading it through its data source.
    fn cluster(&mut self, owner: &Path) -> Option<Map> {
        let clusters: Vec<(&Resource, &'static KubernetesCluster)> = self
            .g
            .resources
            .iter()
            .filter_map(|r| r.facts.kubernetes_cluster.map(|k| (r, k)))
            .collect();
        let [(cluster, access)] = clusters.as_slice() else {
            let found = if clusters.is_empty() {
                "has no EKS cluster".to_owned()
            } else {
                let names: Vec<String> =
                    clusters.iter().map(|(r, _)| r.owner.to_string()).collect();
                format!("has {} EKS clusters ({})", clusters.len(), names.join(", "))
            };
            let readers: Vec<&str> = self.g.crossings.iter().map(|c| c.reader.as_str()).collect();
            self.error(
                "SS0214",
                owner,
                format!(
                    "workloads read cloud values ({}), but stack `{}` {found} to write them into",
                    readers.join(", "),
                    self.g.stack
                ),
                "the generated `cluster/` root writes cloud values into the stack's one EKS cluster: add the `EksCluster` to this stack (one per stack), or pass the values as literals / declared Secrets instead".into(),
            );
            return None;
        };
        let what = "the Kubernetes provider";
        let host: Ref<()> = cluster.address.attr(access.host);
        let Some(Lookup::By { from, .. }) = cluster.facts.found_by else {
            // Reported as a resource no data source finds (SS0215).
            self.reference(owner, what, &host, 0);
            return None;
        };
        let Some(Value::String(name)) = cluster.body.get(*from) else {
            self.error(
                "SS0216",
                owner,
                format!(
                    "the EKS cluster `{}` has no literal `{from}`, so the `cluster/` root cannot find it",
                    cluster.address.expression()
                ),
                if self.g.overridden.iter().any(|(o, dotted)| *o == cluster.address && dotted == from) {
                    format!("`{from}` was set with `override_attribute`; override it with a literal name")
                } else {
                    format!("the EKS cluster's `{from}` must be a literal; report this: stacksmith names clusters literally")
                },
            );
            return None;
        };
        let host = self.reference(owner, what, &host, 0)?;
        let ca = self.reference(owner, what, &cluster.address.attr(access.ca_certificate), 0)?;
        Some(kubernetes_config(access, host, &ca, name, &self.g.region))
    }

    /// A crossing's value in this root, or `None` after recording why it cannot be.
    fn value(&mut self, c: &Crossing) -> Option<Value> {
        let what = format!("{} ({})", c.reader, c.value.describe());
        match &c.value {
            CloudValue::Value(v) => self.plain(c, &what, v),
            CloudValue::SecretString { secret, json_key } => {
                let read = self.secret_value(&c.owner, &what, secret)?;
                let secret = self.reference(&c.owner, &what, secret, 0)?;
                let attribute = read.attribute;
                // Named after the data source the secret is read through, without its provider
                // prefix: `db_instance_db` for `data.aws_db_instance.db`.
                let kind = secret.address().kind();
                let short = kind.split_once('_').map_or(kind, |(_, rest)| rest);
                let local = format!("{short}_{}", secret.address().name());
                // Read during the run only, never into the state.
                let address = self.ephemeral(
                    read.data_source,
                    &local,
                    tf! { read.argument => Value::Ref(secret) },
                );
                let whole = format!("{}.{attribute}", address.expression());
                match json_key {
                    None => Some(Value::Ref(address.attr(attribute))),
                    Some(key) if valid_json_key(key) => {
                        Some(Value::Expr(format!("jsondecode({whole})[\"{key}\"]")))
                    }
                    Some(key) => {
                        self.error(
                            "SS0218",
                            &c.owner,
                            format!("{what}: JSON field `{key}` is not a plain field name"),
                            "name the field with letters, digits, `_`, `-` and `.` only (`password`)".into(),
                        );
                        None
                    }
                }
            }
        }
    }

    fn plain(&mut self, c: &Crossing, what: &str, v: &Value) -> Option<Value> {
        let mut refs = Vec::new();
        v.refs(&mut refs);
        let holds_secret = |r: &&Ref<()>| {
            self.g
                .resource(r.address())
                .is_some_and(|r| r.facts.holds_secret)
        };
        if !c.sensitive && refs.iter().any(holds_secret) {
            self.error(
                "SS0219",
                &c.owner,
                format!(
                    "{what} holds a secret's value, which would be written into ConfigMap `{}`, readable by anyone who can read ConfigMaps",
                    c.object
                ),
                "read it with `.secret_env_from_cloud(name, value)`, which writes it into a Secret".into(),
            );
            return None;
        }
        match v {
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::String(_) => Some(v.clone()),
            Value::Ref(r) => self.reference(&c.owner, what, r, 0).map(Value::Ref),
            Value::Template(t) => self.template(&c.owner, what, t, 0),
            Value::Expr(_) | Value::List(_) | Value::Map(_) => {
                self.error(
                    "SS0215",
                    &c.owner,
                    format!("{what} is not a single text value the `cluster/` root can translate"),
                    "pass a reference (`cache.endpoint()`), a `Template` of literals and references, or a literal; raw expressions, lists and maps cannot cross".into(),
                );
                None
            }
        }
    }

    /// A template of literals and references, each reference translated into this root.
    fn template(&mut self, owner: &Path, what: &str, t: &Template, depth: usize) -> Option<Value> {
        let mut out = Template::new();
        let mut ok = true;
        for part in t.parts() {
            match part {
                Part::Literal(l) => out = out.lit(l.clone()),
                Part::Ref(r) => match self.reference(owner, what, r, depth) {
                    Some(d) => out = out.with(&d),
                    None => ok = false,
                },
            }
        }
        ok.then_some(Value::Template(out))
    }

    /// A declared cluster resource's value in this root: references read through data sources,
    /// recursively through lists, maps and templates.
    fn translate(&mut self, owner: &Path, what: &str, v: &Value) -> Option<Value> {
        Some(match v {
            Value::Ref(r) => Value::Ref(self.reference(owner, what, r, 0)?),
            Value::Template(tpl) => self.template(owner, what, tpl, 0)?,
            Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|i| self.translate(owner, what, i))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Value::Map(m) => {
                let mut out = Map::new();
                for (k, i) in m {
                    out.insert(k.clone(), self.translate(owner, what, i)?);
                }
                Value::Map(out)
            }
            other => other.clone(),
        })
    }

    /// The data source attribute in this root that reads what `r` reads in the infrastructure
    /// root (adding the data source once).
    fn reference(
        &mut self,
        owner: &Path,
        what: &str,
        r: &Ref<()>,
        depth: usize,
    ) -> Option<Ref<()>> {
        let a = r.address();
        if a.is_data() {
            return self.copied_data(owner, what, r);
        }
        let Some(resource) = self.g.resource(a) else {
            // A dangling reference: core validation (SS0202) reports it.
            return None;
        };
        let Some(&Lookup::By {
            data_source,
            argument,
            from,
            readable,
        }) = resource.facts.found_by
        else {
            let why = match resource.facts.found_by {
                Some(Lookup::Unsupported(why)) => why,
                _ => "the `cluster/` root has no data source lookup for it",
            };
            self.error(
                "SS0215",
                owner,
                format!("{what} reads `{}`, of kind `{}`: {why}", r.expression(), a.kind()),
                format!(
                    "read a value of one of: {}; or write the value into a Secret yourself and read it with `.env_from_secret(...)`",
                    self.findable_kinds().join(", ")
                ),
            );
            return None;
        };
        let Some(&(_, data_attr)) = readable.iter().find(|(ra, _)| *ra == r.attr()) else {
            let supported: Vec<&str> = readable.iter().map(|(ra, _)| *ra).collect();
            self.error(
                "SS0217",
                owner,
                format!(
                    "{what} reads attribute `{}` of `{}`, which the `cluster/` root cannot read through data source `{}`",
                    r.attr(),
                    a.expression(),
                    data_source
                ),
                format!("read one of: {}", supported.join(", ")),
            );
            return None;
        };
        let found_by = match resource.body.get(from) {
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(Value::Ref(inner)) if depth == 0 => {
                Value::Ref(self.reference(owner, what, inner, depth + 1)?)
            }
            // A name built from literals and references (a bucket's default
            // `<prefix>-<account id>-<region>-an`): rebuilt here from the same parts.
            Some(Value::Template(t)) if depth == 0 => self.template(owner, what, t, depth + 1)?,
            _ => {
                let overridden = self
                    .g
                    .overridden
                    .iter()
                    .any(|(o, dotted)| o == a && dotted == from);
                let fix = if overridden {
                    format!(
                        "`{from}` was set with `override_attribute`; override it with a literal name, or pass the value another way"
                    )
                } else {
                    "write the value into a Secret or ConfigMap yourself and read it with `.env_from_secret(..)` or `.env_from_config_map(..)`".to_owned()
                };
                self.error(
                    "SS0216",
                    owner,
                    format!(
                        "{what} reads `{}`, which the `cluster/` root finds with `{}` by its `{from}`; that `{from}` is neither a literal nor built from values the root can read, so the lookup cannot be written",
                        r.expression(),
                        data_source
                    ),
                    fix,
                );
                return None;
            }
        };
        // A secret's value is read during the run only (an ephemeral resource of the lookup's
        // type), so it never lands in this root's state; it can reach only the write-only
        // `data_wo` of a Secret.
        let address = if resource.facts.holds_secret {
            self.ephemeral(data_source, a.name(), tf! { argument => found_by })
        } else {
            self.data(data_source, a.name(), tf! { argument => found_by })
        };
        Some(address.attr(data_attr))
    }

    /// The kinds of this stack's resources a later root can find, in the order they were
    /// created (for a hint).
    fn findable_kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = Vec::new();
        for r in &self.g.resources {
            let findable = matches!(r.facts.found_by, Some(Lookup::By { .. }));
            if findable && !kinds.contains(&r.address.kind()) {
                kinds.push(r.address.kind());
            }
        }
        kinds
    }

    /// How the value of the secret `secret` names (its id or ARN) is read: what the resource it
    /// refers to declares ([`SecretValue`](stacksmith_core::SecretValue)).
    fn secret_value(
        &mut self,
        owner: &Path,
        what: &str,
        secret: &Ref<()>,
    ) -> Option<&'static stacksmith_core::SecretValue> {
        let found = self
            .g
            .resource(secret.address())
            .or_else(|| self.g.data.iter().find(|d| &d.address == secret.address()))
            .map(|r| r.facts.secret_value);
        match found {
            Some(Some(read)) => Some(read),
            Some(None) => {
                self.error(
                    "SS0215",
                    owner,
                    format!(
                        "{what} reads the value of `{}`, which names no secret the `cluster/` root can read",
                        secret.expression()
                    ),
                    "refer to a secret's id or ARN (`db.master_secret_arn()`, `cache.auth_secret_arn()`)".into(),
                );
                None
            }
            // A dangling reference: core validation (SS0202) reports it.
            None => None,
        }
    }

    /// A data source of the infrastructure root, copied as is when its arguments are all
    /// literals (`aws_caller_identity`, `aws_partition`); otherwise an error.
    fn copied_data(&mut self, owner: &Path, what: &str, r: &Ref<()>) -> Option<Ref<()>> {
        let source = self.g.data.iter().find(|d| &d.address == r.address())?;
        let mut refs = Vec::new();
        source.body.values().for_each(|v| v.refs(&mut refs));
        if !refs.is_empty() {
            self.error(
                "SS0215",
                owner,
                format!(
                    "{what} reads data source `{}`, whose arguments refer to other resources",
                    source.address.expression()
                ),
                "read the resource the data source describes instead, or pass the value as a literal".into(),
            );
            return None;
        }
        let a = self.data(r.address().kind(), r.address().name(), source.body.clone());
        Some(a.attr(r.attr()))
    }

    /// Adds an ephemeral resource once and returns its address.
    fn ephemeral(&mut self, kind: &str, name: &str, body: Map) -> Address {
        let a = Address::ephemeral(&self.g.stack, kind, name);
        if !self.root.ephemeral.iter().any(|d| d.address == a) {
            self.root
                .ephemeral
                .push(Resource::new(a.clone(), Path::root(&self.g.stack), body));
        }
        a
    }

    /// Adds a data source once and returns its address.
    fn data(&mut self, kind: &str, name: &str, body: Map) -> Address {
        let a = Address::data(&self.g.stack, kind, name);
        if !self.root.data.iter().any(|d| d.address == a) {
            self.root
                .data
                .push(Resource::new(a.clone(), Path::root(&self.g.stack), body));
        }
        a
    }
}

fn valid_json_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use stacksmith_core::{Facts, SecretValue};

    use super::*;

    // What the aws constructs declare, restated here (synth does not depend on them): the
    // examples' snapshots check that the real declarations give the same output.
    const DB_INSTANCE: Lookup = Lookup::by(
        "aws_db_instance",
        "db_instance_identifier",
        "identifier",
        &[
            ("address", "address"),
            ("endpoint", "endpoint"),
            ("port", "port"),
            ("arn", "db_instance_arn"),
            ("identifier", "db_instance_identifier"),
            ("resource_id", "resource_id"),
            ("db_name", "db_name"),
            ("username", "master_username"),
            (
                "master_user_secret[0].secret_arn",
                "master_user_secret[0].secret_arn",
            ),
        ],
    );
    const RDS_CLUSTER: Lookup = Lookup::by(
        "aws_rds_cluster",
        "cluster_identifier",
        "cluster_identifier",
        &[
            ("endpoint", "endpoint"),
            ("reader_endpoint", "reader_endpoint"),
            ("port", "port"),
            ("arn", "arn"),
            ("cluster_identifier", "cluster_identifier"),
            ("cluster_resource_id", "cluster_resource_id"),
            ("database_name", "database_name"),
            ("master_username", "master_username"),
            (
                "master_user_secret[0].secret_arn",
                "master_user_secret[0].secret_arn",
            ),
        ],
    );
    const CACHE: Lookup = Lookup::by(
        "aws_elasticache_replication_group",
        "replication_group_id",
        "replication_group_id",
        &[
            ("primary_endpoint_address", "primary_endpoint_address"),
            ("reader_endpoint_address", "reader_endpoint_address"),
            (
                "configuration_endpoint_address",
                "configuration_endpoint_address",
            ),
            ("port", "port"),
            ("arn", "arn"),
            ("id", "id"),
        ],
    );
    const ROLE: Lookup = Lookup::by(
        "aws_iam_role",
        "name",
        "name",
        &[
            ("arn", "arn"),
            ("name", "name"),
            ("id", "id"),
            ("unique_id", "unique_id"),
        ],
    );
    const SECRET: Lookup = Lookup::by(
        "aws_secretsmanager_secret",
        "name",
        "name",
        &[("arn", "arn"), ("id", "id"), ("name", "name")],
    );
    const SECRET_VERSION: Lookup = Lookup::by(
        "aws_secretsmanager_secret_version",
        "secret_id",
        "secret_id",
        &[("secret_string", "secret_string")],
    );
    const SECRET_VALUE: SecretValue = SecretValue {
        data_source: "aws_secretsmanager_secret_version",
        argument: "secret_id",
        attribute: "secret_string",
    };
    const BUCKET: Lookup = Lookup::by(
        "aws_s3_bucket",
        "bucket",
        "bucket",
        &[
            ("arn", "arn"),
            ("bucket", "bucket"),
            ("id", "id"),
            ("bucket_domain_name", "bucket_domain_name"),
            ("bucket_regional_domain_name", "bucket_regional_domain_name"),
        ],
    );
    const MSK: Lookup = Lookup::by(
        "aws_msk_cluster",
        "cluster_name",
        "cluster_name",
        &[
            ("arn", "arn"),
            ("cluster_name", "cluster_name"),
            ("bootstrap_brokers_tls", "bootstrap_brokers_tls"),
            ("bootstrap_brokers_sasl_iam", "bootstrap_brokers_sasl_iam"),
            (
                "bootstrap_brokers_sasl_scram",
                "bootstrap_brokers_sasl_scram",
            ),
            (
                "zookeeper_connect_string_tls",
                "zookeeper_connect_string_tls",
            ),
        ],
    );
    const MSK_SERVERLESS: Lookup = Lookup::Unsupported(
        "the aws provider 6.47.0 has no data source for MSK Serverless clusters (`aws_msk_cluster` finds provisioned clusters only)",
    );
    const EKS: Lookup = Lookup::by(
        "aws_eks_cluster",
        "name",
        "name",
        &[
            ("name", "name"),
            ("arn", "arn"),
            ("endpoint", "endpoint"),
            (
                "certificate_authority[0].data",
                "certificate_authority[0].data",
            ),
        ],
    );
    const EKS_ACCESS: KubernetesCluster = KubernetesCluster {
        host: "endpoint",
        ca_certificate: "certificate_authority[0].data",
        token_command: "aws",
        token_args: &[
            "eks",
            "get-token",
            "--cluster-name",
            "{name}",
            "--region",
            "{region}",
        ],
        kubeconfig: &[],
    };

    /// What each resource kind of these tests is declared, by kind.
    const KINDS: &[(&str, Facts)] = &[
        (
            "aws_db_instance",
            Facts::new()
                .found_by(&DB_INSTANCE)
                .secret_value(&SECRET_VALUE),
        ),
        (
            "aws_rds_cluster",
            Facts::new()
                .found_by(&RDS_CLUSTER)
                .secret_value(&SECRET_VALUE),
        ),
        // DocumentDB is found through the `aws_rds_cluster` data source.
        (
            "aws_docdb_cluster",
            Facts::new()
                .found_by(&RDS_CLUSTER)
                .secret_value(&SECRET_VALUE),
        ),
        (
            "aws_elasticache_replication_group",
            Facts::new().found_by(&CACHE),
        ),
        ("aws_iam_role", Facts::new().found_by(&ROLE)),
        (
            "aws_secretsmanager_secret",
            Facts::new().found_by(&SECRET).secret_value(&SECRET_VALUE),
        ),
        (
            "aws_secretsmanager_secret_version",
            Facts::new().found_by(&SECRET_VERSION).holds_secret(),
        ),
        ("aws_s3_bucket", Facts::new().found_by(&BUCKET)),
        ("aws_msk_cluster", Facts::new().found_by(&MSK)),
        (
            "aws_msk_serverless_cluster",
            Facts::new().found_by(&MSK_SERVERLESS),
        ),
        (
            "aws_eks_cluster",
            Facts::new().found_by(&EKS).kubernetes_cluster(&EKS_ACCESS),
        ),
    ];

    fn facts(kind: &str) -> Facts {
        KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(Facts::new(), |(_, f)| *f)
    }

    fn stack() -> Graph {
        let mut g = Graph::new("prod", "us-east-1");
        resource(
            &mut g,
            "aws_eks_cluster",
            "eks",
            tf! { "name" => "prod-eks" },
        );
        g
    }

    fn resource(g: &mut Graph, kind: &str, name: &str, body: Map) -> Address {
        let a = Address::resource("prod", kind, name);
        g.resources.push(
            Resource::new(a.clone(), Path::root("prod").child(name), body).facts(facts(kind)),
        );
        a
    }

    fn read(g: &mut Graph, key: &str, value: impl Into<CloudValue>, sensitive: bool) {
        g.crossings.push(Crossing {
            owner: Path::root("prod").child("api"),
            namespace: "apps".into(),
            object: "api-cloud".into(),
            key: key.into(),
            value: value.into(),
            sensitive,
            reader: format!("env {key} of container api"),
        });
    }

    fn json(root: &Graph) -> serde_json::Value {
        terraform_json::render(root)
            .ok()
            .and_then(|t| serde_json::from_slice(&t).ok())
            .unwrap_or_default()
    }

    fn errors(g: &Graph) -> String {
        match build(g) {
            Ok(_) => "no errors".into(),
            Err(d) => d.to_string(),
        }
    }

    #[test]
    fn every_supported_kind_is_found_by_its_literal_name() {
        for (kind, f) in KINDS {
            let Some(&Lookup::By {
                data_source,
                argument,
                from,
                readable,
            }) = f.found_by
            else {
                continue;
            };
            let mut g = stack();
            let a = if *kind == "aws_eks_cluster" {
                Address::resource("prod", "aws_eks_cluster", "eks")
            } else {
                resource(&mut g, kind, "x", tf! { from => "name-x" })
            };
            for (i, (attr, data_attr)) in readable.iter().enumerate() {
                let r: Ref<()> = a.attr(attr);
                read(&mut g, &format!("K{i}"), r, kind.contains("secret"));
                let Ok(root) = build(&g) else {
                    panic!("{kind}: {}", errors(&g));
                };
                let j = json(&root);
                let name = a.name();
                let want_from = if *kind == "aws_eks_cluster" {
                    "prod-eks"
                } else {
                    "name-x"
                };
                // A secret's value is read through an ephemeral resource, never a data source,
                // and written only into the Secret's write-only `data_wo`.
                let (block, prefix) = if f.holds_secret {
                    ("ephemeral", "ephemeral")
                } else {
                    ("data", "data")
                };
                assert_eq!(
                    j[block][data_source][name][argument], want_from,
                    "{kind}: {j:#}"
                );
                let (object, data) = if kind.contains("secret") {
                    ("kubernetes_secret_v1", "data_wo")
                } else {
                    ("kubernetes_config_map_v1", "data")
                };
                assert_eq!(
                    j["resource"][object]["apps_api_cloud"][data][format!("K{i}")],
                    format!("${{{prefix}.{data_source}.{name}.{data_attr}}}"),
                    "{kind}"
                );
            }
        }
    }

    #[test]
    fn docdb_is_read_through_the_rds_cluster_data_source() {
        let mut g = stack();
        let db = resource(
            &mut g,
            "aws_docdb_cluster",
            "metadata",
            tf! { "cluster_identifier" => "prod-metadata" },
        );
        read(&mut g, "MONGODB_HOST", db.attr::<String>("endpoint"), false);
        let root = build(&g).ok();
        let j = root.as_ref().map(json).unwrap_or_default();
        assert_eq!(
            j["data"]["aws_rds_cluster"]["metadata"],
            serde_json::json!({"cluster_identifier": "prod-metadata"})
        );
        assert_eq!(
            j["resource"]["kubernetes_config_map_v1"]["apps_api_cloud"]["data"]["MONGODB_HOST"],
            "${data.aws_rds_cluster.metadata.endpoint}"
        );
    }

    #[test]
    fn a_managed_password_is_read_from_its_secret() {
        let mut g = stack();
        let db = resource(
            &mut g,
            "aws_db_instance",
            "db",
            tf! { "identifier" => "prod-db" },
        );
        let arn: Ref = db.attr("master_user_secret[0].secret_arn");
        read(
            &mut g,
            "DB_PASSWORD",
            CloudValue::secret_json_field(&arn, "password"),
            true,
        );
        let root = build(&g).ok();
        let j = root.as_ref().map(json).unwrap_or_default();
        assert_eq!(
            j["ephemeral"]["aws_secretsmanager_secret_version"]["db_instance_db"]["secret_id"],
            "${data.aws_db_instance.db.master_user_secret[0].secret_arn}"
        );
        let secret = &j["resource"]["kubernetes_secret_v1"]["apps_api_cloud"];
        let revision = secret["data_wo_revision"].as_i64().unwrap_or_default();
        assert!((1..=1 << 31).contains(&revision), "{secret}");
        assert_eq!(
            secret,
            &serde_json::json!({
                "metadata": {"name": "api-cloud", "namespace": "apps", "labels": {"app.kubernetes.io/managed-by": "stacksmith"}},
                "type": "Opaque",
                "data_wo": {"DB_PASSWORD": "${jsondecode(ephemeral.aws_secretsmanager_secret_version.db_instance_db.secret_string)[\"password\"]}"},
                "data_wo_revision": revision
            })
        );
        // The same sources give the same revision; another key gives another, so Terraform
        // writes the Secret again (it cannot see write-only values change).
        let again = build(&g).ok();
        let again = again.as_ref().map(json).unwrap_or_default();
        assert_eq!(
            again["resource"]["kubernetes_secret_v1"]["apps_api_cloud"]["data_wo_revision"],
            revision
        );
        read(
            &mut g,
            "DB_USER",
            CloudValue::secret_json_field(&arn, "username"),
            true,
        );
        let more = build(&g).ok();
        let more = more.as_ref().map(json).unwrap_or_default();
        assert_ne!(
            more["resource"]["kubernetes_secret_v1"]["apps_api_cloud"]["data_wo_revision"],
            revision
        );
        assert_eq!(
            j["provider"]["kubernetes"]["exec"]["args"],
            serde_json::json!([
                "eks",
                "get-token",
                "--cluster-name",
                "prod-eks",
                "--region",
                "us-east-1"
            ])
        );
    }

    #[test]
    fn templates_translate_every_reference() {
        let mut g = stack();
        let cache = resource(
            &mut g,
            "aws_elasticache_replication_group",
            "cache",
            tf! { "replication_group_id" => "prod-cache" },
        );
        let host: Ref = cache.attr("primary_endpoint_address");
        read(
            &mut g,
            "REDIS_URL",
            Template::new().lit("rediss://").with(&host).lit(":6379"),
            false,
        );
        let root = build(&g).ok();
        let j = root.as_ref().map(json).unwrap_or_default();
        assert_eq!(
            j["resource"]["kubernetes_config_map_v1"]["apps_api_cloud"]["data"]["REDIS_URL"],
            "rediss://${data.aws_elasticache_replication_group.cache.primary_endpoint_address}:6379"
        );
    }

    /// A bucket's default name is `<prefix>-<account id>-<region>-an`: a template whose account
    /// id the `cluster/` root reads from its own `aws_caller_identity`.
    #[test]
    fn a_default_bucket_name_is_rebuilt_from_its_parts() {
        let mut g = stack();
        let account = Address::data("prod", "aws_caller_identity", "current");
        g.data.push(Resource::new(
            account.clone(),
            Path::root("prod"),
            Map::new(),
        ));
        let id: Ref = account.attr("account_id");
        let bucket = resource(
            &mut g,
            "aws_s3_bucket",
            "uploads",
            tf! { "bucket" => Template::new().lit("prod-uploads-").with(&id).lit("-us-east-1-an") },
        );
        read(&mut g, "BUCKET", bucket.attr::<String>("bucket"), false);
        let Ok(root) = build(&g) else {
            panic!("{}", errors(&g));
        };
        let j = json(&root);
        assert_eq!(
            j["data"]["aws_s3_bucket"]["uploads"]["bucket"],
            "prod-uploads-${data.aws_caller_identity.current.account_id}-us-east-1-an"
        );
        assert_eq!(
            j["data"]["aws_caller_identity"]["current"],
            serde_json::json!({})
        );
    }

    /// SS0216 blames an override only when there was one.
    #[test]
    fn fails_a_lookup_name_set_by_an_override() {
        let mut g = stack();
        let db = resource(
            &mut g,
            "aws_db_instance",
            "db",
            tf! { "identifier" => Value::Expr("var.name".into()) },
        );
        g.overridden.push((db.clone(), "identifier".into()));
        read(&mut g, "DB_HOST", db.attr::<String>("address"), false);
        let text = errors(&g);
        assert!(text.contains("was set with `override_attribute`"), "{text}");
    }

    #[test]
    fn fails_unsupported_references() {
        let mut g = stack();
        let msk = resource(
            &mut g,
            "aws_msk_serverless_cluster",
            "events",
            tf! { "cluster_name" => "prod-events" },
        );
        read(&mut g, "KAFKA", msk.attr::<String>("arn"), false);
        let queue = resource(&mut g, "aws_sqs_queue", "jobs", Map::new());
        read(&mut g, "QUEUE", queue.attr::<String>("url"), false);
        let db = resource(
            &mut g,
            "aws_db_instance",
            "db",
            tf! { "identifier" => Value::Expr("var.name".into()) },
        );
        read(&mut g, "DB_HOST", db.attr::<String>("address"), false);
        let cache = resource(
            &mut g,
            "aws_elasticache_replication_group",
            "cache",
            tf! { "replication_group_id" => "prod-cache" },
        );
        read(
            &mut g,
            "CACHE",
            cache.attr::<String>("engine_version"),
            false,
        );
        let token = resource(
            &mut g,
            "aws_secretsmanager_secret_version",
            "token",
            tf! { "secret_id" => "prod-token" },
        );
        read(
            &mut g,
            "TOKEN",
            token.attr::<String>("secret_string"),
            false,
        );
        read(&mut g, "RAW", Value::Expr("timestamp()".into()), false);
        insta::assert_snapshot!(errors(&g));
    }

    #[test]
    fn fails_crossings_without_an_eks_cluster() {
        let mut g = Graph::new("prod", "us-east-1");
        let cache = resource(
            &mut g,
            "aws_elasticache_replication_group",
            "cache",
            tf! { "replication_group_id" => "prod-cache" },
        );
        read(
            &mut g,
            "REDIS_HOST",
            cache.attr::<String>("primary_endpoint_address"),
            false,
        );
        let one = errors(&g);
        resource(&mut g, "aws_eks_cluster", "a", tf! { "name" => "a" });
        resource(&mut g, "aws_eks_cluster", "b", tf! { "name" => "b" });
        insta::assert_snapshot!(format!("{one}\n{}", errors(&g)));
    }

    #[test]
    fn fails_a_secret_value_of_what_names_no_secret() {
        let mut g = stack();
        let role = resource(&mut g, "aws_iam_role", "api", tf! { "name" => "prod-api" });
        let arn: Ref = role.attr("arn");
        read(&mut g, "TOKEN", CloudValue::secret_string(&arn), true);
        let e = errors(&g);
        assert!(
            e.contains("error[SS0215]") && e.contains("names no secret"),
            "{e}"
        );
    }

    #[test]
    fn no_crossings_no_root() {
        assert!(matches!(render(&stack()), Ok(None)));
    }
}
