//! The pod template every workload kind shares — containers and init containers, identity and
//! token, security context, volumes, pull secrets, scheduling — lowered and checked once.
//!
//! Each workload holds a `PodTemplate` in a field named `pod` and gets its builder methods from
//! `pod_methods!`, so Deployment, StatefulSet, DaemonSet, Job and CronJob share one
//! implementation and every pod check (SS0301, SS0302, SS0303, SS0304, SS0309–SS0312, SS0319,
//! SS0322, SS0330–SS0332, SS0336–SS0340, SS0481) applies to all of them.

pub(crate) mod container;
pub(crate) mod toleration;

use crate::api::core_v1::{
    Affinity, Container as KContainer, LocalObjectReference, PodAffinityTerm, PodAntiAffinity,
    PodSecurityContext, PodSpec, PodTemplateSpec, SeccompProfile, TopologySpreadConstraint,
    Volume as KVolume, VolumeMount, WeightedPodAffinityTerm,
};
use crate::api::meta_v1::ObjectMeta;
use stacksmith_core::{KubeUse, Lowering, Path, SourceKind};

use crate::labels::{check_labels, identity_labels, identity_selector};
use crate::pod::container::PreStop;
use crate::storage::volume::{Source, absolute_path_problem};
use crate::{
    Container, IntOrPercent, SecretRef, ServiceAccountRef, Toleration, Volume, VolumeClaim,
};

/// Seconds Kubernetes gives a pod to stop when `terminationGracePeriodSeconds` is not set.
const DEFAULT_GRACE_SECS: u32 = 30;

/// The annotation naming the Secrets whose change makes Reloader restart a workload's pods.
pub(crate) const RELOAD_ANNOTATION: &str = "secret.reloader.stakater.com/reload";

/// Where the default scratch volume is mounted, and its name.
const TMP_PATH: &str = "/tmp";
const TMP_VOLUME: &str = "tmp";

/// The key a registry credential Secret (`kubernetes.io/dockerconfigjson`) holds.
const PULL_SECRET_KEY: &str = ".dockerconfigjson";

/// Host directories a DaemonSet may not mount, nor any of their ancestors: container runtime
/// sockets (a socket works through a read-only mount), kubelet and node credentials, every
/// pod's Secrets (`/var/lib/kubelet/pods`), and kernel interfaces.
const HOST_PATHS_DENIED: [&str; 10] = [
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/proc",
    "/root",
    "/run",
    "/sys",
    "/var/lib/kubelet",
    "/var/run",
];

/// How a workload's pods spread over nodes and zones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spread {
    /// No anti-affinity or spread constraint: one pod per node already (DaemonSet), or
    /// run-to-completion pods (Job, CronJob).
    None,
    /// Prefer distinct hosts and balanced zones (`ScheduleAnyway`).
    Preferred,
    /// Prefer distinct hosts; refuse to unbalance zones (`DoNotSchedule`).
    Required,
}

/// Everything a workload's pod is made of; the builder state behind `pod_methods!`.
#[derive(Clone, Debug)]
pub(crate) struct PodTemplate {
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) annotations: Vec<(String, String)>,
    pub(crate) containers: Vec<Container>,
    pub(crate) init_containers: Vec<Container>,
    pub(crate) service_account: Option<ServiceAccountRef>,
    pub(crate) mount_token: bool,
    pub(crate) run_as: (i64, i64),
    /// Runs as root: only a DaemonSet offers it, as a named, warned choice.
    pub(crate) root: bool,
    pub(crate) termination_grace_period: Option<u32>,
    pub(crate) spread: Spread,
    pub(crate) image_pull_secrets: Vec<SecretRef>,
    pub(crate) node_selector: Vec<(String, String)>,
    pub(crate) tolerations: Vec<Toleration>,
    /// Read-only host directories, mounted at the same path in every container (DaemonSet).
    pub(crate) host_paths: Vec<String>,
    /// Labels stacksmith sets on the pods of one version of a release (release, colour or
    /// track): written like user labels, but not checked against the reserved keys.
    pub(crate) release_labels: Vec<(String, String)>,
}

/// What a workload tells the shared lowering about itself.
pub(crate) struct PodContext<'a> {
    /// `Deployment`, for messages.
    pub(crate) kind: &'static str,
    /// The pod's namespace.
    pub(crate) namespace: &'a str,
    /// The identity label value.
    pub(crate) identity: &'a str,
    /// `restartPolicy`, for Jobs (`None`: Kubernetes' `Always`, not written).
    pub(crate) restart_policy: Option<&'static str>,
    /// The StatefulSet's volume claim templates (empty for other kinds).
    pub(crate) claims: &'a [VolumeClaim],
}

/// Builder methods every workload shares, delegating to its `pod: PodTemplate` field.
macro_rules! pod_methods {
    () => {
        /// Adds a label to the workload object and its pod template (never to the selector).
        #[must_use]
        pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.pod.labels.push((key.into(), value.into()));
            self
        }

        /// Adds an annotation to the pod template (`spec.template.metadata.annotations`), such
        /// as `prometheus.io/scrape`: read by agents that discover pods, never by selectors.
        /// The key is checked like a label key (SS0321). A change rolls the pods. Default: none.
        #[must_use]
        pub fn pod_annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.pod.annotations.push((key.into(), value.into()));
            self
        }

        /// Adds a container to the pod.
        #[must_use]
        pub fn container(mut self, container: $crate::Container) -> Self {
            // Most pods have one container: room for one (a `Container` is about half a
            // kilobyte, and a first `push` would reserve room for four).
            self.pod.containers.reserve_exact(1);
            self.pod.containers.push(container);
            self
        }

        /// Adds an init container: init containers run to completion one after another, in
        /// the order added, before the containers start (migrations, rendering config into an
        /// emptyDir). Same secure defaults as a container; probes and lifecycle hooks are not
        /// allowed (SS0340). Default: none.
        #[must_use]
        pub fn init_container(mut self, container: $crate::Container) -> Self {
            self.pod.init_containers.push(container);
            self
        }

        /// Runs the pods as this service account. Its Kubernetes API token is still not
        /// mounted; see [`Self::mount_service_account_token`]. Default: the namespace's
        /// `default` account.
        #[must_use]
        pub fn service_account(mut self, account: &$crate::ServiceAccountRef) -> Self {
            self.pod.service_account = Some(account.clone());
            self
        }

        /// Mounts the service account's Kubernetes API token into the pods, for workloads that
        /// call the Kubernetes API. A named security choice. Default: not mounted
        /// (`automountServiceAccountToken: false`).
        #[must_use]
        pub fn mount_service_account_token(mut self) -> Self {
            self.pod.mount_token = true;
            self
        }

        /// Sets the pod's `runAsUser` and `fsGroup`. Default: 10001 and 10001.
        #[must_use]
        pub fn run_as(mut self, user: i64, fs_group: i64) -> Self {
            self.pod.run_as = (user, fs_group);
            self
        }

        /// Seconds a pod gets to stop after it is asked to, preStop hooks included
        /// (`terminationGracePeriodSeconds`). Default: Kubernetes' 30 (not written).
        #[must_use]
        pub fn termination_grace_period(mut self, secs: u32) -> Self {
            self.pod.termination_grace_period = Some(secs);
            self
        }

        /// Pulls the images with the registry credentials in `secret` (`imagePullSecrets`).
        /// The Secret must be in the pod's namespace and hold the key `.dockerconfigjson`
        /// (type `kubernetes.io/dockerconfigjson`); both are proven. Default: none (public
        /// images, or registries the nodes can read, such as ECR through the node role).
        #[must_use]
        pub fn image_pull_secret(mut self, secret: &$crate::SecretRef) -> Self {
            self.pod.image_pull_secrets.push(secret.clone());
            self
        }

        /// Schedules the pods only on nodes with the label `key=value` (`nodeSelector`).
        /// Default: any node.
        #[must_use]
        pub fn node_selector(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.pod.node_selector.push((key.into(), value.into()));
            self
        }

        /// Lets the pods run on nodes with a matching taint. Default: none, so tainted
        /// (dedicated, control-plane) nodes are avoided.
        #[must_use]
        pub fn toleration(mut self, toleration: $crate::Toleration) -> Self {
            self.pod.tolerations.push(toleration);
            self
        }
    };
}
pub(crate) use pod_methods;

impl PodTemplate {
    /// An empty pod with the secure defaults and the given spread.
    pub(crate) fn new(spread: Spread) -> Self {
        Self {
            labels: Vec::new(),
            annotations: Vec::new(),
            containers: Vec::new(),
            init_containers: Vec::new(),
            service_account: None,
            mount_token: false,
            run_as: (10001, 10001),
            root: false,
            termination_grace_period: None,
            spread,
            image_pull_secrets: Vec::new(),
            node_selector: Vec::new(),
            tolerations: Vec::new(),
            host_paths: Vec::new(),
            release_labels: Vec::new(),
        }
    }

    /// Every port of the (non-init) containers, as (name, number).
    /// The workload annotation that has Stakater Reloader restart the pods when a Secret they
    /// read and External Secrets keeps in sync changes (`secret.reloader.stakater.com/reload`,
    /// naming those Secrets), or none when the pods read no synced Secret. On the workload's
    /// own metadata, not the pod template: writing it never rolls the pods by itself.
    pub(crate) fn reload_annotation(&self) -> Option<(String, String)> {
        let mut names: Vec<&str> = self
            .containers
            .iter()
            .chain(&self.init_containers)
            .flat_map(Container::synced_secrets)
            .collect();
        names.sort_unstable();
        names.dedup();
        (!names.is_empty()).then(|| (RELOAD_ANNOTATION.to_owned(), names.join(",")))
    }

    pub(crate) fn ports(&self) -> impl Iterator<Item = &(String, u16)> {
        self.containers.iter().flat_map(|c| &c.ports)
    }

    /// The pod with a writable emptyDir at `/tmp` mounted in every container whose root
    /// filesystem is read-only, unless it opted out or mounts something there itself.
    fn with_default_tmp(&self) -> std::borrow::Cow<'_, Self> {
        let needs = |c: &Container| {
            c.tmp && !c.writable_root_filesystem && !c.mounts.iter().any(|m| m.path == TMP_PATH)
        };
        if !self
            .containers
            .iter()
            .chain(&self.init_containers)
            .any(needs)
        {
            return std::borrow::Cow::Borrowed(self);
        }
        let tmp = Volume::empty_dir(TMP_VOLUME).size_limit(crate::Memory::gib(1));
        let mut pod = self.clone();
        for c in pod
            .containers
            .iter_mut()
            .chain(pod.init_containers.iter_mut())
        {
            if needs(c) {
                *c = c.clone().mount_writable(&tmp, TMP_PATH);
            }
        }
        std::borrow::Cow::Owned(pod)
    }

    /// Checks the pod and lowers it into a pod template labelled with the identity label.
    pub(crate) fn lower(&self, cx: &mut Lowering<'_>, pod: &PodContext<'_>) -> PodTemplateSpec {
        let with_tmp = self.with_default_tmp();
        with_tmp.lower_as_is(cx, pod)
    }

    fn lower_as_is(&self, cx: &mut Lowering<'_>, pod: &PodContext<'_>) -> PodTemplateSpec {
        check_labels(cx, &self.labels);
        check_labels(cx, &self.node_selector);
        for (k, _) in &self.annotations {
            crate::labels::check_key(cx, "pod annotation", k);
        }
        self.check(cx, pod);
        let ns = pod.namespace;
        let mut containers: Vec<KContainer> =
            self.containers.iter().map(|c| c.lower(cx, ns)).collect();
        let mut init: Vec<KContainer> = self
            .init_containers
            .iter()
            .map(|c| c.lower(cx, ns))
            .collect();
        // A container's `runAsNonRoot` overrides the pod's: under a root pod it must not claim
        // non-root, or the kubelet refuses to start it (SS0230).
        for c in containers.iter_mut().chain(init.iter_mut()) {
            if let Some(sc) = c.security_context.as_mut() {
                sc.run_as_non_root = Some(!self.root);
            }
        }
        let volumes = self.lower_volumes(cx, pod);
        self.mount_host_paths(cx, &mut containers);
        let pull_secrets = self.lower_pull_secrets(cx, ns);
        let tolerations: Vec<_> = self.tolerations.iter().map(|t| t.lower(cx)).collect();
        let (affinity, topology_spread_constraints) = self.lower_spread(pod.identity);

        let mut labels = identity_labels(pod.identity);
        labels.extend(self.labels.iter().cloned());
        labels.extend(self.release_labels.iter().cloned());
        if self
            .service_account
            .as_ref()
            .is_some_and(|s| s.has_aws_identity())
        {
            labels.insert(crate::AWS_IDENTITY_LABEL.to_owned(), "true".to_owned());
        }
        let spec = PodSpec {
            service_account_name: self.service_account.as_ref().map(|s| s.name().to_owned()),
            automount_service_account_token: Some(self.mount_token),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(!self.root),
                run_as_user: Some(if self.root { 0 } else { self.run_as.0 }),
                fs_group: Some(if self.root { 0 } else { self.run_as.1 }),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".to_owned(),
                    localhost_profile: None,
                }),
                ..PodSecurityContext::default()
            }),
            affinity,
            topology_spread_constraints,
            termination_grace_period_seconds: self.termination_grace_period.map(i64::from),
            restart_policy: pod.restart_policy.map(str::to_owned),
            image_pull_secrets: pull_secrets,
            node_selector: (!self.node_selector.is_empty())
                .then(|| self.node_selector.iter().cloned().collect()),
            tolerations: (!tolerations.is_empty()).then_some(tolerations),
            init_containers: (!init.is_empty()).then_some(init),
            volumes: (!volumes.is_empty()).then_some(volumes),
            containers,
            ..PodSpec::default()
        };
        PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(labels),
                annotations: (!self.annotations.is_empty())
                    .then(|| self.annotations.iter().cloned().collect()),
                ..ObjectMeta::default()
            }),
            spec: Some(spec),
        }
    }

    fn check(&self, cx: &mut Lowering<'_>, pod: &PodContext<'_>) {
        let path = cx.path().clone();
        let kind = pod.kind;
        if self.containers.is_empty() {
            cx.error(
                "SS0309",
                format!("{kind} {path} has no containers"),
                "add one with `.container(Container::new(name, image))`",
            );
        }
        let all: Vec<&Container> = self
            .containers
            .iter()
            .chain(&self.init_containers)
            .collect();
        for (i, c) in all.iter().enumerate() {
            if all.iter().take(i).any(|o| o.name == c.name) {
                cx.error(
                    "SS0310",
                    format!("two containers of {path} are named `{}`", c.name),
                    "give each container of a pod a distinct name",
                );
            }
        }
        for c in &self.init_containers {
            if c.probes().next().is_some() || c.pre_stop.is_some() {
                cx.error(
                    "SS0340",
                    format!(
                        "init container {} of {path} has a probe or a preStop hook",
                        c.name
                    ),
                    "init containers run to completion before the pod starts, so Kubernetes rejects probes and lifecycle hooks on them; move them to a container",
                );
            }
        }
        self.check_ports(cx, &path);
        if let Some(sa) = &self.service_account {
            if sa.namespace() != pod.namespace {
                cx.error(
                    "SS0319",
                    format!(
                        "{kind} {path} runs as service account `{}` of namespace `{}`, but its pods run in namespace `{}`",
                        sa.name(),
                        sa.namespace(),
                        pod.namespace
                    ),
                    format!("create the service account in namespace `{}`", pod.namespace),
                );
            }
        }
        for (field, id) in [("user", self.run_as.0), ("group", self.run_as.1)] {
            if !(0..=i64::from(i32::MAX)).contains(&id) {
                cx.error(
                    "SS0404",
                    format!(
                        "`run_as` {field} id of {path} is {id}; the API server accepts 0 to {}",
                        i32::MAX
                    ),
                    "use a non-root id within 1–2147483647, e.g. `.run_as(10001, 10001)`",
                );
            }
        }
        if self.run_as.0 == 0 && !self.root {
            cx.error(
                "SS0322",
                format!(
                    "`run_as` user is 0 (root) at {path}, but pods run with `runAsNonRoot: true`"
                ),
                "run as a non-zero user id, e.g. `.run_as(10001, 10001)`; the kubelet refuses to start root containers under runAsNonRoot",
            );
        }
        let grace = self.termination_grace_period.unwrap_or(DEFAULT_GRACE_SECS);
        for c in &self.containers {
            if let Some(PreStop::Sleep(secs)) = c.pre_stop {
                if secs > 0 && secs >= grace {
                    cx.error(
                        "SS0339",
                        format!(
                            "preStop sleep of container {} lasts {secs}s, but the pod has only {grace}s to stop (`termination_grace_period`)",
                            c.name
                        ),
                        format!(
                            "the hook would use up the grace period, leaving the app 2 seconds between SIGTERM and SIGKILL; raise `.termination_grace_period(...)` to cover the sleep and the shutdown (e.g. {}), or shorten the sleep",
                            secs.saturating_add(DEFAULT_GRACE_SECS)
                        ),
                    );
                }
            }
        }
        self.check_host_paths(cx, kind);
    }

    fn check_ports(&self, cx: &mut Lowering<'_>, path: &Path) {
        let ports: Vec<&(String, u16)> = self.ports().collect();
        for (i, (name, port)) in ports.iter().enumerate() {
            if *port == 0 {
                cx.error(
                    "SS0401",
                    format!("port `{name}` of the pod of {path} is port 0, which is not a port"),
                    "container ports are 1–65535; give the port the process listens on, such as `.port(\"http\", 8080)`",
                );
            }
            if !valid_port_name(name) {
                cx.error(
                    "SS0312",
                    format!("port name `{name}` (port {port}) is not a valid port name"),
                    "port names are at most 15 lowercase letters, digits and `-`, with at least one letter and no leading, trailing or double `-` (`http`, `grpc-api`)",
                );
            }
            if ports.iter().take(i).any(|(_, p)| p == port) {
                cx.error(
                    "SS0311",
                    format!("port {port} is exposed twice in the pod of {path}"),
                    "containers of a pod share one network namespace; expose each port once",
                );
            }
            if ports.iter().take(i).any(|(n, _)| n == name) {
                cx.error(
                    "SS0311",
                    format!("port name `{name}` is used twice in the pod of {path}"),
                    "give each port of a pod a distinct name",
                );
            }
        }
        for c in &self.containers {
            for (kind, probe) in c.probes() {
                if probe.runs_nothing() {
                    cx.error(
                        "SS0481",
                        format!(
                            "{kind} probe of container {} of {path} runs an empty command",
                            c.name
                        ),
                        "give the command and its arguments, e.g. `Probe::exec([\"celery\", \"-A\", \"app\", \"inspect\", \"ping\"])`; the API server rejects an exec probe without one",
                    );
                }
                let Some(port) = probe.port() else {
                    continue;
                };
                if !ports.iter().any(|(_, p)| *p == port) {
                    cx.error(
                        "SS0301",
                        format!(
                            "{kind} probe of container {} checks port {port}, which no container of {path} exposes",
                            c.name
                        ),
                        format!(
                            "expose it with `.port(name, {port})` or probe an exposed port: {}",
                            describe_ports(self.ports())
                        ),
                    );
                }
            }
        }
    }

    fn check_host_paths(&self, cx: &mut Lowering<'_>, kind: &str) {
        let path = cx.path().clone();
        for host in &self.host_paths {
            if let Some(problem) = absolute_path_problem(host) {
                cx.error(
                    "SS0337",
                    format!("host path `{host}` of {path} {problem}"),
                    "give an absolute, normalised directory such as `/var/log`",
                );
                continue;
            }
            let denied = if host == "/" {
                Some("is the node's whole filesystem".to_owned())
            } else {
                HOST_PATHS_DENIED
                    .iter()
                    .find(|d| is_within(host, d) || is_within(d, host))
                    .map(|d| format!("exposes `{d}`"))
            };
            if let Some(denied) = denied {
                cx.error(
                    "SS0337",
                    format!(
                        "host path `{host}` of {path} {denied}, where node credentials, container runtime sockets or other pods' secrets live"
                    ),
                    "mount only the directory the agent reads, such as `/var/log` or `/var/log/pods`",
                );
                continue;
            }
            cx.warning(
                "SS0336",
                format!("{kind} {path} mounts the node's `{host}` read-only into its containers"),
                "host files are shared with every pod of the DaemonSet: keep the path as narrow as the agent allows and its service account without broad permissions",
            );
        }
    }

    fn lower_volumes(&self, cx: &mut Lowering<'_>, pod: &PodContext<'_>) -> Vec<KVolume> {
        let path = cx.path().clone();
        let kind = pod.kind;
        let host: Vec<Volume> = self
            .host_paths
            .iter()
            .map(|p| Volume::host_path(p))
            .collect();
        let mounted = self
            .containers
            .iter()
            .chain(&self.init_containers)
            .flat_map(|c| {
                c.mounts
                    .iter()
                    .map(move |m| (Some(c.name.as_str()), &m.volume))
            });
        let mut seen: Vec<&Volume> = Vec::new();
        let mut out = Vec::new();
        for (container, v) in mounted.chain(host.iter().map(|v| (None, v))) {
            let by = container.map_or_else(
                || "the host path mount".to_owned(),
                |c| format!("container {c}"),
            );
            let declared = pod.claims.iter().find(|c| c.name == v.name);
            match (&v.source, declared) {
                (Source::ClaimTemplate(_), None) => {
                    let (problem, hint) = if kind == "StatefulSet" {
                        (
                            format!("which StatefulSet {path} does not declare"),
                            "declare it on the StatefulSet with `.volume_claim(&claim)`",
                        )
                    } else {
                        (
                            format!(
                                "but only a StatefulSet has volume claims, and {path} is a {kind}"
                            ),
                            "mount a claim the stack owns with `Volume::claim(name, &claim)` (a `PersistentVolumeClaim`), or run the pods as a StatefulSet",
                        )
                    };
                    cx.error(
                        "SS0330",
                        format!("{by} mounts volume claim `{}`, {problem}", v.name),
                        hint,
                    );
                    continue;
                }
                (Source::ClaimTemplate(claim), Some(d)) if claim != d => {
                    cx.error(
                        "SS0331",
                        format!(
                            "{by} mounts volume claim `{}`, which differs from the claim of that name StatefulSet {path} declares",
                            v.name
                        ),
                        "mount the same `VolumeClaim` value you pass to `.volume_claim(&claim)`",
                    );
                    continue;
                }
                (Source::ClaimTemplate(_), Some(_)) => continue,
                (_, Some(_)) => {
                    cx.error(
                        "SS0331",
                        format!(
                            "volume `{}` mounted by {by} has the name of a volume claim of {path}",
                            v.name
                        ),
                        "give each volume of a pod a distinct name",
                    );
                    continue;
                }
                (_, None) => {}
            }
            if let Some(prev) = seen.iter().find(|p| p.name == v.name) {
                if *prev != v {
                    cx.error(
                        "SS0331",
                        format!(
                            "{by} mounts a volume named `{}`, but another volume of the pod of {path} has that name",
                            v.name
                        ),
                        "give each volume of a pod a distinct name, and mount the same `Volume` value where you mean the same volume",
                    );
                }
                continue;
            }
            seen.push(v);
            out.push(v.lower(cx, pod.namespace));
        }
        out
    }

    /// Mounts each host path read-only, at the same path, in every (non-init) container.
    fn mount_host_paths(&self, cx: &mut Lowering<'_>, containers: &mut [KContainer]) {
        for host in &self.host_paths {
            let v = Volume::host_path(host);
            for (c, k) in self.containers.iter().zip(containers.iter_mut()) {
                if c.mounts.iter().any(|m| m.path == *host) {
                    cx.error(
                        "SS0332",
                        format!(
                            "container {} mounts volume `{}` at `{host}`, where the node's `{host}` is mounted",
                            c.name,
                            c.mounts
                                .iter()
                                .find(|m| m.path == *host)
                                .map_or("", |m| m.volume.name.as_str())
                        ),
                        "mount the volume at another path",
                    );
                    continue;
                }
                k.volume_mounts
                    .get_or_insert_with(Vec::new)
                    .push(VolumeMount {
                        name: v.name.clone(),
                        mount_path: host.clone(),
                        read_only: Some(true),
                        ..VolumeMount::default()
                    });
            }
        }
    }

    fn lower_pull_secrets(
        &self,
        cx: &mut Lowering<'_>,
        namespace: &str,
    ) -> Option<Vec<LocalObjectReference>> {
        let mut out: Vec<LocalObjectReference> = Vec::new();
        for s in &self.image_pull_secrets {
            if s.namespace != namespace {
                cx.error(
                    "SS0319",
                    format!(
                        "image pull secret `{}` is in namespace `{}`, but the pod runs in namespace `{namespace}`",
                        s.name, s.namespace
                    ),
                    format!("pods use only their own namespace's pull secrets; declare the Secret in namespace `{namespace}`"),
                );
                continue;
            }
            if out.iter().any(|o| o.name == s.name) {
                continue;
            }
            let u = KubeUse {
                owner: cx.path().clone(),
                source: SourceKind::Secret,
                namespace: s.namespace.clone(),
                name: s.name.clone(),
                key: PULL_SECRET_KEY.to_owned(),
                reader: "image pull secret".to_owned(),
            };
            cx.uses(u);
            out.push(LocalObjectReference {
                name: s.name.clone(),
            });
        }
        (!out.is_empty()).then_some(out)
    }

    fn lower_spread(
        &self,
        identity: &str,
    ) -> (Option<Affinity>, Option<Vec<TopologySpreadConstraint>>) {
        let zone_rule = match self.spread {
            Spread::None => return (None, None),
            Spread::Preferred => "ScheduleAnyway",
            Spread::Required => "DoNotSchedule",
        };
        let affinity = Affinity {
            pod_anti_affinity: Some(PodAntiAffinity {
                preferred_during_scheduling_ignored_during_execution: Some(vec![
                    WeightedPodAffinityTerm {
                        weight: 100,
                        pod_affinity_term: PodAffinityTerm {
                            label_selector: Some(identity_selector(identity)),
                            topology_key: "kubernetes.io/hostname".to_owned(),
                            ..PodAffinityTerm::default()
                        },
                    },
                ]),
                ..PodAntiAffinity::default()
            }),
        };
        let spread = TopologySpreadConstraint {
            max_skew: 1,
            topology_key: "topology.kubernetes.io/zone".to_owned(),
            when_unsatisfiable: zone_rule.to_owned(),
            label_selector: Some(identity_selector(identity)),
            ..TopologySpreadConstraint::default()
        };
        (Some(affinity), Some(vec![spread]))
    }
}

/// Whether `path` is `dir` or lies below it (component-wise: `/etcd` is not within `/etc`).
fn is_within(path: &str, dir: &str) -> bool {
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Checks a rolling update's `maxUnavailable` and `maxSurge` (SS0323, SS0320).
pub(crate) fn check_rolling_update(
    cx: &mut Lowering<'_>,
    max_unavailable: IntOrPercent,
    max_surge: IntOrPercent,
) {
    for (field, v) in [
        ("max_unavailable", max_unavailable),
        ("max_surge", max_surge),
    ] {
        check_percent(cx, &format!("rolling update `{field}`"), v);
    }
    if max_unavailable.is_zero() && max_surge.is_zero() {
        cx.error(
            "SS0320",
            "rolling update `max_unavailable` and `max_surge` are both 0: a rollout could neither remove nor add a pod",
            "allow a surge (`IntOrPercent::Count(1)`) to roll without losing capacity",
        );
    }
}

/// Records SS0323 when `value` is a percentage above 100.
pub(crate) fn check_percent(cx: &mut Lowering<'_>, what: &str, value: IntOrPercent) {
    if let IntOrPercent::Percent(p) = value {
        if p > 100 {
            cx.error(
                "SS0323",
                format!("{what} is {p}%; at most 100% is allowed"),
                "use a percentage from 0% to 100%, or a pod count",
            );
        }
    }
}

/// Records SS0313 when a replicated workload asks for no pods.
pub(crate) fn check_replicas(cx: &mut Lowering<'_>, kind: &str, replicas: u32) {
    if replicas == 0 {
        let path = cx.path().clone();
        cx.warning(
            "SS0313",
            format!("`replicas` is 0 at {path}: no pod will run"),
            format!(
                "set replicas to at least 2 to survive the loss of a pod, or remove the {kind}"
            ),
        );
    }
}

/// Whether `name` is an IANA service name: at most 15 lowercase letters, digits and `-`, with a
/// letter, no leading, trailing or double `-`.
fn valid_port_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// "http (8000), metrics (9090)", or "none" for a pod that exposes no port.
pub(crate) fn describe_ports<'a>(ports: impl IntoIterator<Item = &'a (String, u16)>) -> String {
    let list: Vec<String> = ports
        .into_iter()
        .map(|(n, p)| format!("{n} ({p})"))
        .collect();
    if list.is_empty() {
        "the pod exposes none".to_owned()
    } else {
        list.join(", ")
    }
}

/// The pods of a workload as the objects that select them (Service, PodDisruptionBudget) see
/// them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pods {
    pub(crate) path: Path,
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) identity: String,
    pub(crate) ports: Vec<(String, u16)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        CronJob, DaemonSet, Deployment, Job, Memory, Namespace, NamespaceRef, Probe, Secret,
        StatefulSet, TaintEffect,
    };
    use stacksmith_core::{Graph, Stack};

    const IMAGE: &str = "rocketgraph/public-api:1.0.0";

    /// The pod spec of the first object of `kind`.
    fn pod_of<'g>(g: &'g Graph, kind: &str) -> &'g stacksmith_core::Body {
        let Some(o) = g.objects.iter().find(|o| o.kind == kind) else {
            panic!("no {kind} in {:?}", g.objects);
        };
        match kind {
            "CronJob" => &o.body["spec"]["jobTemplate"]["spec"]["template"]["spec"],
            _ => &o.body["spec"]["template"]["spec"],
        }
    }

    /// A pod with one problem of each kind the shared template checks.
    macro_rules! bad_pod {
        ($workload:expr) => {
            $workload
                .container(
                    Container::new("api", "rocketgraph/public-api:latest")
                        .port("http", 8000)
                        .liveness(Probe::http_get("/health", 9000))
                        .pre_stop_sleep(45)
                        .mount_writable(&VolumeClaim::new("data", Memory::gib(1)), "/data"),
                )
                .container(Container::new("api", IMAGE))
                .init_container(Container::new("init", IMAGE).readiness(Probe::tcp(8000)))
                .run_as(0, 0)
        };
    }

    #[test]
    fn fails_every_kind_gets_the_pod_checks() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(bad_pod!(Deployment::new(&ns, "deployment")));
        stack.add(bad_pod!(StatefulSet::new(&ns, "stateful-set")));
        stack.add(bad_pod!(DaemonSet::new(&ns, "daemon-set")));
        stack.add(bad_pod!(Job::new(&ns, "job")));
        stack.add(bad_pod!(CronJob::new(&ns, "cron-job", "@daily")));
        let g = stack.lower();
        let codes = |path: &str| -> Vec<&str> {
            g.diagnostics
                .iter()
                .filter(|d| d.path == path)
                .map(|d| d.code)
                .collect()
        };
        let expected = [
            "SS0301", "SS0303", "SS0310", "SS0322", "SS0330", "SS0339", "SS0340",
        ];
        for kind in [
            "deployment",
            "stateful-set",
            "daemon-set",
            "job",
            "cron-job",
        ] {
            assert_eq!(codes(&format!("prod/{kind}")), expected, "{kind}");
        }
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn init_containers_get_the_container_defaults() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let cfg = Volume::empty_dir("config");
        stack.add(
            Deployment::new(&ns, "api")
                .init_container(
                    Container::new("render", IMAGE)
                        .command(["/app/render"])
                        .mount_writable(&cfg, "/config"),
                )
                .container(Container::new("api", IMAGE).mount(&cfg, "/etc/app")),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pod = pod_of(&g, "Deployment");
        let init = &pod["initContainers"][0];
        assert_eq!(init["name"], "render");
        assert_eq!(init["securityContext"]["readOnlyRootFilesystem"], true);
        assert_eq!(init["resources"]["limits"]["memory"], "512Mi");
        assert_eq!(init["volumeMounts"][0]["readOnly"], false);
        assert_eq!(pod["containers"][0]["volumeMounts"][0]["readOnly"], true);
        // `config` and the default `/tmp`.
        assert_eq!(pod["volumes"].as_array().map(<[_]>::len), Some(2));
    }

    /// Issue 14, F16: a read-only root filesystem comes with a writable, sized emptyDir at
    /// `/tmp`, shared by the pod's containers, unless a container opts out, mounts its own
    /// volume there, or has a writable root filesystem.
    #[test]
    fn read_only_root_gets_a_writable_tmp_unless_opted_out() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let scratch = Volume::empty_dir("scratch").in_memory();
        stack.add(
            Deployment::new(&ns, "api")
                .init_container(Container::new("migrate", IMAGE))
                .container(Container::new("api", IMAGE))
                .container(Container::new("sidecar", IMAGE).without_tmp())
                .container(Container::new("cache", IMAGE).mount_writable(&scratch, "/tmp"))
                .container(Container::new("legacy", IMAGE).writable_root_filesystem()),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let pod = pod_of(&g, "Deployment");
        let tmp = serde_json::json!({"mountPath": "/tmp", "name": "tmp", "readOnly": false});
        assert_eq!(
            pod["initContainers"][0]["volumeMounts"],
            serde_json::json!([tmp])
        );
        assert_eq!(
            pod["containers"][0]["volumeMounts"],
            serde_json::json!([tmp])
        );
        for i in [1, 3] {
            assert_eq!(pod["containers"][i].get("volumeMounts"), None, "{i}");
        }
        assert_eq!(pod["containers"][2]["volumeMounts"][0]["name"], "scratch");
        assert_eq!(
            pod["volumes"],
            serde_json::json!([
                {"emptyDir": {"sizeLimit": "1Gi"}, "name": "tmp"},
                {"emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}, "name": "scratch"}
            ])
        );
    }

    #[test]
    fn pre_stop_hooks_and_grace_period_are_written() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(
            Deployment::new(&ns, "api")
                .termination_grace_period(45)
                .container(Container::new("api", IMAGE).pre_stop_sleep(15))
                .container(
                    Container::new("proxy", IMAGE).pre_stop_exec(["/bin/sh", "-c", "sleep 15"]),
                ),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pod = pod_of(&g, "Deployment");
        assert_eq!(pod["terminationGracePeriodSeconds"], 45);
        assert_eq!(
            pod["containers"][0]["lifecycle"],
            serde_json::json!({"preStop": {"sleep": {"seconds": 15}}})
        );
        assert_eq!(
            pod["containers"][1]["lifecycle"]["preStop"]["exec"]["command"],
            serde_json::json!(["/bin/sh", "-c", "sleep 15"])
        );
    }

    #[test]
    fn pull_secrets_node_selector_and_tolerations() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let regcred = stack.add(Secret::external(&ns, "regcred", [".dockerconfigjson"]));
        stack.add(
            Deployment::new(&ns, "api")
                .image_pull_secret(&regcred)
                .image_pull_secret(&regcred)
                .node_selector("kubernetes.io/arch", "arm64")
                .toleration(Toleration::equal("dedicated", "api").effect(TaintEffect::NoSchedule))
                .toleration(Toleration::exists("spot"))
                .container(Container::new("api", IMAGE)),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pod = pod_of(&g, "Deployment");
        assert_eq!(
            pod["imagePullSecrets"],
            serde_json::json!([{"name": "regcred"}])
        );
        assert_eq!(
            pod["nodeSelector"],
            serde_json::json!({"kubernetes.io/arch": "arm64"})
        );
        assert_eq!(
            pod["tolerations"],
            serde_json::json!([
                {"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": "api"},
                {"key": "spot", "operator": "Exists"},
            ])
        );
        assert_eq!(g.uses[0].key, ".dockerconfigjson");
        assert_eq!(g.uses[0].reader, "image pull secret");
    }

    #[test]
    fn only_replicated_kinds_spread() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let c = || Container::new("api", IMAGE);
        stack.add(StatefulSet::new(&ns, "db").container(c()));
        stack.add(DaemonSet::new(&ns, "agent").container(c()));
        stack.add(Job::new(&ns, "once").container(c()));
        stack.add(CronJob::new(&ns, "nightly", "0 3 * * *").container(c()));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let sts = pod_of(&g, "StatefulSet");
        assert_eq!(
            sts["topologySpreadConstraints"][0]["topologyKey"],
            "topology.kubernetes.io/zone"
        );
        for kind in ["DaemonSet", "Job", "CronJob"] {
            let pod = pod_of(&g, kind);
            assert_eq!(pod.get("affinity"), None, "{kind}");
            assert_eq!(pod.get("topologySpreadConstraints"), None, "{kind}");
            assert_eq!(pod["automountServiceAccountToken"], false, "{kind}");
            assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{kind}");
        }
    }

    fn with_ns(build: impl FnOnce(&mut Stack, &NamespaceRef)) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        build(&mut stack, &ns);
        stack.lower()
    }

    #[test]
    fn pod_annotations_go_on_the_pod_template_of_every_kind() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let annotated = |w: Deployment| {
            w.pod_annotation("prometheus.io/scrape", "true")
                .pod_annotation("prometheus.io/port", "9090")
                .container(Container::new("api", IMAGE))
        };
        stack.add(annotated(Deployment::new(&ns, "api")));
        stack.add(
            CronJob::new(&ns, "report", "@daily")
                .pod_annotation("prometheus.io/scrape", "false")
                .container(Container::new("report", IMAGE)),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let deployment = g.objects.iter().find(|o| o.kind == "Deployment");
        let meta = &deployment.map(|o| &o.body["spec"]["template"]["metadata"]);
        assert_eq!(
            meta.map(|m| &m["annotations"]["prometheus.io/scrape"]),
            Some(&"true".into())
        );
        assert_eq!(
            meta.map(|m| &m["annotations"]["prometheus.io/port"]),
            Some(&"9090".into())
        );
        // On the pods only: the Deployment object itself carries no annotation.
        assert!(deployment.is_some_and(|o| o.body["metadata"].get("annotations").is_none()));
        let cron = g.objects.iter().find(|o| o.kind == "CronJob");
        assert_eq!(
            cron.map(|o| &o.body["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["annotations"]["prometheus.io/scrape"]),
            Some(&"false".into())
        );
    }

    #[test]
    fn fails_pod_annotation_with_an_invalid_key() {
        let g = with_ns(|stack, ns| {
            stack.add(
                Deployment::new(ns, "api")
                    .pod_annotation("prometheus io/scrape", "true")
                    .pod_annotation("-bad", "x")
                    .container(Container::new("api", IMAGE)),
            );
        });
        assert_eq!(
            g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["SS0321", "SS0321"]
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_pull_secret_without_the_docker_config_key() {
        let g = with_ns(|stack, ns| {
            let other = stack.add(Namespace::new("other"));
            let bad = stack.add(Secret::external(ns, "regcred", ["token"]));
            let foreign = stack.add(Secret::external(&other, "foreign", [".dockerconfigjson"]));
            stack.add(
                Deployment::new(ns, "api")
                    .image_pull_secret(&bad)
                    .image_pull_secret(&foreign)
                    .container(Container::new("api", IMAGE)),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_volume_name_conflicts_and_mount_paths() {
        let g = with_ns(|stack, ns| {
            let tmp = Volume::empty_dir("scratch");
            let other = Volume::empty_dir("scratch").in_memory();
            stack.add(
                Deployment::new(ns, "api")
                    .container(
                        Container::new("api", IMAGE)
                            .mount_writable(&tmp, "/tmp")
                            .mount_writable(&tmp, "/tmp")
                            .mount(&tmp, "relative/path"),
                    )
                    .container(Container::new("sidecar", IMAGE).mount_writable(&other, "/tmp")),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_empty_pre_stop_hooks() {
        let g = with_ns(|stack, ns| {
            stack.add(
                Deployment::new(ns, "api")
                    .container(Container::new("api", IMAGE).pre_stop_exec(Vec::<String>::new()))
                    .container(Container::new("proxy", IMAGE).pre_stop_sleep(0)),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
