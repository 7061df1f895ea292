//! Prometheus Operator (monitoring.coreos.com/v1) custom resources: what Prometheus scrapes
//! and the alerts it evaluates.

pub(crate) mod prometheus_rule;
pub(crate) mod service_monitor;
pub(crate) mod slo;
