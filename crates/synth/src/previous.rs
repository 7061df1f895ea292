//! Reading a stack's previous output back from the live generation (`<out>/<stack>/`): the Terraform root (with its
//! `moved` blocks) for rename planning and `diff`, and the Kubernetes files `manifest.json`
//! lists.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value as Json;

use crate::SynthError;
use crate::moves::{PreviousTerraform, RecordedManifest};
use crate::render::CLUSTER_ROOT;
use crate::write::live_stack_dir;

/// A stack's previous output read back from disk.
#[derive(Clone, Debug, Default)]
pub(crate) struct Previous {
    /// `terraform/main.tf.json`, if there was one.
    pub terraform: Option<PreviousTerraform>,
    /// `kubernetes/...` files (and `cluster/main.tf.json`) listed in `manifest.json`: path →
    /// contents.
    pub kubernetes: BTreeMap<String, String>,
}

/// How much of a previous output to read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// The Terraform root's addresses and `moved` blocks without its bodies
    /// ([`PreviousTerraform::outline`]), and the manifest's facts: what rename planning needs
    /// while no previous resource is gone (`synth` reads this first, then [`Reading::Terraform`]
    /// if one is; it compares file bytes only while writing, one file at a time).
    Outline,
    /// The Terraform root with its bodies, and the manifest's facts: what rename planning
    /// needs once a previous resource is gone.
    Terraform,
    /// Also every Kubernetes file and the `cluster/` root, into memory (`diff`).
    Everything,
}

/// Reads the stack's live output (in the live generation, or a real `<out>/<stack>/` written
/// before generations: [`crate::write::live_stack_dir`]); `None` when there is none.
pub(crate) fn load_previous(
    out: &Path,
    stack: &str,
    reading: Reading,
) -> Result<Option<Previous>, SynthError> {
    match live_stack_dir(out, stack) {
        Some(dir) => read(&dir, reading),
        None => Ok(None),
    }
}

/// Reads a stack's folder; `None` when it does not exist.
pub(crate) fn read(dir: &Path, reading: Reading) -> Result<Option<Previous>, SynthError> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let json_err = |path: &Path| {
        let what = path.display().to_string();
        move |source| SynthError::Json { what, source }
    };
    let tf_path = dir.join("terraform/main.tf.json");
    let mut terraform = if tf_path.is_file() {
        let text = fs::read_to_string(&tf_path).map_err(SynthError::io(&tf_path))?;
        let outline = match reading {
            Reading::Outline => PreviousTerraform::outline(&text),
            Reading::Terraform | Reading::Everything => None,
        };
        let mut tf = match outline {
            Some(tf) => tf,
            None => {
                // The text is dropped once parsed (a large root would otherwise be held twice).
                let doc: Json = serde_json::from_str(&text).map_err(json_err(&tf_path))?;
                drop(text);
                PreviousTerraform::from_json(doc)
            }
        };
        let moved_path = dir.join("terraform/moved.tf.json");
        if moved_path.is_file() {
            let text = fs::read_to_string(&moved_path).map_err(SynthError::io(&moved_path))?;
            let doc: Json = serde_json::from_str(&text).map_err(json_err(&moved_path))?;
            tf.moved.extend(PreviousTerraform::from_json(doc).moved);
        }
        Some(tf)
    } else {
        None
    };
    let mut kubernetes = BTreeMap::new();
    let manifest_path = dir.join(crate::manifest::MANIFEST);
    // The manifest's facts are for the Terraform root and its file list for `diff`: a stack
    // without a root, read for synth, has no use for it (a large one, read and dropped, costs
    // a stack of 60,000 files 13 MB at its start).
    let wanted = terraform.is_some() || reading == Reading::Everything;
    if wanted && manifest_path.is_file() {
        let text = fs::read_to_string(&manifest_path).map_err(SynthError::io(&manifest_path))?;
        let mut recorded = RecordedManifest::parse(&text).map_err(json_err(&manifest_path))?;
        drop(text);
        let files = std::mem::take(&mut recorded.files);
        if let Some(tf) = terraform.as_mut() {
            tf.read_manifest(recorded);
        }
        let listed = match reading {
            Reading::Everything => &files[..],
            Reading::Outline | Reading::Terraform => &[],
        };
        for path in listed.iter().map(|f| f.path.as_str()) {
            if (path.starts_with("kubernetes/") || path == CLUSTER_ROOT) && !path.contains("..") {
                let p = dir.join(path);
                let text = fs::read_to_string(&p).map_err(SynthError::io(&p))?;
                kubernetes.insert(path.to_owned(), text);
            }
        }
    }
    Ok(Some(Previous {
        terraform,
        kubernetes,
    }))
}
