//! The neutral resource graph a stack lowers into, and the context constructs lower with.

use crate::hash::{HashMap, HashSet};

use indexmap::{IndexMap, IndexSet};

use crate::terraform::{Map, Output, Provider, Resource, Value};
use crate::{
    Address, Cidr, Crossing, Diagnostic, Diagnostics, Edge, Facts, KubeExisting, KubeObject,
    KubeUse, NameRule, Node, Offer, Path, Placement, Provision, Requirement,
};

/// Everything one stack lowers to, before serialisation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// The stack's name.
    pub stack: String,
    /// The stack's region.
    pub region: String,
    /// The stack's AWS account id, when declared ([`crate::Stack::account`]).
    pub account: Option<String>,
    /// Providers, by local name.
    pub providers: IndexMap<String, Provider>,
    /// The S3 backend block, if any.
    pub backend: Option<Map>,
    /// Managed resources, in the order constructs created them.
    pub resources: Vec<Resource>,
    /// Data sources.
    pub data: Vec<Resource>,
    /// Ephemeral resources (values opened during a run for write-only arguments, never in
    /// state): a generated password.
    pub ephemeral: Vec<Resource>,
    /// Files the stack's Terraform root ships beside its `main.tf.json` (a Lambda function's
    /// code package), by path inside the root (`assets/secret-rotation.zip`), each once, in the
    /// order first shipped. Written byte for byte; `manifest.json` lists each with its sha256.
    pub assets: IndexMap<String, Vec<u8>>,
    /// The cloud secrets the cluster's objects sync (External Secrets), each once: what the
    /// syncing controller's identity may read.
    pub synced_secrets: Vec<crate::StoredSecret>,
    /// Outputs.
    pub outputs: Vec<Output>,
    /// Kubernetes objects.
    pub objects: Vec<KubeObject>,
    /// Secret/ConfigMap keys read by workloads.
    pub uses: Vec<KubeUse>,
    /// Secret/ConfigMap keys provided outside stacksmith (declared external).
    pub externals: Vec<KubeUse>,
    /// Kubernetes objects that exist on the cluster without the stack creating them, declared
    /// on purpose (a namespace such as `kube-system`).
    pub existing: Vec<KubeExisting>,
    /// Kubernetes objects named from outside the Kubernetes output (the ServiceAccount of an
    /// EKS Pod Identity association), which the stack must create (SS0530).
    pub named: Vec<crate::KubeNamed>,
    /// ConfigMap/Secret keys whose values come from the cloud side: written by the generated
    /// `cluster/` Terraform root, read by workloads (see [`Crossing`]).
    pub crossings: Vec<Crossing>,
    /// Address space claimed by networks (a VPC's CIDR block), with the construct claiming it:
    /// the app warns when two overlap.
    pub address_space: Vec<(Path, Cidr)>,
    /// Stacks of the same app that must be applied before this one (e.g. the source of a
    /// cross-region replica), found by name rather than through their state.
    pub after: Vec<String>,
    /// What the stack uses but does not create (state bucket, looked-up zones, web ACLs), each
    /// with the command that checks it exists: listed in the synth summary and `manifest.json`.
    pub prerequisites: Vec<crate::Prerequisite>,
    /// Resources of the previous output the stack's author acknowledged removing
    /// (`Stack::acknowledge_removal`): synth lets these stateful resources be destroyed.
    pub acknowledged_removals: Vec<Address>,
    /// Attributes set with `Stack::override_attribute`, as (resource, dotted attribute path):
    /// diagnostics about such a value say the override set it.
    pub overridden: Vec<(Address, String)>,
    /// What the architecture diagram draws, declared by constructs (see [`crate::drawing`]).
    pub nodes: Vec<Node>,
    /// Relationships between constructs (security rules, forwarding, grants, replication,
    /// routes), recorded where they are created.
    pub edges: Vec<Edge>,
    /// Where boxes declared [`crate::Within::Placed`] sit, said by other constructs.
    pub placements: Vec<Placement>,
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// What objects need from the cluster (see [`crate::platform`]), each once, in the order
    /// first recorded.
    pub requirements: IndexSet<Requirement>,
    /// What the stack installs on its cluster, or declares installed (prerequisites).
    pub provisions: Vec<Provision>,
    /// What the stack's cluster could install, with the line that does so.
    pub offers: Vec<Offer>,
    /// Terraform resources of the `cluster/` root that constructs declare (Helm releases of
    /// cluster add-ons); their references to this root's resources are read through data sources.
    pub cluster_resources: Vec<Resource>,
    /// Namespaces the `cluster/` root's releases put objects into (Reloader's Roles in the
    /// namespaces it watches): the stack's Namespace objects for them are applied before it.
    pub cluster_namespaces: Vec<String>,
    /// The Kubernetes minor version of the stack's cluster (`1.35`), recorded in `manifest.json`.
    pub kubernetes_version: Option<String>,
    /// Data sources shared by the whole stack, to add each once.
    shared: HashSet<Address>,
    /// Resources that several constructs may declare alike (a security-group rule between the
    /// same two groups), added once.
    shared_resources: HashSet<Address>,
    /// Where each resource added through [`Lowering`] sits in `resources` (the first one, if
    /// two share an address), so [`Graph::resource`] finds it without a scan.
    index: HashMap<Address, usize>,
    /// Set in a graph lowering a part of the stack apart ([`Graph::part`]): what is checked
    /// against the whole stack, kept for [`Graph::absorb`] to do in order.
    deferred: Option<Box<Deferred>>,
}

/// What a part of a stack lowered apart leaves to its merge: the checks that need every
/// construct lowered before it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Deferred {
    /// Every [`Lowering::asset`] call, as (path in the root, bytes, construct shipping it).
    assets: Vec<(String, Vec<u8>, Path)>,
    /// Every root cause marked ([`Lowering::check_name_from`]), as (path, diagnostics
    /// recorded in the part until then): a mark covers the errors recorded before it.
    root_causes: Vec<(String, usize)>,
    /// Where the resources and the data sources kept once per stack
    /// ([`Lowering::resource_once`], [`Lowering::shared_data`]) sit in the part, in order: kept
    /// at the merge only if no earlier part kept one at their address.
    shared_resources_at: Vec<usize>,
    shared_data_at: Vec<usize>,
}

impl Graph {
    /// An empty graph for a stack.
    pub fn new(stack: &str, region: &str) -> Self {
        Self {
            stack: stack.to_owned(),
            region: region.to_owned(),
            ..Self::default()
        }
    }

    /// An empty graph for lowering a part of the stack's constructs apart (on another core):
    /// the stack's name, region and account, nothing lowered. [`Graph::absorb`] merges it.
    pub(crate) fn part(&self) -> Self {
        Self {
            stack: self.stack.clone(),
            region: self.region.clone(),
            account: self.account.clone(),
            deferred: Some(Box::default()),
            ..Self::default()
        }
    }

    /// Merges `part` ([`Graph::part`]), lowered from the constructs that follow the ones
    /// lowered here, as if they had lowered into this graph: lists appended in order, what is
    /// kept once (shared data sources and rules, providers, prerequisites, requirements,
    /// synced secrets) kept at its first declaration, assets shipped and root causes marked
    /// as they would have been then.
    pub(crate) fn absorb(&mut self, part: Graph) {
        let Graph {
            stack: _,
            region: _,
            account: _,
            providers,
            backend: _,
            resources,
            data,
            ephemeral,
            assets,
            synced_secrets,
            outputs,
            objects,
            uses,
            externals,
            existing,
            named,
            crossings,
            address_space,
            after,
            prerequisites,
            acknowledged_removals,
            overridden,
            nodes,
            edges,
            placements,
            diagnostics,
            requirements,
            provisions,
            offers,
            cluster_resources,
            cluster_namespaces,
            kubernetes_version,
            shared: _,
            shared_resources,
            index,
            deferred,
        } = part;
        for (name, p) in providers {
            self.providers.entry(name).or_insert(p);
        }
        let mut deferred = deferred.unwrap_or_default();
        if self.resources.is_empty() && self.index.is_empty() && self.shared_resources.is_empty() {
            // The first part with resources: they, their index and the rules kept once are
            // already what adding them one by one would make.
            self.resources = resources;
            self.index = index;
            self.shared_resources = shared_resources;
        } else {
            self.resources.reserve(resources.len());
            self.index.reserve(resources.len());
            let shared_at = std::mem::take(&mut deferred.shared_resources_at);
            for (r, once) in resources.into_iter().zip(kept_once(&shared_at)) {
                if once {
                    self.add_shared_resource(r);
                } else {
                    self.push_resource(r);
                }
            }
        }
        let shared_at = std::mem::take(&mut deferred.shared_data_at);
        for (r, once) in data.into_iter().zip(kept_once(&shared_at)) {
            if once {
                self.add_shared_data(r);
            } else {
                self.data.push(r);
            }
        }
        self.ephemeral.extend(ephemeral);
        self.assets.extend(assets);
        for s in synced_secrets {
            self.add_synced_secret(s);
        }
        self.outputs.extend(outputs);
        self.objects.extend(objects);
        self.uses.extend(uses);
        self.externals.extend(externals);
        self.existing.extend(existing);
        self.named.extend(named);
        self.crossings.extend(crossings);
        self.address_space.extend(address_space);
        for stack in after {
            self.add_after(stack);
        }
        for p in prerequisites {
            self.add_prerequisite(p);
        }
        self.acknowledged_removals.extend(acknowledged_removals);
        self.overridden.extend(overridden);
        self.nodes.extend(nodes);
        self.edges.extend(edges);
        self.placements.extend(placements);
        let before = self.diagnostics.len();
        self.diagnostics.extend(diagnostics);
        self.requirements.extend(requirements);
        self.provisions.extend(provisions);
        self.offers.extend(offers);
        self.cluster_resources.extend(cluster_resources);
        for ns in cluster_namespaces {
            self.add_cluster_namespace(ns);
        }
        if kubernetes_version.is_some() {
            self.kubernetes_version = kubernetes_version;
        }
        for (path, recorded) in deferred.root_causes {
            self.diagnostics
                .mark_root_cause_among(&path, before.saturating_add(recorded));
        }
        for (path, bytes, owner) in deferred.assets {
            self.ship(path, bytes, &owner);
        }
    }

    /// Adds a resource several constructs may declare alike, unless one at its address was
    /// added so ([`Lowering::resource_once`]).
    fn add_shared_resource(&mut self, r: Resource) {
        if self.shared_resources.insert(r.address.clone()) {
            if let Some(deferred) = &mut self.deferred {
                deferred.shared_resources_at.push(self.resources.len());
            }
            self.push_resource(r);
        }
    }

    /// Adds a data source shared by the stack, unless it was ([`Lowering::shared_data`]).
    fn add_shared_data(&mut self, r: Resource) {
        if self.shared.insert(r.address.clone()) {
            if let Some(deferred) = &mut self.deferred {
                deferred.shared_data_at.push(self.data.len());
            }
            self.data.push(r);
        }
    }

    /// Records a synced cloud secret, once ([`Lowering::sync_secret`]).
    fn add_synced_secret(&mut self, secret: crate::StoredSecret) {
        if !self.synced_secrets.contains(&secret) {
            self.synced_secrets.push(secret);
        }
    }

    /// Records a stack to apply first, once ([`Lowering::after_stack`]).
    fn add_after(&mut self, stack: String) {
        if !self.after.contains(&stack) {
            self.after.push(stack);
        }
    }

    /// Records a prerequisite, once per `what` ([`Lowering::prerequisite`]).
    fn add_prerequisite(&mut self, p: crate::Prerequisite) {
        if !self.prerequisites.iter().any(|q| q.what == p.what) {
            self.prerequisites.push(p);
        }
    }

    /// Records a namespace the `cluster/` root writes into, once
    /// ([`Lowering::cluster_root_writes_into`]).
    fn add_cluster_namespace(&mut self, namespace: String) {
        if !self.cluster_namespaces.contains(&namespace) {
            self.cluster_namespaces.push(namespace);
        }
    }

    /// Ships `bytes` as the asset at `path` for the construct at `owner` (see
    /// [`Lowering::asset`]); in a part, left to [`Graph::absorb`].
    fn ship(&mut self, path: String, bytes: Vec<u8>, owner: &Path) {
        if let Some(deferred) = &mut self.deferred {
            deferred.assets.push((path, bytes, owner.clone()));
            return;
        }
        match self.assets.get(&path) {
            Some(shipped) if *shipped != bytes => self.diagnostics.push(
                Diagnostic::error(
                    "SS0508",
                    owner,
                    format!("two different files are shipped as `terraform/{path}`"),
                )
                .hint("give each construct's file its own name (a construct shipping a file names it after what it holds)"),
            ),
            Some(_) => {}
            None => {
                self.assets.insert(path, bytes);
            }
        }
    }

    /// The requirements nothing in the stack provides.
    pub fn unmet_requirements(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements
            .iter()
            .filter(|r| !self.provisions.iter().any(|p| p.capability == r.capability))
    }

    /// The resource at an address, if any (the first one, if two share it).
    ///
    /// Resources added through [`Lowering`] are found through an index; the index is checked
    /// against `resources` (a public field others may push to or reorder), and a miss falls back
    /// to a scan, so the answer is always the scan's.
    pub fn resource(&self, a: &Address) -> Option<&Resource> {
        match self.index.get(a).and_then(|&i| self.resources.get(i)) {
            Some(r) if &r.address == a && self.first_at(a, r) => Some(r),
            _ => self.resources.iter().find(|r| &r.address == a),
        }
    }

    /// Whether the indexed `r` is the first resource at `a` (always so unless resources were
    /// inserted or reordered outside [`Lowering`]): checked by position, without a scan, when
    /// nothing was pushed outside [`Lowering`].
    fn first_at(&self, a: &Address, r: &Resource) -> bool {
        self.index.len() == self.resources.len()
            || self
                .resources
                .iter()
                .find(|x| &x.address == a)
                .is_some_and(|x| std::ptr::eq(x, r))
    }

    fn push_resource(&mut self, r: Resource) {
        self.index
            .entry(r.address.clone())
            .or_insert(self.resources.len());
        self.resources.push(r);
    }
}

/// For each item of a part, in order, whether it was kept once per stack, from the sorted
/// places of those that were.
fn kept_once(at: &[usize]) -> impl Iterator<Item = bool> + '_ {
    let mut next = at.iter().peekable();
    (0..).map(move |i| next.next_if(|&&at| at == i).is_some())
}

/// Where a name checked by [`Lowering::check_name_from`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameOrigin {
    /// Derived from the construct path (the default name).
    Path,
    /// Written by the user, with the call named here (`` `.name(..)` ``, `` `Namespace::new(..)` ``).
    Given(&'static str),
}

impl NameOrigin {
    /// [`NameOrigin::Given`] by `.name(..)` when the name was set with it, else
    /// [`NameOrigin::Path`].
    pub fn name_setter(set: bool) -> Self {
        if set {
            Self::Given("`.name(..)`")
        } else {
            Self::Path
        }
    }
}

/// What a construct lowers with: its path, the stack's settings, and the graph it adds to.
pub struct Lowering<'a> {
    graph: &'a mut Graph,
    path: Path,
    tags: &'a IndexMap<String, String>,
}

impl<'a> Lowering<'a> {
    /// A context for the construct at `path`.
    pub fn new(graph: &'a mut Graph, path: Path, tags: &'a IndexMap<String, String>) -> Self {
        Self { graph, path, tags }
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A context for a part of this construct that lowers like a construct of its own, at
    /// `path/id` (a release lowering its `blue` and `green` Deployments): same graph, same
    /// stack tags. Everything it adds, and every diagnostic it records, lands in this graph
    /// under the child's path. The child is not registered with the stack, so the caller keeps
    /// its ids distinct from those of constructs added under the same parent.
    pub fn child(&mut self, id: &str) -> Lowering<'_> {
        Lowering {
            graph: &mut *self.graph,
            path: self.path.child(id),
            tags: self.tags,
        }
    }

    /// The stack's AWS region.
    pub fn region(&self) -> &str {
        &self.graph.region
    }

    /// The stack's AWS account id, when the stack declares it ([`crate::Stack::account`]).
    pub fn account(&self) -> Option<&str> {
        self.graph.account.as_deref()
    }

    /// The stack's default tags.
    pub fn stack_tags(&self) -> &IndexMap<String, String> {
        self.tags
    }

    /// A Terraform local name for a part of this construct: `network_private_a` for part
    /// `private-a` of `prod/network`. Empty `part`: the construct itself.
    pub fn tf_name(&self, part: &str) -> String {
        tf_name(&self.path, part)
    }

    /// A cloud resource name for a part of this construct: the kebab-case path, stack
    /// included (`prod-network-private-a`).
    pub fn name(&self, part: &str) -> String {
        cloud_name(&self.path, part)
    }

    /// Checks `name` against `rule`; on failure records an error naming `field` and how to fix it.
    /// When the path itself holds an invalid stack name or construct id (SS0001, reported when
    /// it was added), the name only inherits that problem: it fails without a second error.
    pub fn check_name(&mut self, rule: &NameRule, name: &str, field: &str) -> bool {
        self.check_name_from(rule, name, field, NameOrigin::Path)
    }

    /// Like [`Lowering::check_name`], for a name that may have been given rather than derived:
    /// the hint of SS0103 says where it came from, so the fix lands where the name was written.
    pub fn check_name_from(
        &mut self,
        rule: &NameRule,
        name: &str,
        field: &str,
        origin: NameOrigin,
    ) -> bool {
        match rule.check(name) {
            Ok(()) => true,
            Err(_) if origin == NameOrigin::Path && self.invalid_id().is_some() => {
                if let Some(cause) = self.invalid_id() {
                    self.graph.diagnostics.mark_root_cause(&cause);
                    if let Some(deferred) = &mut self.graph.deferred {
                        let recorded = self.graph.diagnostics.len();
                        deferred.root_causes.push((cause, recorded));
                    }
                }
                false
            }
            Err(msg) => {
                let hint = match origin {
                    NameOrigin::Path => format!(
                        "the {field} is derived from the construct path `{}`; shorten the construct id or the stack name",
                        self.path
                    ),
                    NameOrigin::Given(how) => {
                        format!("the {field} was given with {how}; change it there")
                    }
                };
                let d =
                    Diagnostic::error("SS0103", &self.path, format!("{msg} ({field})")).hint(hint);
                self.diag(d);
                false
            }
        }
    }

    /// The path up to the first invalid stack name or construct id of this construct's path,
    /// where SS0001 reported it; `None` when every id is valid.
    fn invalid_id(&self) -> Option<String> {
        let mut path = Path::root(self.path.stack());
        if NameRule::DNS_LABEL.check(self.path.stack()).is_err() {
            return Some(path.to_string());
        }
        for id in self.path.below_stack() {
            path = path.child(id);
            if crate::validate_id(id).is_err() {
                return Some(path.to_string());
            }
        }
        None
    }

    /// The address a part of this construct would get.
    pub fn address(&self, kind: &str, part: &str) -> Address {
        Address::resource(&self.graph.stack, kind, &self.tf_name(part))
    }

    /// Adds a managed resource for a part of this construct and returns its address.
    pub fn add(&mut self, kind: &str, part: &str, body: Map) -> Address {
        let r = Resource::new(self.address(kind, part), self.path.clone(), body);
        self.resource(r)
    }

    /// Adds a managed resource for a part of this construct with what it is declared
    /// ([`Facts`]: stateful, security-relevant, its cloud identity, how it is found).
    pub fn add_with(&mut self, kind: &str, part: &str, body: Map, facts: Facts) -> Address {
        let r = Resource::new(self.address(kind, part), self.path.clone(), body).facts(facts);
        self.resource(r)
    }

    /// Adds a fully built resource.
    pub fn resource(&mut self, r: Resource) -> Address {
        let a = r.address.clone();
        self.graph.push_resource(r);
        a
    }

    /// Adds a resource that several constructs may declare alike (one security-group rule
    /// between two groups on one port, whoever declares it): the first declaration wins and
    /// later ones with the same address are dropped.
    pub fn resource_once(&mut self, r: Resource) -> Address {
        let a = r.address.clone();
        self.graph.add_shared_resource(r);
        a
    }

    /// Adds a data source shared by the stack (added once, by the first construct asking).
    pub fn shared_data(&mut self, kind: &str, name: &str, body: Map) -> Address {
        let a = Address::data(&self.graph.stack, kind, name);
        // Looked up first: most constructs asking find it added, and need not build it.
        if !self.graph.shared.contains(&a) {
            let root = Path::root(&self.graph.stack);
            self.graph
                .add_shared_data(Resource::new(a.clone(), root, body));
        }
        a
    }

    /// Adds a data source for a part of this construct.
    pub fn data(&mut self, kind: &str, part: &str, body: Map) -> Address {
        self.data_with(kind, part, body, Facts::new())
    }

    /// Adds a data source for a part of this construct with what it is declared (an IAM
    /// policy document is security-relevant).
    pub fn data_with(&mut self, kind: &str, part: &str, body: Map, facts: Facts) -> Address {
        let a = Address::data(&self.graph.stack, kind, &self.tf_name(part));
        self.graph
            .data
            .push(Resource::new(a.clone(), self.path.clone(), body).facts(facts));
        a
    }

    /// Adds an ephemeral resource for a part of this construct: its values exist only during a
    /// run and may reach only write-only arguments (`secret_string_wo`, `password_wo`).
    pub fn ephemeral(&mut self, kind: &str, part: &str, body: Map) -> Address {
        let a = Address::ephemeral(&self.graph.stack, kind, &self.tf_name(part));
        self.graph
            .ephemeral
            .push(Resource::new(a.clone(), self.path.clone(), body));
        a
    }

    /// Ships `bytes` as the file `assets/<name>` of the stack's Terraform root and returns that
    /// path, relative to the root: what a resource's `filename` argument takes, since Terraform
    /// runs in the root. Constructs shipping the same file (same name, same bytes) share it; a
    /// different file under a name already shipped is an error (SS0508), never a silent
    /// overwrite.
    pub fn asset(&mut self, name: &str, bytes: Vec<u8>) -> String {
        let path = format!("assets/{name}");
        self.graph.ship(path.clone(), bytes, &self.path);
        path
    }

    /// Records that the cluster syncs `secret` (an `ExternalSecret` reads it): the syncing
    /// controller's identity is allowed to read it. Recorded once.
    pub fn sync_secret(&mut self, secret: &crate::StoredSecret) {
        self.graph.add_synced_secret(secret.clone());
    }

    /// The cloud secrets synced so far (read in [`crate::Lower::finish`]).
    pub fn synced_secrets(&self) -> Vec<crate::StoredSecret> {
        self.graph.synced_secrets.clone()
    }

    /// Adds an output named after this construct (`cache_primary_endpoint` for part
    /// `primary-endpoint`).
    pub fn output(
        &mut self,
        part: &str,
        value: impl Into<Value>,
        description: &str,
        sensitive: bool,
    ) {
        self.graph.outputs.push(Output {
            name: self.tf_name(part),
            owner: self.path.clone(),
            value: value.into(),
            description: description.to_owned(),
            sensitive,
        });
    }

    /// Whether a provider of this name is already required (by an earlier construct).
    pub fn has_provider(&self, name: &str) -> bool {
        self.graph.providers.contains_key(name)
    }

    /// Requires a provider (the first configuration registered wins).
    pub fn provider(&mut self, name: &str, provider: Provider) {
        self.graph
            .providers
            .entry(name.to_owned())
            .or_insert(provider);
    }

    /// Adds a Kubernetes object.
    pub fn object(&mut self, o: KubeObject) {
        let needs = crate::platform::object_requirements(&o);
        let provides = crate::platform::object_provision(&o);
        if !needs.is_empty() || provides.is_some() {
            let object = match &o.namespace {
                Some(ns) => format!("{} `{ns}/{}`", o.kind, o.name),
                None => format!("{} `{}`", o.kind, o.name),
            };
            for capability in needs {
                self.require(object.clone(), capability);
            }
            if let Some(capability) = provides {
                self.provide(capability, object);
            }
        }
        self.graph.objects.push(o);
    }

    /// Records that something reads a Secret or ConfigMap key.
    pub fn uses(&mut self, u: KubeUse) {
        self.graph.uses.push(u);
    }

    /// Records a Secret or ConfigMap key provided outside stacksmith.
    pub fn external(&mut self, u: KubeUse) {
        self.graph.externals.push(u);
    }

    /// Declares an object that exists on the cluster without the stack creating it.
    pub fn existing(&mut self, e: KubeExisting) {
        self.graph.existing.push(e);
    }

    /// Records that this construct names a Kubernetes object the stack must create (SS0530),
    /// and, for a ServiceAccount, the label its pods must carry (SS0535).
    pub fn names_object(&mut self, named: crate::KubeNamed) {
        self.graph.named.push(named);
    }

    /// Records that a workload reads a cloud value through a generated ConfigMap or Secret key.
    /// The key counts as declared; the synthesizer writes the object from the `cluster/` root.
    pub fn crossing(&mut self, c: Crossing) {
        self.graph.crossings.push(c);
    }

    /// Declares a box of the architecture diagram (this construct, or a part of it).
    pub fn node(&mut self, n: Node) {
        self.graph.nodes.push(n);
    }

    /// Records a relationship the diagram draws (a security rule, a grant, forwarding).
    pub fn edge(&mut self, e: Edge) {
        self.graph.edges.push(e);
    }

    /// Says where the box of the construct at `of` sits, if it is declared
    /// [`crate::Within::Placed`] and nothing placed it before: in the box of `within`.
    pub fn place(&mut self, of: &Path, within: &Path) {
        self.graph.placements.push(Placement {
            of: of.clone(),
            within: within.clone(),
        });
    }

    /// Claims `cidr` as this construct's network address space (checked app-wide for overlap).
    pub fn claim_address_space(&mut self, cidr: Cidr) {
        let path = self.path.clone();
        self.graph.address_space.push((path, cidr));
    }

    /// Records that the stack `stack` must be applied before this one.
    pub fn after_stack(&mut self, stack: &str) {
        if stack != self.graph.stack {
            self.graph.add_after(stack.to_owned());
        }
    }

    /// Records something this construct needs that the stack does not create (an existing
    /// hosted zone, web ACL or parameter), with a read-only command that checks it exists.
    /// Recorded once however many constructs need it.
    pub fn prerequisite(&mut self, what: impl Into<String>, check: impl Into<String>) {
        let p = crate::Prerequisite::new(what, &self.path, check);
        self.graph.add_prerequisite(p);
    }

    /// Records that `object` (made by this construct) needs `capability` from the cluster.
    pub fn require(&mut self, object: impl Into<String>, capability: crate::Capability) {
        let r = Requirement {
            owner: self.path.clone(),
            object: object.into(),
            capability,
        };
        self.graph.requirements.insert(r);
    }

    /// Records that this construct installs `capability` (`by`: what it installs).
    pub fn provide(&mut self, capability: crate::Capability, by: impl Into<String>) {
        self.graph.provisions.push(Provision {
            capability,
            by: by.into(),
            prerequisite: false,
        });
    }

    /// Records that this construct could install `capability` with the line `install`.
    pub fn offer(&mut self, capability: crate::Capability, install: impl Into<String>) {
        self.graph.offers.push(Offer {
            capability,
            install: install.into(),
        });
    }

    /// What the stack's objects need so far (read in [`crate::Lower::finish`]).
    pub fn requirements(&self) -> Vec<Requirement> {
        self.graph.requirements.iter().cloned().collect()
    }

    /// The namespaces of the stack's objects that need `capability` so far, each once, sorted
    /// (what a namespace-scoped controller must watch). One pass over the objects.
    pub fn namespaces_requiring(&self, capability: &crate::Capability) -> Vec<String> {
        let namespaces: std::collections::BTreeSet<&str> = self
            .graph
            .objects
            .iter()
            .filter_map(|o| o.namespace.as_deref().map(|ns| (ns, o)))
            .filter(|(_, o)| crate::platform::object_requirements(o).contains(capability))
            .map(|(ns, _)| ns)
            .collect();
        namespaces.into_iter().map(str::to_owned).collect()
    }

    /// Whether something in the stack provides `capability` so far.
    pub fn provided(&self, capability: &crate::Capability) -> bool {
        self.graph
            .provisions
            .iter()
            .any(|p| &p.capability == capability)
    }

    /// Adds a resource to the `cluster/` root (a Helm release of an add-on).
    pub fn cluster_resource(&mut self, r: Resource) -> Address {
        let a = r.address.clone();
        self.graph.cluster_resources.push(r);
        a
    }

    /// Records that a `cluster/` root release creates objects in `namespace`, which must exist
    /// before that root is applied.
    pub fn cluster_root_writes_into(&mut self, namespace: &str) {
        self.graph.add_cluster_namespace(namespace.to_owned());
    }

    /// Whether the stack has anything to apply to a Kubernetes cluster: objects, cloud values
    /// for the `cluster/` root, or its resources (read in [`crate::Lower::finish`]).
    pub fn has_kubernetes_work(&self) -> bool {
        !self.graph.objects.is_empty()
            || !self.graph.crossings.is_empty()
            || !self.graph.cluster_resources.is_empty()
    }

    /// Whether an error has been recorded in the stack so far.
    pub fn has_errors(&self) -> bool {
        self.graph.diagnostics.has_errors()
    }

    /// Whether the `cluster/` root has a resource at `a` so far.
    pub fn has_cluster_resource(&self, a: &Address) -> bool {
        self.graph.cluster_resources.iter().any(|r| &r.address == a)
    }

    /// Records the Kubernetes minor version of the stack's cluster.
    pub fn kubernetes_version(&mut self, version: &str) {
        self.graph.kubernetes_version = Some(version.to_owned());
    }

    /// Records a diagnostic.
    pub fn diag(&mut self, d: Diagnostic) {
        self.graph.diagnostics.push(d);
    }

    /// Records an error at this construct's path.
    pub fn error(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let d = Diagnostic::error(code, &self.path, message).hint(hint);
        self.diag(d);
    }

    /// Records a warning at this construct's path.
    pub fn warning(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let d = Diagnostic::warning(code, &self.path, message).hint(hint);
        self.diag(d);
    }
}

/// The Terraform local name for a part of the construct at `path` (stack left out: the stack
/// is the root module).
pub fn tf_name(path: &Path, part: &str) -> String {
    let pieces = path.below_stack().iter().map(String::as_str);
    if let Some(name) = crate::naming::case_join(pieces.chain([part]), '_') {
        return name;
    }
    let mut s = path.below_stack().join("_");
    if !part.is_empty() {
        if !s.is_empty() {
            s.push('_');
        }
        s.push_str(part);
    }
    crate::snake_case(&s)
}

/// The cloud-side name for a part of the construct at `path`, stack included.
pub fn cloud_name(path: &Path, part: &str) -> String {
    let pieces = path.segments().iter().map(String::as_str);
    if let Some(name) = crate::naming::case_join(pieces.chain([part]), '-') {
        return name;
    }
    let mut s = path.segments().join("-");
    if !part.is_empty() {
        s.push('-');
        s.push_str(part);
    }
    crate::kebab_case(&s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf;

    #[test]
    fn fails_two_files_shipped_under_one_name() {
        let mut g = Graph::new("prod", "us-east-1");
        let tags = IndexMap::new();
        let mut cx = Lowering::new(&mut g, Path::root("prod").child("a"), &tags);
        assert_eq!(cx.asset("code.zip", vec![1, 2]), "assets/code.zip");
        assert_eq!(cx.asset("code.zip", vec![1, 2]), "assets/code.zip");
        assert!(!cx.has_errors());
        cx.asset("code.zip", vec![3]);
        assert_eq!(g.assets.len(), 1);
        assert_eq!(g.assets.get("assets/code.zip"), Some(&vec![1, 2]));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    /// What a part kept once per stack is kept at the merge only if no earlier part kept one
    /// at its address, whatever else the part added there: a plain resource at an address a
    /// rule was kept at stays, as it does when the stack is lowered whole.
    #[test]
    fn a_part_merges_what_it_kept_once_as_a_whole_lowering_keeps_it() {
        let tags = IndexMap::new();
        let x = Address::resource("prod", "aws_rule", "x");
        let y = Address::data("prod", "aws_zone", "y");
        let rule = |how: &str| {
            Resource::new(
                x.clone(),
                Path::root("prod").child("a"),
                tf! { "how" => how },
            )
        };
        let first = |cx: &mut Lowering<'_>| {
            cx.resource_once(rule("first once"));
            cx.shared_data("aws_zone", "y", tf! { "how" => "first once" });
        };
        let second = |cx: &mut Lowering<'_>| {
            cx.resource(rule("plain"));
            cx.resource_once(rule("second once"));
            cx.graph.data.push(Resource::new(
                y.clone(),
                Path::root("prod"),
                tf! { "how" => "plain" },
            ));
            cx.shared_data("aws_zone", "y", tf! { "how" => "second once" });
        };
        let lower = |g: &mut Graph, id: &str, f: &dyn Fn(&mut Lowering<'_>)| {
            f(&mut Lowering::new(g, Path::root("prod").child(id), &tags));
        };
        let mut whole = Graph::new("prod", "us-east-1");
        lower(&mut whole, "a", &first);
        lower(&mut whole, "b", &second);
        let mut merged = Graph::new("prod", "us-east-1");
        let (mut one, mut two) = (merged.part(), merged.part());
        lower(&mut one, "a", &first);
        lower(&mut two, "b", &second);
        merged.absorb(one);
        merged.absorb(two);
        let how = |rs: &[Resource]| -> Vec<String> {
            rs.iter()
                .map(|r| format!("{:?}", r.body.get("how")))
                .collect()
        };
        assert_eq!(how(&merged.resources), how(&whole.resources));
        assert_eq!(how(&merged.data), how(&whole.data));
        assert_eq!(how(&whole.resources).len(), 2);
        assert!(merged == whole);
    }

    #[test]
    fn names_derive_from_the_path() {
        let p = Path::root("prod").child("metadataDb");
        assert_eq!(tf_name(&p, "subnet-group"), "metadata_db_subnet_group");
        assert_eq!(
            cloud_name(&p, "subnet-group"),
            "prod-metadata-db-subnet-group"
        );
        assert_eq!(tf_name(&p, ""), "metadata_db");
    }

    #[test]
    fn child_lowers_into_the_same_graph_under_its_own_path() {
        let mut graph = Graph::new("prod", "us-east-1");
        let tags = IndexMap::new();
        let mut cx = Lowering::new(&mut graph, Path::root("prod").child("api"), &tags);
        {
            let mut blue = cx.child("blue");
            assert_eq!(blue.path().to_string(), "prod/api/blue");
            assert_eq!(blue.name("x"), "prod-api-blue-x");
            let a = blue.add("aws_thing", "x", Map::new());
            assert_eq!(a, Address::resource("prod", "aws_thing", "api_blue_x"));
            blue.warning("SS0000", "from the child", "none");
        }
        cx.add("aws_thing", "y", Map::new());
        assert_eq!(cx.path().to_string(), "prod/api");
        let owners: Vec<String> = graph
            .resources
            .iter()
            .map(|r| r.owner.to_string())
            .collect();
        assert_eq!(owners, ["prod/api/blue", "prod/api"]);
        assert_eq!(
            graph
                .diagnostics
                .iter()
                .map(|d| d.path.as_str())
                .collect::<Vec<_>>(),
            ["prod/api/blue"]
        );
    }
}
