//! Namespace policies: the default and bounding resources of containers (LimitRange) and the
//! total a namespace may use (ResourceQuota).

pub(crate) mod limit_range;
pub(crate) mod resource_quota;
