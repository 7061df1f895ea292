//! A stack: one environment (`prod`, `staging`) in one AWS region, with default tags and a
//! state backend; the constructs added to it, and its lowering into one [`Graph`].

use crate::hash::{HashMap, HashMapExt};
use std::collections::hash_map::Entry;

use indexmap::IndexMap;

use crate::terraform::{Map, Value};
use crate::{
    Address, Construct, Diagnostic, Diagnostics, Graph, Lower, Lowering, NameRule, Path, Provision,
    Scope, tf, validate, validate_id,
};

/// Terraform's S3 state backend.
///
/// Default: the key `<stack>/terraform.tfstate`, the stack's region, server-side encryption
/// on, and S3-native locking (`use_lockfile`, Terraform ≥ 1.10) instead of a DynamoDB table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    bucket: String,
    key: Option<String>,
    region: Option<String>,
    use_lockfile: bool,
}

impl Backend {
    /// State in an S3 bucket.
    pub fn s3(bucket: &str) -> Self {
        Self {
            bucket: bucket.to_owned(),
            key: None,
            region: None,
            use_lockfile: true,
        }
    }

    /// The state object's key. Default: `<stack>/terraform.tfstate`.
    #[must_use]
    pub fn key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }

    /// The bucket's region. Default: the stack's region.
    #[must_use]
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }

    /// Turns S3-native state locking off (only for Terraform older than 1.10).
    #[must_use]
    pub fn without_lockfile(mut self) -> Self {
        self.use_lockfile = false;
        self
    }

    fn to_map(&self, stack: &str, region: &str) -> Map {
        let key = self
            .key
            .clone()
            .unwrap_or_else(|| format!("{stack}/terraform.tfstate"));
        tf! {
            "bucket" => self.bucket.as_str(),
            "key" => key,
            "region" => self.region.clone().unwrap_or_else(|| region.to_owned()),
            "encrypt" => true,
            "use_lockfile" => self.use_lockfile,
        }
    }
}

/// One environment: a Terraform root, a Kubernetes folder, and the constructs that fill them.
pub struct Stack {
    name: String,
    region: String,
    account: Option<String>,
    tags: IndexMap<String, String>,
    backend: Option<Backend>,
    constructs: Vec<(Path, Box<dyn Lower>)>,
    /// Each construct's path and id space (see [`Construct::id_space`]), with its kind.
    paths: HashMap<(Path, Option<&'static str>), &'static str>,
    overrides: Vec<(Address, String, Value)>,
    removals: Vec<String>,
    prerequisites: Vec<Provision>,
    problems: Diagnostics,
}

/// The construct's kind for messages: its type's name without module path or generics
/// (`Deployment`).
fn kind_of<C>() -> &'static str {
    let full = std::any::type_name::<C>();
    let plain = full.split('<').next().unwrap_or(full);
    plain.rsplit("::").next().unwrap_or(plain)
}

/// AWS tag keys are at most 128 characters.
const TAG_KEY_MAX: usize = 128;
/// Constructs from which a stack is lowered in parts on the machine's cores ([`Stack::lower`]):
/// below, a thread costs more than it saves.
const LOWER_IN_PARTS_FROM: usize = 128;
/// AWS tag values are at most 256 Unicode characters.
const TAG_VALUE_MAX: usize = 256;
/// AWS resources carry at most 50 user tags; every stack tag lands on every resource beside the
/// `Name` tag constructs add, so a stack has at most 49.
const STACK_TAGS_MAX: usize = 49;

impl Stack {
    /// A stack named `name` (e.g. `prod`) in an AWS region (e.g. `us-east-1`).
    ///
    /// Default tags: `stack = <name>` and `managed-by = stacksmith`.
    pub fn new(name: &str, region: &str) -> Self {
        let mut problems = Diagnostics::default();
        let root = Path::root(name);
        if let Err(msg) = NameRule::DNS_LABEL.check(name) {
            problems.push(
                Diagnostic::error("SS0001", &root, format!("invalid stack name: {msg}"))
                    .hint("use a short lowercase name such as `prod` or `staging`"),
            );
        }
        let mut tags = IndexMap::new();
        tags.insert("stack".to_owned(), name.to_owned());
        tags.insert("managed-by".to_owned(), "stacksmith".to_owned());
        Self {
            name: name.to_owned(),
            region: region.to_owned(),
            account: None,
            tags,
            backend: None,
            constructs: Vec::new(),
            paths: HashMap::new(),
            overrides: Vec::new(),
            removals: Vec::new(),
            prerequisites: Vec::new(),
            problems,
        }
    }

    /// Declares that `capability` is installed on the stack's cluster outside this stack
    /// (`how`: by what, e.g. `"the platform team's cert-manager, chart v1.19"`), so the objects
    /// needing it pass synth's dependency check (SS0450). `manifest.json` lists it under
    /// `prerequisites`, to be in place before `kubectl apply`. Default: none.
    #[must_use]
    pub fn prerequisite(mut self, capability: crate::Capability, how: &str) -> Self {
        self.prerequisites.push(Provision {
            capability,
            by: how.to_owned(),
            prerequisite: true,
        });
        self
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stack's AWS region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Declares the AWS account the stack is applied in (12 digits, `123456789012`), which
    /// Kubernetes YAML needs literally: a pod pulling `repo.image("1.2.3")` names the registry
    /// `<account>.dkr.ecr.<region>.amazonaws.com`, since `kubectl` reads no Terraform value
    /// (without it such an image is SS0731). The aws provider gets it as `allowed_account_ids`,
    /// so Terraform refuses to run with credentials of another account. Default: none
    /// (Terraform applies in whichever account its credentials belong to).
    #[must_use]
    pub fn account(mut self, id: &str) -> Self {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            self.problems.push(
                Diagnostic::error(
                    "SS0730",
                    &Path::root(&self.name),
                    format!("`account(\"{id}\")`: an AWS account id is exactly 12 digits"),
                )
                .hint("copy it from `aws sts get-caller-identity --query Account --output text`, leading zeros included"),
            );
        }
        self.account = Some(id.to_owned());
        self
    }

    /// The stack's AWS account id, when declared with [`Stack::account`].
    pub fn account_id(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// Adds a default tag, applied to every AWS resource through the provider's `default_tags`.
    #[must_use]
    pub fn tag(mut self, key: &str, value: &str) -> Self {
        if key.is_empty() || key.len() > TAG_KEY_MAX || key.starts_with("aws:") {
            self.problems.push(
                Diagnostic::error(
                    "SS0004",
                    &Path::root(&self.name),
                    format!("invalid tag key `{key}`"),
                )
                .hint("tag keys are 1–128 characters and must not start with `aws:`"),
            );
        }
        let chars = value.chars().count();
        if chars > TAG_VALUE_MAX {
            self.problems.push(
                Diagnostic::error(
                    "SS0170",
                    &Path::root(&self.name),
                    format!("tag `{key}` has a value of {chars} characters; AWS allows at most {TAG_VALUE_MAX}"),
                )
                .hint(format!("shorten the value to {TAG_VALUE_MAX} characters or fewer; put long descriptions in a document the tag links to")),
            );
        }
        self.tags.insert(key.to_owned(), value.to_owned());
        if self.tags.len() == STACK_TAGS_MAX + 1 {
            self.problems.push(
                Diagnostic::error(
                    "SS0170",
                    &Path::root(&self.name),
                    format!("the stack has more than {STACK_TAGS_MAX} tags (`{key}` is one too many); with the `Name` tag beside them, resources would carry more than the 50 AWS allows"),
                )
                .hint(format!("keep {STACK_TAGS_MAX} stack tags or fewer (the two default tags included)")),
            );
        }
        self
    }

    /// Stores Terraform state in S3. Default: no backend block (local state).
    #[must_use]
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Adds a construct and returns its handle.
    pub fn add<C: Construct>(&mut self, construct: C) -> C::Handle {
        let parent = construct
            .parent()
            .cloned()
            .unwrap_or_else(|| Path::root(&self.name));
        let path = parent.child(construct.id());
        if let Err(msg) = validate_id(construct.id()) {
            self.problems.push(
                Diagnostic::error("SS0001", &path, format!("invalid construct id: {msg}"))
                    .hint("use letters, digits, `-` and `_`, starting with a letter"),
            );
        }
        if parent.stack() != self.name {
            self.problems.push(
                Diagnostic::error(
                    "SS0005",
                    &path,
                    format!(
                        "this construct belongs to stack `{}` but was added to stack `{}`",
                        parent.stack(),
                        self.name
                    ),
                )
                .hint("add it to the stack that holds the construct it was made from"),
            );
        }
        let handle = construct.handle(&Scope {
            path: path.clone(),
            region: self.region.clone(),
        });
        let kind = kind_of::<C>();
        match self.paths.entry((path.clone(), construct.id_space())) {
            Entry::Vacant(e) => {
                e.insert(kind);
                self.constructs.push((path, Box::new(construct)));
            }
            Entry::Occupied(first) => {
                // Not lowered: its resources would only repeat the collision once per resource.
                let first = *first.get();
                let id = construct.id();
                let (which, hint) = if first == kind {
                    (
                        format!("another {kind}"),
                        format!("give each {kind} a distinct id within its parent"),
                    )
                } else {
                    (
                        format!("the {first}"),
                        format!(
                            "give one of them a distinct id within its parent, such as `{id}-{}`",
                            kind.to_ascii_lowercase()
                        ),
                    )
                };
                self.problems.push(
                    Diagnostic::error(
                        "SS0002",
                        &path,
                        format!("{kind} `{id}` has the id of {which} `{id}` added before it, so both would be {path}"),
                    )
                    .hint(hint),
                );
            }
        }
        handle
    }

    /// Escape hatch: sets an attribute of a synthesized resource after lowering
    /// (`"vpc_config.endpoint_public_access"`). Nested blocks are addressed by key; an
    /// address the stack does not synthesize is an error.
    pub fn override_attribute(&mut self, address: &Address, dotted: &str, value: impl Into<Value>) {
        self.overrides
            .push((address.clone(), dotted.to_owned(), value.into()));
    }

    /// Acknowledges that a stateful resource of the previous output (`"aws_db_instance.old"`)
    /// is meant to be destroyed. Without it, synth stops with SS0009 when a stateful resource
    /// of the previous `terraform/main.tf.json` has no counterpart (same address, or a rename
    /// recognised and written as a `moved` block). The address is Terraform's, as printed by
    /// `diff` and `list`: `<type>.<name>`, without `data.`; anything else is SS0008. An
    /// acknowledgement that matches nothing in the previous output is warning SS0010: remove
    /// it once the destroy has been applied.
    pub fn acknowledge_removal(&mut self, address: &str) {
        self.removals.push(address.to_owned());
    }

    /// The constructs' paths, in the order they were added.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.constructs.iter().map(|(p, _)| p)
    }

    /// Lowers every construct and validates the whole stack. Diagnostics are in the graph.
    ///
    /// A stack of many constructs is lowered on the machine's cores, in parts of consecutive
    /// constructs, each into a graph of its own merged in order: the graph is the one lowering
    /// them one after another makes (a construct's `lower` reads only what it added itself;
    /// what the whole stack holds is read in `finish`, which runs on the merged graph).
    pub fn lower(&self) -> Graph {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let per_part = if self.constructs.len() < LOWER_IN_PARTS_FROM || threads < 2 {
            self.constructs.len()
        } else {
            self.constructs.len().div_ceil(threads)
        };
        self.lower_in_parts(per_part)
    }

    /// [`Stack::lower`] with the constructs lowered apart in parts of `per_part` (at least one);
    /// the graph is the same whatever the size (tests lower every example in parts of one).
    #[doc(hidden)]
    pub fn lower_in_parts(&self, per_part: usize) -> Graph {
        let mut graph = Graph::new(&self.name, &self.region);
        graph.account = self.account.clone();
        graph.backend = self
            .backend
            .as_ref()
            .map(|b| b.to_map(&self.name, &self.region));
        if let Some(b) = &self.backend {
            let region = b.region.as_deref().unwrap_or(&self.region);
            graph.prerequisites.push(crate::Prerequisite::new(
                format!(
                    "S3 bucket `{}` in {region}: the Terraform state (`terraform init` fails without it)",
                    b.bucket
                ),
                &Path::root(&self.name),
                format!("aws s3api head-bucket --bucket {} --region {region}", b.bucket),
            ));
        }
        graph.diagnostics.extend(self.problems.clone());
        if per_part >= self.constructs.len() {
            for (path, c) in &self.constructs {
                c.lower(&mut Lowering::new(&mut graph, path.clone(), &self.tags));
            }
        } else {
            let chunks: Vec<_> = self.constructs.chunks(per_part.max(1)).collect();
            let parts = crate::parallel::map_with(&chunks, 1, |chunk| {
                let mut part = graph.part();
                for (path, c) in *chunk {
                    c.lower(&mut Lowering::new(&mut part, path.clone(), &self.tags));
                }
                part
            });
            for part in parts {
                graph.absorb(part);
            }
        }
        graph.provisions.extend(self.prerequisites.iter().cloned());
        for (path, c) in &self.constructs {
            c.finish(&mut Lowering::new(&mut graph, path.clone(), &self.tags));
        }
        // One list of what the stack needs from outside: the capabilities declared installed
        // on the cluster join the prerequisites, each with who needs it and its check.
        for p in &self.prerequisites {
            let mut needed_by: Vec<String> = Vec::new();
            for r in graph
                .requirements
                .iter()
                .filter(|r| r.capability == p.capability)
            {
                let owner = r.owner.to_string();
                if !needed_by.contains(&owner) {
                    needed_by.push(owner);
                }
            }
            let by = if needed_by.is_empty() {
                self.name.clone()
            } else {
                needed_by.join(", ")
            };
            graph.prerequisites.push(crate::Prerequisite {
                what: format!(
                    "{} on the cluster, installed outside the stack ({}), before the Kubernetes objects are applied",
                    p.capability, p.by
                ),
                by,
                check: p.capability.check_command(),
            });
        }
        self.apply_overrides(&mut graph);
        self.acknowledge(&mut graph);
        validate::graph(&mut graph);
        graph.diagnostics.sort();
        graph
    }

    fn acknowledge(&self, graph: &mut Graph) {
        for a in &self.removals {
            match parse_address(&self.name, a) {
                Some(address) => {
                    if !graph.acknowledged_removals.contains(&address) {
                        graph.acknowledged_removals.push(address);
                    }
                }
                None => graph.diagnostics.push(
                    Diagnostic::error(
                        "SS0008",
                        &Path::root(&self.name),
                        format!("acknowledge_removal(\"{a}\"): not a managed resource address"),
                    )
                    .hint(
                        "write the address as `diff` prints it, `<type>.<name>` such as \
                         `aws_db_instance.orders_db` (data sources hold no data)",
                    ),
                ),
            }
        }
    }

    fn apply_overrides(&self, graph: &mut Graph) {
        if self.overrides.is_empty() {
            return;
        }
        // The first resource at each address.
        let mut at: HashMap<Address, usize> = HashMap::with_capacity(graph.resources.len());
        for (i, r) in graph.resources.iter().enumerate() {
            at.entry(r.address.clone()).or_insert(i);
        }
        for (address, dotted, value) in &self.overrides {
            let Some(r) = at.get(address).and_then(|&i| graph.resources.get_mut(i)) else {
                graph.diagnostics.push(
                    Diagnostic::error(
                        "SS0006",
                        &Path::root(&self.name),
                        format!(
                            "override of `{dotted}` on `{}`, which this stack does not synthesize",
                            address.expression()
                        ),
                    )
                    .hint("run `list` to see the addresses this stack synthesizes"),
                );
                continue;
            };
            set_path(&mut r.body, dotted, value.clone());
            graph.overridden.push((address.clone(), dotted.clone()));
        }
    }
}

/// `aws_db_instance.orders_db` → its address in `stack`; `None` unless it is `<type>.<name>`
/// with a provider-prefixed type and a Terraform identifier as the name.
fn parse_address(stack: &str, text: &str) -> Option<Address> {
    let (kind, name) = text.split_once('.')?;
    let ident = |s: &str, first: fn(char) -> bool| {
        s.chars().next().is_some_and(first)
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let kind_ok = ident(kind, |c| c.is_ascii_lowercase()) && kind.contains('_') && kind != "data";
    (kind_ok && ident(name, |c| c.is_ascii_alphabetic() || c == '_'))
        .then(|| Address::resource(stack, kind, name))
}

/// Sets `value` at a dotted key path, creating (or replacing non-map values with) maps on the way.
fn set_path(map: &mut Map, dotted: &str, value: Value) {
    match dotted.split_once('.') {
        None => {
            map.insert(dotted.to_owned().into(), value);
        }
        Some((head, rest)) => {
            let slot = map
                .entry(head.to_owned().into())
                .or_insert_with(|| Value::Map(Map::new()));
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::Map(Map::new());
            }
            if let Value::Map(m) = slot {
                set_path(m, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledged_removals_reach_the_graph_once() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.acknowledge_removal("aws_db_instance.orders_db");
        stack.acknowledge_removal("aws_db_instance.orders_db");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.acknowledged_removals,
            [Address::resource("prod", "aws_db_instance", "orders_db")]
        );
    }

    #[test]
    fn fails_an_account_id_that_is_not_12_digits() {
        let ok = Stack::new("prod", "us-east-1").account("012345678901");
        assert!(ok.lower().diagnostics.is_empty());
        let g = Stack::new("prod", "us-east-1")
            .account("12345678901")
            .account("1234-5678-9012")
            .lower();
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_acknowledging_something_that_is_not_a_resource_address() {
        let mut stack = Stack::new("prod", "us-east-1");
        for bad in [
            "orders_db",
            "data.aws_iam_policy_document.x",
            "aws_db_instance.",
            "aws_db_instance.a.b",
            "Aws_db.x",
        ] {
            stack.acknowledge_removal(bad);
        }
        let g = stack.lower();
        assert!(g.acknowledged_removals.is_empty());
        assert_eq!(g.diagnostics.error_count(), 5, "{}", g.diagnostics);
        assert!(g.diagnostics.iter().all(|d| d.code == "SS0008"));
    }
}
