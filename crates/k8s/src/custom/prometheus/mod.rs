//! Prometheus Operator (monitoring.coreos.com/v1) custom resources: what Prometheus scrapes.

pub(crate) mod service_monitor;
