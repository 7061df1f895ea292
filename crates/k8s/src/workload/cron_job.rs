//! `CronJob`: a Job run on a schedule (backups, reports), with the schedule and time zone
//! checked, runs never overlapping by default, and every history setting written out.

use crate::api::batch_v1::{CronJob as KCronJob, CronJobSpec, JobTemplateSpec};
use crate::api::meta_v1::ObjectMeta;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::NamespaceRef;
use crate::labels::{IDENTITY_LABEL, identity_value, int, meta, push, resolve_name};
use crate::pod::{PodTemplate, Pods, Spread, pod_methods};
use crate::workload::job::{JobSettings, job_methods};
use crate::workload::schedule::{check_schedule, check_time_zone};

/// CronJob names: at most 52 characters, because each Job it starts appends an 11-character
/// suffix (the API server enforces this).
const CRON_JOB_NAME: NameRule = NameRule {
    what: "CronJob name (at most 52 characters: its Jobs add an 11-character suffix)",
    max_len: 52,
    lowercase: true,
    extra: "-.",
    start_letter: false,
};

/// The controller checks CronJobs every 10 seconds: a shorter starting deadline may miss every
/// run.
const MIN_STARTING_DEADLINE: u32 = 10;

/// What a CronJob does when a run is due while the previous one is still running.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConcurrencyPolicy {
    /// Skip the new run (`Forbid`): two backups never run at once. The default.
    #[default]
    Forbid,
    /// Start the new run alongside the old (`Allow`).
    Allow,
    /// Stop the old run and start the new one (`Replace`).
    Replace,
}

impl ConcurrencyPolicy {
    fn as_str(self) -> &'static str {
        match self {
            ConcurrencyPolicy::Forbid => "Forbid",
            ConcurrencyPolicy::Allow => "Allow",
            ConcurrencyPolicy::Replace => "Replace",
        }
    }
}

/// A Kubernetes CronJob: a [`Job`](crate::Job) started on a schedule.
///
/// Creates: one `batch/v1/CronJob`.
///
/// Defaults worth knowing, all written out:
/// - `timeZone: Etc/UTC`, so runs do not depend on the controller's clock settings.
/// - `concurrencyPolicy: Forbid` ([`ConcurrencyPolicy`]): a run still going when the next is
///   due makes the next one skip. Give long runs an [`CronJob::active_deadline`] so a hung run
///   cannot block every later one.
/// - `successfulJobsHistoryLimit: 3`, `failedJobsHistoryLimit: 1`, `suspend: false`; no
///   `startingDeadlineSeconds` (a run missed while the controller was down starts late).
/// - the run settings of [`Job`](crate::Job): `restartPolicy: Never`, `backoffLimit: 6`.
/// - the schedule is checked as Kubernetes reads it (five fields with ranges, steps, lists and
///   `jan`/`mon` names, or `@daily`-style macros; SS0334), the time zone loosely (SS0335), the
///   name is at most 52 characters (SS0103).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("graph"));
/// let s3 = stack.add(Secret::external(&ns, "backup-credentials", ["bucket"]));
/// stack.add(
///     CronJob::new(&ns, "xgt-backup", "0 3 * * *")
///         .time_zone("America/New_York")
///         .active_deadline(4 * 3600)
///         .container(
///             Container::new("backup", "rocketgraph/xgt-backup:2.3.1")
///                 .env_from_secret("BACKUP_BUCKET", &s3, "bucket"),
///         ),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct CronJob {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    schedule: String,
    time_zone: String,
    concurrency: ConcurrencyPolicy,
    starting_deadline: Option<u32>,
    history: (u32, u32),
    suspend: bool,
    job: JobSettings,
    pod: PodTemplate,
}

impl CronJob {
    /// A CronJob in `namespace` running on `schedule` (`"0 3 * * *"`, `"*/15 * * * *"`,
    /// `"@daily"`); add at least one container.
    pub fn new(
        namespace: &NamespaceRef,
        id: impl Into<String>,
        schedule: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            schedule: schedule.into(),
            time_zone: "Etc/UTC".to_owned(),
            concurrency: ConcurrencyPolicy::Forbid,
            starting_deadline: None,
            history: (3, 1),
            suspend: false,
            job: JobSettings::new(),
            pod: PodTemplate::new(Spread::None),
        }
    }

    /// Sets the object name (at most 52 characters). Default: the kebab-case construct path
    /// below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Reads the schedule in this IANA time zone (`Europe/Berlin`). Default: `Etc/UTC`.
    #[must_use]
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = zone.into();
        self
    }

    /// Sets what happens when a run is due while the last is still running. Default:
    /// [`ConcurrencyPolicy::Forbid`].
    #[must_use]
    pub fn concurrency_policy(mut self, policy: ConcurrencyPolicy) -> Self {
        self.concurrency = policy;
        self
    }

    /// Skips a run that cannot start within `secs` seconds of its time
    /// (`startingDeadlineSeconds`, at least 10). Default: none, a missed run starts late.
    #[must_use]
    pub fn starting_deadline(mut self, secs: u32) -> Self {
        self.starting_deadline = Some(secs);
        self
    }

    /// Keeps this many finished Jobs of each outcome (`successfulJobsHistoryLimit`,
    /// `failedJobsHistoryLimit`). Default: 3 successful, 1 failed.
    #[must_use]
    pub fn history_limits(mut self, successful: u32, failed: u32) -> Self {
        self.history = (successful, failed);
        self
    }

    /// Starts no runs until unsuspended (`suspend: true`). Default: running.
    #[must_use]
    pub fn suspend(mut self) -> Self {
        self.suspend = true;
        self
    }

    job_methods!();

    pod_methods!();

    fn check(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        if let Err(problem) = check_schedule(&self.schedule) {
            cx.error(
                "SS0334",
                format!("schedule `{}` of {path} does not parse: {problem}", self.schedule),
                "write five fields — minute (0–59), hour (0–23), day of month (1–31), month (1–12 or jan–dec), day of week (0–6 or sun–sat) — each `*`, a value, a list `1,15`, a range `1-5` or a step `*/15`; or a macro such as `@daily`",
            );
        }
        if let Err(problem) = check_time_zone(&self.time_zone) {
            cx.error(
                "SS0335",
                format!(
                    "time zone `{}` of {path} is invalid: {problem}",
                    self.time_zone
                ),
                "use an IANA time zone name such as `Etc/UTC` or `Europe/Berlin`",
            );
        }
        if let Some(secs) = self
            .starting_deadline
            .filter(|s| *s < MIN_STARTING_DEADLINE)
        {
            cx.error(
                "SS0341",
                format!(
                    "`starting_deadline` of {path} is {secs}s; the controller looks every {MIN_STARTING_DEADLINE}s, so runs could be skipped every time"
                ),
                format!("allow at least {MIN_STARTING_DEADLINE} seconds, e.g. `.starting_deadline(300)`"),
            );
        }
    }
}

impl Lower for CronJob {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &CRON_JOB_NAME,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        self.check(cx);
        let ns = self.namespace.name();
        let job = self.job.lower(cx, "CronJob", ns, &self.pod);
        let labels = &self.pod.labels;
        let object = KCronJob {
            metadata: meta(&name, Some(ns), labels.iter().map(|(k, v)| (k, v)), []),
            spec: Some(CronJobSpec {
                schedule: self.schedule.trim().to_owned(),
                time_zone: Some(self.time_zone.clone()),
                concurrency_policy: Some(self.concurrency.as_str().to_owned()),
                starting_deadline_seconds: self.starting_deadline.map(i64::from),
                successful_jobs_history_limit: Some(int(self.history.0)),
                failed_jobs_history_limit: Some(int(self.history.1)),
                suspend: Some(self.suspend),
                job_template: JobTemplateSpec {
                    metadata: (!labels.is_empty()).then(|| ObjectMeta {
                        labels: Some(labels.iter().cloned().collect()),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(job),
                },
            }),
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for CronJob {
    type Handle = CronJobRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> CronJobRef {
        CronJobRef {
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

/// A handle to a [`CronJob`]: its name and the identity label and ports of its pods, so
/// network policies and data-store access (`db.allow_workload(&job, &cluster)`) select them
/// as they do a Deployment's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronJobRef {
    pods: Pods,
}

impl CronJobRef {
    /// The CronJob's construct path.
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
    use crate::{Container, Namespace, RestartPolicy, Secret};
    use stacksmith_core::{Graph, Stack};

    const IMAGE: &str = "rocketgraph/xgt-backup:2.3.1";

    fn lower(build: impl FnOnce(&mut Stack, &NamespaceRef)) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("graph"));
        build(&mut stack, &ns);
        stack.lower()
    }

    fn backup(ns: &NamespaceRef, schedule: &str) -> CronJob {
        CronJob::new(ns, "xgt-backup", schedule).container(Container::new("backup", IMAGE))
    }

    #[test]
    fn cronjob_defaults_are_written() {
        let g = lower(|stack, ns| {
            let cj = stack.add(backup(ns, "0 3 * * *"));
            assert_eq!(cj.name(), "xgt-backup");
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let cj = &g.objects[1];
        assert_eq!(
            (cj.kind.as_str(), cj.api_version.as_str()),
            ("CronJob", "batch/v1")
        );
        let spec = &cj.body["spec"];
        assert_eq!(spec["schedule"], "0 3 * * *");
        assert_eq!(spec["timeZone"], "Etc/UTC");
        assert_eq!(spec["concurrencyPolicy"], "Forbid");
        assert_eq!(spec["successfulJobsHistoryLimit"], 3);
        assert_eq!(spec["failedJobsHistoryLimit"], 1);
        assert_eq!(spec["suspend"], false);
        assert_eq!(spec.get("startingDeadlineSeconds"), None);
        let job = &spec["jobTemplate"]["spec"];
        assert_eq!(job["backoffLimit"], 6);
        assert_eq!(job["template"]["spec"]["restartPolicy"], "Never");
    }

    #[test]
    fn cronjob_body() {
        let g = lower(|stack, ns| {
            let s3 = stack.add(Secret::external(ns, "backup-credentials", ["bucket"]));
            stack.add(
                CronJob::new(ns, "xgt-backup", "30 2 * * mon-fri")
                    .time_zone("America/New_York")
                    .concurrency_policy(ConcurrencyPolicy::Replace)
                    .starting_deadline(300)
                    .history_limits(5, 2)
                    .suspend()
                    .active_deadline(4 * 3600)
                    .backoff_limit(1)
                    .restart_policy(RestartPolicy::OnFailure)
                    .label("app", "backup")
                    .container(
                        Container::new("backup", IMAGE).env_from_secret("BUCKET", &s3, "bucket"),
                    ),
            );
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        insta::assert_json_snapshot!(g.objects[1].body);
    }

    #[test]
    fn fails_schedule_out_of_range() {
        let g = lower(|stack, ns| {
            stack.add(backup(ns, "61 * * * *"));
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_schedule_with_three_fields() {
        let g = lower(|stack, ns| {
            stack.add(backup(ns, "* * *"));
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_time_zone_deadline_and_name() {
        let g = lower(|stack, ns| {
            stack.add(
                backup(ns, "@daily")
                    .name(format!("xgt-backup-{}", "x".repeat(50)))
                    .time_zone("Local")
                    .starting_deadline(5),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
