//! `io.k8s.api.autoscaling.v2` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::api::Resource;

/// CrossVersionObjectReference contains enough information to let you identify the referred resource.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CrossVersionObjectReference {
    /// apiVersion is the API version of the referent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) api_version: Option<String>,
    /// kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds.
    pub(crate) kind: String,
    /// name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names.
    pub(crate) name: String,
}

/// HPAScalingPolicy is a single policy which must hold true for a specified past interval.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HPAScalingPolicy {
    /// periodSeconds specifies the window of time for which the policy should hold true.
    pub(crate) period_seconds: i32,
    /// type is used to specify the scaling policy.
    pub(crate) type_: String,
    /// value contains the amount of change which is permitted by the policy.
    pub(crate) value: i32,
}

/// HPAScalingRules configures the scaling behavior for one direction via scaling Policy Rules and a configurable metric tolerance.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HPAScalingRules {
    /// policies is a list of potential scaling polices which can be used during scaling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) policies: Option<Vec<HPAScalingPolicy>>,
    /// selectPolicy is used to specify which policy should be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) select_policy: Option<String>,
    /// stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stabilization_window_seconds: Option<i32>,
    /// tolerance is the tolerance on the ratio between the current and desired metric value under which no updates are made to the desired number of replicas (e.g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tolerance: Option<crate::api::Quantity>,
}

/// HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.
#[derive(Clone, Default)]
pub(crate) struct HorizontalPodAutoscaler {
    /// metadata is the standard object metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// spec is the specification for the behaviour of the autoscaler.
    pub(crate) spec: Option<HorizontalPodAutoscalerSpec>,
}

impl Resource for HorizontalPodAutoscaler {
    const API_VERSION: &'static str = "autoscaling/v2";
    const KIND: &'static str = "HorizontalPodAutoscaler";
}

impl Serialize for HorizontalPodAutoscaler {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("HorizontalPodAutoscaler", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HorizontalPodAutoscalerBehavior {
    /// scaleDown is scaling policy for scaling Down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scale_down: Option<HPAScalingRules>,
    /// scaleUp is scaling policy for scaling Up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scale_up: Option<HPAScalingRules>,
}

/// HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HorizontalPodAutoscalerSpec {
    /// behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) behavior: Option<HorizontalPodAutoscalerBehavior>,
    /// maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.
    pub(crate) max_replicas: i32,
    /// metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metrics: Option<Vec<MetricSpec>>,
    /// minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_replicas: Option<i32>,
    /// scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.
    pub(crate) scale_target_ref: CrossVersionObjectReference,
}

/// MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MetricSpec {
    /// resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resource: Option<ResourceMetricSource>,
    /// type is the type of metric source.
    pub(crate) type_: String,
}

/// MetricTarget defines the target value, average value, or average utilization of a specific metric.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MetricTarget {
    /// averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) average_utilization: Option<i32>,
    /// averageValue is the target value of the average of the metric across all relevant pods (as a quantity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) average_value: Option<crate::api::Quantity>,
    /// type represents whether the metric type is Utilization, Value, or AverageValue.
    pub(crate) type_: String,
    /// value is the target value of the metric (as a quantity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<crate::api::Quantity>,
}

/// ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceMetricSource {
    /// name is the name of the resource in question.
    pub(crate) name: String,
    /// target specifies the target value for the given metric.
    pub(crate) target: MetricTarget,
}
