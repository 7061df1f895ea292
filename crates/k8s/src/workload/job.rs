//! `Job`: pods that run to completion, retried a bounded number of times, and the run settings
//! (`RestartPolicy`, retries, deadline, clean-up) a `CronJob` shares.

use crate::api::batch_v1::{Job as KJob, JobSpec};
use crate::api::core_v1::PodTemplateSpec;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::NamespaceRef;
use crate::labels::{IDENTITY_LABEL, identity_value, int, meta, push, resolve_name};
use crate::pod::{PodContext, PodTemplate, Pods, Spread, pod_methods};

/// Job names: at most 63 characters, because each pod is labelled `job-name: <name>`.
const JOB_NAME: NameRule = NameRule {
    what: "Job name (at most 63 characters: its pods carry it as the `job-name` label)",
    max_len: 63,
    lowercase: true,
    extra: "-.",
    start_letter: false,
};

/// What happens when a container of a Job's pod fails.
///
/// Kubernetes accepts only these two for Jobs (a Job whose pod restarts forever never
/// completes), and the type has no `Always`, so such a Job cannot be written:
///
/// ```compile_fail
/// let _ = stacksmith_k8s::RestartPolicy::Always;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RestartPolicy {
    /// The failed pod is kept for its logs and a new pod is started, possibly on another node
    /// (`Never`). The default.
    #[default]
    Never,
    /// The container is restarted in the same pod (`OnFailure`): quicker, but earlier
    /// attempts' logs are lost.
    OnFailure,
}

impl RestartPolicy {
    fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Never => "Never",
            RestartPolicy::OnFailure => "OnFailure",
        }
    }
}

/// How a Job runs: retries, deadline, clean-up; shared by [`Job`] and
/// [`CronJob`](crate::CronJob).
#[derive(Clone, Debug)]
pub(crate) struct JobSettings {
    pub(crate) backoff_limit: u32,
    pub(crate) active_deadline: Option<u32>,
    pub(crate) ttl_after_finished: Option<u32>,
    pub(crate) restart_policy: RestartPolicy,
}

impl JobSettings {
    pub(crate) fn new() -> Self {
        Self {
            backoff_limit: 6,
            active_deadline: None,
            ttl_after_finished: None,
            restart_policy: RestartPolicy::Never,
        }
    }

    /// Checks the settings and lowers the pod and the Job spec.
    pub(crate) fn lower(
        &self,
        cx: &mut Lowering<'_>,
        kind: &'static str,
        namespace: &str,
        pod: &PodTemplate,
    ) -> JobSpec {
        if self.active_deadline == Some(0) {
            let path = cx.path().clone();
            cx.error(
                "SS0341",
                format!("`active_deadline` of {path} is 0 seconds: every run would fail at once"),
                "give the Job the seconds it may run, e.g. `.active_deadline(3600)`",
            );
        }
        let identity = identity_value(cx.path());
        let template: PodTemplateSpec = pod.lower(
            cx,
            &PodContext {
                kind,
                namespace,
                identity: &identity,
                restart_policy: Some(self.restart_policy.as_str()),
                claims: &[],
            },
        );
        JobSpec {
            backoff_limit: Some(int(self.backoff_limit)),
            active_deadline_seconds: self.active_deadline.map(i64::from),
            ttl_seconds_after_finished: self.ttl_after_finished.map(int),
            template,
            ..JobSpec::default()
        }
    }
}

/// Builder methods [`Job`] and [`CronJob`](crate::CronJob) share, delegating to their
/// `job: JobSettings` field.
macro_rules! job_methods {
    () => {
        /// Retries a failed run this many times, with exponential back-off, before the Job
        /// fails (`backoffLimit`). Default: 6.
        #[must_use]
        pub fn backoff_limit(mut self, retries: u32) -> Self {
            self.job.backoff_limit = retries;
            self
        }

        /// Fails the Job, stopping its pods, once it has run this many seconds, retries
        /// included (`activeDeadlineSeconds`). Default: no deadline.
        #[must_use]
        pub fn active_deadline(mut self, secs: u32) -> Self {
            self.job.active_deadline = Some(secs);
            self
        }

        /// Deletes the finished Job and its pods this many seconds after it completes or fails
        /// (`ttlSecondsAfterFinished`). Default: kept — a GitOps tool or `kubectl apply` would
        /// re-create, and so re-run, a Job the TTL controller deleted.
        #[must_use]
        pub fn ttl_after_finished(mut self, secs: u32) -> Self {
            self.job.ttl_after_finished = Some(secs);
            self
        }

        /// Sets what happens when a container fails. Default: [`RestartPolicy::Never`](crate::RestartPolicy::Never).
        #[must_use]
        pub fn restart_policy(mut self, policy: $crate::RestartPolicy) -> Self {
            self.job.restart_policy = policy;
            self
        }
    };
}
pub(crate) use job_methods;

/// A Kubernetes Job: one pod run to completion (a migration, a one-off backup), retried a
/// bounded number of times.
///
/// Creates: one `batch/v1/Job`. Kubernetes generates its selector; the pod template carries the
/// identity label `stacksmith.dev/id` and the user's labels.
///
/// Defaults worth knowing:
/// - `restartPolicy: Never` ([`RestartPolicy`]; `Always` cannot be written), `backoffLimit: 6`,
///   no `activeDeadlineSeconds`, no `ttlSecondsAfterFinished` (see [`Job::ttl_after_finished`]).
/// - the pod defaults of [`Deployment`](crate::Deployment) (non-root, seccomp, no API token,
///   read-only root filesystem), without anti-affinity or zone spread.
/// - a Job's pod template cannot change once it exists: to run new code, give the Job a new
///   name (or id).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let db = stack.add(Secret::external(&ns, "mongodb-credentials", ["uri"]));
/// stack.add(
///     Job::new(&ns, "migrate-v1-1")
///         .backoff_limit(2)
///         .active_deadline(600)
///         .restart_policy(RestartPolicy::OnFailure)
///         .container(
///             Container::new("migrate", "rocketgraph/public-api:1.1.0")
///                 .command(["/app/migrate"])
///                 .env_from_secret("MONGODB_URI", &db, "uri"),
///         ),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Job {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    job: JobSettings,
    pod: PodTemplate,
}

impl Job {
    /// A Job in `namespace`; add at least one container.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            job: JobSettings::new(),
            pod: PodTemplate::new(Spread::None),
        }
    }

    /// Sets the object name (at most 63 characters). Default: the kebab-case construct path
    /// below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    job_methods!();

    pod_methods!();
}

impl Lower for Job {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &JOB_NAME,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        let ns = self.namespace.name();
        let spec = self.job.lower(cx, "Job", ns, &self.pod);
        let object = KJob {
            metadata: meta(
                &name,
                Some(ns),
                self.pod.labels.iter().map(|(k, v)| (k, v)),
                [],
            ),
            spec: Some(spec),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for Job {
    type Handle = JobRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> JobRef {
        JobRef {
            pods: Pods {
                path: scope.path.clone(),
                name: resolve_name(self.name.as_ref(), &scope.path),
                namespace: self.namespace.name().to_owned(),
                identity: identity_value(&scope.path),
                ports: self.pod.ports().cloned().collect(),
            },
        }
    }
}

/// A handle to a [`Job`]: its name and the identity label and ports of its pods, so
/// network policies and data-store access (`db.allow_workload(&job, &cluster)`) select them
/// as they do a Deployment's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRef {
    pods: Pods,
}

impl JobRef {
    /// The Job's construct path.
    pub fn path(&self) -> &Path {
        &self.pods.path
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.pods.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.pods.namespace
    }

    /// The identity label its pods carry: (`stacksmith.dev/id`, value).
    pub fn identity(&self) -> (&'static str, &str) {
        (IDENTITY_LABEL, &self.pods.identity)
    }

    /// Every container port of its pod, as (name, number).
    pub fn ports(&self) -> &[(String, u16)] {
        &self.pods.ports
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, Namespace, Secret};
    use stacksmith_core::{Graph, Stack};

    const IMAGE: &str = "rocketgraph/public-api:1.1.0";

    fn lower(build: impl FnOnce(&mut Stack, &NamespaceRef)) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        build(&mut stack, &ns);
        stack.lower()
    }

    #[test]
    fn job_defaults_are_written() {
        let g = lower(|stack, ns| {
            let job =
                stack.add(Job::new(ns, "migrate").container(Container::new("migrate", IMAGE)));
            assert_eq!(job.name(), "migrate");
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let job = &g.objects[1];
        assert_eq!(
            (job.kind.as_str(), job.api_version.as_str()),
            ("Job", "batch/v1")
        );
        let spec = &job.body["spec"];
        assert_eq!(spec["backoffLimit"], 6);
        assert_eq!(spec.get("selector"), None);
        assert_eq!(spec.get("activeDeadlineSeconds"), None);
        assert_eq!(spec.get("ttlSecondsAfterFinished"), None);
        assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
        assert_eq!(
            spec["template"]["metadata"]["labels"]["stacksmith.dev/id"],
            "prod-migrate"
        );
    }

    #[test]
    fn job_body() {
        let g = lower(|stack, ns| {
            let db = stack.add(Secret::external(ns, "mongodb-credentials", ["uri"]));
            stack.add(
                Job::new(ns, "migrate-v1-1")
                    .backoff_limit(2)
                    .active_deadline(600)
                    .ttl_after_finished(3600)
                    .restart_policy(RestartPolicy::OnFailure)
                    .label("app", "migrate")
                    .container(
                        Container::new("migrate", IMAGE)
                            .command(["/app/migrate"])
                            .env_from_secret("MONGODB_URI", &db, "uri"),
                    ),
            );
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        insta::assert_json_snapshot!(g.objects[1].body);
    }

    #[test]
    fn fails_zero_deadline_and_long_name() {
        let g = lower(|stack, ns| {
            stack.add(
                Job::new(ns, "migrate")
                    .name(format!("migrate-{}", "x".repeat(60)))
                    .active_deadline(0)
                    .container(Container::new("migrate", IMAGE)),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_job_without_containers() {
        let g = lower(|stack, ns| {
            stack.add(Job::new(ns, "migrate"));
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
