//! Terraform JSON for one stack's root: `terraform` (pinned providers, backend), `provider`,
//! `data`, `resource`, `output`. Types and names sorted, so the same graph gives the same bytes.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};
use stacksmith_core::Graph;
use stacksmith_core::terraform::{Resource, Value};

use crate::SynthError;

/// Renders the root module as pretty JSON with a trailing newline.
pub(crate) fn render(g: &Graph) -> Result<String, SynthError> {
    let json_err = |source| SynthError::Json {
        what: format!("{}/terraform/main.tf.json", g.stack),
        source,
    };
    let mut providers = Map::new();
    let mut configs = Map::new();
    for (name, p) in &g.providers {
        providers.insert(
            name.clone(),
            json!({ "source": p.source, "version": p.version }),
        );
        if let Some(c) = &p.config {
            configs.insert(
                name.clone(),
                serde_json::to_value(Value::Map(c.clone())).map_err(json_err)?,
            );
        }
    }
    let mut terraform = Map::new();
    // No `required_version`: checkov 3.3's Terraform JSON parser rejects a plain attribute in
    // the `terraform` block and then scans nothing. The S3 backend's `use_lockfile` already
    // makes Terraform older than 1.10 fail at `init` with "unsupported argument".
    terraform.insert("required_providers".into(), Json::Object(providers));
    if let Some(b) = &g.backend {
        terraform.insert(
            "backend".into(),
            json!({ "s3": serde_json::to_value(Value::Map(b.clone())).map_err(json_err)? }),
        );
    }
    let mut root = Map::new();
    root.insert("terraform".into(), Json::Object(terraform));
    if !configs.is_empty() {
        root.insert("provider".into(), Json::Object(configs));
    }
    if !g.data.is_empty() {
        root.insert("data".into(), blocks(&g.data).map_err(json_err)?);
    }
    if !g.resources.is_empty() {
        root.insert("resource".into(), blocks(&g.resources).map_err(json_err)?);
    }
    if !g.outputs.is_empty() {
        let mut outputs: BTreeMap<&str, Json> = BTreeMap::new();
        for o in &g.outputs {
            let mut m = Map::new();
            m.insert("description".into(), json!(o.description));
            m.insert(
                "value".into(),
                serde_json::to_value(&o.value).map_err(json_err)?,
            );
            if o.sensitive {
                m.insert("sensitive".into(), json!(true));
            }
            outputs.insert(&o.name, Json::Object(m));
        }
        root.insert(
            "output".into(),
            serde_json::to_value(outputs).map_err(json_err)?,
        );
    }
    let mut text = serde_json::to_string_pretty(&Json::Object(root)).map_err(json_err)?;
    text.push('\n');
    Ok(text)
}

fn blocks(items: &[Resource]) -> Result<Json, serde_json::Error> {
    let mut by_type: BTreeMap<&str, BTreeMap<&str, &Resource>> = BTreeMap::new();
    for r in items {
        by_type
            .entry(r.address.kind())
            .or_default()
            .insert(r.address.name(), r);
    }
    let mut out = Map::new();
    for (kind, named) in by_type {
        let mut m = Map::new();
        for (name, r) in named {
            m.insert(name.to_owned(), serde_json::to_value(r.to_value())?);
        }
        out.insert(kind.to_owned(), Json::Object(m));
    }
    Ok(Json::Object(out))
}
