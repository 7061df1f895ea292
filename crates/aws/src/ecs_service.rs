//! `EcsService`: one typed container run as a Fargate service in private subnets, served through
//! a `LoadBalancer` if asked, with least-privilege roles, encrypted logs and autoscaling.

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{
    Address, Cidr, Construct, Lower, Lowering, NameRule, Path, Ref, Scope, Template, short_hash,
    tf, tf_name,
};

use crate::common::{self, Ingress, Peer, name_tag};
use crate::ecs_cluster::{EcsClusterRef, LOG_RETENTION_DAYS, retention_list};
use crate::iam::{PolicyStatement, policy_document};
use crate::load_balancer::{LoadBalancerRef, label_part};
use crate::network::NetworkRef;

/// ECS service names and task definition families: 1–255 letters, digits, `-` and `_`.
const SERVICE_NAME: NameRule = NameRule {
    what: "ECS service name",
    max_len: 255,
    lowercase: false,
    extra: "-_",
    start_letter: false,
};
/// Target group names: 1–32 letters, digits and hyphens.
const TARGET_GROUP_NAME: NameRule = NameRule {
    what: "target group name",
    max_len: 32,
    lowercase: false,
    extra: "-",
    start_letter: false,
};

/// Fargate's task sizes: CPU units and the memory (MiB) allowed with each (AWS's table).
fn fargate_memory(cpu: u32) -> Option<Vec<u32>> {
    let range = |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize).collect();
    match cpu {
        256 => Some(vec![512, 1024, 2048]),
        512 => Some(range(1024, 4096, 1024)),
        1024 => Some(range(2048, 8192, 1024)),
        2048 => Some(range(4096, 16384, 1024)),
        4096 => Some(range(8192, 30720, 1024)),
        8192 => Some(range(16384, 61440, 4096)),
        16384 => Some(range(32768, 122_880, 8192)),
        _ => None,
    }
}

/// Where a container secret comes from. The execution role gets read access to exactly the
/// secrets and parameters named, and `kms:Decrypt` (through that service only) on the keys
/// given with [`SecretSource::decrypted_with`].
#[derive(Clone, Debug)]
pub struct SecretSource {
    kind: SecretKind,
    key: Option<Ref>,
}

#[derive(Clone, Debug)]
enum SecretKind {
    SecretsManager { arn: Ref, json_key: Option<String> },
    SsmArn(Ref),
    SsmName(String),
}

impl SecretSource {
    /// The whole value of a Secrets Manager secret, by ARN (e.g. `db.master_secret_arn()`).
    pub fn secrets_manager(secret_arn: &Ref) -> Self {
        Self {
            kind: SecretKind::SecretsManager {
                arn: secret_arn.clone(),
                json_key: None,
            },
            key: None,
        }
    }

    /// One key of a Secrets Manager secret that holds a JSON object (`"password"`).
    pub fn secrets_manager_key(secret_arn: &Ref, json_key: &str) -> Self {
        Self {
            kind: SecretKind::SecretsManager {
                arn: secret_arn.clone(),
                json_key: Some(json_key.to_owned()),
            },
            key: None,
        }
    }

    /// An SSM Parameter Store parameter of this account and region, by name
    /// (`/janua/database-url`).
    pub fn ssm_parameter(name: &str) -> Self {
        Self {
            kind: SecretKind::SsmName(name.to_owned()),
            key: None,
        }
    }

    /// An SSM Parameter Store parameter, by ARN.
    pub fn ssm_parameter_arn(parameter_arn: &Ref) -> Self {
        Self {
            kind: SecretKind::SsmArn(parameter_arn.clone()),
            key: None,
        }
    }

    /// The customer-managed KMS key the secret or `SecureString` is encrypted with. Default:
    /// none (the AWS-managed `aws/secretsmanager` / `aws/ssm` key, which needs no grant).
    #[must_use]
    pub fn decrypted_with(mut self, kms_key_arn: &Ref) -> Self {
        self.key = Some(kms_key_arn.clone());
        self
    }
}

/// Which requests a load balancer sends to a service: a host, a path pattern, or both.
///
/// Host patterns and path patterns may use `*` and `?`. Default priority: derived from the
/// route, so that more specific routes are evaluated first (host and path, then path, then
/// host; longer literal prefixes and exact hosts first); set `.priority(n)` to choose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    host: Option<String>,
    path: Option<String>,
    priority: Option<u32>,
}

impl Route {
    /// Requests for a host name (`api.example.com`), which the certificate must cover.
    pub fn host(host: &str) -> Self {
        Self {
            host: Some(host.trim().to_ascii_lowercase()),
            path: None,
            priority: None,
        }
    }

    /// Requests whose path matches a pattern (`/api/*`), on any host the certificate covers.
    pub fn path(pattern: &str) -> Self {
        Self {
            host: None,
            path: Some(pattern.to_owned()),
            priority: None,
        }
    }

    /// Requests for a host name whose path matches a pattern.
    pub fn host_and_path(host: &str, pattern: &str) -> Self {
        Self {
            path: Some(pattern.to_owned()),
            ..Self::host(host)
        }
    }

    /// The listener rule's priority (1–50000, lower first). Default: derived from the route.
    #[must_use]
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }

    fn describe(&self) -> String {
        match (&self.host, &self.path) {
            (Some(h), Some(p)) => format!("host `{h}` and path `{p}`"),
            (Some(h), None) => format!("host `{h}`"),
            (None, Some(p)) => format!("path `{p}`"),
            (None, None) => "every request".into(),
        }
    }

    /// Priority bands: host+path 1–16000, path 16001–32000, host 32001–48000; within a band
    /// longer literal prefixes (exact hosts) first, then a stable hash of the route.
    fn default_priority(&self) -> u32 {
        let prefix = |p: &str| {
            let literal = p.find(['*', '?']).unwrap_or(p.len() + 100);
            u32::try_from(literal).unwrap_or(255).min(255)
        };
        let (band, specific) = match (&self.host, &self.path) {
            (Some(_), Some(p)) => (0, prefix(p)),
            (None, Some(p)) => (1, prefix(p)),
            (Some(h), None) => (2, if h.contains(['*', '?']) { 100 } else { 200 }),
            (None, None) => (2, 0),
        };
        let key = format!("{:?}|{:?}", self.host, self.path);
        let hash = u32::from_str_radix(&short_hash(&key), 16).unwrap_or(0) % 62;
        1 + band * 16000 + (255 - specific) * 62 + hash
    }
}

/// The CPU architecture of the task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuArchitecture {
    /// x86-64 (the default).
    X86_64,
    /// 64-bit Arm (Graviton): about 20% cheaper; the image must be built for arm64.
    Arm64,
}

#[derive(Clone, Debug)]
enum Egress {
    Peer(Ingress, u16),
    Cidr(String, u16),
}

/// An Amazon ECS service on Fargate: a container image kept running as `desired_count` tasks
/// spread over the network's private subnets, replaced safely on deploys.
///
/// Creates: a KMS key and an encrypted CloudWatch log group; the execution role (pulls the
/// image, writes the log group, reads exactly the named secrets) and the task role (the
/// application's own permissions, empty unless `.task_policy(..)`); a security group (ingress
/// only from the load balancers serving it, on the container port; egress HTTPS); the task
/// definition; per load balancer a target group and listener rules; `aws_ecs_service`; and
/// with `.autoscale(..)` an Application Auto Scaling target and target-tracking policies.
///
/// Defaults: 1024 CPU units and 2048 MiB; 3 tasks (one per zone of a three-zone network);
/// read-only root filesystem with a writable `/tmp` volume; all Linux capabilities dropped;
/// an init process; the image's own user (set `.user("1000:1000")` when the image runs as
/// root — ECS has no run-as-non-root check); logs kept 365 days, `non-blocking` mode with a
/// 25 MiB buffer; rolling deploys at 100%/200% with the circuit breaker rolling back; platform
/// `LATEST`; no public IP; ECS Exec off. Egress is HTTPS (443) to anywhere: without VPC
/// endpoints, ECR, Secrets Manager, SSM and CloudWatch Logs are reached through the NAT
/// gateways; other destinations need `.allow_egress_to(..)`.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::*;
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(EcsCluster::new("ecs"));
/// let alb = stack.add(
///     LoadBalancer::new("alb", &network).certificate("api.janua.dev", "janua.dev").open_to_internet(),
/// );
/// let api = stack.add(
///     EcsService::new("api", &cluster, &network)
///         .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/janua-api:1.0.0")
///         .cpu(1024)
///         .memory(2048)
///         .port(8000)
///         .env("ENVIRONMENT", "production")
///         .secret("DATABASE_URL", SecretSource::ssm_parameter("/janua/database-url"))
///         .health_path("/health")
///         .serve_via(&alb, Route::host("api.janua.dev"))
///         .autoscale(3, 12)
///         .target_cpu_percent(70),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct EcsService {
    id: String,
    cluster: EcsClusterRef,
    network: NetworkRef,
    image: Option<String>,
    cpu: u32,
    memory: u32,
    port: Option<u16>,
    env: Vec<(String, Vec<Piece>)>,
    secrets: Vec<(String, SecretSource)>,
    health_path: Option<String>,
    health_command: Option<String>,
    user: Option<String>,
    writable_root: bool,
    keep_capabilities: bool,
    desired: Option<u32>,
    exec: bool,
    task_policy: Vec<PolicyStatement>,
    routes: Vec<(LoadBalancerRef, Route)>,
    autoscale: Option<(u32, u32)>,
    cpu_target: Option<u32>,
    memory_target: Option<u32>,
    log_days: u32,
    egress: Vec<Egress>,
    arch: CpuArchitecture,
    deregistration_delay: u32,
}

/// A handle to an [`EcsService`]: its name, task role and security group (a [`Peer`], so
/// `Database::...allow_from(&service)` works).
#[derive(Clone, Debug)]
pub struct EcsServiceRef {
    path: Path,
    stack: String,
}

impl EcsService {
    /// A Fargate service in `cluster`, its tasks in `network`'s private subnets.
    pub fn new(id: &str, cluster: &EcsClusterRef, network: &NetworkRef) -> Self {
        Self {
            id: id.to_owned(),
            cluster: cluster.clone(),
            network: network.clone(),
            image: None,
            cpu: 1024,
            memory: 2048,
            port: None,
            env: Vec::new(),
            secrets: Vec::new(),
            health_path: None,
            health_command: None,
            user: None,
            writable_root: false,
            keep_capabilities: false,
            desired: None,
            exec: false,
            task_policy: Vec::new(),
            routes: Vec::new(),
            autoscale: None,
            cpu_target: None,
            memory_target: None,
            log_days: 365,
            egress: Vec::new(),
            arch: CpuArchitecture::X86_64,
            deregistration_delay: 30,
        }
    }

    /// The container image, pinned to a version tag or a digest (`latest` and untagged
    /// images are errors). Required.
    #[must_use]
    pub fn image(mut self, image: &str) -> Self {
        self.image = Some(image.to_owned());
        self
    }

    /// Task CPU units (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384.
    /// Default: 1024.
    #[must_use]
    pub fn cpu(mut self, units: u32) -> Self {
        self.cpu = units;
        self
    }

    /// Task memory in MiB, one Fargate allows with the CPU. Default: 2048.
    #[must_use]
    pub fn memory(mut self, mib: u32) -> Self {
        self.memory = mib;
        self
    }

    /// The port the container listens on (TCP). Default: none; required by `serve_via`.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// A plain environment variable (not for secrets: use `.secret`).
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env
            .push((name.to_owned(), vec![Piece::Lit(value.to_owned())]));
        self
    }

    /// An environment variable holding another resource's attribute (`cache.primary_endpoint()`),
    /// resolved by Terraform into the task definition (so not for secrets).
    #[must_use]
    pub fn env_ref(mut self, name: &str, value: &Ref) -> Self {
        self.env
            .push((name.to_owned(), vec![Piece::Ref(value.untyped())]));
        self
    }

    /// An environment variable read from Secrets Manager or SSM Parameter Store when the task
    /// starts; the value never appears in the task definition.
    #[must_use]
    pub fn secret(mut self, name: &str, source: SecretSource) -> Self {
        self.secrets.push((name.to_owned(), source));
        self
    }

    /// The HTTP path that answers 200 when the application is healthy. Used by the load
    /// balancer's health check and, unless `.health_check_command` is set, by a container
    /// health check `curl -f http://localhost:<port><path>` (the image must have `curl`).
    /// Default: none (the target group checks `/`, with a warning).
    #[must_use]
    pub fn health_path(mut self, path: &str) -> Self {
        self.health_path = Some(path.to_owned());
        self
    }

    /// The container health check, run by a shell in the container (`CMD-SHELL`), e.g.
    /// `curl -f http://localhost:8000/health || exit 1`. Checked every 30 s, 5 s timeout,
    /// 3 retries, 60 s start period. Default: derived from `.health_path`.
    #[must_use]
    pub fn health_check_command(mut self, command: &str) -> Self {
        self.health_command = Some(command.to_owned());
        self
    }

    /// The user (`uid`, `uid:gid` or a name from the image) the container runs as.
    /// Default: the image's `USER`.
    #[must_use]
    pub fn user(mut self, user: &str) -> Self {
        self.user = Some(user.to_owned());
        self
    }

    /// Makes the root filesystem writable (a named security choice). Default: read-only, with
    /// a writable `/tmp`.
    #[must_use]
    pub fn writable_root_filesystem(mut self) -> Self {
        self.writable_root = true;
        self
    }

    /// Keeps Docker's default Linux capabilities (for images whose entrypoint switches user
    /// or changes file ownership). Default: all dropped.
    #[must_use]
    pub fn keep_default_capabilities(mut self) -> Self {
        self.keep_capabilities = true;
        self
    }

    /// Number of tasks. Default: 3, one per zone of a three-zone network; with `.autoscale`,
    /// only the initial count (clamped into its range).
    #[must_use]
    pub fn desired_count(mut self, count: u32) -> Self {
        self.desired = Some(count);
        self
    }

    /// Turns ECS Exec on (interactive shells into running tasks, encrypted and logged by the
    /// cluster). Needs `.writable_root_filesystem()`: the SSM agent writes to the container's
    /// filesystem. Default: off.
    #[must_use]
    pub fn enable_execute_command(mut self) -> Self {
        self.exec = true;
        self
    }

    /// Adds statements to the task role: the application's own AWS permissions.
    /// Default: none.
    #[must_use]
    pub fn task_policy(mut self, statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        self.task_policy.extend(statements);
        self
    }

    /// Serves the container port through a load balancer's HTTPS listener for `route`:
    /// a target group (IP targets) and a listener rule.
    #[must_use]
    pub fn serve_via(mut self, load_balancer: &LoadBalancerRef, route: Route) -> Self {
        self.routes.push((load_balancer.clone(), route));
        self
    }

    /// Scales the task count between `min` and `max` by target tracking (CPU 70% unless a
    /// target is set). Default: fixed count.
    #[must_use]
    pub fn autoscale(mut self, min: u32, max: u32) -> Self {
        self.autoscale = Some((min, max));
        self
    }

    /// The average CPU utilisation autoscaling keeps (1–100). Default: 70.
    #[must_use]
    pub fn target_cpu_percent(mut self, percent: u32) -> Self {
        self.cpu_target = Some(percent);
        self
    }

    /// Also scales on average memory utilisation (1–100). Default: CPU only.
    #[must_use]
    pub fn target_memory_percent(mut self, percent: u32) -> Self {
        self.memory_target = Some(percent);
        self
    }

    /// Days application logs are kept (a CloudWatch retention value). Default: 365.
    #[must_use]
    pub fn log_retention_days(mut self, days: u32) -> Self {
        self.log_days = days;
        self
    }

    /// Allows the tasks to open TCP connections to a peer's security group on `port`
    /// (a database or cache in the VPC; the peer must also allow the service in).
    #[must_use]
    pub fn allow_egress_to(mut self, peer: &impl Peer, port: u16) -> Self {
        self.egress.push(Egress::Peer(Ingress::of(peer), port));
        self
    }

    /// Allows the tasks to open TCP connections to an IPv4 network on `port`.
    #[must_use]
    pub fn allow_egress_to_cidr(mut self, cidr: &str, port: u16) -> Self {
        self.egress.push(Egress::Cidr(cidr.to_owned(), port));
        self
    }

    /// Runs on Graviton (arm64). Default: [`CpuArchitecture::X86_64`].
    #[must_use]
    pub fn arm64(mut self) -> Self {
        self.arch = CpuArchitecture::Arm64;
        self
    }

    /// Seconds the load balancer keeps sending in-flight requests to a deregistering task
    /// (0–3600). Default: 30.
    #[must_use]
    pub fn deregistration_delay_seconds(mut self, seconds: u32) -> Self {
        self.deregistration_delay = seconds;
        self
    }
}

impl EcsServiceRef {
    fn address(&self, kind: &str, part: &str) -> Address {
        Address::resource(&self.stack, kind, &tf_name(&self.path, part))
    }

    /// The service's name.
    pub fn name(&self) -> Ref {
        self.address("aws_ecs_service", "").attr("name")
    }

    /// The task role's ARN (the application's AWS identity).
    pub fn task_role_arn(&self) -> Ref {
        self.address("aws_iam_role", "task").attr("arn")
    }

    /// The task role's name (to attach more policies).
    pub fn task_role_name(&self) -> Ref {
        self.address("aws_iam_role", "task").attr("name")
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Peer for EcsServiceRef {
    /// The tasks' security group.
    fn security_group_id(&self) -> Ref {
        self.address("aws_security_group", "sg").attr("id")
    }

    fn peer_path(&self) -> &Path {
        &self.path
    }

    /// Tasks may only open connections that are allowed: `db.allow_from(&service)` also
    /// writes the service's egress rule to the database.
    fn restricts_egress(&self) -> bool {
        true
    }
}

impl Construct for EcsService {
    type Handle = EcsServiceRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> EcsServiceRef {
        EcsServiceRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
        }
    }
}

/// Text mixing literals and references, renderable as a template or inside JSON.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Lit(String),
    Ref(Ref<()>),
}

fn template(pieces: &[Piece]) -> Template {
    pieces.iter().fold(Template::new(), |t, p| match p {
        Piece::Lit(l) => t.lit(l.as_str()),
        Piece::Ref(r) => t.with(r),
    })
}

/// A JSON document whose strings may hold references (for `container_definitions`).
enum Json {
    Str(Vec<Piece>),
    Int(i64),
    Bool(bool),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

fn s(text: &str) -> Json {
    Json::Str(vec![Piece::Lit(text.to_owned())])
}

fn escape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn render(j: &Json, out: &mut Vec<Piece>) {
    let lit = |out: &mut Vec<Piece>, t: &str| out.push(Piece::Lit(t.to_owned()));
    match j {
        Json::Str(pieces) => {
            lit(out, "\"");
            for p in pieces {
                out.push(match p {
                    Piece::Lit(l) => Piece::Lit(escape_json(l)),
                    Piece::Ref(r) => Piece::Ref(r.clone()),
                });
            }
            lit(out, "\"");
        }
        Json::Int(i) => lit(out, &i.to_string()),
        Json::Bool(b) => lit(out, if *b { "true" } else { "false" }),
        Json::Arr(items) => {
            lit(out, "[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    lit(out, ",");
                }
                render(item, out);
            }
            lit(out, "]");
        }
        Json::Obj(fields) => {
            lit(out, "{");
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    lit(out, ",");
                }
                lit(out, &format!("\"{k}\":"));
                render(v, out);
            }
            lit(out, "}");
        }
    }
}

/// A resolved secret: its `valueFrom` and what the execution role must be allowed to read.
struct Resolved {
    value_from: Vec<Piece>,
    secret: Option<Value>,
    parameter: Option<Value>,
}

/// The ECR repository an image comes from: (account, region, repository), if it is one.
fn ecr_repository(image: &str) -> Option<(String, String, String)> {
    let (host, rest) = image.split_once('/')?;
    let labels: Vec<&str> = host.split('.').collect();
    let ecr = matches!(labels.as_slice(), [acct, "dkr", "ecr" | "ecr-fips", _, "amazonaws", "com", ..]
        if acct.len() == 12 && acct.chars().all(|c| c.is_ascii_digit()));
    if !ecr {
        return None;
    }
    let repo = rest.split('@').next().unwrap_or(rest);
    let repo = match repo.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => repo,
    };
    Some((labels[0].to_owned(), labels[3].to_owned(), repo.to_owned()))
}

impl Lower for EcsService {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&SERVICE_NAME, &name, "service name");
        self.validate(cx);
        let region = cx.region().to_owned();

        // Logs, encrypted with a key of the service's own.
        let group_name = format!("/ecs/{name}");
        let logs_use_key = common::logs_may_use_key(cx, &group_name);
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the {name} service's logs"),
            &[logs_use_key],
        );
        let log_days = if LOG_RETENTION_DAYS.contains(&self.log_days) {
            self.log_days
        } else {
            365
        };
        let logs = common::log_group(cx, "logs", &group_name, log_days, &key);
        let logs_arn: Ref = logs.attr("arn");

        let secrets: Vec<(String, Resolved)> = self
            .sorted_secrets()
            .into_iter()
            .map(|(n, src)| (n.clone(), resolve(cx, src)))
            .collect();
        let (execution, execution_policy) = self.execution_role(cx, &logs_arn, &secrets);
        let task = self.task_role(cx);

        let port = self.port.unwrap_or(0);
        let sg = common::security_group(
            cx,
            "sg",
            &if self.routes.is_empty() {
                format!("{name} tasks: no inbound traffic; egress HTTPS and listed peers")
            } else {
                format!(
                    "{name} tasks: {port}/tcp from their load balancers only; egress HTTPS and listed peers"
                )
            },
            &self.network.vpc_id(),
        );
        let sg_id: Ref = sg.attr("id");
        self.security_rules(cx, &sg, port);

        let mut td = tf! {
            "family" => name.as_str(),
            "requires_compatibilities" => vec!["FARGATE"],
            "network_mode" => "awsvpc",
            "cpu" => self.cpu.to_string(),
            "memory" => self.memory.to_string(),
            "execution_role_arn" => execution.attr::<String>("arn"),
            "task_role_arn" => task.attr::<String>("arn"),
            "runtime_platform" => tf! {
                "operating_system_family" => "LINUX",
                "cpu_architecture" => match self.arch { CpuArchitecture::X86_64 => "X86_64", CpuArchitecture::Arm64 => "ARM64" },
            },
            "container_definitions" => template(&self.container_definitions(&region, &logs, &secrets)),
            "tags" => name_tag(&name),
        };
        if !self.writable_root {
            td.insert(
                "volume".into(),
                Value::List(vec![Value::Map(tf! { "name" => "tmp" })]),
            );
        }
        let td = cx.add("aws_ecs_task_definition", "task", td);

        let (load_balancers, rules) = self.load_balancing(cx, port);
        let subnets: Vec<Value> = self
            .network
            .private_subnet_ids()
            .into_iter()
            .map(Value::from)
            .collect();
        let mut body = tf! {
            "name" => name.as_str(),
            "cluster" => self.cluster.arn(),
            "task_definition" => td.attr::<String>("arn"),
            "desired_count" => self.initial_count(),
            "capacity_provider_strategy" => vec![Value::Map(tf! {
                "capacity_provider" => "FARGATE",
                "base" => 0_i64,
                "weight" => 1_i64,
            })],
            "platform_version" => "LATEST",
            "scheduling_strategy" => "REPLICA",
            "deployment_controller" => tf! { "type" => "ECS" },
            "deployment_minimum_healthy_percent" => 100_i64,
            "deployment_maximum_percent" => 200_i64,
            "deployment_circuit_breaker" => tf! { "enable" => true, "rollback" => true },
            "availability_zone_rebalancing" => "ENABLED",
            "network_configuration" => tf! {
                "subnets" => Value::List(subnets),
                "security_groups" => vec![sg_id],
                "assign_public_ip" => false,
            },
            "enable_execute_command" => self.exec,
            "enable_ecs_managed_tags" => true,
            "propagate_tags" => "SERVICE",
            "tags" => name_tag(&name),
        };
        if !load_balancers.is_empty() {
            body.insert("load_balancer".into(), Value::List(load_balancers));
            body.insert("health_check_grace_period_seconds".into(), Value::Int(60));
        }
        let mut service = Resource::new(cx.address("aws_ecs_service", ""), cx.path().clone(), body)
            .depends_on(&self.cluster.capacity_providers())
            .depends_on(&execution_policy);
        for r in &rules {
            service = service.depends_on(r);
        }
        if self.autoscale.is_some() {
            service = service.ignore_changes("desired_count");
        }
        let service = cx.resource(service);
        self.autoscaling(cx, &service);
        cx.output(
            "name",
            service.attr::<String>("name"),
            "The ECS service's name",
            false,
        );
    }
}

fn resolve(cx: &mut Lowering<'_>, src: &SecretSource) -> Resolved {
    match &src.kind {
        SecretKind::SecretsManager { arn, json_key } => {
            let mut value_from = vec![Piece::Ref(arn.untyped())];
            if let Some(k) = json_key {
                value_from.push(Piece::Lit(format!(":{k}::")));
            }
            Resolved {
                value_from,
                secret: Some(arn.into()),
                parameter: None,
            }
        }
        SecretKind::SsmArn(arn) => Resolved {
            value_from: vec![Piece::Ref(arn.untyped())],
            secret: None,
            parameter: Some(arn.into()),
        },
        SecretKind::SsmName(n) => {
            let (partition, account) = (common::partition(cx), common::account_id(cx));
            let pieces = vec![
                Piece::Lit("arn:".into()),
                Piece::Ref(partition.untyped()),
                Piece::Lit(format!(":ssm:{}:", cx.region())),
                Piece::Ref(account.untyped()),
                Piece::Lit(format!(":parameter/{}", n.trim_start_matches('/'))),
            ];
            Resolved {
                parameter: Some(template(&pieces).into()),
                value_from: pieces,
                secret: None,
            }
        }
    }
}

impl EcsService {
    fn container_name(&self) -> &str {
        &self.id
    }

    fn sorted_secrets(&self) -> Vec<&(String, SecretSource)> {
        let mut v: Vec<_> = self.secrets.iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn initial_count(&self) -> u32 {
        let desired = self.desired.unwrap_or(3);
        match self.autoscale {
            Some((min, max)) if min <= max => desired.clamp(min, max),
            _ => desired,
        }
    }

    fn health_command(&self) -> Option<String> {
        self.health_command.clone().or_else(|| {
            let (path, port) = (self.health_path.as_ref()?, self.port?);
            Some(format!("curl -f http://localhost:{port}{path} || exit 1"))
        })
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        self.validate_container(cx);
        self.validate_scaling(cx);
        self.validate_routes(cx);
        if !LOG_RETENTION_DAYS.contains(&self.log_days) {
            cx.error(
                "SS0144",
                format!(
                    "`log_retention_days` is {}, which CloudWatch Logs does not accept",
                    self.log_days
                ),
                format!("use one of {}", retention_list()),
            );
        }
        if self.exec && !self.writable_root {
            cx.error(
                "SS0142",
                "ECS Exec is on but the root filesystem is read-only; the SSM agent that serves exec sessions cannot start",
                "add `.writable_root_filesystem()` (a visible choice) or remove `.enable_execute_command()`",
            );
        }
        if self.deregistration_delay > 3600 {
            cx.error(
                "SS0143",
                format!(
                    "`deregistration_delay_seconds` is {}; allowed are 0 to 3600",
                    self.deregistration_delay
                ),
                "use 30 seconds unless requests run longer",
            );
        }
    }

    fn validate_container(&self, cx: &mut Lowering<'_>) {
        match &self.image {
            None => cx.error(
                "SS0135",
                "the service has no container image",
                "add `.image(\"registry/name:1.4.2\")`",
            ),
            Some(image) if !image.contains('@') => {
                let last = image.rsplit('/').next().unwrap_or(image);
                let problem = match last.split_once(':') {
                    Some((_, "latest")) => Some("uses the tag `latest`, which moves under you"),
                    Some((_, "")) | None => {
                        Some("has no tag, so it pulls `latest`, which moves under you")
                    }
                    Some(_) => None,
                };
                if let Some(problem) = problem {
                    cx.error(
                        "SS0135",
                        format!("image `{image}` {problem}"),
                        "pin a version (`repository/name:1.4.2`) or a digest (`repository/name@sha256:…`) so every task and rollback runs the same code",
                    );
                }
            }
            Some(_) => {}
        }
        match fargate_memory(self.cpu) {
            None => cx.error(
                "SS0136",
                format!(
                    "`cpu` is {} units; Fargate offers 256, 512, 1024, 2048, 4096, 8192 or 16384",
                    self.cpu
                ),
                "use 1024 (1 vCPU) or another Fargate size",
            ),
            Some(valid) if !valid.contains(&self.memory) => cx.error(
                "SS0136",
                format!(
                    "`memory` is {} MiB, which Fargate does not offer with {} CPU units",
                    self.memory, self.cpu
                ),
                format!(
                    "with cpu {} use memory {} (MiB)",
                    self.cpu,
                    valid
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(_) => {}
        }
        if self.port == Some(0) {
            cx.error(
                "SS0145",
                "`port` is 0",
                "use the port the application listens on, e.g. 8000",
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        let names = self
            .env
            .iter()
            .map(|(n, _)| n)
            .chain(self.secrets.iter().map(|(n, _)| n));
        for n in names {
            let valid = n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                cx.error(
                    "SS0137",
                    format!("environment variable name `{n}` is not valid"),
                    "use letters, digits and `_`, not starting with a digit (`DATABASE_URL`)",
                );
            } else if seen.contains(&n.as_str()) {
                cx.error(
                    "SS0137",
                    format!(
                        "environment variable `{n}` is set more than once (as `env` or `secret`)"
                    ),
                    "set each variable once",
                );
            }
            seen.push(n);
        }
        for (n, src) in &self.secrets {
            if let SecretKind::SsmName(p) = &src.kind {
                let ok = !p.is_empty()
                    && p.len() <= 1011
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))
                    && (!p.contains('/') || p.starts_with('/'))
                    && !p
                        .trim_start_matches('/')
                        .to_ascii_lowercase()
                        .starts_with("aws")
                    && !p
                        .trim_start_matches('/')
                        .to_ascii_lowercase()
                        .starts_with("ssm");
                if !ok {
                    cx.error(
                        "SS0137",
                        format!("secret `{n}`: `{p}` is not a valid SSM parameter name"),
                        "use letters, digits and `_.-/`; a hierarchical name starts with `/` (`/janua/database-url`) and must not start with `aws` or `ssm`",
                    );
                }
            }
            if let SecretKind::SecretsManager {
                json_key: Some(k), ..
            } = &src.kind
            {
                if k.is_empty() || k.contains(':') {
                    cx.error(
                        "SS0137",
                        format!("secret `{n}`: JSON key `{k}` is empty or contains `:`"),
                        "name a top-level key of the secret's JSON object, e.g. `password`",
                    );
                }
            }
        }
        if let Some(u) = &self.user {
            if u.is_empty()
                || u == "root"
                || u == "0"
                || u.starts_with("0:")
                || u.starts_with("root:")
            {
                cx.error(
                    "SS0145",
                    format!("`user` is `{u}`, which runs the container as root"),
                    "use a non-root user such as `1000:1000`, or leave `user` unset to keep the image's",
                );
            }
        }
    }

    fn validate_scaling(&self, cx: &mut Lowering<'_>) {
        if let Some((min, max)) = self.autoscale {
            if min == 0 || min > max || max > 5000 {
                cx.error(
                    "SS0140",
                    format!("`autoscale` is min {min} / max {max}; it needs 1 ≤ min ≤ max ≤ 5000"),
                    "fix `.autoscale(min, max)`; use min 2 or more so a task survives a zone outage",
                );
            }
            if let Some(d) = self.desired {
                if min <= max && !(min..=max).contains(&d) {
                    cx.warning(
                        "SS0141",
                        format!(
                            "`desired_count` {d} is outside autoscaling's {min}–{max}; the service starts with {}",
                            d.clamp(min, max)
                        ),
                        "remove `.desired_count` (autoscaling sets the count) or set it within the range",
                    );
                }
            }
            if min == 1 {
                cx.warning(
                    "SS0141",
                    "autoscaling may run a single task, which a zone outage or a deploy takes down",
                    "use min 2 or more",
                );
            }
        } else {
            if self.cpu_target.is_some() || self.memory_target.is_some() {
                cx.error(
                    "SS0140",
                    "a scaling target is set but the service does not autoscale",
                    "add `.autoscale(min, max)` or remove `.target_cpu_percent` / `.target_memory_percent`",
                );
            }
            if let Some(d) = self.desired {
                if d < 2 {
                    cx.warning(
                        "SS0141",
                        format!("`desired_count` is {d}: a zone outage or a failed task takes the service down"),
                        "run 2 or more tasks (3 spreads over three zones)",
                    );
                }
            }
        }
        for (what, target) in [
            ("target_cpu_percent", self.cpu_target),
            ("target_memory_percent", self.memory_target),
        ] {
            if let Some(t) = target {
                if !(1..=100).contains(&t) {
                    cx.error(
                        "SS0140",
                        format!("`{what}` is {t}; it is a utilisation percentage, 1 to 100"),
                        "use 60–80 to keep headroom for bursts",
                    );
                }
            }
        }
    }

    fn validate_routes(&self, cx: &mut Lowering<'_>) {
        if !self.routes.is_empty() && self.port.is_none() {
            cx.error(
                "SS0138",
                "the service is served through a load balancer but has no container `port`",
                "add `.port(8000)` with the port the application listens on",
            );
        }
        if !self.routes.is_empty() && self.health_path.is_none() {
            cx.warning(
                "SS0143",
                "no `health_path`: the target group checks `/`, which must answer 200 or every task is marked unhealthy",
                "add `.health_path(\"/health\")`",
            );
        }
        if let Some(p) = &self.health_path {
            if !p.starts_with('/')
                || p.len() > 1024
                || p.contains(char::is_whitespace)
                || p.contains('\'')
            {
                cx.error(
                    "SS0143",
                    format!("`health_path` `{p}` is not an absolute URL path"),
                    "use a path such as `/health`",
                );
            }
        }
        let mut priorities: Vec<(String, u32, String)> = Vec::new();
        for (lb, route) in &self.routes {
            if let Some(h) = &route.host {
                let chars_ok = h
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.*?".contains(c));
                if h.is_empty() || h.len() > 128 || !chars_ok {
                    cx.error(
                        "SS0138",
                        format!("route host `{h}` is not a host name pattern"),
                        "use a host name such as `api.example.com` (`*` and `?` allowed)",
                    );
                } else if !lb.domains().is_empty() && !lb.covers(h) {
                    cx.error(
                        "SS0138",
                        format!(
                            "route host `{h}` is not covered by the certificate of {} ({}); clients would get a certificate error",
                            lb.path(),
                            lb.domains().join(", ")
                        ),
                        format!("add `{h}` to the load balancer's `.certificate(..)` or `.alternative_names([...])`, or route a covered host"),
                    );
                }
            }
            if let Some(p) = &route.path {
                if !p.starts_with('/') || p.len() > 128 || p.contains(char::is_whitespace) {
                    cx.error(
                        "SS0138",
                        format!("route path `{p}` is not a path pattern"),
                        "use an absolute pattern of at most 128 characters, such as `/api/*`",
                    );
                }
            }
            let priority = route.priority.unwrap_or_else(|| route.default_priority());
            if !(1..=50000).contains(&priority) {
                cx.error(
                    "SS0139",
                    format!(
                        "route for {} has priority {priority}; allowed are 1 to 50000",
                        route.describe()
                    ),
                    "choose a priority between 1 and 50000",
                );
            }
            let lb_key = lb.path().to_string();
            if let Some((_, _, other)) = priorities
                .iter()
                .find(|(l, p, _)| *l == lb_key && *p == priority)
            {
                cx.error(
                    "SS0139",
                    format!(
                        "routes for {other} and {} both have priority {priority} on {lb_key}",
                        route.describe()
                    ),
                    "give one of them a different `.priority(n)`; each rule on a listener needs its own",
                );
            }
            priorities.push((lb_key, priority, route.describe()));
        }
    }

    fn execution_role(
        &self,
        cx: &mut Lowering<'_>,
        logs_arn: &Ref,
        secrets: &[(String, Resolved)],
    ) -> (Address, Address) {
        let (role, _) = common::service_role(cx, "execution", "ecs-tasks.amazonaws.com", &[]);
        let mut statements = Vec::new();
        if let Some((account, region, repo)) = self.image.as_deref().and_then(ecr_repository) {
            let partition = common::partition(cx);
            let repo_arn = Template::new()
                .lit("arn:")
                .with(&partition)
                .lit(format!(":ecr:{region}:{account}:repository/{repo}"));
            statements.push(
                PolicyStatement::allow("EcrAuthorization", ["ecr:GetAuthorizationToken"])
                    .resource("*"),
            );
            statements.push(
                PolicyStatement::allow(
                    "EcrPullImage",
                    [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                    ],
                )
                .resource(repo_arn),
            );
        }
        statements.push(
            PolicyStatement::allow("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(Template::new().with(logs_arn).lit(":*")),
        );
        let mut read_secrets =
            PolicyStatement::allow("ReadSecrets", ["secretsmanager:GetSecretValue"]);
        let mut read_params = PolicyStatement::allow("ReadParameters", ["ssm:GetParameters"]);
        let mut decrypt = PolicyStatement::allow("DecryptSecrets", ["kms:Decrypt"]).condition(
            "StringEquals",
            "kms:ViaService",
            vec![
                format!("secretsmanager.{}.amazonaws.com", cx.region()).into(),
                format!("ssm.{}.amazonaws.com", cx.region()).into(),
            ],
        );
        let (mut seen_s, mut seen_p, mut seen_k): (Vec<Value>, Vec<Value>, Vec<Value>) =
            (Vec::new(), Vec::new(), Vec::new());
        for ((_, r), (_, src)) in secrets.iter().zip(self.sorted_secrets()) {
            if let Some(v) = &r.secret {
                if !seen_s.contains(v) {
                    read_secrets = read_secrets.resource(v.clone());
                    seen_s.push(v.clone());
                }
            }
            if let Some(v) = &r.parameter {
                if !seen_p.contains(v) {
                    read_params = read_params.resource(v.clone());
                    seen_p.push(v.clone());
                }
            }
            if let Some(k) = &src.key {
                let v = Value::from(k);
                if !seen_k.contains(&v) {
                    decrypt = decrypt.resource(v.clone());
                    seen_k.push(v);
                }
            }
        }
        if !seen_s.is_empty() {
            statements.push(read_secrets);
        }
        if !seen_p.is_empty() {
            statements.push(read_params);
        }
        if !seen_k.is_empty() {
            statements.push(decrypt);
        }
        let doc = policy_document(cx, "execution-policy", &statements);
        let policy = cx.add(
            "aws_iam_role_policy",
            "execution",
            tf! { "name" => "pull-image-write-logs-read-secrets", "role" => role.attr::<String>("id"), "policy" => doc },
        );
        (role, policy)
    }

    fn task_role(&self, cx: &mut Lowering<'_>) -> Address {
        let (role, _) = common::service_role(cx, "task", "ecs-tasks.amazonaws.com", &[]);
        let mut statements = self.task_policy.clone();
        if self.exec {
            statements.push(
                PolicyStatement::allow(
                    "EcsExecChannels",
                    [
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                )
                .resource("*"),
            );
            statements.push(
                PolicyStatement::allow("EcsExecDecrypt", ["kms:Decrypt"])
                    .resource(self.cluster.exec_key_arn()),
            );
            statements.push(
                PolicyStatement::allow("EcsExecDescribeLogGroups", ["logs:DescribeLogGroups"])
                    .resource("*"),
            );
            statements.push(
                PolicyStatement::allow(
                    "EcsExecWriteLogs",
                    [
                        "logs:CreateLogStream",
                        "logs:DescribeLogStreams",
                        "logs:PutLogEvents",
                    ],
                )
                .resource(
                    Template::new()
                        .with(&self.cluster.exec_log_group_arn())
                        .lit(":*"),
                ),
            );
        }
        if !statements.is_empty() {
            let doc = policy_document(cx, "task-policy", &statements);
            cx.add(
                "aws_iam_role_policy",
                "task",
                tf! { "name" => "application", "role" => role.attr::<String>("id"), "policy" => doc },
            );
        }
        role
    }

    fn security_rules(&self, cx: &mut Lowering<'_>, sg: &Address, port: u16) {
        let sg_id: Ref = sg.attr("id");
        let mut lbs: Vec<&LoadBalancerRef> = Vec::new();
        for (lb, _) in &self.routes {
            if !lbs.iter().any(|l| l.path() == lb.path()) {
                lbs.push(lb);
            }
        }
        let peers: Vec<Ingress> = lbs.iter().map(|lb| Ingress::of(*lb)).collect();
        common::ingress_rules(cx, sg, port, "HTTP", &peers);
        for lb in &lbs {
            let label = stacksmith_core::cloud_name(lb.path(), "");
            cx.add(
                "aws_vpc_security_group_egress_rule",
                &format!("{label}-to-tasks"),
                tf! {
                    "security_group_id" => lb.security_group_id(),
                    "referenced_security_group_id" => &sg_id,
                    "ip_protocol" => "tcp",
                    "from_port" => port,
                    "to_port" => port,
                    "description" => format!("HTTP to {} tasks", cx.path()),
                },
            );
        }
        cx.add(
            "aws_vpc_security_group_egress_rule",
            "egress-https",
            tf! {
                "security_group_id" => &sg_id,
                "cidr_ipv4" => "0.0.0.0/0",
                "ip_protocol" => "tcp",
                "from_port" => 443_u16,
                "to_port" => 443_u16,
                "description" => "HTTPS to AWS APIs (ECR, Secrets Manager, SSM, CloudWatch Logs) and external services",
            },
        );
        for e in &self.egress {
            match e {
                Egress::Peer(peer, p) => {
                    let label = stacksmith_core::cloud_name(&peer.from, "");
                    cx.add(
                        "aws_vpc_security_group_egress_rule",
                        &format!("to-{label}-{p}"),
                        tf! {
                            "security_group_id" => &sg_id,
                            "referenced_security_group_id" => &peer.source,
                            "ip_protocol" => "tcp",
                            "from_port" => *p,
                            "to_port" => *p,
                            "description" => format!("{p}/tcp to {}", peer.from),
                        },
                    );
                }
                Egress::Cidr(c, p) => match Cidr::parse(c) {
                    Ok(cidr) => {
                        cx.add(
                            "aws_vpc_security_group_egress_rule",
                            &format!("to-{}-{p}", label_part(&cidr.to_string())),
                            tf! {
                                "security_group_id" => &sg_id,
                                "cidr_ipv4" => cidr.to_string(),
                                "ip_protocol" => "tcp",
                                "from_port" => *p,
                                "to_port" => *p,
                                "description" => format!("{p}/tcp to {cidr}"),
                            },
                        );
                    }
                    Err(e) => cx.error(
                        "SS0146",
                        format!("`allow_egress_to_cidr` value `{c}` is not an IPv4 network: {e}"),
                        "write a network such as `10.20.0.0/16`",
                    ),
                },
            }
        }
    }

    fn container_definitions(
        &self,
        region: &str,
        logs: &Address,
        secrets: &[(String, Resolved)],
    ) -> Vec<Piece> {
        let mut env: Vec<&(String, Vec<Piece>)> = self.env.iter().collect();
        env.sort_by(|a, b| a.0.cmp(&b.0));
        let mut c: Vec<(&'static str, Json)> = vec![
            ("name", s(self.container_name())),
            ("image", s(self.image.as_deref().unwrap_or_default())),
            ("essential", Json::Bool(true)),
        ];
        if let Some(p) = self.port {
            c.push((
                "portMappings",
                Json::Arr(vec![Json::Obj(vec![
                    ("containerPort", Json::Int(i64::from(p))),
                    ("hostPort", Json::Int(i64::from(p))),
                    ("protocol", s("tcp")),
                ])]),
            ));
        }
        c.push((
            "environment",
            Json::Arr(
                env.iter()
                    .map(|(n, v)| Json::Obj(vec![("name", s(n)), ("value", Json::Str(v.clone()))]))
                    .collect(),
            ),
        ));
        c.push((
            "secrets",
            Json::Arr(
                secrets
                    .iter()
                    .map(|(n, r)| {
                        Json::Obj(vec![
                            ("name", s(n)),
                            ("valueFrom", Json::Str(r.value_from.clone())),
                        ])
                    })
                    .collect(),
            ),
        ));
        c.push(("readonlyRootFilesystem", Json::Bool(!self.writable_root)));
        if !self.writable_root {
            c.push((
                "mountPoints",
                Json::Arr(vec![Json::Obj(vec![
                    ("sourceVolume", s("tmp")),
                    ("containerPath", s("/tmp")),
                    ("readOnly", Json::Bool(false)),
                ])]),
            ));
        }
        if let Some(u) = &self.user {
            c.push(("user", s(u)));
        }
        let mut linux = vec![("initProcessEnabled", Json::Bool(true))];
        if !self.keep_capabilities {
            linux.push((
                "capabilities",
                Json::Obj(vec![("drop", Json::Arr(vec![s("ALL")]))]),
            ));
        }
        c.push(("linuxParameters", Json::Obj(linux)));
        if let Some(cmd) = self.health_command() {
            c.push((
                "healthCheck",
                Json::Obj(vec![
                    ("command", Json::Arr(vec![s("CMD-SHELL"), s(&cmd)])),
                    ("interval", Json::Int(30)),
                    ("timeout", Json::Int(5)),
                    ("retries", Json::Int(3)),
                    ("startPeriod", Json::Int(60)),
                ]),
            ));
        }
        c.push(("stopTimeout", Json::Int(30)));
        c.push((
            "logConfiguration",
            Json::Obj(vec![
                ("logDriver", s("awslogs")),
                (
                    "options",
                    Json::Obj(vec![
                        (
                            "awslogs-group",
                            Json::Str(vec![Piece::Ref(logs.attr::<()>("name"))]),
                        ),
                        ("awslogs-region", s(region)),
                        ("awslogs-stream-prefix", s("ecs")),
                        ("mode", s("non-blocking")),
                        ("max-buffer-size", s("25m")),
                    ]),
                ),
            ]),
        ));
        let mut out = Vec::new();
        render(&Json::Arr(vec![Json::Obj(c)]), &mut out);
        out
    }

    /// Target groups and listener rules: (the service's `load_balancer` blocks, rule addresses).
    fn load_balancing(&self, cx: &mut Lowering<'_>, port: u16) -> (Vec<Value>, Vec<Address>) {
        let mut blocks = Vec::new();
        let mut rules = Vec::new();
        let mut groups: Vec<(Path, Address)> = Vec::new();
        let mut used: Vec<(String, u32)> = Vec::new();
        for (lb, route) in &self.routes {
            let tg = match groups.iter().find(|(p, _)| p == lb.path()) {
                Some((_, tg)) => tg.clone(),
                None => {
                    let tg = self.target_group(cx, lb, port);
                    groups.push((lb.path().clone(), tg.clone()));
                    blocks.push(Value::Map(tf! {
                        "target_group_arn" => tg.attr::<String>("arn"),
                        "container_name" => self.container_name(),
                        "container_port" => port,
                    }));
                    tg
                }
            };
            let priority = route.priority.unwrap_or_else(|| route.default_priority());
            let lb_label = lb.path().below_stack().join("-");
            if used.contains(&(lb_label.clone(), priority)) {
                continue; // a collision, reported by `validate_routes`
            }
            used.push((lb_label.clone(), priority));
            let mut conditions = Vec::new();
            if let Some(h) = &route.host {
                conditions.push(Value::Map(
                    tf! { "host_header" => tf! { "values" => vec![h.as_str()] } },
                ));
            }
            if let Some(p) = &route.path {
                conditions.push(Value::Map(
                    tf! { "path_pattern" => tf! { "values" => vec![p.as_str()] } },
                ));
            }
            let rule = cx.add(
                "aws_lb_listener_rule",
                &format!("{lb_label}-rule-{priority}"),
                tf! {
                    "listener_arn" => lb.https_listener_arn(),
                    "priority" => priority,
                    "action" => vec![Value::Map(tf! {
                        "type" => "forward",
                        "target_group_arn" => tg.attr::<String>("arn"),
                    })],
                    "condition" => Value::List(conditions),
                    "tags" => name_tag(&cx.name(&format!("{lb_label}-{priority}"))),
                },
            );
            rules.push(rule);
        }
        (blocks, rules)
    }

    fn target_group(&self, cx: &mut Lowering<'_>, lb: &LoadBalancerRef, port: u16) -> Address {
        let part = lb.path().below_stack().join("-");
        let name = cx.name(&part);
        cx.check_name(&TARGET_GROUP_NAME, &name, "target group name");
        cx.add(
            "aws_lb_target_group",
            &format!("{part}-targets"),
            tf! {
                "name" => name.as_str(),
                "target_type" => "ip",
                "protocol" => "HTTP",
                "protocol_version" => "HTTP1",
                "port" => port,
                "ip_address_type" => "ipv4",
                "vpc_id" => self.network.vpc_id(),
                "deregistration_delay" => self.deregistration_delay.to_string(),
                "slow_start" => 0_i64,
                "load_balancing_algorithm_type" => "round_robin",
                "health_check" => tf! {
                    "enabled" => true,
                    "protocol" => "HTTP",
                    "port" => "traffic-port",
                    "path" => self.health_path.as_deref().unwrap_or("/"),
                    "matcher" => "200",
                    "interval" => 15_i64,
                    "timeout" => 5_i64,
                    "healthy_threshold" => 2_i64,
                    "unhealthy_threshold" => 3_i64,
                },
                "tags" => name_tag(&name),
            },
        )
    }

    fn autoscaling(&self, cx: &mut Lowering<'_>, service: &Address) {
        let Some((min, max)) = self.autoscale else {
            return;
        };
        let resource_id = Template::new()
            .lit("service/")
            .with(&self.cluster.name())
            .lit("/")
            .with(&service.attr::<String>("name"));
        let target = cx.add(
            "aws_appautoscaling_target",
            "scaling",
            tf! {
                "service_namespace" => "ecs",
                "scalable_dimension" => "ecs:service:DesiredCount",
                "resource_id" => resource_id,
                "min_capacity" => min,
                "max_capacity" => max,
                "tags" => name_tag(&cx.name("scaling")),
            },
        );
        let metrics = [
            (
                "cpu",
                "ECSServiceAverageCPUUtilization",
                Some(self.cpu_target.unwrap_or(70)),
            ),
            (
                "memory",
                "ECSServiceAverageMemoryUtilization",
                self.memory_target,
            ),
        ];
        for (part, metric, target_value) in metrics {
            let Some(value) = target_value else { continue };
            cx.add(
                "aws_appautoscaling_policy",
                part,
                tf! {
                    "name" => cx.name(part),
                    "policy_type" => "TargetTrackingScaling",
                    "service_namespace" => target.attr::<String>("service_namespace"),
                    "scalable_dimension" => target.attr::<String>("scalable_dimension"),
                    "resource_id" => target.attr::<String>("resource_id"),
                    "target_tracking_scaling_policy_configuration" => tf! {
                        "target_value" => value,
                        "scale_in_cooldown" => 300_i64,
                        "scale_out_cooldown" => 60_i64,
                        "disable_scale_in" => false,
                        "predefined_metric_specification" => tf! { "predefined_metric_type" => metric },
                    },
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EcsCluster, LoadBalancer, Network};
    use stacksmith_core::Stack;

    fn lowered(f: impl FnOnce(EcsService) -> EcsService) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let cluster = stack.add(EcsCluster::new("ecs"));
        let alb = stack.add(
            LoadBalancer::new("alb", &net)
                .certificate("api.janua.dev", "janua.dev")
                .open_to_internet(),
        );
        stack.add(f(EcsService::new("api", &cluster, &net)
            .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/janua-api:1.0.0")
            .cpu(1024)
            .memory(2048)
            .port(8000)
            .env("ENVIRONMENT", "production")
            .secret(
                "DATABASE_URL",
                SecretSource::ssm_parameter("/janua/database-url"),
            )
            .health_path("/health")
            .serve_via(&alb, Route::host("api.janua.dev"))));
        stack.lower()
    }

    fn body(g: &stacksmith_core::Graph, expr: &str) -> Option<Value> {
        g.resources
            .iter()
            .chain(&g.data)
            .find(|r| r.address.expression() == expr)
            .map(|r| Value::Map(r.body.clone()))
    }

    fn json(g: &stacksmith_core::Graph, expr: &str) -> String {
        let r = g
            .resources
            .iter()
            .chain(&g.data)
            .find(|r| r.address.expression() == expr);
        serde_json::to_string_pretty(&r).unwrap_or_default()
    }

    /// The container definitions as parsed JSON (references stay `${...}` strings).
    fn containers(g: &stacksmith_core::Graph) -> serde_json::Value {
        let text = body(g, "aws_ecs_task_definition.api_task")
            .and_then(|b| b.get("container_definitions").cloned())
            .and_then(|v| serde_json::to_value(&v).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    #[test]
    fn service_defaults_are_safe_and_written_out() {
        let g = lowered(|s| s);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let svc = body(&g, "aws_ecs_service.api");
        let get = |k: &str| svc.as_ref().and_then(|b| b.get(k)).cloned();
        assert_eq!(
            get("network_configuration.assign_public_ip"),
            Some(Value::Bool(false))
        );
        assert_eq!(
            get("deployment_circuit_breaker.rollback"),
            Some(Value::Bool(true))
        );
        assert_eq!(get("platform_version"), Some(Value::from("LATEST")));
        assert_eq!(get("enable_execute_command"), Some(Value::Bool(false)));
        assert_eq!(get("desired_count"), Some(Value::Int(3)));
        insta::assert_snapshot!(json(&g, "aws_ecs_service.api"));
    }

    #[test]
    fn container_definition_is_valid_json_and_hardened() {
        let g = lowered(|s| s);
        let c = containers(&g);
        let c0 = &c[0];
        assert_eq!(c0["readonlyRootFilesystem"], serde_json::json!(true));
        assert_eq!(
            c0["linuxParameters"]["capabilities"]["drop"],
            serde_json::json!(["ALL"])
        );
        assert_eq!(
            c0["healthCheck"]["command"],
            serde_json::json!([
                "CMD-SHELL",
                "curl -f http://localhost:8000/health || exit 1"
            ])
        );
        assert_eq!(
            c0["secrets"][0]["valueFrom"],
            serde_json::json!(
                "arn:${data.aws_partition.current.partition}:ssm:us-east-1:${data.aws_caller_identity.current.account_id}:parameter/janua/database-url"
            )
        );
        assert_eq!(
            c0["logConfiguration"]["options"]["awslogs-group"],
            serde_json::json!("${aws_cloudwatch_log_group.api_logs.name}")
        );
        insta::assert_snapshot!(serde_json::to_string_pretty(&c).unwrap_or_default());
    }

    #[test]
    fn execution_role_reads_exactly_the_named_secrets() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let cluster = stack.add(EcsCluster::new("ecs"));
        let db = stack.add(crate::Database::documentdb("db", &net));
        let key = Address::resource("prod", "aws_kms_key", "db_key").attr::<String>("arn");
        let Some(secret) = db.master_secret_arn() else {
            panic!("a primary database has a master secret");
        };
        stack.add(
            EcsService::new("api", &cluster, &net)
                .image("ghcr.io/janua/api:1.0.0")
                .secret(
                    "DB_PASSWORD",
                    SecretSource::secrets_manager_key(&secret, "password").decrypted_with(&key),
                )
                .secret(
                    "DB_USER",
                    SecretSource::secrets_manager_key(&secret, "username").decrypted_with(&key),
                ),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let policy = json(&g, "data.aws_iam_policy_document.api_execution_policy");
        assert!(
            !policy.contains("ecr:"),
            "a non-ECR image needs no ECR permissions"
        );
        assert_eq!(
            policy
                .matches("${aws_docdb_cluster.db.master_user_secret[0].secret_arn}")
                .count(),
            1
        );
        assert!(policy.contains("kms:ViaService"));
        assert!(policy.contains("${aws_kms_key.db_key.arn}"));
        assert!(!policy.contains("ssm:GetParameters"));
        let c = containers(&g);
        assert_eq!(
            c[0]["secrets"][0]["valueFrom"],
            serde_json::json!(
                "${aws_docdb_cluster.db.master_user_secret[0].secret_arn}:password::"
            )
        );
    }

    #[test]
    fn ecr_pull_is_scoped_to_the_repository() {
        let g = lowered(|s| s);
        insta::assert_snapshot!(json(
            &g,
            "data.aws_iam_policy_document.api_execution_policy"
        ));
    }

    #[test]
    fn traffic_only_from_the_load_balancer() {
        let g = lowered(|s| s);
        let ingress: Vec<_> = g
            .resources
            .iter()
            .filter(|r| {
                r.address.kind() == "aws_vpc_security_group_ingress_rule" && r.owner.id() == "api"
            })
            .collect();
        assert_eq!(ingress.len(), 1);
        let rule = json(&g, "aws_vpc_security_group_ingress_rule.api_from_prod_alb");
        assert!(rule.contains("${aws_security_group.alb_sg.id}"));
        assert!(rule.contains("8000"));
        let egress = json(
            &g,
            "aws_vpc_security_group_egress_rule.api_prod_alb_to_tasks",
        );
        assert!(egress.contains("${aws_security_group.api_sg.id}"));
    }

    #[test]
    fn target_group_and_listener_rule() {
        let g = lowered(|s| s);
        insta::assert_snapshot!(json(&g, "aws_lb_target_group.api_alb_targets"));
        let rule = g
            .resources
            .iter()
            .find(|r| r.address.kind() == "aws_lb_listener_rule")
            .map(|r| serde_json::to_string(r).unwrap_or_default())
            .unwrap_or_default();
        assert!(rule.contains("${aws_lb_listener.alb_https.arn}"));
        assert!(rule.contains("api.janua.dev"));
        let svc = g
            .resources
            .iter()
            .find(|r| r.address.expression() == "aws_ecs_service.api");
        assert!(svc.is_some_and(|s| {
            s.depends_on
                .iter()
                .any(|a| a.kind() == "aws_lb_listener_rule")
        }));
    }

    #[test]
    fn default_priorities_put_specific_routes_first() {
        let both = Route::host_and_path("api.janua.dev", "/v2/*").default_priority();
        let path = Route::path("/v2/*").default_priority();
        let long = Route::path("/v2/admin/*").default_priority();
        let host = Route::host("api.janua.dev").default_priority();
        let wild = Route::host("*.janua.dev").default_priority();
        assert!(both < long && long < path && path < host && host < wild);
        assert!(wild <= 50000);
    }

    #[test]
    fn autoscaling_tracks_cpu_and_leaves_the_count_to_it() {
        let g = lowered(|s| s.autoscale(3, 12).target_cpu_percent(70));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert!(
            json(&g, "aws_appautoscaling_policy.api_cpu")
                .contains("ECSServiceAverageCPUUtilization")
        );
        assert!(
            json(&g, "aws_appautoscaling_target.api_scaling")
                .contains("service/${aws_ecs_cluster.ecs.name}/${aws_ecs_service.api.name}")
        );
        let svc = g
            .resources
            .iter()
            .find(|r| r.address.expression() == "aws_ecs_service.api");
        assert_eq!(
            svc.map(|s| s.ignore_changes.clone()),
            Some(vec!["desired_count".to_owned()])
        );
    }

    #[test]
    fn env_refs_and_egress_are_explicit() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let cluster = stack.add(EcsCluster::new("ecs"));
        let cache = stack.add(crate::Cache::redis("cache", &net));
        stack.add(
            EcsService::new("worker", &cluster, &net)
                .image("ghcr.io/janua/worker:1.0.0")
                .env_ref("REDIS_HOST", &cache.endpoint())
                .allow_egress_to_cidr("10.0.0.0/16", 6379),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let text = body(&g, "aws_ecs_task_definition.worker_task")
            .and_then(|b| b.get("container_definitions").cloned())
            .and_then(|v| serde_json::to_string(&v).ok())
            .unwrap_or_default();
        assert!(
            text.contains("${aws_elasticache_replication_group.cache.primary_endpoint_address}")
        );
        let egress: Vec<_> = g
            .resources
            .iter()
            .filter(|r| r.address.kind() == "aws_vpc_security_group_egress_rule")
            .map(|r| r.address.name().to_owned())
            .collect();
        assert_eq!(
            egress,
            ["worker_egress_https", "worker_to_10_0_0_0_16_6379"]
        );
        assert!(
            g.resources
                .iter()
                .all(|r| r.address.kind() != "aws_lb_target_group"),
            "a service served by no load balancer has no target group"
        );
    }

    #[test]
    fn ecr_images_are_recognised() {
        assert_eq!(
            ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.2"),
            Some(("123456789012".into(), "eu-west-1".into(), "team/api".into()))
        );
        assert_eq!(ecr_repository("ghcr.io/janua/api:1.0"), None);
        assert_eq!(ecr_repository("public.ecr.aws/nginx/nginx:1.27"), None);
    }

    #[test]
    fn fails_invalid_fargate_size() {
        let g = lowered(|s| s.cpu(1024).memory(512));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_latest_image() {
        let g = lowered(|s| s.image("janua/api:latest"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_autoscale_min_above_max() {
        let g = lowered(|s| s.autoscale(6, 3));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_host_not_covered_by_a_listener_certificate_for_a_different_domain() {
        let g = lowered(|s| s.serve_via_again());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_priority_collision_and_exec_on_read_only_root() {
        let g = lowered(|s| {
            s.serve_via_path("/a/*", 10)
                .serve_via_path("/b/*", 10)
                .enable_execute_command()
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    /// Test helpers that reuse the load balancer already routed to.
    trait Again {
        fn serve_via_again(self) -> Self;
        fn serve_via_path(self, path: &str, priority: u32) -> Self;
    }

    impl Again for EcsService {
        fn serve_via_again(self) -> Self {
            let lb = self.routes[0].0.clone();
            self.serve_via(&lb, Route::host("admin.janua.io"))
        }

        fn serve_via_path(self, path: &str, priority: u32) -> Self {
            let lb = self.routes[0].0.clone();
            self.serve_via(&lb, Route::path(path).priority(priority))
        }
    }
}
