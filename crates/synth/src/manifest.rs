//! What `manifest.json` lists: the stack's files ([`File`]) and its apply order (one
//! [`ApplyStep`] per root).

use serde::Serialize;

/// The file of every stack folder that lists the others, with their digests, and the facts of
/// its resources.
pub(crate) const MANIFEST: &str = "manifest.json";

/// One output file, relative to the stack's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// `terraform/main.tf.json`.
    pub path: String,
    /// Its bytes: text (Terraform JSON, YAML, the diagram) or a file a construct ships (a
    /// Lambda function's zip).
    pub contents: Vec<u8>,
}

impl File {
    /// A text file.
    pub(crate) fn text(path: impl Into<String>, contents: String) -> Self {
        Self {
            path: path.into(),
            contents: contents.into_bytes(),
        }
    }

    /// Its contents as text; `None` for a binary file (a shipped zip).
    pub fn as_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.contents).ok()
    }
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

impl ApplyStep {
    /// The infrastructure root, `terraform/`: applied first.
    pub(crate) fn terraform() -> Self {
        Self {
            root: "terraform".into(),
            what: "cloud infrastructure (Terraform)".into(),
            command: "terraform -chdir=terraform init && terraform -chdir=terraform apply".into(),
        }
    }

    /// The Kubernetes objects, `kubernetes/`: applied last.
    pub(crate) fn kubernetes() -> Self {
        Self {
            root: "kubernetes".into(),
            what: "workloads (Kubernetes objects, Namespaces first)".into(),
            command: "kubectl apply -k kubernetes".into(),
        }
    }
}
