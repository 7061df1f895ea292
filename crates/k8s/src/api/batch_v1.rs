//! `io.k8s.api.batch.v1` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::api::Resource;

/// CronJob represents the configuration of a single cron job.
#[derive(Clone, Default)]
pub(crate) struct CronJob {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Specification of the desired behavior of a cron job, including the schedule.
    pub(crate) spec: Option<CronJobSpec>,
}

impl Resource for CronJob {
    const API_VERSION: &'static str = "batch/v1";
    const KIND: &'static str = "CronJob";
}

impl Serialize for CronJob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("CronJob", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// CronJobSpec describes how the job execution will look like and when it will actually run.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CronJobSpec {
    /// Specifies how to treat concurrent executions of a Job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) concurrency_policy: Option<String>,
    /// The number of failed finished jobs to retain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failed_jobs_history_limit: Option<i32>,
    /// Specifies the job that will be created when executing a CronJob.
    pub(crate) job_template: JobTemplateSpec,
    /// The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.
    pub(crate) schedule: String,
    /// Optional deadline in seconds for starting the job if it misses scheduled time for any reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) starting_deadline_seconds: Option<i64>,
    /// The number of successful finished jobs to retain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) successful_jobs_history_limit: Option<i32>,
    /// This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) suspend: Option<bool>,
    /// The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) time_zone: Option<String>,
}

/// Job represents the configuration of a single job.
#[derive(Clone, Default)]
pub(crate) struct Job {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// Specification of the desired behavior of a job.
    pub(crate) spec: Option<JobSpec>,
}

impl Resource for Job {
    const API_VERSION: &'static str = "batch/v1";
    const KIND: &'static str = "Job";
}

impl Serialize for Job {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("Job", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// JobSpec describes how the job execution will look like.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JobSpec {
    /// Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be positive integer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) active_deadline_seconds: Option<i64>,
    /// Specifies the number of retries before marking this job failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) backoff_limit: Option<i32>,
    /// Specifies the limit for the number of retries within an index before marking this index as failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) backoff_limit_per_index: Option<i32>,
    /// completionMode specifies how Pod completions are tracked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) completion_mode: Option<String>,
    /// Specifies the desired number of successfully finished pods the job should be run with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) completions: Option<i32>,
    /// ManagedBy field indicates the controller that manages a Job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) managed_by: Option<String>,
    /// manualSelector controls generation of pod labels and pod selectors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) manual_selector: Option<bool>,
    /// Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_failed_indexes: Option<i32>,
    /// Specifies the maximum desired number of pods the job should run at any given time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parallelism: Option<i32>,
    /// podReplacementPolicy specifies when to create replacement Pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pod_replacement_policy: Option<String>,
    /// A label query over pods that should match the pod count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) selector: Option<crate::api::meta_v1::LabelSelector>,
    /// suspend specifies whether the Job controller should create Pods or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) suspend: Option<bool>,
    /// Describes the pod that will be created when executing a job.
    pub(crate) template: crate::api::core_v1::PodTemplateSpec,
    /// ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ttl_seconds_after_finished: Option<i32>,
}

/// JobTemplateSpec describes the data a Job should have when created from a template.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JobTemplateSpec {
    /// Standard object's metadata of the jobs created from this template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<crate::api::meta_v1::ObjectMeta>,
    /// Specification of the desired behavior of the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) spec: Option<JobSpec>,
}
