//! Issue 16, "Done when": every Secret a pod of an example reads is made by something (an
//! `ExternalSecret`, the `cluster/` root, an operator of the stack, the stack itself) or is a
//! declared prerequisite; and no `cluster/` root keeps a secret in its state.

#[path = "../examples/flagwise.rs"]
#[allow(dead_code)]
mod flagwise;
#[path = "../examples/janua.rs"]
#[allow(dead_code)]
mod janua;
#[path = "../examples/kgas.rs"]
#[allow(dead_code)]
mod kgas;
#[path = "../examples/kubedb-dbaas.rs"]
#[allow(dead_code)]
mod kubedb_dbaas;
#[path = "../examples/newcomer.rs"]
#[allow(dead_code)]
mod newcomer;
#[path = "../examples/prod-stack.rs"]
#[allow(dead_code)]
mod prod_stack;

mod common;

use std::collections::BTreeSet;

use serde_json::Value;
use stacksmith::core::App;

use common::{file, render_app};

fn examples() -> Vec<(&'static str, App)> {
    vec![
        ("flagwise", flagwise::app()),
        ("janua", janua::app()),
        ("kgas", kgas::app()),
        ("kubedb-dbaas", kubedb_dbaas::app()),
        ("newcomer", newcomer::app()),
        ("prod-stack", prod_stack::app()),
    ]
}

/// Every Secret name an object reads, as (namespace, name, what reads it): `secretKeyRef`,
/// `envFrom[].secretRef`, secret volumes, image pull secrets.
fn reads(v: &Value, namespace: &str, object: &str, out: &mut Vec<(String, String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, inner) in m {
                let name = match k.as_str() {
                    "secretKeyRef" | "secretRef" => inner.get("name"),
                    "secret" => inner.get("secretName"),
                    "imagePullSecrets" => None,
                    _ => None,
                };
                if let Some(Value::String(name)) = name {
                    out.push((
                        namespace.to_owned(),
                        name.clone(),
                        format!("{object} ({k})"),
                    ));
                }
                if k == "imagePullSecrets" {
                    for s in inner.as_array().into_iter().flatten() {
                        if let Some(Value::String(name)) = s.get("name") {
                            out.push((
                                namespace.to_owned(),
                                name.clone(),
                                format!("{object} ({k})"),
                            ));
                        }
                    }
                }
                reads(inner, namespace, object, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| reads(i, namespace, object, out)),
        _ => {}
    }
}

#[test]
fn every_secret_a_pod_reads_is_made_or_a_declared_prerequisite() {
    for (example, app) in examples() {
        let outputs = render_app(&app);
        for (g, o) in app.lower().iter().zip(&outputs) {
            // What makes each Secret, by (namespace, name).
            let mut made: BTreeSet<(String, String)> = BTreeSet::new();
            for obj in &g.objects {
                let ns = obj.namespace.clone().unwrap_or_default();
                match obj.kind.as_str() {
                    "ExternalSecret" => {
                        let target = obj.body["spec"]["target"]["name"].as_str();
                        made.insert((ns, target.unwrap_or_default().to_owned()));
                    }
                    // Written by the stack itself (`Secret::with_values`).
                    "Secret" => {
                        made.insert((ns, obj.name.clone()));
                    }
                    // KubeDB writes each database's credentials into `<name>-auth`.
                    // With `spec.tls`, it has cert-manager issue `<name>-client-cert` too.
                    "MongoDB" | "Redis" if obj.api_version.starts_with("kubedb.com/") => {
                        made.insert((ns.clone(), format!("{}-auth", obj.name)));
                        if obj.body.pointer("/spec/tls").is_some() {
                            made.insert((ns, format!("{}-client-cert", obj.name)));
                        }
                    }
                    _ => {}
                }
            }
            // Written by the `cluster/` root.
            for c in g.crossings.iter().filter(|c| c.sensitive) {
                made.insert((c.namespace.clone(), c.object.clone()));
            }
            // Declared prerequisites, as manifest.json lists them.
            let manifest: Value =
                serde_json::from_str(file(o, "manifest.json")).unwrap_or_default();
            let prerequisites: Vec<String> = manifest["prerequisites"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["what"].as_str().map(str::to_owned))
                .collect();
            let mut read = Vec::new();
            for obj in &g.objects {
                let ns = obj.namespace.clone().unwrap_or_default();
                reads(
                    &obj.body.to_value(),
                    &ns,
                    &format!("{} {}", obj.kind, obj.name),
                    &mut read,
                );
            }
            for (ns, name, reader) in read {
                let declared = prerequisites
                    .iter()
                    .any(|p| p.starts_with(&format!("Kubernetes Secret `{ns}/{name}`")));
                assert!(
                    made.contains(&(ns.clone(), name.clone())) || declared,
                    "{example}/{}: {reader} reads Secret `{ns}/{name}`, which nothing makes and no prerequisite declares",
                    g.stack
                );
            }
        }
    }
}

/// The reads the walk above finds, so it cannot pass by finding nothing.
#[test]
fn the_walk_finds_the_secrets_pods_read() {
    let app = prod_stack::app();
    let g = &app.lower()[0];
    let mut read = Vec::new();
    for obj in &g.objects {
        let ns = obj.namespace.clone().unwrap_or_default();
        reads(&obj.body.to_value(), &ns, &obj.name, &mut read);
    }
    let names: BTreeSet<&str> = read.iter().map(|(_, n, _)| n.as_str()).collect();
    for synced in ["app-secrets", "mongodb-credentials", "redis-credentials"] {
        assert!(names.contains(synced), "{names:?}");
    }
}

#[test]
fn no_cluster_root_keeps_a_secret_in_its_state() {
    for (example, app) in examples() {
        for o in render_app(&app) {
            let text = file(&o, "cluster/main.tf.json");
            if text.is_empty() {
                continue;
            }
            let root: Value = serde_json::from_str(text).unwrap_or_default();
            // A Secret's values only through the write-only argument.
            for (name, secret) in root["resource"]["kubernetes_secret_v1"]
                .as_object()
                .into_iter()
                .flatten()
            {
                assert!(
                    secret.get("data").is_none() && secret.get("data_wo").is_some(),
                    "{example}/{}: kubernetes_secret_v1.{name} keeps its values in state: {secret}",
                    o.stack
                );
            }
            // Secret values are read only during the run: never through a data source.
            assert!(
                root["data"]["aws_secretsmanager_secret_version"].is_null(),
                "{example}/{}: a secret's value is read into state through a data source",
                o.stack
            );
            for needle in ["random_password", "auth_token\"", "password\""] {
                assert!(
                    !text.contains(needle),
                    "{example}/{}: the cluster root holds `{needle}`",
                    o.stack
                );
            }
            for (i, _) in text.match_indices("secret_string") {
                let before = text.get(..i).unwrap_or_default();
                assert!(
                    before.ends_with('.')
                        && before
                            .rsplit("${")
                            .next()
                            .is_some_and(|e| e.contains("ephemeral.")),
                    "{example}/{}: `secret_string` read outside an ephemeral resource",
                    o.stack
                );
            }
        }
    }
}
