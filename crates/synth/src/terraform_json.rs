//! Terraform JSON for one stack's root: `terraform` (pinned providers, backend), `provider`,
//! `data`, `resource`, `output`. Types and names sorted, so the same graph gives the same bytes.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value as Json, json};
use stacksmith_core::Graph;
use stacksmith_core::terraform::{Resource, Value};

use crate::SynthError;
use crate::moves::Move;

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
    let root = Root {
        terraform: Json::Object(terraform),
        provider: (!configs.is_empty()).then_some(Json::Object(configs)),
        data: (!g.data.is_empty()).then_some(Blocks(&g.data)),
        ephemeral: (!g.ephemeral.is_empty()).then_some(Blocks(&g.ephemeral)),
        resource: (!g.resources.is_empty()).then_some(Blocks(&g.resources)),
        output: (!outputs.is_empty()).then_some(outputs),
    };
    let mut text = serde_json::to_string_pretty(&root).map_err(json_err)?;
    text.push('\n');
    Ok(text)
}

/// `terraform/moved.tf.json`: `{"moved": [{"from": "<type>.<old name>", "to": "<type>.<new name>"}]}`,
/// sorted, plain addresses as Terraform's JSON syntax reads them (no `${}`). A file of its
/// own, beside `main.tf.json`: checkov's Terraform JSON parser rejects a `moved` key and would
/// then scan nothing of `main.tf.json`.
pub(crate) fn moved(stack: &str, moves: &[Move]) -> Result<String, SynthError> {
    let mut text = serde_json::to_string_pretty(&json!({ "moved": moves })).map_err(|source| {
        SynthError::Json {
            what: format!("{stack}/terraform/moved.tf.json"),
            source,
        }
    })?;
    text.push('\n');
    Ok(text)
}

/// The root module's top-level blocks, in Terraform's customary order.
#[derive(Serialize)]
struct Root<'a> {
    terraform: Json,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Blocks<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ephemeral: Option<Blocks<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<Blocks<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<BTreeMap<&'a str, Json>>,
}

/// `{ type: { name: body } }`, types and names sorted, bodies serialized in place.
struct Blocks<'a>(&'a [Resource]);

impl Serialize for Blocks<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut by_type: BTreeMap<&str, BTreeMap<&str, &Resource>> = BTreeMap::new();
        for r in self.0 {
            by_type
                .entry(r.address.kind())
                .or_default()
                .insert(r.address.name(), r);
        }
        s.collect_map(by_type)
    }
}
