//! `EcsService`: one typed container run as a Fargate service in private subnets, served through
//! a `LoadBalancer` if asked, with least-privilege roles, encrypted logs and autoscaling.

mod container;
mod iam;
mod routing;
mod scaling;
mod secret;

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{
    Address, Construct, Lower, Lowering, NameRule, Node, NodeKind, Path, Ref, Scope, Within, tf,
    tf_name,
};

use crate::common::{self, Ingress, Peer, name_tag};
use crate::drawing::{join, tail_id};
use crate::ecr_repository::EcrImage;
use crate::ecs_cluster::EcsClusterRef;
use crate::iam::PolicyStatement;
use crate::load_balancer::LoadBalancerRef;
use crate::network::NetworkRef;
use container::{Piece, template};
use routing::Egress;
pub use routing::Route;
pub use secret::SecretSource;
use secret::{Resolved, resolve};

/// ECS service names and task definition families: 1–255 letters, digits, `-` and `_`.
const SERVICE_NAME: NameRule = NameRule {
    what: "ECS service name",
    max_len: 255,
    lowercase: false,
    extra: "-_",
    start_letter: false,
};

/// Where a task's container image comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerImage {
    /// An image URI, `registry/name:tag` or `registry/name@sha256:…`.
    Uri(String),
    /// An image in an ECR repository of the stack.
    Ecr(EcrImage),
}

impl From<&str> for ContainerImage {
    fn from(uri: &str) -> Self {
        ContainerImage::Uri(uri.to_owned())
    }
}

impl From<EcrImage> for ContainerImage {
    fn from(image: EcrImage) -> Self {
        ContainerImage::Ecr(image)
    }
}

impl From<&EcrImage> for ContainerImage {
    fn from(image: &EcrImage) -> Self {
        ContainerImage::Ecr(image.clone())
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
    image: Option<ContainerImage>,
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
    command: Vec<String>,
    keep_alive: Option<u32>,
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
            command: Vec::new(),
            keep_alive: None,
        }
    }

    /// The container image, pinned to a version tag or a digest (`latest` and untagged
    /// images are errors): an image in a repository of the stack (`repo.image("1.2.3")`; the
    /// execution role may pull from exactly that repository) or an image URI
    /// (`"ghcr.io/org/api:1.2.3"`). Required.
    #[must_use]
    pub fn image(mut self, image: impl Into<ContainerImage>) -> Self {
        self.image = Some(image.into());
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

    /// The container's command (`command` in the container definition, replacing the image's
    /// `CMD`), e.g. to set the server's keep-alive. Default: the image's.
    #[must_use]
    pub fn command<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.command = args.into_iter().map(Into::into).collect();
        self
    }

    /// Declares how long the application keeps an idle HTTP connection open (uvicorn
    /// `--timeout-keep-alive`, gunicorn `--keep-alive`, Node `server.keepAliveTimeout`), so it
    /// is checked against the idle timeout of each load balancer serving it: it must be longer
    /// (SS0181), or the load balancer reuses connections the app has closed and answers 502.
    /// Default: not declared, not checked (the servers' own defaults, 2–5 s, are shorter than
    /// an ALB's default 60 s).
    #[must_use]
    pub fn keep_alive_seconds(mut self, seconds: u32) -> Self {
        self.keep_alive = Some(seconds);
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

    /// The ARN suffix of the target group through which `lb` sends to it (`serve_via`), the
    /// `TargetGroup` dimension of its CloudWatch metrics.
    pub fn target_group_arn_suffix(&self, lb: &LoadBalancerRef) -> Ref {
        let part = lb.path().below_stack().join("-");
        self.address("aws_lb_target_group", &format!("{part}-targets"))
            .attr("arn_suffix")
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
        let log_days = common::accepted_retention(self.log_days);
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
        let td = cx.add_with(
            "aws_ecs_task_definition",
            "task",
            td,
            crate::common::TASK_FAMILY,
        );

        let (load_balancers, rules) = self.load_balancing(cx, port);
        let balanced = load_balancers.len();
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
            .facts(crate::common::NAMED)
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
        self.draw(cx, balanced, port);
    }
}

impl EcsService {
    /// The service as the diagram draws it, in its cluster's box (which it places in its
    /// network): Fargate, task count and size, the port each load balancer reaches.
    fn draw(&self, cx: &mut Lowering<'_>, balanced: usize, port: u16) {
        let path = cx.path().clone();
        let mut tasks = format!("{} tasks", self.initial_count());
        if let Some((min, max)) = self.autoscale {
            tasks = format!("{tasks} (autoscaled {min}–{max})");
        }
        let size = format!(
            "{} vCPU / {} GiB",
            units(i64::from(self.cpu), 1024),
            units(i64::from(self.memory), 1024)
        );
        let ports = vec![format!("port {port}"); balanced].join(", ");
        // In its cluster's box, or in its network when the cluster is another stack's.
        let cluster = self.cluster.path();
        let within = if cluster.stack() == path.stack() {
            cluster
        } else {
            self.network.path()
        };
        cx.node(
            Node::new(
                &path,
                &format!("ecs_{}", tail_id(&path)),
                NodeKind::Compute,
                path.to_string(),
            )
            .line("ECS service · Fargate")
            .line(join([Some(tasks.as_str()), Some(size.as_str())]))
            .line(ports)
            .within(Within::Construct(within.clone())),
        );
        cx.place(self.cluster.path(), self.network.path());
    }
}

/// `1`, `0.5`, `2` for `1024`, `512`, `2048` of a unit of 1024.
fn units(v: i64, per: i64) -> String {
    if let Some(whole) = v.checked_div(per).filter(|_| v.checked_rem(per) == Some(0)) {
        whole.to_string()
    } else {
        format!("{:.2}", v as f64 / per as f64)
            .trim_end_matches('0')
            .to_owned()
    }
}

impl EcsService {
    fn sorted_secrets(&self) -> Vec<&(String, SecretSource)> {
        let mut v: Vec<_> = self.secrets.iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        self.validate_container(cx);
        self.validate_scaling(cx);
        self.validate_routes(cx);
        common::check_retention(cx, "SS0144", "log_retention_days", self.log_days);
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
}

#[cfg(test)]
mod tests;
