//! `io.k8s.api.networking.v1` of Kubernetes 1.35: the types stacksmith writes, generated
//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::api::Resource;

/// HTTPIngressPath associates a path with a backend.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HTTPIngressPath {
    /// backend defines the referenced service endpoint to which the traffic will be forwarded to.
    pub(crate) backend: IngressBackend,
    /// path is matched against the path of an incoming request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    /// pathType determines the interpretation of the path matching.
    pub(crate) path_type: String,
}

/// HTTPIngressRuleValue is a list of http selectors pointing to backends.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HTTPIngressRuleValue {
    /// paths is a collection of paths that map requests to backends.
    pub(crate) paths: Vec<HTTPIngressPath>,
}

/// IPBlock describes a particular CIDR (Ex.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IPBlock {
    /// cidr is a string representing the IPBlock Valid examples are "192.168.1.0/24" or "2001:db8::/64".
    pub(crate) cidr: String,
    /// except is a slice of CIDRs that should not be included within an IPBlock Valid examples are "192.168.1.0/24" or "2001:db8::/64" Except values will be rejected if they are outside the cidr range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) except: Option<Vec<String>>,
}

/// Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.
#[derive(Clone, Default)]
pub(crate) struct Ingress {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// spec is the desired state of the Ingress.
    pub(crate) spec: Option<IngressSpec>,
}

impl Resource for Ingress {
    const API_VERSION: &'static str = "networking.k8s.io/v1";
    const KIND: &'static str = "Ingress";
}

impl Serialize for Ingress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("Ingress", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// IngressBackend describes all endpoints for a given service and port.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngressBackend {
    /// service references a service as a backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service: Option<IngressServiceBackend>,
}

/// IngressRule represents the rules mapping the paths under a specified host to the related backend services.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngressRule {
    /// host is the fully qualified domain name of a network host, as defined by RFC 3986.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http: Option<HTTPIngressRuleValue>,
}

/// IngressServiceBackend references a Kubernetes Service as a Backend.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngressServiceBackend {
    /// name is the referenced service.
    pub(crate) name: String,
    /// port of the referenced service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) port: Option<ServiceBackendPort>,
}

/// IngressSpec describes the Ingress the user wishes to exist.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngressSpec {
    /// defaultBackend is the backend that should handle requests that don't match any rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_backend: Option<IngressBackend>,
    /// ingressClassName is the name of an IngressClass cluster resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ingress_class_name: Option<String>,
    /// rules is a list of host rules used to configure the Ingress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rules: Option<Vec<IngressRule>>,
    /// tls represents the TLS configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tls: Option<Vec<IngressTLS>>,
}

/// IngressTLS describes the transport layer security associated with an ingress.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngressTLS {
    /// hosts is a list of hosts included in the TLS certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hosts: Option<Vec<String>>,
    /// secretName is the name of the secret used to terminate TLS traffic on port 443.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) secret_name: Option<String>,
}

/// NetworkPolicy describes what network traffic is allowed for a set of Pods.
#[derive(Clone, Default)]
pub(crate) struct NetworkPolicy {
    /// Standard object's metadata.
    pub(crate) metadata: crate::api::meta_v1::ObjectMeta,
    /// spec represents the specification of the desired behavior for this NetworkPolicy.
    pub(crate) spec: Option<NetworkPolicySpec>,
}

impl Resource for NetworkPolicy {
    const API_VERSION: &'static str = "networking.k8s.io/v1";
    const KIND: &'static str = "NetworkPolicy";
}

impl Serialize for NetworkPolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = [true, true, true, self.spec.is_some()]
            .into_iter()
            .filter(|&w| w)
            .count();
        let mut object = serializer.serialize_struct("NetworkPolicy", len)?;
        object.serialize_field("apiVersion", Self::API_VERSION)?;
        object.serialize_field("kind", Self::KIND)?;
        object.serialize_field("metadata", &self.metadata)?;
        if let Some(value) = &self.spec {
            object.serialize_field("spec", value)?;
        }
        object.end()
    }
}

/// NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec's podSelector.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NetworkPolicyEgressRule {
    /// ports is a list of destination ports for outgoing traffic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ports: Option<Vec<NetworkPolicyPort>>,
    /// to is a list of destinations for outgoing traffic of pods selected for this rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) to: Option<Vec<NetworkPolicyPeer>>,
}

/// NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec's podSelector.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NetworkPolicyIngressRule {
    /// from is a list of sources which should be able to access the pods selected for this rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) from: Option<Vec<NetworkPolicyPeer>>,
    /// ports is a list of ports which should be made accessible on the pods selected for this rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ports: Option<Vec<NetworkPolicyPort>>,
}

/// NetworkPolicyPeer describes a peer to allow traffic to/from.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NetworkPolicyPeer {
    /// ipBlock defines policy on a particular IPBlock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ip_block: Option<IPBlock>,
    /// namespaceSelector selects namespaces using cluster-scoped labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) namespace_selector: Option<crate::api::meta_v1::LabelSelector>,
    /// podSelector is a label selector which selects pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pod_selector: Option<crate::api::meta_v1::LabelSelector>,
}

/// NetworkPolicyPort describes a port to allow traffic on.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NetworkPolicyPort {
    /// endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_port: Option<i32>,
    /// port represents the port on the given protocol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) port: Option<crate::api::IntOrString>,
    /// protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) protocol: Option<String>,
}

/// NetworkPolicySpec provides the specification of a NetworkPolicy.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NetworkPolicySpec {
    /// egress is a list of egress rules to be applied to the selected pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) egress: Option<Vec<NetworkPolicyEgressRule>>,
    /// ingress is a list of ingress rules to be applied to the selected pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ingress: Option<Vec<NetworkPolicyIngressRule>>,
    /// podSelector selects the pods to which this NetworkPolicy object applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pod_selector: Option<crate::api::meta_v1::LabelSelector>,
    /// policyTypes is a list of rule types that the NetworkPolicy relates to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) policy_types: Option<Vec<String>>,
}

/// ServiceBackendPort is the service port being referenced.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceBackendPort {
    /// name is the name of the port on the Service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// number is the numerical port number (e.g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) number: Option<i32>,
}
