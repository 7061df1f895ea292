//! Workloads: the controllers that run pods (Deployment, StatefulSet, DaemonSet, Job, CronJob),
//! and what scales them (HorizontalPodAutoscaler) or bounds their evictions (PodDisruptionBudget).

pub(crate) mod cron_job;
pub(crate) mod daemon_set;
pub(crate) mod deployment;
pub(crate) mod horizontal_pod_autoscaler;
pub(crate) mod job;
pub(crate) mod pod_disruption_budget;
pub(crate) mod schedule;
pub(crate) mod stateful_set;
pub(crate) mod vertical_pod_autoscaler;
