//! The `cluster/` Terraform root: the ConfigMaps and Secrets that carry cloud values (a database
//! endpoint, a cache address, a managed secret's password) to Kubernetes workloads.
//!
//! It is a root of its own because the `kubernetes` provider must not be configured from a
//! cluster created in the same root. It finds everything through data sources by the stable names
//! stacksmith gave the infrastructure, so it needs no remote state: a reference
//! `${aws_db_instance.db.address}` of the infrastructure root becomes
//! `${data.aws_db_instance.db.address}` here, with `data "aws_db_instance" "db" {
//! db_instance_identifier = "<the identifier literal of the resource>" }`. The translation is
//! one table ([`LOOKUPS`]): resource kind → data source kind, the argument it is found by and the
//! resource attribute that argument's value comes from, and the attributes that can be read
//! (with their data-source names). Anything outside the table is an error, never a guess.

use std::collections::BTreeMap;

use stacksmith_core::terraform::{Map, Provider, Resource, Value};
use stacksmith_core::{
    Address, CloudValue, Crossing, Diagnostic, Diagnostics, Graph, Part, Path, Ref, SourceKind,
    Template, tf,
};

use crate::manifest::ApplyStep;
use crate::{SynthError, kubernetes, terraform_json};

/// The pinned Kubernetes provider of the `cluster/` root.
pub(crate) const KUBERNETES_PROVIDER_VERSION: &str = "2.38.0";

/// The data source that reads a secret's current value, found by the secret's id or ARN.
const SECRET_VALUE: (&str, &str, &str) = (
    "aws_secretsmanager_secret_version",
    "secret_id",
    "secret_string",
);

/// How the `cluster/` root finds one kind of infrastructure resource.
#[derive(Debug)]
pub(crate) struct Lookup {
    /// The resource kind in the infrastructure root: `aws_db_instance`.
    pub(crate) resource: &'static str,
    /// The data source kind that reads it: `aws_db_instance`.
    pub(crate) data: &'static str,
    /// The data source argument it is found by: `db_instance_identifier`.
    pub(crate) argument: &'static str,
    /// The resource body attribute that argument's value comes from: `identifier`.
    pub(crate) from: &'static str,
    /// The attributes that can be read, as (resource attribute, data source attribute).
    pub(crate) attributes: &'static [(&'static str, &'static str)],
}

/// The translation table, every data source and attribute checked against the aws provider
/// 6.47.0 schema.
pub(crate) const LOOKUPS: &[Lookup] = &[
    Lookup {
        resource: "aws_db_instance",
        data: "aws_db_instance",
        argument: "db_instance_identifier",
        from: "identifier",
        attributes: &[
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
    },
    Lookup {
        resource: "aws_rds_cluster",
        data: "aws_rds_cluster",
        argument: "cluster_identifier",
        from: "cluster_identifier",
        attributes: RDS_CLUSTER_ATTRIBUTES,
    },
    // DocumentDB is managed through the RDS API: `DescribeDBClusters` (what the `aws_rds_cluster`
    // data source calls) returns DocumentDB clusters too, with the same attribute names. The
    // provider has no `aws_docdb_cluster` data source.
    Lookup {
        resource: "aws_docdb_cluster",
        data: "aws_rds_cluster",
        argument: "cluster_identifier",
        from: "cluster_identifier",
        attributes: RDS_CLUSTER_ATTRIBUTES,
    },
    Lookup {
        resource: "aws_elasticache_replication_group",
        data: "aws_elasticache_replication_group",
        argument: "replication_group_id",
        from: "replication_group_id",
        attributes: &[
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
    },
    Lookup {
        resource: "aws_iam_role",
        data: "aws_iam_role",
        argument: "name",
        from: "name",
        attributes: &[
            ("arn", "arn"),
            ("name", "name"),
            ("id", "id"),
            ("unique_id", "unique_id"),
        ],
    },
    Lookup {
        resource: "aws_secretsmanager_secret",
        data: "aws_secretsmanager_secret",
        argument: "name",
        from: "name",
        attributes: &[("arn", "arn"), ("id", "id"), ("name", "name")],
    },
    // A secret's value: found by the secret it belongs to, itself found by name.
    Lookup {
        resource: "aws_secretsmanager_secret_version",
        data: "aws_secretsmanager_secret_version",
        argument: "secret_id",
        from: "secret_id",
        attributes: &[("secret_string", "secret_string")],
    },
    Lookup {
        resource: "aws_s3_bucket",
        data: "aws_s3_bucket",
        argument: "bucket",
        from: "bucket",
        attributes: &[
            ("arn", "arn"),
            ("bucket", "bucket"),
            ("id", "id"),
            ("bucket_domain_name", "bucket_domain_name"),
            ("bucket_regional_domain_name", "bucket_regional_domain_name"),
        ],
    },
    Lookup {
        resource: "aws_msk_cluster",
        data: "aws_msk_cluster",
        argument: "cluster_name",
        from: "cluster_name",
        attributes: &[
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
    },
    Lookup {
        resource: "aws_eks_cluster",
        data: "aws_eks_cluster",
        argument: "name",
        from: "name",
        attributes: &[
            ("name", "name"),
            ("arn", "arn"),
            ("endpoint", "endpoint"),
            (
                "certificate_authority[0].data",
                "certificate_authority[0].data",
            ),
        ],
    },
];

/// What `aws_rds_cluster` and `aws_docdb_cluster` expose through the `aws_rds_cluster` data
/// source.
const RDS_CLUSTER_ATTRIBUTES: &[(&str, &str)] = &[
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
];

/// Resource kinds known to have no data source that finds them, with the reason.
const UNSUPPORTED: &[(&str, &str)] = &[(
    "aws_msk_serverless_cluster",
    "the aws provider 6.47.0 has no data source for MSK Serverless clusters (`aws_msk_cluster` finds provisioned clusters only)",
)];

/// The `cluster/` root's JSON, or `None` when no workload reads a cloud value. Every problem is
/// reported at once, at the reading workload's path.
pub(crate) fn render(g: &Graph) -> Result<Option<String>, SynthError> {
    if g.crossings.is_empty() {
        return Ok(None);
    }
    let root = build(g).map_err(SynthError::Diagnostics)?;
    terraform_json::render(&root).map(Some)
}

/// The apply step of the `cluster/` root, between the infrastructure and the Kubernetes
/// objects. The generated ConfigMaps and Secrets live in the workloads' namespaces, so the
/// Namespaces the stack declares for them are applied first (`kubectl apply` of the same files
/// again in the next step changes nothing).
pub(crate) fn apply_step(g: &Graph) -> ApplyStep {
    let mut namespaces: Vec<String> = Vec::new();
    for o in &g.objects {
        let needed = o.kind == "Namespace"
            && o.namespace.is_none()
            && g.crossings.iter().any(|c| c.namespace == o.name);
        if needed {
            namespaces.push(format!("-f kubernetes/{}", kubernetes::file_name(o)));
        }
    }
    let terraform = "terraform -chdir=cluster init && terraform -chdir=cluster apply";
    let command = if namespaces.is_empty() {
        terraform.to_owned()
    } else {
        format!("kubectl apply {} && {terraform}", namespaces.join(" "))
    };
    ApplyStep {
        root: "cluster".into(),
        what: "cloud values for workloads (ConfigMaps and Secrets, Terraform)".into(),
        command,
    }
}

/// The `cluster/` root as a graph of its own (providers, data sources, resources).
pub(crate) fn build(g: &Graph) -> Result<Graph, Diagnostics> {
    let mut t = Translator {
        g,
        root: Graph::new(&g.stack, &g.region),
        diagnostics: Diagnostics::default(),
    };
    let first = g.crossings.first().map(|c| c.owner.clone());
    let eks = first.and_then(|owner| t.cluster(&owner));
    if let Some(aws) = g.providers.get("aws") {
        t.root.providers.insert("aws".into(), aws.clone());
    }
    if let Some(eks) = &eks {
        t.root.providers.insert(
            "kubernetes".into(),
            Provider {
                source: "hashicorp/kubernetes".into(),
                version: KUBERNETES_PROVIDER_VERSION.into(),
                config: Some(kubernetes_config(eks, &g.region)),
            },
        );
    }
    t.root.backend = g.backend.as_ref().map(cluster_backend);

    // One object per (kind, namespace, name), keys in the order workloads declared them.
    let mut objects: BTreeMap<(SourceKind, &str, &str), Map> = BTreeMap::new();
    for c in &g.crossings {
        let Some(value) = t.value(c) else { continue };
        objects
            .entry((c.source(), c.namespace.as_str(), c.object.as_str()))
            .or_default()
            .entry(c.key.clone())
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
        body.insert("data".into(), Value::Map(data));
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

/// The `kubernetes` provider configured from the EKS cluster, found by name: endpoint and CA
/// from `data.aws_eks_cluster`, a short-lived token from `aws eks get-token`.
fn kubernetes_config(eks: &(Address, String), region: &str) -> Map {
    let (cluster, name) = eks;
    tf! {
        "host" => Value::Ref(cluster.attr("endpoint")),
        "cluster_ca_certificate" => Value::Expr(format!(
            "base64decode({}.certificate_authority[0].data)",
            cluster.expression()
        )),
        "exec" => tf! {
            "api_version" => "client.authentication.k8s.io/v1beta1",
            "command" => "aws",
            "args" => vec!["eks", "get-token", "--cluster-name", name.as_str(), "--region", region],
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

    /// The stack's one EKS cluster, as its data source address in this root and its name.
    fn cluster(&mut self, owner: &Path) -> Option<(Address, String)> {
        let clusters: Vec<&Resource> = self
            .g
            .resources
            .iter()
            .filter(|r| r.address.kind() == "aws_eks_cluster")
            .collect();
        let [cluster] = clusters.as_slice() else {
            let found = if clusters.is_empty() {
                "has no EKS cluster".to_owned()
            } else {
                let names: Vec<String> = clusters.iter().map(|r| r.owner.to_string()).collect();
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
        let Some(Value::String(name)) = cluster.body.get("name") else {
            self.error(
                "SS0216",
                owner,
                format!(
                    "the EKS cluster `{}` has no literal `name`, so the `cluster/` root cannot find it",
                    cluster.address.expression()
                ),
                "give the cluster a literal name (do not override `name` with a reference)".into(),
            );
            return None;
        };
        let name = name.clone();
        let r = cluster.address.attr::<()>("name");
        let data = self.reference(owner, "the Kubernetes provider", &r, 0)?;
        Some((data.address().clone(), name))
    }

    /// A crossing's value in this root, or `None` after recording why it cannot be.
    fn value(&mut self, c: &Crossing) -> Option<Value> {
        let what = format!("{} ({})", c.reader, c.value.describe());
        match &c.value {
            CloudValue::Value(v) => self.plain(c, &what, v),
            CloudValue::SecretString { secret, json_key } => {
                let secret = self.reference(&c.owner, &what, secret, 0)?;
                let (kind, argument, attribute) = SECRET_VALUE;
                let local = format!(
                    "{}_{}",
                    secret.address().kind().trim_start_matches("aws_"),
                    secret.address().name()
                );
                let address = self.data(kind, &local, tf! { argument => Value::Ref(secret) });
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
        if !c.sensitive && refs.iter().any(|r| r.address().kind() == SECRET_VALUE.0) {
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
            Value::Template(t) => {
                let mut out = Template::new();
                let mut ok = true;
                for part in t.parts() {
                    match part {
                        Part::Literal(l) => out = out.lit(l.clone()),
                        Part::Ref(r) => match self.reference(&c.owner, what, r, 0) {
                            Some(d) => out = out.with(&d),
                            None => ok = false,
                        },
                    }
                }
                ok.then_some(Value::Template(out))
            }
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
        let Some(lookup) = LOOKUPS.iter().find(|l| l.resource == a.kind()) else {
            let why = UNSUPPORTED.iter().find(|(k, _)| *k == a.kind()).map_or(
                "the `cluster/` root has no data source lookup for it",
                |(_, why)| why,
            );
            let supported: Vec<&str> = LOOKUPS.iter().map(|l| l.resource).collect();
            self.error(
                "SS0215",
                owner,
                format!("{what} reads `{}`, of kind `{}`: {why}", r.expression(), a.kind()),
                format!(
                    "read a value of one of: {}; or write the value into a Secret yourself and read it with `.env_from_secret(...)`",
                    supported.join(", ")
                ),
            );
            return None;
        };
        let Some(&(_, data_attr)) = lookup.attributes.iter().find(|(ra, _)| *ra == r.attr()) else {
            let supported: Vec<&str> = lookup.attributes.iter().map(|(ra, _)| *ra).collect();
            self.error(
                "SS0217",
                owner,
                format!(
                    "{what} reads attribute `{}` of `{}`, which the `cluster/` root cannot read through data source `{}`",
                    r.attr(),
                    a.expression(),
                    lookup.data
                ),
                format!("read one of: {}", supported.join(", ")),
            );
            return None;
        };
        let Some(resource) = self.g.resource(a) else {
            // A dangling reference: core validation (SS0202) reports it.
            return None;
        };
        let found_by = match resource.body.get(lookup.from) {
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(Value::Ref(inner)) if depth == 0 => {
                Value::Ref(self.reference(owner, what, inner, depth + 1)?)
            }
            _ => {
                self.error(
                    "SS0216",
                    owner,
                    format!(
                        "{what} reads `{}`, but its `{}` is not a literal, so the `cluster/` root cannot find it by name",
                        r.expression(),
                        lookup.from
                    ),
                    format!(
                        "give `{}` a literal `{}` (do not override it with a reference), or pass the value another way",
                        a.expression(),
                        lookup.from
                    ),
                );
                return None;
            }
        };
        let address = self.data(lookup.data, a.name(), tf! { lookup.argument => found_by });
        Some(address.attr(data_attr))
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
    use super::*;

    fn stack() -> Graph {
        let mut g = Graph::new("prod", "us-east-1");
        g.resources.push(Resource::new(
            Address::resource("prod", "aws_eks_cluster", "eks"),
            Path::root("prod").child("eks"),
            tf! { "name" => "prod-eks" },
        ));
        g
    }

    fn resource(g: &mut Graph, kind: &str, name: &str, body: Map) -> Address {
        let a = Address::resource("prod", kind, name);
        g.resources.push(Resource::new(
            a.clone(),
            Path::root("prod").child(name),
            body,
        ));
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
            .and_then(|t| serde_json::from_str(&t).ok())
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
        for l in LOOKUPS {
            let mut g = stack();
            let a = if l.resource == "aws_eks_cluster" {
                Address::resource("prod", "aws_eks_cluster", "eks")
            } else {
                resource(&mut g, l.resource, "x", tf! { l.from => "name-x" })
            };
            for (i, (attr, data_attr)) in l.attributes.iter().enumerate() {
                let r: Ref<()> = a.attr(attr);
                read(&mut g, &format!("K{i}"), r, l.resource.contains("secret"));
                let Ok(root) = build(&g) else {
                    panic!("{}: {}", l.resource, errors(&g));
                };
                let j = json(&root);
                let name = a.name();
                let want_from = if l.resource == "aws_eks_cluster" {
                    "prod-eks"
                } else {
                    "name-x"
                };
                assert_eq!(
                    j["data"][l.data][name][l.argument], want_from,
                    "{}: {j:#}",
                    l.resource
                );
                let object = if l.resource.contains("secret") {
                    "kubernetes_secret_v1"
                } else {
                    "kubernetes_config_map_v1"
                };
                assert_eq!(
                    j["resource"][object]["apps_api_cloud"]["data"][format!("K{i}")],
                    format!("${{data.{}.{name}.{data_attr}}}", l.data),
                    "{}",
                    l.resource
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
            j["data"]["aws_secretsmanager_secret_version"]["db_instance_db"]["secret_id"],
            "${data.aws_db_instance.db.master_user_secret[0].secret_arn}"
        );
        assert_eq!(
            j["resource"]["kubernetes_secret_v1"]["apps_api_cloud"],
            serde_json::json!({
                "metadata": {"name": "api-cloud", "namespace": "apps", "labels": {"app.kubernetes.io/managed-by": "stacksmith"}},
                "type": "Opaque",
                "data": {"DB_PASSWORD": "${jsondecode(data.aws_secretsmanager_secret_version.db_instance_db.secret_string)[\"password\"]}"}
            })
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
    fn no_crossings_no_root() {
        assert!(matches!(render(&stack()), Ok(None)));
    }
}
