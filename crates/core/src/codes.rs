//! Every diagnostic code, declared once: its title and a one-line explanation. The CLI prints an
//! entry with `--explain SS0101`; a test (`tests/codes.rs`) checks that every code the sources
//! emit is in [`CODES`] and every entry of it is emitted somewhere.
//!
//! Ranges: SS00xx the app and its stacks; SS01xx AWS constructs (SS0170–SS0179 AWS service
//! limits: tags, regions, instance types); SS02xx whole-stack checks and the generated
//! `cluster/` root; SS03xx Kubernetes constructs; SS04xx the Kubernetes API server's limits
//! (SS0400–SS0439: names, ports, ids, sizes the API server or the kernel refuses). A code is
//! never reused for a different problem: tools and allow-lists key on it.
//! Ranges: SS00xx the app and its stacks; SS01xx AWS constructs; SS02xx whole-stack checks and
//! the generated `cluster/` root; SS03xx Kubernetes constructs. A code is never reused for a
//! different problem: tools and allow-lists key on it.
//! SS06xx AWS edge and operations constructs.

use std::fmt;

/// One diagnostic code: what it means and what to do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    /// The code, e.g. `SS0101`.
    pub code: &'static str,
    /// What is wrong, in a few words.
    pub title: &'static str,
    /// Why it matters or how to fix it, in one line.
    pub explanation: &'static str,
}

impl Code {
    /// The entry for `code` (case-insensitive: `ss0101` finds `SS0101`), if there is one.
    pub fn find(code: &str) -> Option<&'static Code> {
        CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// Where the rule comes from: the AWS or Kubernetes documentation pages (or the Terraform,
    /// Linux or stacksmith document) stating the limit or behaviour it guards. Empty for a code
    /// no source is recorded for yet, which a test refuses.
    pub fn sources(&self) -> &'static [&'static str] {
        crate::code_sources::SOURCES
            .iter()
            .find(|(c, _)| *c == self.code)
            .map_or(&[], |(_, s)| *s)
    }
}

/// The sections of the rule catalogue: the first code of each range and its heading.
const SECTIONS: &[(&str, &str)] = &[
    ("SS0000", "The app and its stacks"),
    ("SS0100", "AWS constructs"),
    ("SS0170", "AWS service limits"),
    (
        "SS0200",
        "Whole-stack checks and the generated `cluster/` root",
    ),
    ("SS0300", "Kubernetes constructs"),
    ("SS0400", "Kubernetes API-server limits"),
];

/// The rule catalogue, `docs/rules.md`: every code with what it prevents and its sources,
/// generated from [`CODES`] (a test keeps the file equal to this text).
pub fn catalogue() -> String {
    let mut out = String::from(
        "# stacksmith rules\n\n\
         Every check stacksmith runs before anything is written, one row per diagnostic code: what \
         it prevents and where the limit or behaviour it guards is documented. A code whose title \
         ends in \"(warning)\" only warns; the others stop synth (a few of them, such as SS0105, \
         also warn about a value that is legal but risky).\n\n\
         Generated from `crates/core/src/codes.rs` and `crates/core/src/code_sources.rs`; do not \
         edit by hand. After changing either, run `STACKSMITH_BLESS=1 cargo test --test codes` to \
         regenerate it. `<app> --explain SSxxxx` prints one entry.\n",
    );
    for (i, (start, heading)) in SECTIONS.iter().enumerate() {
        let end = SECTIONS
            .get(i.saturating_add(1))
            .map_or("SS9999", |(next, _)| *next);
        let rows: Vec<&Code> = CODES
            .iter()
            .filter(|c| c.code >= *start && c.code < end)
            .collect();
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {heading}\n\n| Code | Rule | What it prevents | Source |\n| --- | --- | --- | --- |\n"
        ));
        for c in rows {
            let sources: Vec<String> = c.sources().iter().map(|s| source_link(s)).collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                c.code,
                cell(c.title),
                cell(c.explanation),
                sources.join("<br>")
            ));
        }
    }
    out
}

/// A table cell: `|` escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A source as Markdown: a URL as a link labelled with its page (`vpc-cidr-blocks`), anything
/// else as text.
fn source_link(source: &str) -> String {
    if !source.starts_with("https://") {
        return cell(source);
    }
    let page = source
        .split('#')
        .next()
        .unwrap_or(source)
        .trim_end_matches('/');
    let label = page
        .rsplit('/')
        .next()
        .unwrap_or(page)
        .trim_end_matches(".html")
        .trim_end_matches(".md")
        .trim_end_matches(".go");
    let host = source
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or_default();
    format!("[{host}: {label}]({source})")
}

impl fmt::Display for Code {
    /// `SS0101: invalid VPC CIDR`, then the explanation on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}\n\n{}", self.code, self.title, self.explanation)
    }
}

const fn c(code: &'static str, title: &'static str, explanation: &'static str) -> Code {
    Code {
        code,
        title,
        explanation,
    }
}

/// Every code, in order.
pub const CODES: &[Code] = &[
    // The app and its stacks.
    c(
        "SS0001",
        "invalid stack name or construct id",
        "Stack names are short DNS labels (`prod`); construct ids use letters, digits, `-` and `_`, starting with a letter, because every generated name is derived from them.",
    ),
    c(
        "SS0002",
        "duplicate construct id",
        "Two constructs with one parent share an id and so one path; the second is not lowered. Give each a distinct id. Constructs that only make a Kubernetes object of their own kind (ServiceAccount, Role, ConfigMap, …) have an id space per kind.",
    ),
    c(
        "SS0003",
        "duplicate stack name",
        "Each stack writes its own folder `<out>/<stack>/`; two stacks of one name would write the same one.",
    ),
    c(
        "SS0004",
        "invalid tag key",
        "AWS tag keys are 1 to 128 characters and must not start with `aws:`, which AWS reserves.",
    ),
    c(
        "SS0005",
        "construct added to another stack",
        "A construct made from another's handle belongs to that construct's stack; add it there, since each stack is its own Terraform root.",
    ),
    c(
        "SS0006",
        "override of an address the stack does not synthesize",
        "`override_attribute` names a resource the stack does not create; `list` shows the addresses it does.",
    ),
    c(
        "SS0007",
        "stack applied after a stack that comes later or is missing",
        "A stack that needs another (a cross-region replica's source) must come after it in the app, and that stack must be part of the app.",
    ),
    c(
        "SS0008",
        "acknowledged removal is not a resource address",
        "`acknowledge_removal` takes a managed resource address as `diff` prints it, `<type>.<name>` (data sources hold no data).",
    ),
    c(
        "SS0009",
        "stateful resource would be destroyed",
        "A database, cache, bucket or other resource holding data in the previous output is no longer synthesized; synth refuses unless `stack.acknowledge_removal(address)` says it is meant.",
    ),
    c(
        "SS0010",
        "acknowledged removal matches nothing (warning)",
        "The acknowledged resource is not in the previous output or is still synthesized; remove the acknowledgement once the destroy is applied.",
    ),
    c(
        "SS0011",
        "overlapping networks (warning)",
        "Two networks of the app claim overlapping CIDR blocks, so they can never be peered or joined by a transit gateway or VPN without renumbering.",
    ),
    // AWS constructs.
    c(
        "SS0101",
        "invalid VPC CIDR",
        "A network's `cidr` must be an IPv4 network with its host bits zero, such as `10.0.0.0/16`; constructs in that network are not checked against it until it is fixed.",
    ),
    c(
        "SS0102",
        "VPC size out of range",
        "AWS allows VPC prefixes /16 to /28; a /16 to /20 leaves every zone roomy subnets (EKS pods take VPC addresses).",
    ),
    c(
        "SS0103",
        "name breaks the target service's rule",
        "A name derived from the construct path, or given with `.name(..)` or a constructor, is too long or uses characters the target service rejects; the hint says which, and so where to fix it (the construct id and stack name, or the given name). A derived name is not reported when the path holds an invalid id (SS0001).",
    ),
    c(
        "SS0104",
        "subnets do not fit the VPC",
        "A network carves a public and a private subnet per zone from its CIDR, each at least a /28; use a larger VPC or fewer zones.",
    ),
    c(
        "SS0105",
        "zone count",
        "A network spans 1 to 6 availability zones, and no more than its region has; one zone (a warning) leaves nothing to fail over to.",
    ),
    c(
        "SS0106",
        "node group sizes",
        "An EKS node group needs min ≤ desired ≤ max, max ≥ 1, and at least one instance type.",
    ),
    c(
        "SS0107",
        "cache nodes",
        "An ElastiCache replication group with automatic failover and Multi-AZ needs 1 to 5 replicas beside its primary.",
    ),
    c(
        "SS0108",
        "database instances",
        "A cluster database has 1 to 16 instances, a writer and up to 15 readers; one instance (a warning) has no reader to fail over to.",
    ),
    c(
        "SS0109",
        "unsupported engine version",
        "The database or cache engine version is not one stacksmith knows the service offers; the hint lists those it does.",
    ),
    c(
        "SS0110",
        "retention out of range",
        "Backup and snapshot retention is 1 to 35 days on RDS, Aurora, DocumentDB and ElastiCache.",
    ),
    c(
        "SS0111",
        "single NAT gateway (warning)",
        "With one NAT gateway every private subnet loses outbound traffic when its zone fails: a cost choice made visible.",
    ),
    c(
        "SS0112",
        "database deletion protection off (warning)",
        "Without deletion protection `terraform destroy` or a replacement can delete the database and its data.",
    ),
    c(
        "SS0113",
        "not a database instance class",
        "Database instance classes start with `db.`, such as `db.m7g.large`.",
    ),
    c(
        "SS0114",
        "database storage out of range",
        "gp3 database storage is 20 to 65536 GiB, and the autoscaling ceiling is at least the allocated size.",
    ),
    c(
        "SS0115",
        "database setting the engine does not have",
        "A `Setting` belongs to another engine or has a value the engine refuses; use one of the engine's own settings.",
    ),
    c(
        "SS0116",
        "replica of an unsupported source",
        "A read replica's source must be a database of a kind and engine that supports replicas, and not itself a replica.",
    ),
    c(
        "SS0117",
        "option that does not apply to the engine",
        "Some options only make sense for one kind of database (storage size for RDS instances, zones for clusters); remove it.",
    ),
    c(
        "SS0118",
        "cache cluster mode with too few shards or replicas",
        "A sharded cache has 2 to 500 shards and at least one replica per shard, or losing a node loses a shard's data.",
    ),
    c(
        "SS0119",
        "database in one zone (warning)",
        "A single-AZ database stops on a zone outage or an instance failure until it is rebuilt.",
    ),
    c(
        "SS0130",
        "reserved load balancer name, or a log bucket name too long",
        "AWS reserves ALB names starting with `internal-`, and S3 bucket names (the access-log bucket's) are at most 63 characters.",
    ),
    c(
        "SS0131",
        "certificate missing or not covering the load balancer's hosts",
        "An HTTPS listener needs a certificate whose domains lie in its Route 53 zone and cover every alias and route host.",
    ),
    c(
        "SS0132",
        "ALB idle timeout or access-log retention out of range",
        "An Application Load Balancer's idle timeout is 1 to 4000 seconds; access logs are kept a number of days CloudWatch and S3 accept.",
    ),
    c(
        "SS0133",
        "ALB deletion protection off (warning)",
        "Without deletion protection a destroy or a replacement deletes the load balancer and its DNS name.",
    ),
    c(
        "SS0134",
        "invalid ALB source CIDR, or an ALB nobody can reach",
        "`allow_from_cidr` takes IPv4 networks; a load balancer open to no source (a warning) can serve no client.",
    ),
    c(
        "SS0135",
        "task image missing, `latest` or untagged",
        "Pin a version or a digest so every task and every rollback runs the same code.",
    ),
    c(
        "SS0136",
        "CPU/memory pair Fargate does not offer",
        "Fargate offers fixed CPU sizes, each with its own range of memory; the hint names the memory sizes for the CPU given.",
    ),
    c(
        "SS0137",
        "invalid or duplicate environment name",
        "Environment and secret names use letters, digits and `_`, not starting with a digit, each set once; SSM names and JSON keys must be well formed.",
    ),
    c(
        "SS0138",
        "route without a port, or a bad host or path",
        "A service behind a load balancer needs a container port, and its route hosts and paths must be valid and covered by the certificate.",
    ),
    c(
        "SS0139",
        "listener rule priority collision or out of range",
        "Listener rule priorities are 1 to 50000 and unique per listener.",
    ),
    c(
        "SS0140",
        "impossible service autoscaling",
        "Autoscaling needs 1 ≤ min ≤ max ≤ 5000, and scaling targets only apply to a service that autoscales.",
    ),
    c(
        "SS0141",
        "service with fewer than 2 tasks (warning)",
        "A single task is taken down by a zone outage or a deploy; the desired count should lie in the autoscaling range.",
    ),
    c(
        "SS0142",
        "ECS Exec on a read-only root filesystem",
        "The SSM agent that serves exec sessions cannot start on a read-only root filesystem.",
    ),
    c(
        "SS0143",
        "bad health path or deregistration delay",
        "Health paths start with `/`; the deregistration delay is 0 to 3600 seconds; without a health path (a warning) the target group checks `/`.",
    ),
    c(
        "SS0144",
        "log retention CloudWatch does not accept",
        "CloudWatch Logs keeps logs for one of a fixed list of day counts (1, 3, 5, 7, 14, 30, …); the hint lists them.",
    ),
    c(
        "SS0145",
        "port 0 or a root user",
        "A container listens on a real port and runs as a non-root user.",
    ),
    c(
        "SS0146",
        "invalid egress CIDR",
        "`allow_egress_to_cidr` takes IPv4 networks with their host bits zero, such as `10.20.0.0/16`.",
    ),
    c(
        "SS0150",
        "Kafka version MSK does not support",
        "MSK creates new clusters only on the Kafka versions it lists; the hint names them.",
    ),
    c(
        "SS0151",
        "Kafka brokers vs zones",
        "MSK spreads brokers over 2 or 3 zones; the broker count is a multiple of the zones and at least 3, since topics are replicated 3 times.",
    ),
    c(
        "SS0152",
        "Kafka volume size or autoscaling ceiling",
        "MSK broker volumes are 1 to 16384 GiB, and the storage autoscaling ceiling lies above the volume size.",
    ),
    c(
        "SS0153",
        "Kafka log retention CloudWatch does not accept",
        "Broker logs are kept for one of the day counts CloudWatch Logs accepts.",
    ),
    c(
        "SS0154",
        "provisioned-only Kafka setting on a serverless cluster",
        "MSK Serverless sizes, versions and monitors itself; remove the setting or use `Kafka::provisioned`.",
    ),
    c(
        "SS0155",
        "invalid bucket lifecycle rule",
        "A lifecycle rule needs an action, days of at least 1, transitions in S3's storage-class order and old enough for their class, all before expiry.",
    ),
    c(
        "SS0156",
        "duplicate, reserved or ill-sized lifecycle rule id",
        "Lifecycle rule ids are 1 to 255 characters and unique in a bucket, stacksmith's built-in rule included.",
    ),
    c(
        "SS0157",
        "lifecycle rule keeping noncurrent versions forever (warning)",
        "With versioning on, expiring objects leaves their noncurrent versions, so storage keeps growing; expire those too.",
    ),
    c(
        "SS0158",
        "reserved bucket name prefix or invalid access-log target",
        "S3 reserves some bucket name prefixes; an access-log target is the valid name of an existing bucket.",
    ),
    c(
        "SS0160",
        "node group id used twice in one cluster",
        "Each node group of a cluster needs a distinct id: its resources are named after it.",
    ),
    c(
        "SS0161",
        "bad add-on version pin",
        "A version pin names an add-on the cluster installs, once, with an EKS add-on version such as `v1.11.4-eksbuild.2`.",
    ),
    c(
        "SS0162",
        "invalid Kubernetes namespace or service account name",
        "A service-account role's namespace and service account are spelled as Kubernetes requires: lowercase letters, digits and `-`.",
    ),
    c(
        "SS0163",
        "invalid access-entry principal, or one policy twice",
        "EKS access entries take IAM role or user ARNs (no wildcards, no session ARNs), each policy once per principal.",
    ),
    c(
        "SS0164",
        "access scope with no namespaces",
        "A namespace-scoped access policy needs at least one namespace; use cluster scope to mean all.",
    ),
    c(
        "SS0165",
        "service-account role that grants nothing (warning)",
        "The IAM role for a service account has no statements or managed policies, so it grants no permissions.",
    ),
    c(
        "SS0170",
        "tag value too long, or too many tags",
        "AWS tag values are at most 256 characters and a resource carries at most 50 tags; every stack tag lands on every resource beside its `Name` tag.",
    ),
    c(
        "SS0171",
        "unknown AWS region",
        "The stack's region is not one AWS offers (`us-east-1`, `eu-central-1`, …); Terraform would fail at plan, after everything else was written.",
    ),
    c(
        "SS0172",
        "unknown EC2 instance type",
        "Instance types are a known family, a `.` and a size (`m6i.large`); a typo fails only when the node group is created.",
    ),
    c(
        "SS0180",
        "read replica of a database whose master password RDS manages",
        "AWS refuses to create a read replica (same or another region) of a database with `manage_master_user_password`; give the source `MasterPassword::StackSecret`.",
    ),
    c(
        "SS0181",
        "application keep-alive not longer than the load balancer's idle timeout",
        "A load balancer reuses idle connections to its targets; if the app closes them first, requests sent on them fail with HTTP 502. The app's keep-alive must be longer.",
    ),
    c(
        "SS0190",
        "Kubernetes version outside EKS standard support",
        "A cluster pinned to a version past (or without) EKS standard support costs extended-support fees or cannot be created with `support_type = STANDARD`; use a version in standard support.",
    ),
    c(
        "SS0191",
        "EKS API endpoint with no declared way in",
        "A private-only endpoint with Kubernetes objects or a `cluster/` root needs a declared path for kubectl and Terraform: an admin CIDR, a bastion security group, or a public endpoint restricted to CIDRs.",
    ),
    c(
        "SS0192",
        "invalid cluster access setting",
        "An add-on or access setting is given what it needs: a valid IPv4 network for API access.",
    ),
    // Whole-stack checks and the `cluster/` root.
    c(
        "SS0201",
        "names collide after normalisation",
        "Two constructs whose paths differ only by `-` and `_` (or case) produce the same Terraform addresses; rename one.",
    ),
    c(
        "SS0202",
        "reference to a resource the stack does not contain",
        "A reference points to a resource no construct of this stack creates: add that construct to the stack. Not reported when the construct that creates it already reported an error.",
    ),
    c(
        "SS0203",
        "reference into another stack",
        "Each stack is its own Terraform root and cannot refer to another's resources; build the construct in this stack or pass the value as a literal.",
    ),
    c(
        "SS0204",
        "Kubernetes object produced twice",
        "Two constructs produce an object of one kind, namespace and name; give one a different name or id.",
    ),
    c(
        "SS0205",
        "Secret or ConfigMap nothing declares",
        "A workload reads a Secret or ConfigMap the stack does not declare; add it, or declare it external if something outside provides it.",
    ),
    c(
        "SS0206",
        "Secret or ConfigMap key nothing provides",
        "A workload reads a key the Secret or ConfigMap does not have; the message lists the keys it has.",
    ),
    c(
        "SS0207",
        "invalid Kubernetes object name, namespace or kind",
        "An object's name, namespace or kind cannot be sent to the API server (a namespace is a DNS-1123 label; a name has no `/`, `%`, whitespace or control characters). Names become file names in the output, so nothing is written outside it.",
    ),
    c(
        "SS0210",
        "generated ConfigMap or Secret name taken",
        "stacksmith writes cloud values into a generated ConfigMap or Secret of the workload's name; another object of that name would clash.",
    ),
    c(
        "SS0211",
        "generated key set to two values",
        "Containers of one workload share its generated ConfigMap and Secret, so one env var name cannot carry two different values.",
    ),
    c(
        "SS0212",
        "secret value read into a ConfigMap",
        "ConfigMaps are readable by anyone who can read ConfigMaps; read a secret's value with `.secret_env_from_cloud(..)`.",
    ),
    c(
        "SS0213",
        "env var name not a valid ConfigMap or Secret key",
        "Cloud values are written under the env var's name; keys use letters, digits, `_`, `-` and `.` only.",
    ),
    c(
        "SS0214",
        "cloud values but no one EKS cluster",
        "The generated `cluster/` root writes cloud values through the stack's one EKS cluster; add it, or pass the values as literals or declared Secrets.",
    ),
    c(
        "SS0215",
        "cloud value the `cluster/` root cannot translate",
        "Only references, templates of literals and references, and literals of kinds the `cluster/` root can look up are carried into Kubernetes.",
    ),
    c(
        "SS0216",
        "resource the `cluster/` root cannot find by name",
        "The `cluster/` root finds resources through data sources by their literal names; a computed name cannot be looked up.",
    ),
    c(
        "SS0217",
        "attribute the `cluster/` root cannot read",
        "The data source that finds the resource does not expose that attribute; read one it does.",
    ),
    c(
        "SS0218",
        "JSON field not a plain field name",
        "A field read out of a JSON secret is named with letters, digits, `_`, `-` and `.` only.",
    ),
    c(
        "SS0219",
        "secret value written into a ConfigMap",
        "A value holding a secret would be written into a ConfigMap; read it into a Secret instead.",
    ),
    c(
        "SS0220",
        "Kubernetes object in a namespace the stack does not create",
        "Each stack's `kubernetes/` output is applied on its own: an object's namespace is created by the same stack (`Namespace::new`), or declared as existing on the cluster on purpose (`Namespace::existing`).",
    ),
    c(
        "SS0221",
        "Kubernetes object names one the stack does not create",
        "An Ingress's Service, an autoscaler's target, a binding's Role or a pod's ServiceAccount is created by the same stack; a handle from another stack or app would point at nothing on this cluster.",
    ),
    c(
        "SS0222",
        "label selector picks no pod the stack runs",
        "A Service, PodDisruptionBudget or NetworkPolicy peer in a namespace the stack creates selects pods of a workload in the same stack, not another stack's or app's.",
    ),
    c(
        "SS0230",
        "container claims non-root in a pod running as root",
        "A container's `runAsNonRoot: true` with an effective `runAsUser: 0` (its own or the pod's) passes API validation, but the kubelet refuses to start it.",
    ),
    // Kubernetes constructs.
    c(
        "SS0300",
        "object could not be serialised",
        "A bug in stacksmith: the Kubernetes object could not be turned into JSON. Please report it.",
    ),
    c(
        "SS0301",
        "probe on a port no container exposes",
        "A probe checks a port the pod does not expose, so it always fails; probe an exposed port or expose it.",
    ),
    c(
        "SS0302",
        "request above its limit",
        "A container requests more CPU or memory than its limit, which the API server rejects.",
    ),
    c(
        "SS0303",
        "image tagged `latest` or not tagged",
        "Pin a release tag or a digest so every pod and every rollback runs the same code.",
    ),
    c(
        "SS0304",
        "env var set twice",
        "Two env vars of one container share a name; only one would take effect.",
    ),
    c(
        "SS0305",
        "Service port targets no exposed port",
        "A Service port targets a port no container of the workload exposes, so traffic goes nowhere.",
    ),
    c(
        "SS0306",
        "autoscaler min above max",
        "An autoscaler's `min_replicas` must not be greater than its `max_replicas`.",
    ),
    c(
        "SS0308",
        "disruption budget that blocks every eviction",
        "A budget allowing no disruption stops node drains and cluster upgrades.",
    ),
    c(
        "SS0309",
        "workload without containers",
        "A pod needs at least one container.",
    ),
    c(
        "SS0310",
        "two containers share a name",
        "Container names are unique within a pod.",
    ),
    c(
        "SS0311",
        "two container ports share a number or a name",
        "Port numbers and names are unique within a pod.",
    ),
    c(
        "SS0312",
        "invalid port name",
        "Port names are IANA service names: at most 15 lowercase letters, digits and `-`, with at least one letter and no leading, trailing or double `-`.",
    ),
    c(
        "SS0313",
        "zero replicas (warning)",
        "A Deployment or StatefulSet with zero replicas runs nothing.",
    ),
    c(
        "SS0314",
        "autoscaler with min 0",
        "Scaling to zero needs the alpha HPAScaleToZero feature gate; use at least 1 (2 survives the loss of a pod).",
    ),
    c(
        "SS0315",
        "autoscaler target or policy out of range",
        "Utilization targets lie in range, stabilisation windows are at most 3600 seconds, and scaling policies have values above 0 and periods of 1 to 1800 seconds.",
    ),
    c(
        "SS0316",
        "invalid or duplicate ConfigMap/Secret key",
        "Keys use letters, digits, `-`, `_` and `.` (at most 253, not `.` or `..`), each once.",
    ),
    c(
        "SS0317",
        "invalid Ingress host",
        "Ingress hosts are fully qualified lowercase DNS names, optionally with a leading `*.` wildcard.",
    ),
    c(
        "SS0318",
        "Ingress path without a leading `/`",
        "Ingress paths are absolute: they start with `/`.",
    ),
    c(
        "SS0319",
        "reference to an object in another namespace",
        "Pods read Secrets and ConfigMaps, and Ingresses route to Services, of their own namespace only.",
    ),
    c(
        "SS0320",
        "rolling update that can make no progress",
        "`max_surge` and `max_unavailable` cannot both be zero.",
    ),
    c(
        "SS0321",
        "invalid or reserved label or annotation",
        "Label keys and values follow Kubernetes' syntax, and the `kubernetes.io/` and `k8s.io/` prefixes are reserved.",
    ),
    c(
        "SS0322",
        "root user with `runAsNonRoot` on",
        "The kubelet refuses to start a container set to run as root while `runAsNonRoot` is on.",
    ),
    c(
        "SS0323",
        "percentage above 100%",
        "Percentages (of replicas, of a canary's requests) are 0% to 100%.",
    ),
    c(
        "SS0324",
        "two Service ports share a number",
        "Port numbers are unique within a Service.",
    ),
    c(
        "SS0325",
        "raw object without `metadata.name`",
        "Every Kubernetes object needs a name.",
    ),
    c(
        "SS0330",
        "mount of an undeclared volume claim",
        "A container mounts a volume claim its pod does not declare.",
    ),
    c(
        "SS0331",
        "two volumes share a name",
        "Volume and volume-claim names are unique within a pod.",
    ),
    c(
        "SS0332",
        "mount or item path misplaced or mounted twice",
        "Mount paths are absolute, item paths relative, and no path is mounted twice in a container.",
    ),
    c(
        "SS0333",
        "volume of zero size",
        "A volume claim requests more than 0 bytes, and an emptyDir's size limit is above 0.",
    ),
    c(
        "SS0334",
        "CronJob schedule does not parse",
        "Schedules are five cron fields (or a macro such as `@daily`), as the CronJob controller reads them.",
    ),
    c(
        "SS0335",
        "invalid CronJob time zone",
        "Time zones are IANA names such as `Europe/Berlin`.",
    ),
    c(
        "SS0336",
        "DaemonSet mounts a node directory (warning)",
        "A host path mount reaches into the node; it is mounted read-only and should be as narrow as possible.",
    ),
    c(
        "SS0337",
        "host path not absolute or exposing secrets",
        "Host paths are absolute and must not expose credentials, container runtime sockets or other pods' data.",
    ),
    c(
        "SS0338",
        "preStop hook that does nothing",
        "A preStop hook with an empty command or a zero-second sleep does nothing; give it work or remove it.",
    ),
    c(
        "SS0339",
        "preStop sleep not shorter than the grace period",
        "The pod is killed when its termination grace period ends, so the preStop sleep must end before it.",
    ),
    c(
        "SS0340",
        "init container with a probe or a lifecycle hook",
        "Init containers run to completion; Kubernetes rejects probes and lifecycle hooks on them.",
    ),
    c(
        "SS0341",
        "Job or CronJob timing out of range",
        "A Job's active deadline is above 0 seconds, and a CronJob's starting deadline is at least as long as the controller's check interval, or runs could be skipped every time.",
    ),
    c(
        "SS0342",
        "DaemonSet running as root (warning)",
        "`run_as_root` gives the DaemonSet's pods root on every node; keep it to agents that need it.",
    ),
    c(
        "SS0350",
        "NetworkPolicy port the target does not expose",
        "A policy allows a port no container of its target exposes (or the target exposes none), so it admits nothing.",
    ),
    c(
        "SS0351",
        "invalid egress CIDR block",
        "Egress policies take IPv4 networks with their host bits zero. A block taken from a network's handle is checked once, by the network (SS0101).",
    ),
    c(
        "SS0352",
        "egress port 0",
        "No connection can use port 0; give the destination's port.",
    ),
    c(
        "SS0353",
        "RBAC rule without verbs",
        "A rule grants verbs on resources; without verbs it grants nothing.",
    ),
    c(
        "SS0354",
        "RBAC rule without API groups or resources",
        "A resource rule names API groups and resources; a non-resource URL starts with `/`.",
    ),
    c(
        "SS0355",
        "RBAC wildcard (warning)",
        "`*` grants every verb, resource, API group or URL, including those added later.",
    ),
    c(
        "SS0356",
        "ClusterRole reaching every Secret (warning)",
        "Reading Secrets cluster-wide without `resource_names` reads every credential in the cluster.",
    ),
    c(
        "SS0357",
        "RBAC rule granting `bind`, `escalate` or `impersonate` (warning)",
        "These verbs let the holder grant themselves more than the role gives.",
    ),
    c(
        "SS0358",
        "`resource_names` on verbs it cannot restrict (warning)",
        "`create`, `deletecollection`, `list` and `watch` ignore `resource_names`, so the rule grants more than it reads.",
    ),
    c(
        "SS0359",
        "Role without rules",
        "A Role or ClusterRole with no rules grants nothing.",
    ),
    c(
        "SS0360",
        "binding to an empty or anonymous subject",
        "A binding to an empty name or to `system:unauthenticated` grants the role to nobody or to everybody.",
    ),
    c(
        "SS0361",
        "binding to every authenticated user or service account (warning)",
        "`system:authenticated` and `system:serviceaccounts` include every identity of the cluster.",
    ),
    c(
        "SS0362",
        "LimitRange out of order",
        "Values must keep min ≤ default request ≤ default limit ≤ max.",
    ),
    c(
        "SS0363",
        "ResourceQuota capping nothing",
        "A quota needs at least one hard limit.",
    ),
    c(
        "SS0364",
        "quota caps requests above limits (warning)",
        "Requests never exceed limits, so a requests cap above the limits cap never binds.",
    ),
    c(
        "SS0365",
        "Secret values in the output (warning)",
        "`Secret::with_values` writes the values into the generated YAML; keep real secrets out of the repository.",
    ),
    c(
        "SS0366",
        "ConfigMap or Secret above 1 MiB",
        "The API server accepts at most 1 MiB of data per object; split it, or keep large files in the image or object storage.",
    ),
    c(
        "SS0370",
        "custom resource does not match its schema",
        "The custom resource's body fails its type's JSON schema; the message names the field path.",
    ),
    c(
        "SS0371",
        "invalid custom resource apiVersion, kind or body",
        "A custom resource has a `group/version` apiVersion and a kind, and an untyped body is an object that leaves apiVersion, kind and metadata to stacksmith.",
    ),
    c(
        "SS0372",
        "schema keywords stacksmith does not check (warning)",
        "Parts of the custom resource's schema are not checked before the API server sees the object.",
    ),
    c(
        "SS0373",
        "database topology that cannot survive losing a member (warning)",
        "A replica set under 3 members or a Redis shard without a replica loses availability or data with one member.",
    ),
    c(
        "SS0374",
        "Redis cluster under 3 shards",
        "Redis cluster mode needs at least 3 primaries.",
    ),
    c(
        "SS0375",
        "MongoDB topology that cannot run",
        "A sharded MongoDB needs shards and routers, and a replica set a valid name.",
    ),
    c(
        "SS0376",
        "deletion policy Halt with ephemeral storage",
        "Halt keeps the volumes when the database is deleted, which ephemeral storage does not have; KubeDB rejects it.",
    ),
    c(
        "SS0377",
        "database TLS from an ACME issuer",
        "An ACME CA (Let's Encrypt) issues only for public DNS names, not for a database's in-cluster names; use a CA issuer.",
    ),
    c(
        "SS0378",
        "invalid ACME account email",
        "The ACME server sends account and expiry notices to this address; give a mailbox the team reads.",
    ),
    c(
        "SS0379",
        "durable storage of size 0",
        "A KubeDB database with durable storage needs a volume size above 0.",
    ),
    c(
        "SS0380",
        "ServiceMonitor on a port the Service does not have",
        "A ServiceMonitor scrapes a named port of its Service; name one the Service has.",
    ),
    c(
        "SS0381",
        "bad scrape interval or timeout",
        "Intervals and timeouts are positive whole milliseconds, and a timeout is not above its interval.",
    ),
    c(
        "SS0382",
        "ServiceMonitor path without a leading `/`",
        "Metrics paths are absolute: they start with `/`.",
    ),
    c(
        "SS0383",
        "not a KubeDB version name",
        "KubeDB versions are names from its catalog (`kubectl get <kind>versions`), such as `8.0.4`.",
    ),
    c(
        "SS0390",
        "release missing a version, its Service port or its route",
        "A blue-green or canary release needs both versions' containers; a canary also a Service port and the ingress host and path to split.",
    ),
    c(
        "SS0391",
        "release tracks expose different ports",
        "The Service selects either track, so both must expose the same container ports.",
    ),
    c(
        "SS0392",
        "invalid NLB source range",
        "`source_ranges` takes IPv4 networks such as `203.0.113.0/24`.",
    ),
    c(
        "SS0393",
        "internet-facing NLB without TLS (warning)",
        "Clients' traffic crosses the internet unencrypted unless the NLB or the pods terminate TLS.",
    ),
    c(
        "SS0394",
        "NLB settings on a Service that is not a LoadBalancer",
        "NLB settings only apply to Services of type LoadBalancer.",
    ),
    c(
        "SS0395",
        "invalid NLB certificate ARN",
        "The NLB takes the ARN of an ACM certificate (`arn:aws:acm:<region>:<account>:certificate/<id>`) or of an IAM server certificate.",
    ),
    c(
        "SS0396",
        "NLB TLS ports without a certificate, or not Service ports",
        "TLS ports need a certificate and name ports the Service has.",
    ),
    c(
        "SS0397",
        "Ingress path routed twice",
        "Each path prefix of a host is routed once; the ingress controller rejects duplicates.",
    ),
    // Kubernetes API-server limits (and the kernel's, for what a pod starts with).
    c(
        "SS0400",
        "invalid env var name",
        "The API server refuses env var names that are empty, contain `=` or leave printable ASCII; a C identifier (`LOG_LEVEL`) works everywhere.",
    ),
    c(
        "SS0401",
        "port 0",
        "Container and Service ports are 1 to 65535; port 0 is refused by the API server.",
    ),
    c(
        "SS0402",
        "Service name not a DNS-1035 label",
        "A Service's name becomes a DNS name, so it must start with a letter (`api`, not `1api`), besides being a DNS-1123 label.",
    ),
    c(
        "SS0403",
        "annotations above 256 KiB",
        "The API server refuses an object whose annotations, keys and values together, exceed 256 KiB.",
    ),
    c(
        "SS0404",
        "user or group id out of range",
        "`runAsUser` and `fsGroup` are 0 to 2147483647; the API server refuses a negative or larger id.",
    ),
    c(
        "SS0405",
        "env var too long to start a process",
        "The kernel passes at most 128 KiB per `NAME=value` entry to a new process, so the container would never start; mount large values as files.",
    ),
    c(
        "SS0440",
        "prefix stripping the ingress class cannot do",
        "stacksmith strips a route's prefix with ingress-nginx (`rewrite-target`) or the AWS Load Balancer Controller (`url-rewrite` transform); other classes: serve the app under the prefix.",
    ),
    c(
        "SS0441",
        "prefix that cannot be stripped as written",
        "A stripped prefix is a plain, non-root path; with the AWS Load Balancer Controller, whose rewrite applies to every rule of a Service, that Service is routed once per Ingress.",
    ),
    c(
        "SS0442",
        "egress host that is not a DNS name",
        "An external dependency's host names the egress policy and is recorded on it; give it as its clients resolve it.",
    ),
    c(
        "SS0443",
        "placeholder ingress host (warning)",
        "A host under a domain reserved for documentation (example.com, .test, ...) has no public DNS, and Let's Encrypt refuses to issue for it.",
    ),
    c(
        "SS0450",
        "object needs a cluster add-on nothing installs",
        "An Ingress, NLB Service, HPA, custom resource, DNS annotation or scalable node group needs its controller, CRDs or autoscaler installed by the stack (or declared with `stack.prerequisite`), or it applies and silently does nothing.",
    ),
    c(
        "SS0451",
        "ingress-nginx chosen",
        "ingress-nginx was retired in March 2026 (no security fixes); serve Ingresses through the AWS Load Balancer Controller (class `alb`) unless you run a maintained fork.",
    ),
    c(
        "SS0452",
        "Ingress settings of another controller",
        "ALB settings apply to class `alb` only, and ingress-nginx or cert-manager annotations do nothing on an ALB, which serves ACM certificates and redirects to HTTPS itself.",
    ),
    c(
        "SS0470",
        "NLB VPC CIDR block invalid",
        "`Nlb::from_vpc` takes the VPC's IPv4 block (`network.cidr()`), from which the NLB reaches the pods; the Service's NetworkPolicy admits it.",
    ),
    c(
        "SS0480",
        "replicas beside an autoscaler (warning)",
        "The autoscaler owns the replica count and starts the workload at its minimum; a different `replicas` is not written, so remove it or make it the minimum.",
    ),
    c(
        "SS0481",
        "exec probe without a command",
        "An exec probe runs a command in the container; the API server rejects one without it.",
    ),
    c(
        "SS0482",
        "invalid ingress CIDR block",
        "A policy admitting a CIDR block takes an IPv4 network with its host bits zero, so a typo cannot admit more or less than meant.",
    ),
    c(
        "SS0490",
        "plain-text secret in an env var (warning)",
        "A literal env var value is in the workload's manifest for anyone who can read it; keep credentials in a Secret and read them with `env_from_secret`.",
    ),
    c(
        "SS0491",
        "ConfigMap entry that looks like a secret (warning)",
        "ConfigMaps are not access-controlled or encrypted like Secrets; a key named like a credential or a value shaped like a key belongs in a Secret.",
    ),
    // Application secrets and External Secrets.
    c(
        "SS0500",
        "generated secret length out of range",
        "Secrets Manager generates 1–4096 characters, and fewer than 16 are guessable.",
    ),
    c(
        "SS0501",
        "ExternalSecret reads a field the secret does not hold",
        "A missing JSON field (or a JSON document read whole) leaves the synced key empty or wrong, and External Secrets reports the ExternalSecret not ready.",
    ),
    c(
        "SS0502",
        "ExternalSecret template uses a key it does not sync",
        "The template renders with the key missing, so the assembled value (a connection URL) is broken.",
    ),
    c(
        "SS0503",
        "ExternalSecret never refreshed",
        "A refresh interval of 0 writes the Secret once: a rotated password never reaches the pods.",
    ),
    c(
        "SS0504",
        "ExternalSecret syncs no key",
        "An ExternalSecret without data produces an empty Secret that nothing can read.",
    ),
    c(
        "SS0505",
        "ExternalSecret reads a secret the cluster cannot name",
        "A secret the cloud names when it creates it (an RDS-managed master secret) cannot be named in the Kubernetes files, so nothing would sync.",
    ),
    c(
        "SS0506",
        "rotation schedule out of range",
        "Secrets Manager rotates every 1–1000 days (`automatically_after_days`); any other value fails the apply.",
    ),
    c(
        "SS0507",
        "rotation of a secret set outside the stack",
        "A rotation Lambda can only generate a value; a third-party key set by hand would be replaced by a random string the third party does not know.",
    ),
    c(
        "SS0508",
        "a shipped file cannot be written",
        "A Terraform root holds one file per path: a second construct shipping other bytes under the same name would replace the first one's code; a zip over 4 GiB needs ZIP64, which is not written.",
    ),
    c(
        "SS0509",
        "generation set on a rotated secret (warning)",
        "A rotated secret's value is written by its rotation function, never by Terraform: raising its generation changes nothing.",
    ),
    c(
        "SS0520",
        "ExternalSecret key synced from two sources",
        "Each synced key is one `secretKey` of the ExternalSecret; with two sources External Secrets keeps one, and a template assembles a value from the wrong secret.",
    ),
    // Workload identities and client connections.
    c(
        "SS0530",
        "IAM identity for a ServiceAccount the stack does not create",
        "An EKS Pod Identity association names a ServiceAccount by namespace and name; if the stack does not create it, no pod runs as it and the role's permissions reach nothing.",
    ),
    c(
        "SS0531",
        "Pod Identity without the eks-pod-identity-agent add-on",
        "Pods get Pod Identity credentials from the agent DaemonSet on each node; without the `eks-pod-identity-agent` add-on the SDKs find no credentials.",
    ),
    c(
        "SS0532",
        "hand-written IAM role annotation on a ServiceAccount (warning)",
        "A typed `cluster.pod_identity(&sa)` makes the role, its trust and the association from the handle; a hand-typed role ARN carries an account id and can name a role that trusts another account.",
    ),
    c(
        "SS0533",
        "invalid Kafka topic",
        "A Kafka topic name is 1 to 249 letters, digits, `.`, `_` and `-` (not `.` or `..`), and a topic has at least one partition; the admin client refuses anything else.",
    ),
    c(
        "SS0534",
        "TLS client settings for a KubeDB database without TLS",
        "A client given the CA and `tls=true` for a database serving plain text fails its handshake; enable `.tls(&issuer)` on the database or connect without TLS.",
    ),
    c(
        "SS0535",
        "pods of a Pod Identity's ServiceAccount without its label",
        "A workload running as a ServiceAccount with an EKS Pod Identity role through the account's plain handle lacks the label the namespace's default deny admits to the Pod Identity agent, so its pods get no credentials.",
    ),
    c(
        "SS0536",
        "a grant on an identity the workload does not run as",
        "A Kafka client grant writes IAM statements on a ServiceAccount's role; a workload running as another account never assumes that role, so every call it makes is denied at run time.",
    ),
    c(
        "SS0537",
        "no certificate authorities for the database's region",
        "A ConfigMap meant to hold an AWS database's root CAs would be empty for a region stacksmith has none for, and clients verifying TLS would fail their handshake; supply the region's bundle yourself.",
    ),
    c(
        "SS0538",
        "an ephemeral value outside a write-only argument",
        "Terraform refuses an ephemeral value (a generated password) in any argument but a write-only one (`*_wo`) or a root output, because it would land in plan and state; write it through the write-only argument.",
    ),
    // AWS edge and operations constructs.
    c(
        "SS0560",
        "Prometheus setting out of range",
        "Prometheus keeps 1 to 365 days of metrics on a 10 GiB to 16 TiB gp3 volume; outside that it either keeps nothing useful or asks for a volume EBS cannot make.",
    ),
    c(
        "SS0561",
        "Prometheus CRDs installed twice",
        "kube-prometheus-stack installs the monitoring.coreos.com CRDs itself; a second release holding them (`PrometheusOperatorCrds`) makes Helm refuse whichever comes second.",
    ),
    c(
        "SS0562",
        "alert objective out of range",
        "An availability objective is a percentage strictly between 0 and 100, a latency objective a quantile between 0 and 1 exclusive with a positive threshold, a restart alert at least one restart; other values never or always fire.",
    ),
    c(
        "SS0563",
        "monitoring objects nothing reads (warning)",
        "ServiceMonitors and PrometheusRules do nothing without a Prometheus selecting them; the Prometheus Operator's CRDs alone let them apply and change nothing.",
    ),
    c(
        "SS0600",
        "ECR lifecycle setting out of range",
        "An ECR lifecycle policy keeps 1 to 10000 tagged images and expires untagged ones after 1 to 3650 days; outside that ECR rejects the policy.",
    ),
    c(
        "SS0601",
        "ECR image tag is not a pinned version",
        "A workload's image from a repository of the stack needs a tag ECR accepts that names one build (`1.4.2`), not `latest` or an empty tag, so every task and rollback runs the same code.",
    ),
    c(
        "SS0602",
        "ECR repository with mutable tags",
        "With mutable tags a re-pushed tag silently changes what running tasks and rollbacks pull; keep tags immutable and push each build under a new tag.",
    ),
    c(
        "SS0605",
        "WAF web ACL setting out of range",
        "A web ACL's per-IP rate limit is 10 to 2000000000 requests per 5 minutes, each managed rule group is added once, and its log retention is a value CloudWatch Logs accepts.",
    ),
    c(
        "SS0606",
        "WAF web ACL attached where its scope does not apply",
        "A regional web ACL protects load balancers and ALB Ingresses of its region; a CloudFront web ACL protects distributions and must be created in us-east-1.",
    ),
    c(
        "SS0610",
        "hosted zone name is not a domain",
        "A hosted zone is found by its domain name (`example.com`): dot-separated labels of letters, digits and hyphens.",
    ),
    c(
        "SS0611",
        "health check setting invalid",
        "A Route 53 health check requests a public domain name on a path starting with `/` and counts 1 to 10 failures in a row before it fails.",
    ),
    c(
        "SS0612",
        "DNS record outside its zone or pointing nowhere",
        "A record is named inside its hosted zone, and a CNAME is never at the zone apex (DNS forbids it beside the zone's SOA and NS records) nor points at its own name.",
    ),
    c(
        "SS0620",
        "alarm topic subscriber invalid",
        "An alarm topic sends to email addresses and `https://` endpoints; anything else is never delivered.",
    ),
    c(
        "SS0621",
        "alarm topic without subscribers",
        "Alarms that publish to a topic nobody subscribes to tell nobody; subscribe the on-call address or paging endpoint.",
    ),
    c(
        "SS0622",
        "alarm threshold out of range",
        "A CPU alarm fires above 1 to 100 percent and a storage alarm below at least 1 GiB free; other thresholds never or always fire.",
    ),
    c(
        "SS0623",
        "alarms asked for what they cannot watch",
        "`Alarms::for_database` watches RDS PostgreSQL and MySQL instances; Aurora and DocumentDB report per cluster and are not covered yet.",
    ),
    c(
        "SS0630",
        "CloudFront distribution outside us-east-1 or its zone",
        "A distribution's certificate, CloudFront web ACL and log delivery must be created in us-east-1, and the domain it serves must be inside the hosted zone its certificate is validated in.",
    ),
    c(
        "SS0640",
        "budget setting invalid",
        "A budget needs a limit above 0, alert thresholds of 1 to 1000 percent, and 1 to 10 email recipients, or it alerts nobody or everybody at once.",
    ),
    // Delivery: progressive delivery, autoscaling, capacity and images.
    c(
        "SS0700",
        "cache of a single node (warning)",
        "A cache without a replica has no automatic failover or Multi-AZ: a node or zone failure leaves it unavailable and empty until ElastiCache replaces the node; fine for staging, not for production.",
    ),
    c(
        "SS0701",
        "spot node group with one instance type (warning)",
        "Spot capacity is drawn from pools per instance type and zone; a group of one type has nothing to fall back on when its pool is reclaimed or empty, so give it several types of the same size.",
    ),
    c(
        "SS0702",
        "node group taint invalid",
        "EKS accepts node taints whose key is 1 to 63 characters (an optional DNS prefix, then letters, digits, `-`, `_`, `.`) and whose value is at most 63 such characters.",
    ),
    c(
        "SS0705",
        "progressive canary setting invalid",
        "A progressive canary's traffic steps are increasing shares of 1 to 99 percent, each held 1 minute to 24 hours, its error-rate limit is above 0 and below 100%, and its Ingress is an ALB one whose weighted action Argo Rollouts rewrites.",
    ),
    c(
        "SS0710",
        "VerticalPodAutoscaler bounds inverted",
        "A VPA's minimum allowed requests must not exceed its maximum, for CPU and for memory, or it has no recommendation to give.",
    ),
    c(
        "SS0711",
        "VerticalPodAutoscaler applying beside an HPA on the same resource",
        "A VPA that sets CPU or memory requests on pods an HPA scales by CPU or memory utilization moves the utilization the HPA reads; keep the VPA in recommendation mode (`Off`).",
    ),
    c(
        "SS0730",
        "AWS account id invalid",
        "An AWS account id is exactly 12 digits; the registry host of an ECR image in Kubernetes YAML is spelled from it, so a wrong one makes every pod fail to pull.",
    ),
    c(
        "SS0731",
        "ECR image in Kubernetes without the stack's account id",
        "Kubernetes YAML is applied by kubectl, which reads no Terraform value, so an ECR image there needs its registry host `<account>.dkr.ecr.<region>.amazonaws.com` written out from the stack's declared account id.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_well_formed_and_in_order() {
        for pair in CODES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} ≥ {}",
                pair[0].code,
                pair[1].code
            );
        }
        for c in CODES {
            let digits = c.code.strip_prefix("SS").unwrap_or_default();
            assert!(
                digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{c:?}"
            );
            assert!(!c.title.is_empty() && !c.title.ends_with('.'), "{c:?}");
            assert!(
                c.explanation.ends_with('.') && !c.explanation.contains('\n'),
                "{c:?}"
            );
        }
    }

    #[test]
    fn every_code_has_a_source_and_every_source_a_code() {
        let missing: Vec<&str> = CODES
            .iter()
            .filter(|c| c.sources().is_empty())
            .map(|c| c.code)
            .collect();
        assert!(
            missing.is_empty(),
            "codes without a source in crates/core/src/code_sources.rs: {missing:?}"
        );
        for (code, sources) in crate::code_sources::SOURCES {
            assert!(
                Code::find(code).is_some(),
                "{code} has sources but no entry"
            );
            assert!(
                sources
                    .iter()
                    .all(|s| s.starts_with("https://") || s.starts_with("stacksmith ")),
                "{code}: {sources:?}"
            );
        }
    }

    #[test]
    fn finds_an_entry_by_code() {
        let found = Code::find("ss0101").map(ToString::to_string);
        assert_eq!(
            found.as_deref().and_then(|t| t.lines().next()),
            Some("SS0101: invalid VPC CIDR")
        );
        assert!(Code::find("SS9999").is_none());
    }
}
