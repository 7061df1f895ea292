//! `Container` and `Probe`: one container of a pod, with secure defaults written out (no
//! privilege escalation, read-only root, non-root, all capabilities dropped), resources always
//! set, volume mounts read-only unless asked, and a preStop hook.

use std::collections::BTreeMap;

use crate::api::core_v1::{
    Capabilities, ConfigMapKeySelector, Container as KContainer, ContainerPort, EnvVar,
    EnvVarSource, ExecAction, GRPCAction, HTTPGetAction, Lifecycle, LifecycleHandler,
    Probe as KProbe, ResourceRequirements, SecretKeySelector, SecurityContext, SleepAction,
    TCPSocketAction, VolumeMount,
};
use stacksmith_core::{
    CloudValue, Crossing, Image, KubeUse, Lowering, NameOrigin, NameRule, SourceKind,
};

use crate::labels::{default_name, env_name_problem, int, port_int};
use crate::storage::volume::absolute_path_problem;
use crate::{ConfigMapRef, Cpu, Memory, SecretRef, Volume};

/// Requests when the user sets none: 100m CPU, 128Mi memory.
const DEFAULT_REQUESTS: (Cpu, Memory) = (Cpu::millis(100), Memory::mib(128));
/// Limits when the user sets none: 500m CPU, 512Mi memory.
const DEFAULT_LIMITS: (Cpu, Memory) = (Cpu::millis(500), Memory::mib(512));

/// When the kubelet pulls the image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PullPolicy {
    /// Resolve the tag on every start (checkov CKV_K8S_15; a re-pushed tag is picked up and
    /// pull credentials are checked). The default.
    #[default]
    Always,
    /// Pull only when the node does not have the image.
    IfNotPresent,
    /// Never pull; the image must be on the node.
    Never,
}

impl PullPolicy {
    fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

#[derive(Clone, Debug)]
enum ProbeAction {
    HttpGet {
        path: String,
        port: u16,
    },
    Tcp(u16),
    /// The gRPC health checking protocol; an empty service asks about the whole server.
    Grpc {
        port: u16,
        service: String,
    },
    /// A command run in the container; exit status 0 passes.
    Exec(Vec<String>),
}

/// A liveness, readiness or startup check of a container: an HTTP GET, a TCP connect, a gRPC
/// health check, or a command run in the container.
///
/// Defaults: Kubernetes' own (delay 0s, period 10s, timeout 1s, failure threshold 3) unless set.
/// The port of an HTTP, TCP or gRPC probe must be one a container of the pod exposes (SS0301);
/// an exec probe needs none, so a worker without a port (a Celery or Kafka consumer) can still
/// have a liveness check.
///
/// ```no_run
/// use stacksmith_k8s::{Container, Probe};
///
/// // A Celery worker: no port; alive while it answers a ping through the broker.
/// let worker = Container::new("worker", "janua/worker:1.0.0")
///     .command(["celery", "-A", "app", "worker"])
///     .liveness(
///         Probe::exec(["/bin/sh", "-c", "celery -A app inspect ping -d celery@$HOSTNAME"])
///             .timeout(10)
///             .period(60),
///     );
/// // A gRPC server implementing grpc.health.v1.Health.
/// let api = Container::new("api", "kgas/api:1.0.0")
///     .port("grpc", 9090)
///     .readiness(Probe::grpc(9090))
///     .liveness(Probe::grpc_service(9090, "kgas.v1.Api"));
/// ```
#[derive(Clone, Debug)]
pub struct Probe {
    action: ProbeAction,
    initial_delay: Option<u32>,
    period: Option<u32>,
    timeout: Option<u32>,
    failure_threshold: Option<u32>,
}

impl Probe {
    /// An HTTP GET of `path` on `port`; a 2xx or 3xx answer passes.
    pub fn http_get(path: impl Into<String>, port: u16) -> Self {
        Self::with(ProbeAction::HttpGet {
            path: path.into(),
            port,
        })
    }

    /// A TCP connect to `port`.
    pub fn tcp(port: u16) -> Self {
        Self::with(ProbeAction::Tcp(port))
    }

    /// A gRPC health check (`grpc.health.v1.Health/Check`, Kubernetes' native gRPC probe,
    /// GA since 1.27) of the whole server on `port`; `SERVING` passes. The server must
    /// implement the gRPC health checking protocol, without TLS.
    pub fn grpc(port: u16) -> Self {
        Self::grpc_service(port, "")
    }

    /// A gRPC health check of one `service` of the server on `port` (`grpc.service`), for a
    /// server that reports each service's health.
    pub fn grpc_service(port: u16, service: impl Into<String>) -> Self {
        Self::with(ProbeAction::Grpc {
            port,
            service: service.into(),
        })
    }

    /// Runs `command` in the container (no shell: give `["/bin/sh", "-c", "..."]` for one); exit
    /// status 0 passes. For workers without a port, e.g. `celery inspect ping`. It runs inside
    /// the container's limits, and Kubernetes' 1-second timeout is short for most commands:
    /// set [`Probe::timeout`].
    pub fn exec<S: Into<String>>(command: impl IntoIterator<Item = S>) -> Self {
        Self::with(ProbeAction::Exec(
            command.into_iter().map(Into::into).collect(),
        ))
    }

    fn with(action: ProbeAction) -> Self {
        Self {
            action,
            initial_delay: None,
            period: None,
            timeout: None,
            failure_threshold: None,
        }
    }

    /// Seconds after the container starts before the first check (`initialDelaySeconds`).
    #[must_use]
    pub fn initial_delay(mut self, secs: u32) -> Self {
        self.initial_delay = Some(secs);
        self
    }

    /// Seconds between checks (`periodSeconds`).
    #[must_use]
    pub fn period(mut self, secs: u32) -> Self {
        self.period = Some(secs);
        self
    }

    /// Seconds before a check times out (`timeoutSeconds`).
    #[must_use]
    pub fn timeout(mut self, secs: u32) -> Self {
        self.timeout = Some(secs);
        self
    }

    /// Consecutive failures before the check fails (`failureThreshold`).
    #[must_use]
    pub fn failure_threshold(mut self, n: u32) -> Self {
        self.failure_threshold = Some(n);
        self
    }

    /// The port the probe checks; none for an exec probe.
    pub(crate) fn port(&self) -> Option<u16> {
        match self.action {
            ProbeAction::HttpGet { port, .. }
            | ProbeAction::Tcp(port)
            | ProbeAction::Grpc { port, .. } => Some(port),
            ProbeAction::Exec(_) => None,
        }
    }

    /// Whether it is an exec probe with no command, which the API server rejects.
    pub(crate) fn runs_nothing(&self) -> bool {
        matches!(&self.action, ProbeAction::Exec(c) if c.first().is_none_or(|c| c.trim().is_empty()))
    }

    fn k8s(&self) -> KProbe {
        let mut probe = KProbe::default();
        match &self.action {
            ProbeAction::HttpGet { path, port } => {
                probe.http_get = Some(HTTPGetAction {
                    path: Some(path.clone()),
                    port: port_int(*port),
                    ..HTTPGetAction::default()
                });
            }
            ProbeAction::Tcp(port) => {
                probe.tcp_socket = Some(TCPSocketAction {
                    port: port_int(*port),
                    ..TCPSocketAction::default()
                });
            }
            ProbeAction::Grpc { port, service } => {
                probe.grpc = Some(GRPCAction {
                    port: i32::from(*port),
                    service: (!service.is_empty()).then(|| service.clone()),
                });
            }
            ProbeAction::Exec(command) => {
                probe.exec = Some(ExecAction {
                    command: Some(command.clone()),
                });
            }
        }
        KProbe {
            initial_delay_seconds: self.initial_delay.map(int),
            period_seconds: self.period.map(int),
            timeout_seconds: self.timeout.map(int),
            failure_threshold: self.failure_threshold.map(int),
            ..probe
        }
    }
}

/// What runs before the container is sent SIGTERM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PreStop {
    /// A command in the container.
    Exec(Vec<String>),
    /// The kubelet waits this many seconds (no shell or `sleep` binary needed in the image).
    Sleep(u32),
}

/// A volume mounted into a container.
#[derive(Clone, Debug)]
pub(crate) struct Mount {
    pub(crate) volume: Volume,
    pub(crate) path: String,
    pub(crate) writable: bool,
}

#[derive(Clone, Debug)]
enum EnvValue {
    Literal(String),
    Secret(SecretRef, String),
    ConfigMap(ConfigMapRef, String),
    /// A cloud value; `true`: through a Secret.
    Cloud(CloudValue, bool),
}

/// The suffix of the ConfigMap and Secret a workload's cloud values are written into:
/// `<workload>-cloud`.
pub const CLOUD_OBJECT_SUFFIX: &str = "-cloud";

/// One container of a pod.
///
/// Creates: nothing on its own; a workload ([`Deployment`](crate::Deployment),
/// [`StatefulSet`](crate::StatefulSet), [`DaemonSet`](crate::DaemonSet), [`Job`](crate::Job),
/// [`CronJob`](crate::CronJob)) lowers it into its pod, as a container or an init container.
///
/// Defaults, written out explicitly:
/// - `securityContext`: `allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true`,
///   `runAsNonRoot: true` (`false` in a DaemonSet's pod that runs as root), `privileged: false`,
///   `capabilities.drop: [ALL]`; turn the first two off with
///   [`Container::allow_privilege_escalation`] and [`Container::writable_root_filesystem`].
/// - with a read-only root filesystem, a writable emptyDir at `/tmp` (1Gi);
///   [`Container::without_tmp`] leaves it out.
/// - resources: requests 100m CPU / 128Mi, limits 500m CPU / 512Mi when none are set. With only
///   requests set, each limit is the larger of its default and the request; with only limits
///   set, each request is the smaller of its default and the limit — so both are always present.
/// - `imagePullPolicy: Always` (checkov CKV_K8S_15; the tag is re-resolved on every start).
/// - an image must be pinned to a tag other than `latest`, or a digest (SS0303).
/// - volumes are mounted `readOnly: true` with [`Container::mount`];
///   [`Container::mount_writable`] is the explicit choice. Mounting declares the volume on the
///   pod, so nothing undeclared can be mounted.
/// - no preStop hook; [`Container::pre_stop_sleep`] gives load balancers time to stop sending
///   traffic before SIGTERM.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let api = Container::new("api", "rocketgraph/public-api:1.0.0")
///     .port("http", 8000)
///     .env("ENVIRONMENT", "production")
///     .requests(Cpu::millis(500), Memory::gib(1))
///     .limits(Cpu::cores(2), Memory::gib(4))
///     .liveness(Probe::http_get("/api/v1/public/health", 8000).initial_delay(30).period(10))
///     .readiness(Probe::http_get("/api/v1/public/health", 8000).initial_delay(5).period(5));
/// ```
#[derive(Clone, Debug)]
pub struct Container {
    pub(crate) name: String,
    image: Image,
    pub(crate) ports: Vec<(String, u16)>,
    env: Vec<(String, EnvValue)>,
    requests: Option<(Cpu, Memory)>,
    limits: Option<(Cpu, Memory)>,
    liveness: Option<Probe>,
    readiness: Option<Probe>,
    startup: Option<Probe>,
    command: Vec<String>,
    args: Vec<String>,
    pull_policy: PullPolicy,
    allow_privilege_escalation: bool,
    pub(crate) writable_root_filesystem: bool,
    /// Whether the pod mounts a writable emptyDir at `/tmp` for this container when its root
    /// filesystem is read-only and nothing else is mounted there.
    pub(crate) tmp: bool,
    pub(crate) mounts: Vec<Mount>,
    pub(crate) pre_stop: Option<PreStop>,
    /// KubeDB databases this container connects to over TLS (checked: SS0534).
    database_tls: Vec<crate::DatabaseTls>,
}

impl Container {
    /// The names of the External Secrets-synced Secrets it reads (env vars and mounts).
    pub(crate) fn synced_secrets(&self) -> impl Iterator<Item = &str> {
        let env = self.env.iter().filter_map(|(_, v)| match v {
            EnvValue::Secret(s, _) if s.synced => Some(s.name.as_str()),
            _ => None,
        });
        let mounts = self.mounts.iter().filter_map(|m| match &m.volume.source {
            crate::storage::volume::Source::Secret(s, _) if s.synced => Some(s.name.as_str()),
            _ => None,
        });
        env.chain(mounts)
    }

    /// A container named `name` (a DNS-1123 label, unique in its pod) running `image`: a
    /// reference (`"ghcr.io/org/api:1.4.2"`) or an image in an ECR repository of the app
    /// (`repo.image("1.4.2")`, written with the registry host of the stack's account).
    pub fn new(name: impl Into<String>, image: impl Into<Image>) -> Self {
        Self {
            name: name.into(),
            image: image.into(),
            ports: Vec::new(),
            env: Vec::new(),
            requests: None,
            limits: None,
            liveness: None,
            readiness: None,
            startup: None,
            command: Vec::new(),
            args: Vec::new(),
            pull_policy: PullPolicy::Always,
            allow_privilege_escalation: false,
            writable_root_filesystem: false,
            tmp: true,
            database_tls: Vec::new(),
            mounts: Vec::new(),
            pre_stop: None,
        }
    }

    /// Exposes a TCP port under a name (an IANA service name: at most 15 lowercase letters,
    /// digits and `-`, with a letter) that Services can target.
    #[must_use]
    pub fn port(mut self, name: impl Into<String>, port: u16) -> Self {
        self.ports.push((name.into(), port));
        self
    }

    /// Sets an env var to a literal value.
    #[must_use]
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env
            .push((name.into(), EnvValue::Literal(value.into())));
        self
    }

    /// Connects to a KubeDB database over TLS (`MongoDb`/`Redis` with `.tls(&issuer)`): mounts
    /// the CA bundle of the database's certificate (`ca.crt` of the Secret
    /// `<database>-client-cert` that KubeDB has cert-manager issue) read-only at
    /// `/etc/kubedb/<database>/ca.crt` and sets `<PREFIX>_TLS=true` and
    /// `<PREFIX>_TLS_CA_FILE` to that path (`MONGODB_` or `REDIS_`), what the driver needs to
    /// verify the server (see [`DatabaseTls`](crate::DatabaseTls)). A database without TLS is
    /// refused (SS0534). Default: no TLS settings.
    #[must_use]
    pub fn tls_to(mut self, database: &impl crate::KubeDbDatabase) -> Self {
        let tls = database.tls_client();
        if tls.tls {
            let (volume, dir, env) = tls.parts();
            self = self.mount(volume, dir);
            for (name, value) in env {
                self = self.env(name, value);
            }
        }
        self.database_tls.push(tls);
        self
    }

    /// Sets an env var from a key of a Secret (`secretKeyRef`); the key is proven to exist.
    #[must_use]
    pub fn env_from_secret(
        mut self,
        name: impl Into<String>,
        secret: &SecretRef,
        key: impl Into<String>,
    ) -> Self {
        self.env
            .push((name.into(), EnvValue::Secret(secret.clone(), key.into())));
        self
    }

    /// Sets an env var from a key of a ConfigMap (`configMapKeyRef`); the key is proven to exist.
    #[must_use]
    pub fn env_from_config_map(
        mut self,
        name: impl Into<String>,
        config_map: &ConfigMapRef,
        key: impl Into<String>,
    ) -> Self {
        self.env.push((
            name.into(),
            EnvValue::ConfigMap(config_map.clone(), key.into()),
        ));
        self
    }

    /// Sets an env var to a cloud value — a Terraform reference such as `cache.endpoint()`, a
    /// [`Template`](stacksmith_core::Template) mixing literals and references, or a literal —
    /// read from key `name` of the ConfigMap `<workload>-cloud` (`configMapKeyRef`). The
    /// ConfigMap is written by the stack's generated `cluster/` Terraform root, which finds the
    /// value through data sources by name and is applied before the Kubernetes objects. For
    /// anything secret use [`Container::secret_env_from_cloud`].
    #[must_use]
    pub fn env_from_cloud(mut self, name: impl Into<String>, value: impl Into<CloudValue>) -> Self {
        self.env
            .push((name.into(), EnvValue::Cloud(value.into(), false)));
        self
    }

    /// Sets an env var to a sensitive cloud value (a managed secret's password, a token), read
    /// from key `name` of the Secret `<workload>-cloud` (`secretKeyRef`), which the generated
    /// `cluster/` Terraform root writes. The value never appears in the YAML, nor in that root's
    /// state: secrets are read through ephemeral resources into the Secret's write-only
    /// `data_wo`, written again whenever its keys or their sources change (`data_wo_revision` is
    /// a hash of them), not when a value behind the same source changes. A value that rotates
    /// (a database password RDS manages) goes stale in such a copy: sync it with an
    /// [`ExternalSecret`](crate::ExternalSecret), which follows it, and read that.
    #[must_use]
    pub fn secret_env_from_cloud(
        mut self,
        name: impl Into<String>,
        value: impl Into<CloudValue>,
    ) -> Self {
        self.env
            .push((name.into(), EnvValue::Cloud(value.into(), true)));
        self
    }

    /// Sets the resources the scheduler reserves. Default: 100m CPU, 128Mi memory.
    #[must_use]
    pub fn requests(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.requests = Some((cpu, memory));
        self
    }

    /// Sets the most the container may use. Default: 500m CPU, 512Mi memory.
    #[must_use]
    pub fn limits(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.limits = Some((cpu, memory));
        self
    }

    /// Restarts the container when this check fails. Default: none.
    #[must_use]
    pub fn liveness(mut self, probe: Probe) -> Self {
        self.liveness = Some(probe);
        self
    }

    /// Sends traffic only while this check passes. Default: none.
    #[must_use]
    pub fn readiness(mut self, probe: Probe) -> Self {
        self.readiness = Some(probe);
        self
    }

    /// Holds the other checks until this one passes once. Default: none.
    #[must_use]
    pub fn startup(mut self, probe: Probe) -> Self {
        self.startup = Some(probe);
        self
    }

    /// Replaces the image's entrypoint. Default: the image's.
    #[must_use]
    pub fn command<S: Into<String>>(mut self, command: impl IntoIterator<Item = S>) -> Self {
        self.command = command.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the image's arguments. Default: the image's.
    #[must_use]
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Sets when the image is pulled. Default: [`PullPolicy::Always`].
    #[must_use]
    pub fn image_pull_policy(mut self, policy: PullPolicy) -> Self {
        self.pull_policy = policy;
        self
    }

    /// Turns off the `allowPrivilegeEscalation: false` default (setuid binaries work again).
    #[must_use]
    pub fn allow_privilege_escalation(mut self) -> Self {
        self.allow_privilege_escalation = true;
        self
    }

    /// Turns off the `readOnlyRootFilesystem: true` default.
    #[must_use]
    pub fn writable_root_filesystem(mut self) -> Self {
        self.writable_root_filesystem = true;
        self
    }

    /// Leaves `/tmp` read-only. Default: with a read-only root filesystem, the container gets
    /// a writable emptyDir at `/tmp` (volume `tmp`, 1Gi on the node's disk, shared by the
    /// pod's containers), since most runtimes write temporary files there (nginx's
    /// `client_temp`, Python's `tempfile`, gunicorn's worker heartbeat, Fluentd's lock dir);
    /// mounting another volume at `/tmp` replaces it.
    #[must_use]
    pub fn without_tmp(mut self) -> Self {
        self.tmp = false;
        self
    }

    /// Mounts `volume` at `path`, read-only (`readOnly: true`). The volume is declared on the
    /// pod by this mount; the same volume may be mounted by several containers.
    #[must_use]
    pub fn mount(mut self, volume: impl Into<Volume>, path: impl Into<String>) -> Self {
        self.mounts.push(Mount {
            volume: volume.into(),
            path: path.into(),
            writable: false,
        });
        self
    }

    /// Mounts `volume` at `path` read-write (`readOnly: false`): the explicit choice for
    /// scratch space and data directories. Default for mounts: read-only ([`Container::mount`]).
    #[must_use]
    pub fn mount_writable(mut self, volume: impl Into<Volume>, path: impl Into<String>) -> Self {
        self.mounts.push(Mount {
            volume: volume.into(),
            path: path.into(),
            writable: true,
        });
        self
    }

    /// Runs `command` in the container before it is sent SIGTERM (`lifecycle.preStop.exec`),
    /// e.g. to drain connections. It must finish within the pod's termination grace period.
    /// Replaces any preStop hook set before. Default: no hook.
    #[must_use]
    pub fn pre_stop_exec<S: Into<String>>(mut self, command: impl IntoIterator<Item = S>) -> Self {
        self.pre_stop = Some(PreStop::Exec(command.into_iter().map(Into::into).collect()));
        self
    }

    /// Waits `secs` seconds before the container is sent SIGTERM (`lifecycle.preStop.sleep`,
    /// run by the kubelet, so the image needs no shell), giving load balancers and Services
    /// time to stop routing to the pod. Must be shorter than the pod's termination grace period
    /// (SS0339). Replaces any preStop hook set before. Default: no hook.
    #[must_use]
    pub fn pre_stop_sleep(mut self, secs: u32) -> Self {
        self.pre_stop = Some(PreStop::Sleep(secs));
        self
    }

    /// The probes set, for the pod-wide port check.
    pub(crate) fn probes(&self) -> impl Iterator<Item = (&'static str, &Probe)> {
        [
            ("liveness", &self.liveness),
            ("readiness", &self.readiness),
            ("startup", &self.startup),
        ]
        .into_iter()
        .filter_map(|(k, p)| p.as_ref().map(|p| (k, p)))
    }

    fn resources(&self) -> ((Cpu, Memory), (Cpu, Memory)) {
        match (self.requests, self.limits) {
            (Some(r), Some(l)) => (r, l),
            (None, None) => (DEFAULT_REQUESTS, DEFAULT_LIMITS),
            (Some(r), None) => (r, (r.0.max(DEFAULT_LIMITS.0), r.1.max(DEFAULT_LIMITS.1))),
            (None, Some(l)) => (
                (l.0.min(DEFAULT_REQUESTS.0), l.1.min(DEFAULT_REQUESTS.1)),
                l,
            ),
        }
    }

    /// Checks the container and lowers it; `namespace` is the pod's, for its reads.
    pub(crate) fn lower(&self, cx: &mut Lowering<'_>, namespace: &str) -> KContainer {
        let name = &self.name;
        for tls in &self.database_tls {
            tls.check(cx, name);
        }
        cx.check_name_from(
            &NameRule::DNS_LABEL,
            name,
            "container name",
            NameOrigin::Given("`Container::new(..)`"),
        );
        let image = self.check_image(cx);
        let ((req_cpu, req_mem), (lim_cpu, lim_mem)) = self.resources();
        if req_cpu > lim_cpu {
            cx.error(
                "SS0302",
                format!("container {name} requests {req_cpu} CPU but is limited to {lim_cpu}"),
                "raise the CPU limit or lower the request: a request above the limit is rejected",
            );
        }
        if req_mem > lim_mem {
            cx.error(
                "SS0302",
                format!("container {name} requests {req_mem} memory but is limited to {lim_mem}"),
                "raise the memory limit or lower the request: a request above the limit is rejected",
            );
        }
        let env = self.lower_env(cx, namespace);
        let mounts = self.lower_mounts(cx);
        let lifecycle = self.lower_pre_stop(cx);
        let quantities = |cpu: Cpu, mem: Memory| {
            BTreeMap::from([
                ("cpu".to_owned(), cpu.quantity()),
                ("memory".to_owned(), mem.quantity()),
            ])
        };
        KContainer {
            name: name.clone(),
            image: Some(image),
            image_pull_policy: Some(self.pull_policy.as_str().to_owned()),
            command: (!self.command.is_empty()).then(|| self.command.clone()),
            args: (!self.args.is_empty()).then(|| self.args.clone()),
            ports: (!self.ports.is_empty()).then(|| {
                self.ports
                    .iter()
                    .map(|(n, p)| ContainerPort {
                        name: Some(n.clone()),
                        container_port: i32::from(*p),
                        protocol: Some("TCP".to_owned()),
                        ..ContainerPort::default()
                    })
                    .collect()
            }),
            env: (!env.is_empty()).then_some(env),
            volume_mounts: (!mounts.is_empty()).then_some(mounts),
            lifecycle,
            resources: Some(ResourceRequirements {
                requests: Some(quantities(req_cpu, req_mem)),
                limits: Some(quantities(lim_cpu, lim_mem)),
            }),
            liveness_probe: self.liveness.as_ref().map(Probe::k8s),
            readiness_probe: self.readiness.as_ref().map(Probe::k8s),
            startup_probe: self.startup.as_ref().map(Probe::k8s),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(self.allow_privilege_escalation),
                read_only_root_filesystem: Some(!self.writable_root_filesystem),
                run_as_non_root: Some(true),
                privileged: Some(false),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".to_owned()]),
                    ..Capabilities::default()
                }),
                ..SecurityContext::default()
            }),
            ..KContainer::default()
        }
    }

    fn lower_mounts(&self, cx: &mut Lowering<'_>) -> Vec<VolumeMount> {
        let mut out: Vec<VolumeMount> = Vec::with_capacity(self.mounts.len());
        for m in &self.mounts {
            if let Some(problem) = absolute_path_problem(&m.path) {
                cx.error(
                    "SS0332",
                    format!(
                        "container {} mounts volume `{}` at `{}`, which {problem}",
                        self.name, m.volume.name, m.path
                    ),
                    "mount at an absolute, normalised path such as `/etc/app` or `/var/lib/data`",
                );
            }
            if out.iter().any(|o| o.mount_path == m.path) {
                cx.error(
                    "SS0332",
                    format!("container {} mounts two volumes at `{}`", self.name, m.path),
                    "mount each volume at its own path",
                );
                continue;
            }
            out.push(VolumeMount {
                name: m.volume.name.clone(),
                mount_path: m.path.clone(),
                read_only: Some(!m.writable),
                ..VolumeMount::default()
            });
        }
        out
    }

    fn lower_pre_stop(&self, cx: &mut Lowering<'_>) -> Option<Lifecycle> {
        let handler = match self.pre_stop.as_ref()? {
            PreStop::Exec(command) => {
                if command.is_empty() || command.iter().all(|c| c.trim().is_empty()) {
                    cx.error(
                        "SS0338",
                        format!("preStop command of container {} is empty", self.name),
                        "give the command to run, e.g. `[\"/app/drain\", \"--timeout=10s\"]`, or wait with `.pre_stop_sleep(secs)`",
                    );
                }
                LifecycleHandler {
                    exec: Some(ExecAction {
                        command: Some(command.clone()),
                    }),
                    ..LifecycleHandler::default()
                }
            }
            PreStop::Sleep(secs) => {
                if *secs == 0 {
                    cx.error(
                        "SS0338",
                        format!("preStop sleep of container {} is 0 seconds", self.name),
                        "sleep long enough for load balancers to stop routing to the pod (5–15 seconds), or remove the hook",
                    );
                }
                LifecycleHandler {
                    sleep: Some(SleepAction {
                        seconds: i64::from(*secs),
                    }),
                    ..LifecycleHandler::default()
                }
            }
        };
        Some(Lifecycle {
            pre_stop: Some(handler),
            ..Lifecycle::default()
        })
    }

    /// The image reference the pod pulls; reports an ECR image without the stack's account id
    /// (SS0731) and a tag that moves (SS0303).
    fn check_image(&self, cx: &mut Lowering<'_>) -> String {
        let account = cx.account().map(str::to_owned);
        let image = self.image.describe(account.as_deref());
        if self.image.reference(account.as_deref()).is_none() {
            cx.error(
                "SS0731",
                format!(
                    "container {} runs `{image}` (ECR repository {}), but the stack declares no AWS account id, which the registry host in Kubernetes YAML is spelled from",
                    self.name,
                    self.image.ecr_repository().unwrap_or_default()
                ),
                "declare the account the stack is applied in: `Stack::new(..).account(\"123456789012\")`",
            );
        }
        if image.contains('@') {
            return image;
        }
        let last = image.rsplit('/').next().unwrap_or(&image);
        let problem = match last.split_once(':') {
            Some((_, "latest")) => "uses the tag `latest`, which moves under you",
            Some((_, "")) | None => "has no tag, so it pulls `latest`, which moves under you",
            Some(_) => return image,
        };
        cx.error(
            "SS0303",
            format!("image `{image}` of container {} {problem}", self.name),
            "pin a version (`repository/name:1.4.2`) or a digest (`repository/name@sha256:…`) so every replica and rollback runs the same code",
        );
        image
    }

    fn lower_env(&self, cx: &mut Lowering<'_>, namespace: &str) -> Vec<EnvVar> {
        let mut out: Vec<EnvVar> = Vec::with_capacity(self.env.len());
        for (var, value) in &self.env {
            if check_env(cx, &self.name, var, value) {
                continue;
            }
            if out.iter().any(|e| &e.name == var) {
                cx.error(
                    "SS0304",
                    format!(
                        "env var `{var}` is set more than once in container {}",
                        self.name
                    ),
                    "set each env var once; Kubernetes keeps only the last value",
                );
                continue;
            }
            let value_from = match value {
                EnvValue::Literal(v) => {
                    out.push(EnvVar {
                        name: var.clone(),
                        value: Some(v.clone()),
                        value_from: None,
                    });
                    continue;
                }
                EnvValue::Secret(s, key) => {
                    self.record_use(
                        cx,
                        namespace,
                        var,
                        SourceKind::Secret,
                        &s.namespace,
                        &s.name,
                        key,
                    );
                    EnvVarSource {
                        secret_key_ref: Some(SecretKeySelector {
                            name: s.name.clone(),
                            key: key.clone(),
                            optional: None,
                        }),
                        ..EnvVarSource::default()
                    }
                }
                EnvValue::ConfigMap(c, key) => {
                    self.record_use(
                        cx,
                        namespace,
                        var,
                        SourceKind::ConfigMap,
                        &c.namespace,
                        &c.name,
                        key,
                    );
                    EnvVarSource {
                        config_map_key_ref: Some(ConfigMapKeySelector {
                            name: c.name.clone(),
                            key: key.clone(),
                            optional: None,
                        }),
                        ..EnvVarSource::default()
                    }
                }
                EnvValue::Cloud(value, sensitive) => {
                    self.cloud_env(cx, namespace, var, value, *sensitive)
                }
            };
            out.push(EnvVar {
                name: var.clone(),
                value: None,
                value_from: Some(value_from),
            });
        }
        out
    }

    /// Records the crossing of a cloud value into `<workload>-cloud` and reads it from there.
    fn cloud_env(
        &self,
        cx: &mut Lowering<'_>,
        namespace: &str,
        var: &str,
        value: &CloudValue,
        sensitive: bool,
    ) -> EnvVarSource {
        let object = format!("{}{CLOUD_OBJECT_SUFFIX}", default_name(cx.path()));
        cx.check_name(
            &NameRule::DNS_SUBDOMAIN,
            &object,
            "generated cloud value object name",
        );
        let crossing = Crossing {
            owner: cx.path().clone(),
            namespace: namespace.to_owned(),
            object: object.clone(),
            key: var.to_owned(),
            value: value.clone(),
            sensitive,
            reader: format!("env {var} of container {}", self.name),
        };
        let source = crossing.source();
        cx.crossing(crossing);
        self.record_use(cx, namespace, var, source, namespace, &object, var);
        if sensitive {
            EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: object,
                    key: var.to_owned(),
                    optional: None,
                }),
                ..EnvVarSource::default()
            }
        } else {
            EnvVarSource {
                config_map_key_ref: Some(ConfigMapKeySelector {
                    name: object,
                    key: var.to_owned(),
                    optional: None,
                }),
                ..EnvVarSource::default()
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record_use(
        &self,
        cx: &mut Lowering<'_>,
        pod_namespace: &str,
        var: &str,
        source: SourceKind,
        namespace: &str,
        name: &str,
        key: &str,
    ) {
        let kind = source.kind();
        if namespace != pod_namespace {
            cx.error(
                "SS0319",
                format!(
                    "env {var} of container {} reads {kind} `{name}` of namespace `{namespace}`, but the pod runs in namespace `{pod_namespace}`",
                    self.name
                ),
                format!("pods read only their own namespace's {kind}s; declare the {kind} in namespace `{pod_namespace}`"),
            );
            return;
        }
        let u = KubeUse {
            owner: cx.path().clone(),
            source,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            key: key.to_owned(),
            reader: format!("env {var} of container {}", self.name),
        };
        cx.uses(u);
    }
}

/// The longest string the kernel passes into a new process (`MAX_ARG_STRLEN`, 32 pages): an
/// environment entry `NAME=value` above it makes `execve` fail, so the container never starts.
const ENV_ENTRY_MAX: usize = 128 * 1024;

/// Checks an env var's name (SS0400) and the length of a literal value (SS0405); `true` when
/// the var is rejected and so left out of the container.
fn check_env(cx: &mut Lowering<'_>, container: &str, var: &str, value: &EnvValue) -> bool {
    if let Some(problem) = env_name_problem(var) {
        cx.error(
            "SS0400",
            format!("env var name `{}` of container {container} {problem}", var.escape_debug()),
            "env var names are printable ASCII without `=`; a C identifier such as `LOG_LEVEL` works in every shell and every Kubernetes version",
        );
        return true;
    }
    if let EnvValue::Literal(v) = value {
        let shape = crate::config::plaintext::looks_like_a_secret(v);
        if shape.is_some() || (!v.is_empty() && crate::config::plaintext::names_a_secret(var)) {
            cx.warning(
                "SS0490",
                format!(
                    "env var `{var}` of container {container} is {} written in plain text: anyone who can read the workload or its manifests reads it",
                    shape.unwrap_or("a credential, by its name,")
                ),
                format!("keep it in a Secret and read it from there: `.env_from_secret(\"{var}\", &secret, \"<key>\")` (`Secret::external(..)` for one made outside the stack), or `.secret_env_from_cloud(\"{var}\", ..)` for a value the stack creates"),
            );
        }
        let entry = var.len().saturating_add(1).saturating_add(v.len());
        if entry > ENV_ENTRY_MAX {
            cx.error(
                "SS0405",
                format!("env var `{var}` of container {container} is {entry} bytes as `NAME=value`; the kernel starts no process with an entry above {ENV_ENTRY_MAX} bytes (128 KiB)"),
                "keep large values in a ConfigMap mounted as a file (`Volume::config_map(..)`), not in the environment",
            );
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Deployment, Namespace};
    use stacksmith_core::{CloudValue, Stack};

    fn container_json(c: Container) -> serde_json::Value {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(Deployment::new(&ns, "api").container(c));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        g.objects[1].body["spec"]["template"]["spec"]["containers"][0].to_value()
    }

    fn image() -> &'static str {
        "rocketgraph/public-api:1.0.0"
    }

    #[test]
    fn default_resources_are_always_written() {
        let c = container_json(Container::new("api", image()));
        assert_eq!(
            c["resources"],
            serde_json::json!({"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}})
        );
    }

    #[test]
    fn requests_alone_raise_the_default_limits() {
        let c = container_json(
            Container::new("api", image()).requests(Cpu::cores(1), Memory::mib(256)),
        );
        assert_eq!(
            c["resources"]["limits"],
            serde_json::json!({"cpu": "1", "memory": "512Mi"})
        );
    }

    #[test]
    fn seed_resources_render_canonically() {
        let c = container_json(
            Container::new("api", image())
                .requests(Cpu::millis(500), Memory::gib(1))
                .limits(Cpu::millis(2000), Memory::gib(4)),
        );
        assert_eq!(
            c["resources"],
            serde_json::json!({"limits": {"cpu": "2", "memory": "4Gi"}, "requests": {"cpu": "500m", "memory": "1Gi"}})
        );
    }

    #[test]
    fn image_is_pulled_always_by_default() {
        assert_eq!(
            container_json(Container::new("api", image()))["imagePullPolicy"],
            "Always"
        );
        let c = Container::new("api", image()).image_pull_policy(PullPolicy::IfNotPresent);
        assert_eq!(container_json(c)["imagePullPolicy"], "IfNotPresent");
    }

    #[test]
    fn ports_are_named_tcp_ports() {
        let c = container_json(Container::new("api", image()).port("http", 8000));
        assert_eq!(
            c["ports"],
            serde_json::json!([{"containerPort": 8000, "name": "http", "protocol": "TCP"}])
        );
    }

    #[test]
    fn probes_render_with_their_timings() {
        let c = container_json(
            Container::new("api", image())
                .port("http", 8000)
                .liveness(
                    Probe::http_get("/health", 8000)
                        .initial_delay(30)
                        .period(10)
                        .timeout(2)
                        .failure_threshold(5),
                )
                .startup(Probe::tcp(8000)),
        );
        assert_eq!(
            c["livenessProbe"],
            serde_json::json!({"failureThreshold": 5, "httpGet": {"path": "/health", "port": 8000}, "initialDelaySeconds": 30, "periodSeconds": 10, "timeoutSeconds": 2})
        );
        assert_eq!(
            c["startupProbe"],
            serde_json::json!({"tcpSocket": {"port": 8000}})
        );
    }

    /// Issue 14, item 7: gRPC probes (Kubernetes' native `grpc` action) and exec probes.
    #[test]
    fn grpc_and_exec_probes_render() {
        let c = container_json(
            Container::new("api", image())
                .port("grpc", 9090)
                .readiness(Probe::grpc(9090))
                .liveness(Probe::grpc_service(9090, "kgas.v1.Api").period(20))
                .startup(Probe::exec(["/bin/sh", "-c", "test -f /tmp/ready"]).timeout(5)),
        );
        assert_eq!(
            c["readinessProbe"],
            serde_json::json!({"grpc": {"port": 9090}})
        );
        assert_eq!(
            c["livenessProbe"],
            serde_json::json!({"grpc": {"port": 9090, "service": "kgas.v1.Api"}, "periodSeconds": 20})
        );
        assert_eq!(
            c["startupProbe"],
            serde_json::json!({"exec": {"command": ["/bin/sh", "-c", "test -f /tmp/ready"]}, "timeoutSeconds": 5})
        );
    }

    fn lower_pod(container: Container) -> stacksmith_core::Graph {
        let mut stack = stacksmith_core::Stack::new("prod", "us-east-1");
        let ns = stack.add(crate::Namespace::new("apps"));
        stack.add(crate::Deployment::new(&ns, "worker").container(container));
        stack.lower()
    }

    /// A worker without a port (Celery) gets a liveness check through an exec probe; no port
    /// needs exposing for it.
    #[test]
    fn a_worker_without_a_port_has_an_exec_liveness_probe() {
        let g = lower_pod(
            Container::new("worker", image())
                .command(["celery", "-A", "app", "worker"])
                .liveness(
                    Probe::exec([
                        "/bin/sh",
                        "-c",
                        "celery -A app inspect ping -d celery@$HOSTNAME",
                    ])
                    .timeout(10)
                    .period(60),
                ),
        );
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let c = &g.objects[1].body["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c.get("ports"), None);
        assert_eq!(c["livenessProbe"]["exec"]["command"][0], "/bin/sh");
    }

    #[test]
    fn fails_empty_exec_probe_and_grpc_on_an_unexposed_port() {
        let g = lower_pod(
            Container::new("worker", image())
                .port("http", 8000)
                .liveness(Probe::exec(Vec::<String>::new()))
                .readiness(Probe::exec([" "]))
                .startup(Probe::grpc(9090)),
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn an_ecr_image_is_written_with_the_registry_of_the_stacks_account() {
        let ecr = stacksmith_core::Image::ecr("prod-api", "us-east-1", "1.2.3");
        let mut stack = Stack::new("prod", "us-east-1").account("123456789012");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(Deployment::new(&ns, "api").container(Container::new("api", ecr.clone())));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.objects[1].body["spec"]["template"]["spec"]["containers"][0]["image"],
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/prod-api:1.2.3"
        );
    }

    #[test]
    fn fails_an_ecr_image_in_a_stack_without_an_account_id() {
        let g = lower_pod(Container::new(
            "worker",
            stacksmith_core::Image::ecr("prod-api", "us-east-1", "latest"),
        ));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn security_defaults_are_turned_off_by_name() {
        let c = container_json(
            Container::new("api", image())
                .allow_privilege_escalation()
                .writable_root_filesystem(),
        );
        assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], true);
        assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], false);
        assert_eq!(
            c["securityContext"]["capabilities"]["drop"],
            serde_json::json!(["ALL"])
        );
    }

    #[test]
    fn command_and_args_are_written() {
        let c = container_json(
            Container::new("api", image())
                .command(["/bin/api"])
                .args(["--port", "8000"]),
        );
        assert_eq!(c["command"], serde_json::json!(["/bin/api"]));
        assert_eq!(c["args"], serde_json::json!(["--port", "8000"]));
    }

    #[test]
    fn env_reads_a_config_map_key() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let xgt = stack.add(crate::ConfigMap::new(&ns, "xgt-config").data("host", "xgt"));
        stack.add(Deployment::new(&ns, "api").container(
            Container::new("api", image()).env_from_config_map("XGT_HOST", &xgt, "host"),
        ));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let env = &g.objects[2].body["spec"]["template"]["spec"]["containers"][0]["env"][0];
        assert_eq!(
            env["valueFrom"]["configMapKeyRef"],
            serde_json::json!({"key": "host", "name": "xgt-config"})
        );
    }

    fn cloud_host() -> stacksmith_core::Ref {
        stacksmith_core::Address::resource("prod", "aws_elasticache_replication_group", "cache")
            .attr("primary_endpoint_address")
    }

    #[test]
    fn cloud_values_are_read_from_the_generated_objects() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let secret: stacksmith_core::Ref =
            stacksmith_core::Address::resource("prod", "aws_db_instance", "db")
                .attr("master_user_secret[0].secret_arn");
        stack.add(
            Deployment::new(&ns, "api").container(
                Container::new("api", image())
                    .env_from_cloud("REDIS_HOST", cloud_host())
                    .secret_env_from_cloud(
                        "DB_PASSWORD",
                        CloudValue::secret_json_field(&secret, "password"),
                    ),
            ),
        );
        let g = stack.lower();
        // The references point at resources this test does not build: only SS0202 is expected.
        assert!(
            g.diagnostics.iter().all(|d| d.code == "SS0202"),
            "{}",
            g.diagnostics
        );
        let env = &g.objects[1].body["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(
            env[0]["valueFrom"]["configMapKeyRef"],
            serde_json::json!({"key": "REDIS_HOST", "name": "api-cloud"})
        );
        assert_eq!(
            env[1]["valueFrom"]["secretKeyRef"],
            serde_json::json!({"key": "DB_PASSWORD", "name": "api-cloud"})
        );
        let crossings: Vec<(&str, &str, bool)> = g
            .crossings
            .iter()
            .map(|c| (c.object.as_str(), c.key.as_str(), c.sensitive))
            .collect();
        assert_eq!(
            crossings,
            [
                ("api-cloud", "REDIS_HOST", false),
                ("api-cloud", "DB_PASSWORD", true)
            ]
        );
    }

    #[test]
    fn fails_cloud_values_that_clash_or_leak() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(crate::ConfigMap::new(&ns, "worker-cloud").data("x", "y"));
        let secret: stacksmith_core::Ref =
            stacksmith_core::Address::resource("prod", "aws_db_instance", "db")
                .attr("master_user_secret[0].secret_arn");
        stack.add(
            Deployment::new(&ns, "api")
                .container(
                    Container::new("api", image())
                        .env_from_cloud("HOST", cloud_host())
                        .env_from_cloud("BAD KEY", cloud_host())
                        .env_from_cloud("PASSWORD", CloudValue::secret_string(&secret)),
                )
                .container(
                    Container::new("sidecar", image())
                        .env_from_cloud("HOST", "literal-host".to_owned()),
                ),
        );
        stack.add(
            Deployment::new(&ns, "worker")
                .container(Container::new("worker", image()).env_from_cloud("HOST", cloud_host())),
        );
        let g = stack.lower();
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
