//! `Volume` and its typed sources (ConfigMap, Secret, emptyDir, PersistentVolumeClaim): what a
//! container mounts. A pod declares exactly the volumes its containers mount, so a mount of an
//! undeclared volume cannot be written.

use crate::api::core_v1::{
    ConfigMapVolumeSource, EmptyDirVolumeSource, HostPathVolumeSource, KeyToPath,
    PersistentVolumeClaimVolumeSource, SecretVolumeSource, Volume as KVolume,
};
use stacksmith_core::{KubeUse, Lowering, NameOrigin, NameRule, SourceKind};

use crate::labels::check_data_keys;
use crate::{ConfigMapRef, Memory, PersistentVolumeClaimRef, SecretRef, VolumeClaim};

/// File mode of Secret volume files: `0440`, readable by the owner and the pod's `fsGroup`
/// only (Kubernetes' own default is `0644`, world-readable).
const SECRET_MODE: i32 = 0o440;
/// File mode of ConfigMap volume files: `0444`, read-only for everyone.
const CONFIG_MAP_MODE: i32 = 0o444;
/// emptyDir size limit when none is set: 1Gi, so one pod cannot fill its node's disk.
const DEFAULT_EMPTY_DIR_LIMIT: Memory = Memory::gib(1);

/// A volume a container mounts with [`Container::mount`](crate::Container::mount) (read-only)
/// or [`Container::mount_writable`](crate::Container::mount_writable).
///
/// There is no separate "declare the volume on the pod" step: a workload's pod declares exactly
/// the volumes its containers mount, so a mount of an undeclared volume cannot be written. Two
/// different volumes with the same name in one pod are an error (SS0331).
///
/// Sources: [`Volume::config_map`], [`Volume::secret`], [`Volume::empty_dir`],
/// [`Volume::claim`] (a [`PersistentVolumeClaim`](crate::PersistentVolumeClaim)), and a
/// StatefulSet's [`VolumeClaim`] template (converted with `From`).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("logging"));
/// let config = stack.add(ConfigMap::new(&ns, "fluentd-config").data("fluent.conf", "<source>…</source>"));
/// let config = Volume::config_map("config", &config).item("fluent.conf", "fluent.conf");
/// let buffer = Volume::empty_dir("buffer").size_limit(Memory::gib(2));
/// let shipper = Container::new("fluentd", "fluent/fluentd:v1.17.1-1.0")
///     .mount(&config, "/fluentd/etc")
///     .mount_writable(&buffer, "/fluentd/buffer");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    pub(crate) name: String,
    pub(crate) source: Source,
}

/// Where a volume's files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    ConfigMap(ConfigMapRef, Vec<(String, String)>),
    Secret(SecretRef, Vec<(String, String)>),
    EmptyDir {
        size_limit: Memory,
        in_memory: bool,
    },
    Claim(PersistentVolumeClaimRef),
    /// A StatefulSet volume claim template: declared by the StatefulSet, never in `volumes`.
    ClaimTemplate(VolumeClaim),
    /// A node directory, mounted read-only; only a DaemonSet offers it.
    HostPath(String),
}

impl Volume {
    /// A ConfigMap's keys as files (each key a file named after it, unless
    /// [`ConfigMapVolume::item`] picks keys). Default file mode: `0444`.
    pub fn config_map(name: impl Into<String>, config_map: &ConfigMapRef) -> ConfigMapVolume {
        ConfigMapVolume {
            name: name.into(),
            config_map: config_map.clone(),
            items: Vec::new(),
        }
    }

    /// A Secret's keys as files (each key a file named after it, unless [`SecretVolume::item`]
    /// picks keys). Default file mode: `0440` — the owner and the pod's `fsGroup` only.
    pub fn secret(name: impl Into<String>, secret: &SecretRef) -> SecretVolume {
        SecretVolume {
            name: name.into(),
            secret: secret.clone(),
            items: Vec::new(),
        }
    }

    /// Scratch space that lives as long as the pod (`emptyDir`). Default: on the node's disk,
    /// limited to 1Gi.
    pub fn empty_dir(name: impl Into<String>) -> EmptyDirVolume {
        EmptyDirVolume {
            name: name.into(),
            size_limit: DEFAULT_EMPTY_DIR_LIMIT,
            in_memory: false,
        }
    }

    /// A PersistentVolumeClaim the stack owns, by its handle.
    pub fn claim(name: impl Into<String>, claim: &PersistentVolumeClaimRef) -> Volume {
        Volume {
            name: name.into(),
            source: Source::Claim(claim.clone()),
        }
    }

    /// The volume's name (what mounts refer to).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A read-only host directory volume (DaemonSet only), named after the path.
    pub(crate) fn host_path(path: &str) -> Volume {
        let mut name = String::from("host");
        for part in path.split(|c: char| !c.is_ascii_alphanumeric()) {
            if !part.is_empty() {
                name.push('-');
                name.push_str(&part.to_ascii_lowercase());
            }
        }
        name.truncate(63);
        while name.ends_with('-') {
            name.pop();
        }
        Volume {
            name,
            source: Source::HostPath(path.to_owned()),
        }
    }

    /// Checks the volume, records the Secret/ConfigMap keys it reads, and lowers it.
    /// `namespace` is the pod's.
    pub(crate) fn lower(&self, cx: &mut Lowering<'_>, namespace: &str) -> KVolume {
        cx.check_name_from(
            &NameRule::DNS_LABEL,
            &self.name,
            "volume name",
            NameOrigin::Given("the volume's constructor"),
        );
        let mut volume = KVolume {
            name: self.name.clone(),
            ..KVolume::default()
        };
        match &self.source {
            Source::ConfigMap(cm, items) => {
                self.record_uses(
                    cx,
                    namespace,
                    SourceKind::ConfigMap,
                    (&cm.namespace, &cm.name, &cm.keys),
                    items,
                );
                volume.config_map = Some(ConfigMapVolumeSource {
                    name: cm.name.clone(),
                    items: key_to_paths(items),
                    default_mode: Some(CONFIG_MAP_MODE),
                    optional: Some(false),
                });
            }
            Source::Secret(s, items) => {
                self.record_uses(
                    cx,
                    namespace,
                    SourceKind::Secret,
                    (&s.namespace, &s.name, &s.keys),
                    items,
                );
                volume.secret = Some(SecretVolumeSource {
                    secret_name: Some(s.name.clone()),
                    items: key_to_paths(items),
                    default_mode: Some(SECRET_MODE),
                    optional: Some(false),
                });
            }
            Source::EmptyDir {
                size_limit,
                in_memory,
            } => {
                if size_limit.as_mib() == 0 {
                    cx.error(
                        "SS0333",
                        format!("emptyDir volume `{}` has a size limit of 0", self.name),
                        "give it room, e.g. `.size_limit(Memory::mib(256))`, or leave the 1Gi default",
                    );
                }
                volume.empty_dir = Some(EmptyDirVolumeSource {
                    medium: in_memory.then(|| "Memory".to_owned()),
                    size_limit: Some(size_limit.quantity()),
                });
            }
            Source::Claim(claim) => {
                if claim.namespace != namespace {
                    cx.error(
                        "SS0319",
                        format!(
                            "volume `{}` mounts PersistentVolumeClaim `{}` of namespace `{}`, but the pod runs in namespace `{namespace}`",
                            self.name, claim.name, claim.namespace
                        ),
                        format!("pods mount only their own namespace's claims; create the claim in namespace `{namespace}`"),
                    );
                }
                volume.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                    claim_name: claim.name.clone(),
                    read_only: None,
                });
            }
            Source::HostPath(path) => {
                volume.host_path = Some(HostPathVolumeSource {
                    path: path.clone(),
                    type_: Some("Directory".to_owned()),
                });
            }
            // Declared by the StatefulSet's volumeClaimTemplates, never listed in the pod.
            Source::ClaimTemplate(_) => {}
        }
        volume
    }

    /// Records the keys a ConfigMap or Secret volume reads, so the whole-stack check proves the
    /// object is declared: each item's key, or (whole object) its first known key.
    fn record_uses(
        &self,
        cx: &mut Lowering<'_>,
        pod_namespace: &str,
        source: SourceKind,
        (namespace, name, known): (&str, &str, &[String]),
        items: &[(String, String)],
    ) {
        let kind = source.kind();
        if namespace != pod_namespace {
            cx.error(
                "SS0319",
                format!(
                    "volume `{}` reads {kind} `{name}` of namespace `{namespace}`, but the pod runs in namespace `{pod_namespace}`",
                    self.name
                ),
                format!("pods read only their own namespace's {kind}s; declare the {kind} in namespace `{pod_namespace}`"),
            );
            return;
        }
        check_data_keys(cx, kind, items.iter().map(|(k, _)| k.as_str()));
        for (key, path) in items {
            if let Some(problem) = relative_path_problem(path) {
                cx.error(
                    "SS0332",
                    format!(
                        "volume `{}` projects key `{key}` to the file `{path}`, which {problem}",
                        self.name
                    ),
                    "item paths are relative file names inside the mount (`fluent.conf`, `tls/ca.crt`)",
                );
            }
        }
        let keys: Vec<&str> = if items.is_empty() {
            known.iter().take(1).map(String::as_str).collect()
        } else {
            items.iter().map(|(k, _)| k.as_str()).collect()
        };
        for key in keys {
            let u = KubeUse {
                owner: cx.path().clone(),
                source,
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                key: key.to_owned(),
                reader: format!("volume `{}`", self.name),
            };
            cx.uses(u);
        }
    }
}

fn key_to_paths(items: &[(String, String)]) -> Option<Vec<KeyToPath>> {
    (!items.is_empty()).then(|| {
        items
            .iter()
            .map(|(key, path)| KeyToPath {
                key: key.clone(),
                path: path.clone(),
                mode: None,
            })
            .collect()
    })
}

/// What is wrong with an item path, which must be relative and stay inside the mount.
fn relative_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("is empty")
    } else if path.starts_with('/') {
        Some("is absolute")
    } else if path.split('/').any(|s| s == "..") {
        Some("leaves the mount with `..`")
    } else {
        None
    }
}

/// What is wrong with a mount or host path, which must be absolute and normalised.
pub(crate) fn absolute_path_problem(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') {
        Some("is not absolute")
    } else if path.len() > 1 && path.ends_with('/') {
        Some("ends with `/`")
    } else if path[1..]
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
        && path != "/"
    {
        Some("has an empty, `.` or `..` segment")
    } else {
        None
    }
}

/// A ConfigMap volume, made by [`Volume::config_map`]; mount it with `&volume`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigMapVolume {
    name: String,
    config_map: ConfigMapRef,
    items: Vec<(String, String)>,
}

impl ConfigMapVolume {
    /// Projects only `key`, as the file `path` (relative to the mount). Default: every key, as a
    /// file named after it. Each key is proven to exist.
    #[must_use]
    pub fn item(mut self, key: impl Into<String>, path: impl Into<String>) -> Self {
        self.items.push((key.into(), path.into()));
        self
    }
}

/// A Secret volume, made by [`Volume::secret`]; mount it with `&volume`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVolume {
    name: String,
    secret: SecretRef,
    items: Vec<(String, String)>,
}

impl SecretVolume {
    /// Projects only `key`, as the file `path` (relative to the mount). Default: every key, as a
    /// file named after it. Each key is proven to exist.
    #[must_use]
    pub fn item(mut self, key: impl Into<String>, path: impl Into<String>) -> Self {
        self.items.push((key.into(), path.into()));
        self
    }
}

/// An emptyDir volume, made by [`Volume::empty_dir`]; mount it with `&volume`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmptyDirVolume {
    name: String,
    size_limit: Memory,
    in_memory: bool,
}

impl EmptyDirVolume {
    /// The most the volume may hold before the pod is evicted (`sizeLimit`). Default: 1Gi.
    #[must_use]
    pub fn size_limit(mut self, limit: Memory) -> Self {
        self.size_limit = limit;
        self
    }

    /// Backs the volume with memory (`medium: Memory`, a tmpfs): fast, gone on node reboot,
    /// and counted against the container's memory limit. Default: the node's disk.
    #[must_use]
    pub fn in_memory(mut self) -> Self {
        self.in_memory = true;
        self
    }
}

impl From<ConfigMapVolume> for Volume {
    fn from(v: ConfigMapVolume) -> Self {
        Volume {
            name: v.name,
            source: Source::ConfigMap(v.config_map, v.items),
        }
    }
}

impl From<SecretVolume> for Volume {
    fn from(v: SecretVolume) -> Self {
        Volume {
            name: v.name,
            source: Source::Secret(v.secret, v.items),
        }
    }
}

impl From<EmptyDirVolume> for Volume {
    fn from(v: EmptyDirVolume) -> Self {
        Volume {
            name: v.name,
            source: Source::EmptyDir {
                size_limit: v.size_limit,
                in_memory: v.in_memory,
            },
        }
    }
}

impl From<VolumeClaim> for Volume {
    fn from(claim: VolumeClaim) -> Self {
        Volume {
            name: claim.name.clone(),
            source: Source::ClaimTemplate(claim),
        }
    }
}

impl From<&Volume> for Volume {
    fn from(v: &Volume) -> Self {
        v.clone()
    }
}

impl From<&ConfigMapVolume> for Volume {
    fn from(v: &ConfigMapVolume) -> Self {
        v.clone().into()
    }
}

impl From<&SecretVolume> for Volume {
    fn from(v: &SecretVolume) -> Self {
        v.clone().into()
    }
}

impl From<&EmptyDirVolume> for Volume {
    fn from(v: &EmptyDirVolume) -> Self {
        v.clone().into()
    }
}

impl From<&VolumeClaim> for Volume {
    fn from(v: &VolumeClaim) -> Self {
        v.clone().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigMap, Container, Deployment, Namespace, PersistentVolumeClaim, Secret};
    use stacksmith_core::{Graph, Stack};

    const IMAGE: &str = "rocketgraph/public-api:1.0.0";

    fn pod(g: &Graph) -> &stacksmith_core::Body {
        let Some(d) = g.objects.iter().find(|o| o.kind == "Deployment") else {
            panic!("no Deployment in {:?}", g.objects);
        };
        &d.body["spec"]["template"]["spec"]
    }

    #[test]
    fn mounts_declare_their_volumes_once_read_only_by_default() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let cm = stack.add(ConfigMap::new(&ns, "app-config").data("app.yaml", "a: 1"));
        let tls = stack.add(Secret::external(&ns, "api-tls", ["tls.crt", "tls.key"]));
        let config = Volume::config_map("config", &cm);
        let tls = Volume::secret("tls", &tls).item("tls.crt", "server.crt");
        let tmp = Volume::empty_dir("tmp");
        stack.add(
            Deployment::new(&ns, "api")
                .container(
                    Container::new("api", IMAGE)
                        .mount(&config, "/etc/app")
                        .mount(&tls, "/etc/tls")
                        .mount_writable(&tmp, "/tmp"),
                )
                .container(Container::new("proxy", IMAGE).mount(&tls, "/etc/tls")),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pod = pod(&g);
        assert_eq!(
            pod["volumes"],
            serde_json::json!([
                {"name": "config", "configMap": {"defaultMode": 0o444, "name": "app-config", "optional": false}},
                {"name": "tls", "secret": {"defaultMode": 0o440, "items": [{"key": "tls.crt", "path": "server.crt"}], "optional": false, "secretName": "api-tls"}},
                {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
            ])
        );
        assert_eq!(
            pod["containers"][0]["volumeMounts"],
            serde_json::json!([
                {"mountPath": "/etc/app", "name": "config", "readOnly": true},
                {"mountPath": "/etc/tls", "name": "tls", "readOnly": true},
                {"mountPath": "/tmp", "name": "tmp", "readOnly": false},
            ])
        );
        let readers: Vec<(&str, &str)> = g
            .uses
            .iter()
            .map(|u| (u.reader.as_str(), u.key.as_str()))
            .collect();
        assert_eq!(
            readers,
            [("volume `config`", "app.yaml"), ("volume `tls`", "tls.crt")]
        );
    }

    #[test]
    fn memory_empty_dir_and_claim() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let claim = stack.add(PersistentVolumeClaim::new(&ns, "uploads", Memory::gib(10)));
        let cache = Volume::empty_dir("cache")
            .in_memory()
            .size_limit(Memory::mib(64));
        let uploads = Volume::claim("uploads", &claim);
        stack.add(
            Deployment::new(&ns, "api").container(
                Container::new("api", IMAGE)
                    .mount_writable(&cache, "/cache")
                    .mount_writable(&uploads, "/uploads"),
            ),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let pod = pod(&g);
        assert_eq!(
            pod["volumes"][0]["emptyDir"],
            serde_json::json!({"medium": "Memory", "sizeLimit": "64Mi"})
        );
        assert_eq!(
            pod["volumes"][1]["persistentVolumeClaim"],
            serde_json::json!({"claimName": "uploads"})
        );
    }

    #[test]
    fn host_path_volume_names_follow_the_path() {
        assert_eq!(Volume::host_path("/var/log").name, "host-var-log");
        assert_eq!(
            Volume::host_path("/var/lib/docker/containers").name,
            "host-var-lib-docker-containers"
        );
    }

    #[test]
    fn path_rules() {
        assert_eq!(absolute_path_problem("/var/log"), None);
        assert_eq!(absolute_path_problem("/"), None);
        assert!(absolute_path_problem("var/log").is_some());
        assert!(absolute_path_problem("/var/../etc").is_some());
        assert!(absolute_path_problem("/var//log").is_some());
        assert!(absolute_path_problem("/var/log/").is_some());
        assert_eq!(relative_path_problem("tls/ca.crt"), None);
        assert!(relative_path_problem("../x").is_some());
    }

    #[test]
    fn fails_undeclared_secret_volume_and_bad_items() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let other = stack.add(Namespace::new("other"));
        let license = Secret::external(&ns, "xgt-license", ["license.lic"]).reference();
        let foreign = stack.add(Secret::external(&other, "foreign", ["k"]));
        let license = Volume::secret("license", &license);
        let foreign = Volume::secret("foreign", &foreign);
        let cm = stack.add(ConfigMap::new(&ns, "cfg").data("a", "1"));
        let cfg = Volume::config_map("cfg", &cm)
            .item("a", "/etc/a")
            .item("b", "../b");
        let tmp = Volume::empty_dir("tmp").size_limit(Memory::mib(0));
        stack.add(
            Deployment::new(&ns, "api").container(
                Container::new("api", IMAGE)
                    .mount(&license, "/etc/xgt")
                    .mount(&foreign, "/etc/foreign")
                    .mount(&cfg, "/etc/cfg")
                    .mount_writable(&tmp, "/tmp"),
            ),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
