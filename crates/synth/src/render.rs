//! Rendering one lowered stack into its files, in memory: `terraform/main.tf.json`,
//! `terraform/moved.tf.json` after a recognised rename, `kubernetes/...`, and `manifest.json` with content hashes and the apply order.

use serde::Serialize;
use sha2::{Digest, Sha256};
use stacksmith_core::Graph;

use crate::diff::Move;
use crate::{SynthError, cluster_root, kubernetes, terraform_json};

/// One output file, relative to the stack's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// `terraform/main.tf.json`.
    pub path: String,
    /// Its bytes.
    pub contents: String,
}

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
}

/// One step of applying the output.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ApplyStep {
    /// The folder, relative to the stack's.
    pub root: String,
    /// What it holds.
    pub what: String,
    /// The command, run from the stack's folder.
    pub command: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'a str,
    stack: &'a str,
    region: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    apply_after_stacks: &'a [String],
    apply_order: &'a [ApplyStep],
    kubernetes_objects: Vec<String>,
    files: Vec<ManifestFile<'a>>,
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    path: &'a str,
    sha256: String,
    bytes: usize,
}

/// Renders a lowered, error-free graph.
pub fn render(g: &Graph) -> Result<StackOutput, SynthError> {
    render_moved(g, &[])
}

/// Renders a graph with `moved` blocks (renames recognised against the previous output) in
/// `terraform/moved.tf.json`.
pub(crate) fn render_moved(g: &Graph, moves: &[Move]) -> Result<StackOutput, SynthError> {
    let mut files = Vec::new();
    let mut apply_order = Vec::new();
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
        apply_order.push(ApplyStep {
            root: "terraform".into(),
            what: "cloud infrastructure (Terraform)".into(),
            command: "terraform -chdir=terraform init && terraform -chdir=terraform apply".into(),
        });
    }
    if let Some(contents) = cluster_root::render(g)? {
        files.push(File {
            path: "cluster/main.tf.json".into(),
            contents,
        });
        apply_order.push(cluster_root::apply_step(g));
    }
    let (kube, kubernetes_objects) = kubernetes::render(g);
    if !kube.is_empty() {
        apply_order.push(ApplyStep {
            root: "kubernetes".into(),
            what: "workloads (Kubernetes objects, Namespaces first)".into(),
            command: "kubectl apply -k kubernetes".into(),
        });
    }
    files.extend(kube.into_iter().map(|(path, contents)| File {
        path: format!("kubernetes/{path}"),
        contents,
    }));

    files.extend(crate::diagram::files(g));

    let manifest = Manifest {
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
    })
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
