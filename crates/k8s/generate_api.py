#!/usr/bin/env python3
"""Generates `src/api/*_v*.rs`: the Kubernetes API types stacksmith writes.

    python3 crates/k8s/generate_api.py SCHEMA && cargo fmt

SCHEMA is the Kubernetes JSON schema of the version `manifest.json` declares
(`stacksmith_core::KUBERNETES_API_VERSION`), `_definitions.json` as the kubernetes-validate
package ships it (`kubernetes-json-schema/v1.35.0-local/_definitions.json`; `check-output`
installs it). The types are serialize-only and hold what stacksmith's constructs set:

- only the definitions in `TYPES` below; a field whose type is outside them is left out (add
  the type to write the field), so are timestamps (`meta.v1.Time` is not among them), and
  `status` always;
- fields in k8s-openapi's order (by snake_case name) and under its names, so lowering code
  reads as it would with k8s-openapi, and the output is the same bytes;
- an optional field is an `Option`, written only when `Some`; a required one is always written
  (so is the `name` of a referenced ConfigMap or Secret, as in k8s-openapi);
- a top-level object (one with a group-version-kind) implements `Resource` and writes its
  `apiVersion` and `kind` first; its `metadata` is required, as in k8s-openapi.
"""

import json
import re
import sys

# Module name -> (definition prefix, type names). The types the constructs lower to.
TYPES = {
    "apps_v1": ("io.k8s.api.apps.v1", """
        DaemonSet DaemonSetSpec DaemonSetUpdateStrategy RollingUpdateDaemonSet
        Deployment DeploymentSpec DeploymentStrategy RollingUpdateDeployment
        RollingUpdateStatefulSetStrategy StatefulSet StatefulSetPersistentVolumeClaimRetentionPolicy
        StatefulSetSpec StatefulSetUpdateStrategy"""),
    "autoscaling_v2": ("io.k8s.api.autoscaling.v2", """
        CrossVersionObjectReference HPAScalingPolicy HPAScalingRules HorizontalPodAutoscaler
        HorizontalPodAutoscalerBehavior HorizontalPodAutoscalerSpec MetricSpec MetricTarget
        ResourceMetricSource"""),
    "batch_v1": ("io.k8s.api.batch.v1", "CronJob CronJobSpec JobTemplateSpec Job JobSpec"),
    "core_v1": ("io.k8s.api.core.v1", """
        ConfigMap Namespace PodTemplateSpec Secret ServiceAccount Toleration
        Affinity Container LocalObjectReference PodAffinityTerm PodAntiAffinity PodSecurityContext
        PodSpec SeccompProfile TopologySpreadConstraint Volume VolumeMount WeightedPodAffinityTerm
        Capabilities ConfigMapKeySelector ContainerPort EnvVar EnvVarSource ExecAction GRPCAction
        HTTPGetAction Lifecycle LifecycleHandler Probe ResourceRequirements SecretKeySelector
        SecurityContext SleepAction TCPSocketAction
        ConfigMapVolumeSource EmptyDirVolumeSource HostPathVolumeSource KeyToPath
        PersistentVolumeClaimVolumeSource SecretVolumeSource
        PersistentVolumeClaim PersistentVolumeClaimSpec VolumeResourceRequirements
        LimitRange LimitRangeItem LimitRangeSpec ResourceQuota ResourceQuotaSpec
        Service ServicePort ServiceSpec"""),
    "meta_v1": ("io.k8s.apimachinery.pkg.apis.meta.v1", "LabelSelector ObjectMeta"),
    "networking_v1": ("io.k8s.api.networking.v1", """
        HTTPIngressPath HTTPIngressRuleValue Ingress IngressBackend IngressRule
        IngressServiceBackend IngressSpec IngressTLS IPBlock NetworkPolicy NetworkPolicyEgressRule
        NetworkPolicyIngressRule NetworkPolicyPeer NetworkPolicyPort NetworkPolicySpec
        ServiceBackendPort"""),
    "policy_v1": ("io.k8s.api.policy.v1", "PodDisruptionBudget PodDisruptionBudgetSpec"),
    "rbac_v1": ("io.k8s.api.rbac.v1", """
        ClusterRole ClusterRoleBinding PolicyRule Role RoleBinding RoleRef Subject"""),
}

# Types written by hand in `src/api/mod.rs`.
BY_HAND = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
}

# The `name` of a referenced object is required, as k8s-openapi makes it: the API defaults it to
# the empty string, which names nothing.
NAMED_REFERENCES = {
    "io.k8s.api.core.v1." + n for n in
    """ConfigMapEnvSource ConfigMapKeySelector ConfigMapProjection ConfigMapVolumeSource
    LocalObjectReference SecretEnvSource SecretKeySelector SecretProjection""".split()
}

# Rust keywords, as k8s-openapi renames them.
KEYWORDS = {"type": "type_", "ref": "ref_", "continue": "continue_", "enum": "enum_"}


def snake(name):
    """k8s-openapi's field name for a JSON property: `podIPs` -> `pod_ips`."""
    name = re.sub(r"([A-Z]{2,})s(?=[A-Z]|$)", r"\1S", name)  # `IPs` is one word
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s).lower()
    return KEYWORDS.get(s, s)


def camel(s):
    """serde's `rename_all = "camelCase"` of a snake_case name."""
    head, *rest = s.rstrip("_").split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def doc(text, indent):
    first = (text or "").strip().split("\n")[0]
    first = re.split(r"(?<=[a-z0-9)`'\"])\. ", first)[0].rstrip(".")
    if not first:
        return []
    first = first.replace("[", "\\[").replace("]", "\\]").replace("<", "\\<").replace(">", "\\>")
    return [f"{indent}/// {first}."]


def main(path):
    version = re.search(r"v(1\.[0-9]+)\.[0-9]+", path)
    if not version:
        sys.exit(f"{path}: no Kubernetes version (`v1.35.0`) in the path")
    defs = json.load(open(path))["$defs"]
    where = {}
    for module, (prefix, names) in TYPES.items():
        for name in names.split():
            full = f"{prefix}.{name}"
            if full not in defs:
                sys.exit(f"{full} is not in {path}")
            where[full] = (module, name)

    def rust_type(prop, module):
        ref = prop.get("$ref")
        if ref:
            full = ref.rsplit("/", 1)[-1]
            if full in BY_HAND:
                return f"crate::api::{BY_HAND[full]}"
            if full not in where:
                return None
            m, n = where[full]
            return n if m == module else f"crate::api::{m}::{n}"
        types = prop.get("type", [])
        types = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
        t = types[0] if types else None
        if t == "string":
            return "crate::api::ByteString" if prop.get("format") == "byte" else "String"
        if t == "integer":
            return "i32" if prop.get("format") == "int32" else "i64"
        if t == "number":
            return "f64"
        if t == "boolean":
            return "bool"
        if t == "array":
            inner = rust_type(prop["items"], module)
            return inner and f"Vec<{inner}>"
        if t == "object" and isinstance(prop.get("additionalProperties"), dict):
            inner = rust_type(prop["additionalProperties"], module)
            return inner and f"std::collections::BTreeMap<String, {inner}>"
        return None

    for module, (prefix, names) in TYPES.items():
        out = [
            f"//! `{prefix}` of Kubernetes {version.group(1)}: the types stacksmith writes, generated",
            "//! by `generate_api.py` from the Kubernetes JSON schema (do not edit by hand).",
            "",
        ]
        needs_resource = False
        for name in sorted(names.split()):
            d = defs[f"{prefix}.{name}"]
            gvk = d.get("x-kubernetes-group-version-kind")
            resource = bool(gvk) and "metadata" in d.get("properties", {})
            required = set(d.get("required", []))
            if f"{prefix}.{name}" in NAMED_REFERENCES:
                required.add("name")
            fields = []
            for json_name, prop in d.get("properties", {}).items():
                if json_name == "status" or (resource and json_name in ("apiVersion", "kind")):
                    continue
                ty = rust_type(prop, module)
                if ty is None:
                    continue
                optional = json_name not in required and not (resource and json_name == "metadata")
                fields.append((snake(json_name), json_name, ty, optional, prop.get("description")))
            fields.sort()
            out += doc(d.get("description"), "")
            if resource:
                out.append("#[derive(Clone, Default)]")
            else:
                out += ["#[derive(Clone, Default, Serialize)]",
                        '#[serde(rename_all = "camelCase")]']
            out.append(f"pub(crate) struct {name} {{")
            for rust, json_name, ty, optional, desc in fields:
                out += doc(desc, "    ")
                if not resource:
                    attrs = []
                    if camel(rust) != json_name:
                        attrs.append(f'rename = "{json_name}"')
                    if optional:
                        attrs.append('skip_serializing_if = "Option::is_none"')
                    if attrs:
                        out.append(f"    #[serde({', '.join(attrs)})]")
                out.append(f"    pub(crate) {rust}: {f'Option<{ty}>' if optional else ty},")
            out += ["}", ""]
            if resource:
                needs_resource = True
                g = gvk[0]
                api_version = f"{g['group']}/{g['version']}" if g["group"] else g["version"]
                out += [
                    f"impl Resource for {name} {{",
                    f'    const API_VERSION: &\'static str = "{api_version}";',
                    f'    const KIND: &\'static str = "{g["kind"]}";',
                    "}",
                    "",
                    f"impl Serialize for {name} {{",
                    "    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {",
                ]
                written = ", ".join(
                    ["true"] * (2 + sum(1 for f in fields if not f[3]))
                    + [f"self.{f[0]}.is_some()" for f in fields if f[3]])
                out += [
                    f"        let len = [{written}].into_iter().filter(|&w| w).count();",
                    f'        let mut object = serializer.serialize_struct("{name}", len)?;',
                    '        object.serialize_field("apiVersion", Self::API_VERSION)?;',
                    '        object.serialize_field("kind", Self::KIND)?;',
                ]
                for rust, json_name, ty, optional, _ in fields:
                    if optional:
                        out += [f"        if let Some(value) = &self.{rust} {{",
                                f'            object.serialize_field("{json_name}", value)?;',
                                "        }"]
                    else:
                        out.append(f'        object.serialize_field("{json_name}", &self.{rust})?;')
                out += ["        object.end()", "    }", "}", ""]
        uses = ["use serde::Serialize;"]
        if needs_resource:
            uses = ["use serde::ser::{SerializeStruct, Serializer};", "use serde::Serialize;", "",
                    "use crate::api::Resource;"]
        out[3:3] = uses + [""]
        with open(f"crates/k8s/src/api/{module}.rs", "w") as f:
            f.write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
