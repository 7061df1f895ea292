//! Shared lowering helpers: names and the private identity label derived from construct paths,
//! object metadata with the common labels, label and key checks, and pushing typed objects.

use std::collections::BTreeMap;

use crate::api::IntOrString;
use crate::api::meta_v1::{LabelSelector, ObjectMeta};
use serde::Serialize;
use stacksmith_core::{KubeObject, Lowering, NameOrigin, Path, cloud_name, short_hash};

pub use stacksmith_core::IDENTITY_LABEL;

/// The label stacksmith sets (`"true"`) on the pods of a workload whose service account has an
/// AWS IAM identity (IRSA or EKS Pod Identity): a namespace's default deny admits their egress
/// to AWS APIs and the Pod Identity agent by it.
pub const AWS_IDENTITY_LABEL: &str = "stacksmith.dev/aws-identity";
/// The annotation binding a service account to an IAM role through IRSA.
pub(crate) const IRSA_ROLE_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The common label on every object stacksmith creates: `app.kubernetes.io/managed-by: stacksmith`.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// The label on both versions of a release ([`BlueGreen`](crate::BlueGreen),
/// [`Canary`](crate::Canary)), valued like the identity label with the release's kebab-case path
/// (`prod-kgas-api`): what a Service selecting "whichever version is live" matches on.
pub const RELEASE_LABEL: &str = "stacksmith.dev/release";

/// The label naming a blue-green version's colour: `blue` or `green`. A blue-green Service
/// selects the release label and the live colour, so switching changes only this value.
pub const COLOUR_LABEL: &str = "stacksmith.dev/colour";

/// The label naming a canary release's track: `stable` or `canary`, to compare the two in
/// metrics and logs.
pub const TRACK_LABEL: &str = "stacksmith.dev/track";

/// Labels stacksmith sets on the versions of a release, and only there.
const RELEASE_LABELS: [&str; 3] = [RELEASE_LABEL, COLOUR_LABEL, TRACK_LABEL];

/// Label values are at most 63 characters.
const LABEL_VALUE_MAX: usize = 63;

/// The identity label's value for the construct at `path`: its kebab-case path, shortened to 54
/// characters plus `-` and a hash of the path when longer than a label value may be.
pub(crate) fn identity_value(path: &Path) -> String {
    let full = cloud_name(path, "");
    if full.len() <= LABEL_VALUE_MAX {
        return full;
    }
    let mut short: String = full.chars().take(54).collect();
    while short.ends_with('-') {
        short.pop();
    }
    short.push('-');
    short.push_str(&short_hash(&path.to_string()));
    short
}

/// The default object name for the construct at `path`: the kebab-case segments below the stack
/// (`prod/rocketgraph-public-api/service` → `rocketgraph-public-api-service`).
pub(crate) fn default_name(path: &Path) -> String {
    stacksmith_core::kebab_case(&path.below_stack().join("-"))
}

/// The user's name if set, else the default name for `path`.
pub(crate) fn resolve_name(name: Option<&String>, path: &Path) -> String {
    name.cloned().unwrap_or_else(|| default_name(path))
}

/// Labels holding only the identity label: the selector of a workload and of everything
/// selecting its pods.
pub(crate) fn identity_labels(value: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(IDENTITY_LABEL.to_owned(), value.to_owned())])
}

/// A label selector matching only the identity label.
pub(crate) fn identity_selector(value: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(identity_labels(value)),
    }
}

/// Object metadata: name, namespace, the managed-by label plus `labels`, and `annotations`.
pub(crate) fn meta<'a>(
    name: &str,
    namespace: Option<&str>,
    labels: impl IntoIterator<Item = (&'a String, &'a String)>,
    annotations: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> ObjectMeta {
    let mut l: BTreeMap<String, String> = labels
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    l.insert(MANAGED_BY_LABEL.to_owned(), "stacksmith".to_owned());
    let a: BTreeMap<String, String> = annotations
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        labels: Some(l),
        annotations: if a.is_empty() { None } else { Some(a) },
        ..ObjectMeta::default()
    }
}

/// Serialises a typed object and adds it to the graph; a serialisation failure is a diagnostic.
pub(crate) fn push<T: crate::api::Resource + Serialize>(
    cx: &mut Lowering<'_>,
    namespace: Option<&str>,
    name: &str,
    object: &T,
) {
    match stacksmith_core::to_body(object) {
        Ok(body) => {
            let owner = cx.path().clone();
            cx.object(KubeObject {
                owner,
                api_version: T::API_VERSION.to_owned(),
                kind: T::KIND.to_owned(),
                namespace: namespace.map(str::to_owned),
                name: name.to_owned(),
                body,
            });
        }
        Err(e) => cx.error(
            "SS0300",
            format!("{} `{name}` could not be serialised: {e}", T::KIND),
            "this is a bug in stacksmith-k8s; please report it with the construct that caused it",
        ),
    }
}

/// A u32 as the i32 Kubernetes fields hold, saturating.
pub(crate) fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A `u16` port as `IntOrString`.
pub(crate) fn port_int(port: u16) -> IntOrString {
    IntOrString::Int(i32::from(port))
}

/// Whether `s` is a label name (the part after the optional prefix) or a non-empty label value:
/// at most 63 characters of `[A-Za-z0-9-_.]`, starting and ending alphanumeric.
fn is_label_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= LABEL_VALUE_MAX
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Whether `s` is a DNS-1123 subdomain (a label or annotation key prefix).
fn is_dns_subdomain(s: &str) -> bool {
    stacksmith_core::NameRule::DNS_SUBDOMAIN.check(s).is_ok()
}

/// Checks a label or annotation key (`[prefix/]name`); records SS0321 on failure.
pub(crate) fn check_key(cx: &mut Lowering<'_>, what: &str, key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if prefix.is_some_and(|p| !is_dns_subdomain(p)) || !is_label_name(name) {
        cx.error(
            "SS0321",
            format!("{what} key `{key}` is not a valid Kubernetes key"),
            "use an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit (`app.kubernetes.io/part-of`)",
        );
        return false;
    }
    true
}

/// Checks user labels: valid keys and values, and none of the labels only stacksmith sets.
pub(crate) fn check_labels(cx: &mut Lowering<'_>, labels: &[(String, String)]) {
    for (k, v) in labels {
        if RELEASE_LABELS.contains(&k.as_str()) {
            cx.error(
                "SS0321",
                format!("label `{k}` is reserved: stacksmith sets it on the versions of blue-green and canary releases"),
                "use a different label key; a Service selecting a release's live version comes from `BlueGreen` or `Canary`",
            );
            continue;
        }
        if k == IDENTITY_LABEL || k == MANAGED_BY_LABEL {
            cx.error(
                "SS0321",
                format!("label `{k}` is reserved: stacksmith sets it on every object it creates"),
                "use a different label key",
            );
            continue;
        }
        if check_key(cx, "label", k) && !(v.is_empty() || is_label_name(v)) {
            cx.error(
                "SS0321",
                format!(
                    "label `{k}` has the value `{v}` ({} characters), which is not a valid label value",
                    v.chars().count()
                ),
                "label values are empty or at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit",
            );
        }
    }
}

/// Whether `s` is a DNS-1035 label, as Service names must be: 1–63 lowercase letters, digits
/// and `-`, starting with a letter and ending with a letter or digit.
pub(crate) fn is_dns_1035_label(s: &str) -> bool {
    stacksmith_core::NameRule::DNS_LABEL.check(s).is_ok()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Checks a Service name against DNS-1035 (SS0402): a Service name becomes a DNS name in the
/// cluster, so the API server also refuses one starting with a digit. `origin` says where the
/// name came from, for the hint. A name that is not even a DNS-1123 label is left to SS0103.
pub(crate) fn check_service_name(cx: &mut Lowering<'_>, name: &str, origin: NameOrigin) {
    if is_dns_1035_label(name) || stacksmith_core::NameRule::DNS_LABEL.check(name).is_err() {
        return;
    }
    let from = match origin {
        NameOrigin::Given(how) => format!("the name was given with {how}"),
        NameOrigin::Path => format!("the name comes from the construct path `{}`", cx.path()),
    };
    cx.error(
        "SS0402",
        format!("Service name `{name}` starts with a digit; Service names are DNS-1035 labels, which start with a letter"),
        format!("{from}; change it to 1–63 lowercase letters, digits and `-` starting with a letter"),
    );
}

/// What is wrong with an env var name, if anything (SS0400). Kubernetes 1.33 accepts any
/// printable ASCII except `=` (KEP-4369, beta and on by default since 1.32; older API servers
/// also refuse what is not `[-._a-zA-Z][-._a-zA-Z0-9]*`).
pub(crate) fn env_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.contains('=') {
        Some("contains `=`, which ends a name in the process environment")
    } else if !name.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        Some("contains characters outside printable ASCII")
    } else {
        None
    }
}

/// Checks ConfigMap and Secret keys (`[-._a-zA-Z0-9]+`, at most 253, not `.` or `..`) and that
/// none repeats; records SS0316.
pub(crate) fn check_data_keys<'a>(
    cx: &mut Lowering<'_>,
    kind: &str,
    keys: impl IntoIterator<Item = &'a str>,
) {
    let mut seen: Vec<&str> = Vec::new();
    for key in keys {
        let valid = !key.is_empty()
            && key.len() <= 253
            && key != "."
            && key != ".."
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        if !valid {
            cx.error(
                "SS0316",
                format!("{kind} key `{key}` is not a valid key"),
                "keys are 1–253 letters, digits, `-`, `_` or `.` (`redis-url`, `config.yaml`)",
            );
        } else if seen.contains(&key) {
            cx.error(
                "SS0316",
                format!("{kind} key `{key}` is given more than once"),
                "give each key once",
            );
        } else {
            seen.push(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_1035_labels_start_with_a_letter() {
        assert!(is_dns_1035_label("api-1"));
        assert!(!is_dns_1035_label("1api"));
        assert!(!is_dns_1035_label("Api"));
    }

    #[test]
    fn env_names_are_printable_ascii_without_equals() {
        assert_eq!(env_name_problem("LOG_LEVEL"), None);
        assert_eq!(env_name_problem("spring.profiles-active"), None);
        assert!(env_name_problem("").is_some());
        assert!(env_name_problem("A=B").is_some());
        assert!(env_name_problem("ÄPFEL").is_some());
        assert!(env_name_problem("TAB\t").is_some());
    }

    #[test]
    fn identity_is_the_kebab_path() {
        let p = Path::root("prod").child("rocketgraph-public-api");
        assert_eq!(identity_value(&p), "prod-rocketgraph-public-api");
        assert_eq!(
            default_name(&p.child("service")),
            "rocketgraph-public-api-service"
        );
    }

    #[test]
    fn long_identity_is_shortened_with_a_hash() {
        let p = Path::root("prod").child(&"a".repeat(60)).child("service");
        let v = identity_value(&p);
        assert_eq!(v.len(), 63);
        assert!(v.ends_with(&short_hash(&p.to_string())));
        assert!(!v.contains("--"));
    }
}
