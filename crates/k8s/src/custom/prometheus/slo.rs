//! `Slo`: an objective a workload is held to (availability, latency) or a symptom that it is
//! not (restarts, an autoscaler at its maximum), written as Prometheus alerting rules for the
//! workload's own pods.

use std::time::Duration;

/// What is watched.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Objective {
    /// Percent of requests answered without a 5xx, over 30 days.
    Availability(f64),
    /// The `quantile` percentile (99.0) of request durations stays below the threshold.
    Latency(f64, Duration),
    /// No pod restarts more than this many times in an hour.
    Restarts(u32),
    /// The autoscaler has been at its maximum for 15 minutes.
    AutoscalerAtMax,
}

/// An objective for a workload's alerts, given to `alert_on` on a Deployment or StatefulSet
/// handle ([`DeploymentRef::alert_on`](crate::DeploymentRef::alert_on)).
///
/// Request objectives read the workload's own HTTP metrics (scraped by a
/// [`ServiceMonitor`](crate::ServiceMonitor)), by default the Prometheus client libraries'
/// `http_requests_total` counter with the status in label `code`, and the
/// `http_request_duration_seconds` histogram; [`requests_metric`](Self::requests_metric) and
/// [`duration_histogram`](Self::duration_histogram) name others. Restarts and the autoscaler
/// read kube-state-metrics, which the Prometheus add-on installs.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    pub(crate) objective: Objective,
    pub(crate) requests: (String, String),
    pub(crate) histogram: String,
}

impl Slo {
    fn new(objective: Objective) -> Self {
        Self {
            objective,
            requests: ("http_requests_total".to_owned(), "code".to_owned()),
            histogram: "http_request_duration_seconds".to_owned(),
        }
    }

    /// `percent` of requests (strictly between 0 and 100, `99.9`) are answered without a 5xx
    /// over 30 days. Alerts on the error budget's burn rate, as the Google SRE workbook's
    /// multiwindow alerts: critical when the last hour (and 5 minutes) burn 14.4 times the
    /// budget's rate or the last 6 hours (and 30 minutes) 6 times — 2% and 5% of the month's
    /// budget; warning when the last day (and 2 hours) burn 3 times or the last 3 days (and 6
    /// hours) once. Objectives below 93.1% leave the fast alert unable to fire (an error
    /// ratio above 1).
    pub fn availability(percent: f64) -> Self {
        Self::new(Objective::Availability(percent))
    }

    /// The `percentile` (strictly between 0 and 100, `99.0`) of request durations stays below
    /// `threshold` (positive): a warning when it has not for 10 minutes.
    pub fn latency(percentile: f64, threshold: Duration) -> Self {
        Self::new(Objective::Latency(percentile, threshold))
    }

    /// A warning when one of the workload's pods restarts more than `per_hour` (at least 1)
    /// times in an hour: crash loops and OOM kills.
    pub fn restarts(per_hour: u32) -> Self {
        Self::new(Objective::Restarts(per_hour))
    }

    /// A warning when the workload's HorizontalPodAutoscaler has been at its maximum for 15
    /// minutes: demand exceeds what it may add. The workload must be autoscaled (SS0562).
    pub fn autoscaler_at_max() -> Self {
        Self::new(Objective::AutoscalerAtMax)
    }

    /// Reads requests from counter `metric`, with the HTTP status in label `status_label`.
    /// Default: `http_requests_total` with `code`.
    #[must_use]
    pub fn requests_metric(mut self, metric: &str, status_label: &str) -> Self {
        self.requests = (metric.to_owned(), status_label.to_owned());
        self
    }

    /// Reads durations from histogram `metric` (its `_bucket` series). Default:
    /// `http_request_duration_seconds`.
    #[must_use]
    pub fn duration_histogram(mut self, metric: &str) -> Self {
        self.histogram = metric.to_owned();
        self
    }

    /// Why the objective cannot be alerted on, if it cannot.
    pub(crate) fn problem(&self, autoscaled: bool) -> Option<(String, &'static str)> {
        let open = |p: f64| p > 0.0 && p < 100.0;
        match &self.objective {
            Objective::Availability(p) if !open(*p) => Some((
                format!("availability objective {p}% is not strictly between 0 and 100"),
                "use a percentage such as `Slo::availability(99.9)`",
            )),
            Objective::Latency(p, _) if !open(*p) => Some((
                format!("latency percentile {p} is not strictly between 0 and 100"),
                "use a percentile such as `Slo::latency(99.0, Duration::from_millis(300))`",
            )),
            Objective::Latency(_, d) if d.is_zero() => Some((
                "latency threshold is zero, so the alert fires on every request".to_owned(),
                "give the duration the percentile must stay below, `Duration::from_millis(300)`",
            )),
            Objective::Restarts(0) => Some((
                "restart alert at 0 restarts an hour fires on every restart, deployments included"
                    .to_owned(),
                "use `Slo::restarts(3)`",
            )),
            Objective::AutoscalerAtMax if !autoscaled => Some((
                "`Slo::autoscaler_at_max` on a workload without a HorizontalPodAutoscaler never fires"
                    .to_owned(),
                "add `.autoscale(HorizontalPodAutoscaler::new(min, max))` to the workload, or drop this alert",
            )),
            _ => None,
        }
    }
}
