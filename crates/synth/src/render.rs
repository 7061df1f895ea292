//! Rendering one lowered stack into its files, in memory: `terraform/main.tf.json`,
//! `terraform/moved.tf.json` after a recognised rename, `kubernetes/...`, and `manifest.json` with content hashes, the apply order, the facts of every
//! resource and the cloud names renamed constructs keep (see [`crate::moves`]).

use serde::Serialize;
use sha2::{Digest, Sha256};
use stacksmith_core::Graph;

use crate::manifest::{ApplyStep, File};
use crate::moves::{Move, Renamed, ResourceFacts};
use crate::{SynthError, cluster_root, kubernetes, terraform_json};

/// A stack's rendered output.
#[derive(Clone, Debug)]
pub struct StackOutput {
    /// The stack's name (its folder's name).
    pub stack: String,
    /// Every file, `manifest.json` last.
    pub files: Vec<File>,
    /// Number of Terraform resources and data sources.
    pub resources: usize,
    /// Number of Kubernetes objects.
    pub objects: usize,
    /// The apply steps, in order.
    pub apply_order: Vec<ApplyStep>,
    /// Stacks to apply before this one.
    pub after: Vec<String>,
    /// Constructs recognised as renamed that keep their cloud names.
    pub renamed: Vec<Renamed>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    schema: u32,
    generator: &'a str,
    stack: &'a str,
    region: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    apply_after_stacks: &'a [String],
    apply_order: &'a [ApplyStep],
    kubernetes_objects: Vec<String>,
    files: Vec<ManifestFile<'a>>,
    resources: Vec<ResourceFacts>,
    #[serde(skip_serializing_if = "<[Renamed]>::is_empty")]
    renamed: &'a [Renamed],
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    path: &'a str,
    sha256: String,
    bytes: usize,
}

/// Renders a lowered, error-free graph.
pub fn render(g: &Graph) -> Result<StackOutput, SynthError> {
    render_moved(g, &[], &[])
}

/// Renders a graph with `moved` blocks (renames recognised against the previous output) in
/// `terraform/moved.tf.json`; `renamed` (already kept in the graph) is recorded in the manifest.
pub(crate) fn render_moved(
    g: &Graph,
    moves: &[Move],
    renamed: &[Renamed],
) -> Result<StackOutput, SynthError> {
    let mut files = Vec::new();
    let mut apply_order = Vec::new();
    let [terraform_step, cluster_step, kubernetes_step] = apply_steps(g);
    let has_terraform = !g.resources.is_empty() || !g.data.is_empty();
    if has_terraform {
        files.push(File {
            path: "terraform/main.tf.json".into(),
            contents: terraform_json::render(g)?,
        });
        if !moves.is_empty() {
            files.push(File {
                path: "terraform/moved.tf.json".into(),
                contents: terraform_json::moved(&g.stack, moves)?,
            });
        }
        apply_order.push(terraform_step);
    }
    if let Some(contents) = cluster_root::render(g)? {
        files.push(File {
            path: "cluster/main.tf.json".into(),
            contents,
        });
        apply_order.push(cluster_step);
    }
    let (kube, kubernetes_objects) = kubernetes::render(g);
    if !kube.is_empty() {
        apply_order.push(kubernetes_step);
    }
    files.extend(kube.into_iter().map(|(path, contents)| File {
        path: format!("kubernetes/{path}"),
        contents,
    }));

    files.extend(crate::diagram::files(g));

    let manifest = Manifest {
        schema: crate::moves::MANIFEST_SCHEMA,
        generator: concat!("stacksmith ", env!("CARGO_PKG_VERSION")),
        stack: &g.stack,
        region: &g.region,
        apply_after_stacks: &g.after,
        apply_order: &apply_order,
        kubernetes_objects,
        files: stacksmith_core::parallel::map(&files, |f| ManifestFile {
            path: &f.path,
            sha256: sha256(&f.contents),
            bytes: f.contents.len(),
        }),
        resources: g
            .resources
            .iter()
            .chain(&g.data)
            .map(ResourceFacts::of)
            .collect(),
        renamed: &renamed
            .iter()
            .filter(|r| !r.names.is_empty())
            .cloned()
            .collect::<Vec<_>>(),
    };
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|source| SynthError::Json {
        what: format!("{}/manifest.json", g.stack),
        source,
    })?;
    text.push('\n');
    files.push(File {
        path: "manifest.json".into(),
        contents: text,
    });
    Ok(StackOutput {
        stack: g.stack.clone(),
        files,
        resources: g.resources.len() + g.data.len(),
        objects: g.objects.len(),
        apply_order,
        after: g.after.clone(),
        renamed: renamed.to_vec(),
    })
}

/// Every apply step a stack can have, in the order they are applied; a stack's apply order
/// keeps the steps whose folder it writes. The single source of the order, for `manifest.json`,
/// synth's summary and the CLI's help.
pub(crate) fn apply_steps(g: &Graph) -> [ApplyStep; 3] {
    [
        ApplyStep::terraform(),
        cluster_root::apply_step(g),
        ApplyStep::kubernetes(),
    ]
}

fn sha256(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}
