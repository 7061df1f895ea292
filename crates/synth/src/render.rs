//! Rendering one lowered stack into its files, in memory: `terraform/main.tf.json`,
//! `terraform/moved.tf.json` after a recognised rename, `kubernetes/...`, and `manifest.json` with content hashes, the apply order, the facts of every
//! resource and the cloud names renamed constructs keep (see [`crate::moves`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use sha2::{Digest, Sha256};
use stacksmith_core::{Graph, Prerequisite};

use crate::manifest::{ApplyStep, File};
use crate::moves::{Move, Renamed, ResourceFacts};
use crate::{SynthError, cluster_root, kubernetes, terraform_json};

/// The `cluster/` root's file in a stack folder.
pub(crate) const CLUSTER_ROOT: &str = "cluster/main.tf.json";

/// The most YAML rendered ahead of taking the objects, while the diagram is drawn: it is held
/// beside every body. K8s one stack at N=10,000 (80 MB of YAML): 4 MiB ahead takes 12 % off
/// the time and leaves the peak as it was; 8 MiB raises the peak by 7 MiB for no more speed.
const AHEAD: usize = 4 << 20;

/// Kubernetes objects from which the diagram is drawn on another core while the first objects'
/// YAML is rendered: a thread for each smaller stack costs more than it saves (1,000 stacks of
/// 6 objects synthesized 25 % slower).
const AHEAD_FROM: usize = 512;

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
    /// What the stack uses but does not create, with the command that checks each.
    pub prerequisites: Vec<Prerequisite>,
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
    /// What must exist before the first step, outside the stack, each with its check.
    #[serde(skip_serializing_if = "<[Prerequisite]>::is_empty")]
    prerequisites: &'a [Prerequisite],
    apply_order: &'a [ApplyStep],
    /// The Kubernetes minor version the cluster runs and the YAML is checked against.
    #[serde(skip_serializing_if = "Option::is_none")]
    kubernetes_version: Option<&'a str>,
    /// What the objects of a stack without a cluster of its own need the target cluster to have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cluster_must_have: Vec<String>,
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
    let mut parts = Parts::new(&g.stack, &drop);
    let first = First::of(g, moves)?;
    let drawn = first.draw(g);
    let (early, files) = first.join(drawn)?;
    parts.push(files)?;
    let (files, names) = kubernetes::render(g);
    parts.push(files)?;
    finish(g, renamed, early, names, parts).map(Rendered::into_output)
}

/// [`render_moved`], taking the Kubernetes objects out of `g` as they are rendered (each body
/// is dropped once its YAML is written): the same files, with a stack's object bodies and its
/// YAML never all in memory at once. Each part of the files is handed to `stage` as soon as it
/// is rendered (to be written on another core meanwhile), and so are the Terraform resources
/// once rendered (to be freed there): `g` keeps everything else.
pub(crate) fn render_taking(
    g: &mut Graph,
    moves: &[Move],
    renamed: &[Renamed],
    stage: &Stage<'_>,
) -> Result<Rendered, SynthError> {
    let mut parts = Parts::new(&g.stack, stage);
    let first = First::of(g, moves)?;
    // The Kubernetes files come after the first ones, which are done once the diagram is.
    parts.leave_first(first.count());
    let mut failed = Ok(());
    let mut push = |files| {
        if failed.is_ok() {
            failed = parts.push(files);
        }
    };
    let mut kubernetes = kubernetes::Rendering::new(g);
    let drawn = if kubernetes.len() < AHEAD_FROM {
        first.draw(g)
    } else {
        // The diagram is drawn from every object's body before the bodies are taken: on
        // another core, while this one renders the first objects' YAML (their files written
        // meanwhile).
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            let drawing = s.spawn(|| {
                let drawn = first.draw(g);
                done.store(true, Ordering::Relaxed);
                drawn
            });
            kubernetes.ahead(g, &done, AHEAD, &mut push);
            match drawing.join() {
                Ok(drawn) => drawn,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    };
    let (early, files) = first.join(drawn)?;
    let rendered = (
        std::mem::take(&mut g.resources),
        std::mem::take(&mut g.data),
    );
    stage(Handed::Free(Box::new(rendered)));
    let names = kubernetes.taking(g, &mut push);
    failed?;
    parts.put_first(files)?;
    finish(g, renamed, early, names, parts)
}

/// What rendering hands on as it goes.
pub(crate) enum Handed {
    /// A part of a stack's files: the stack's name, the place of the part's first file among
    /// the stack's files, and the files.
    Part(String, usize, Arc<Vec<File>>),
    /// What rendering no longer needs (a stack's rendered Terraform resources): freed on
    /// whichever core is free.
    Free(Box<dyn Send>),
}

/// What receives what rendering hands on, as soon as it is rendered.
pub(crate) type Stage<'a> = dyn Fn(Handed) + Sync + 'a;

/// The manifest's facts of every resource and data source (read before they are freed).
fn facts(g: &Graph) -> Vec<ResourceFacts> {
    g.resources
        .iter()
        .chain(&g.data)
        .map(ResourceFacts::of)
        .collect()
}

/// A stack's files, rendered in parts, each handed to a [`Stage`] once complete and kept for
/// the manifest and the output.
struct Parts<'a> {
    stack: String,
    parts: Vec<Arc<Vec<File>>>,
    /// The place among the stack's files of the next part's first file: the files in
    /// `parts`, and the places left for the first files ([`Parts::leave_first`]).
    files: usize,
    stage: &'a Stage<'a>,
}

impl<'a> Parts<'a> {
    fn new(stack: &str, stage: &'a Stage<'a>) -> Self {
        Self {
            stack: stack.to_owned(),
            parts: Vec::new(),
            files: 0,
            stage,
        }
    }

    /// Adds the next part: every path checked to stay inside the stack's folder first.
    fn push(&mut self, files: Vec<File>) -> Result<(), SynthError> {
        let at = self.files;
        if let Some(part) = self.checked(files, at)? {
            self.files += part.len();
            self.parts.push(part);
        }
        Ok(())
    }

    /// `files`, every path checked to stay inside the stack's folder, handed to the stage as
    /// the part at `at`; `None` if there are none.
    fn checked(&self, files: Vec<File>, at: usize) -> Result<Option<Arc<Vec<File>>>, SynthError> {
        if files.is_empty() {
            return Ok(None);
        }
        let stack_ok = inside(&self.stack).is_ok();
        for f in &files {
            if !stack_ok || inside(&f.path).is_err() {
                // The error names the path as it would be written.
                inside(&format!("{}/{}", self.stack, f.path))?;
            }
        }
        let part = Arc::new(files);
        (self.stage)(Handed::Part(self.stack.clone(), at, Arc::clone(&part)));
        Ok(Some(part))
    }

    /// Leaves the places of the stack's first `count` files, [`Parts::put_first`] later.
    fn leave_first(&mut self, count: usize) {
        self.files = count;
    }

    /// Puts the stack's first files in the places [`Parts::leave_first`] left for them.
    fn put_first(&mut self, files: Vec<File>) -> Result<(), SynthError> {
        if let Some(part) = self.checked(files, 0)? {
            self.parts.insert(0, part);
        }
        Ok(())
    }

    fn files(&self) -> impl Iterator<Item = &File> {
        self.parts.iter().flat_map(|p| p.iter())
    }
}

/// A rendered stack whose files may still be shared with the [`Stage`] writing them.
pub(crate) struct Rendered {
    output: StackOutput,
    parts: Vec<Arc<Vec<File>>>,
}

impl Rendered {
    /// The stack's output, every file in order; once the stage has let go of the parts, with
    /// no copy.
    pub(crate) fn into_output(self) -> StackOutput {
        let Rendered { mut output, parts } = self;
        output.files = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
        for part in parts {
            match Arc::try_unwrap(part) {
                Ok(files) => output.files.extend(files),
                Err(shared) => output.files.extend(shared.iter().cloned()),
            }
        }
        output
    }
}

#[cfg(test)]
impl Rendered {
    /// `output` as if rendered one file at a time, each handed to `stage`.
    pub(crate) fn in_parts(mut output: StackOutput, stage: &Stage<'_>) -> Rendered {
        let parts = std::mem::take(&mut output.files)
            .into_iter()
            .enumerate()
            .map(|(at, f)| {
                let part = Arc::new(vec![f]);
                stage(Handed::Part(output.stack.clone(), at, Arc::clone(&part)));
                part
            })
            .collect();
        Rendered { output, parts }
    }
}

/// What is rendered from a graph while it still holds its Terraform resources and its
/// Kubernetes objects' bodies.
struct Early {
    /// The diagram, written after the Kubernetes files.
    diagram: crate::diagram::Drawn,
    /// The manifest's facts of every resource and data source.
    facts: Vec<ResourceFacts>,
    apply_order: Vec<ApplyStep>,
    kubernetes_step: ApplyStep,
}

/// A stack's first files, but `terraform/main.tf.json` (drawn with the diagram): what the
/// Terraform root ships beside it (`moved.tf.json`, the constructs' assets) and the `cluster/`
/// root; with the apply steps they make.
struct First {
    /// Whether the stack has a Terraform root (`terraform/main.tf.json`, the first file).
    root: bool,
    /// The files after `terraform/main.tf.json`.
    files: Vec<File>,
    apply_order: Vec<ApplyStep>,
    kubernetes_step: ApplyStep,
}

impl First {
    fn of(g: &Graph, moves: &[Move]) -> Result<First, SynthError> {
        // Resources or data sources: a Terraform root.
        let root = !(g.resources.is_empty() && g.data.is_empty());
        let mut files = Vec::new();
        let mut apply_order = Vec::new();
        let [terraform_step, cluster_step, kubernetes_step] = apply_steps(g);
        if root {
            if !moves.is_empty() {
                files.push(File::text(
                    "terraform/moved.tf.json",
                    terraform_json::moved(&g.stack, moves)?,
                ));
            }
            // The files constructs ship (a Lambda function's code), beside the root's JSON.
            files.extend(g.assets.iter().map(|(path, bytes)| File {
                path: format!("terraform/{path}"),
                contents: bytes.clone(),
            }));
            apply_order.push(terraform_step);
        }
        if let Some(contents) = cluster_root::render(g)? {
            files.push(File {
                path: CLUSTER_ROOT.into(),
                contents,
            });
            apply_order.push(cluster_step);
        }
        Ok(First {
            root,
            files,
            apply_order,
            kubernetes_step,
        })
    }

    /// The diagram, the facts and, with a Terraform root, `terraform/main.tf.json`, from the
    /// whole graph (before its objects are taken).
    fn draw(&self, g: &Graph) -> Drawing {
        let draw = || (crate::diagram::draw(g), facts(g));
        let (main, (diagram, facts)) = if self.root {
            let (main, drawn) = terraform_json::render_beside(g, draw);
            (Some(main), drawn)
        } else {
            (None, draw())
        };
        Drawing {
            main,
            diagram,
            facts,
        }
    }

    /// How many files come before the Kubernetes ones.
    fn count(&self) -> usize {
        usize::from(self.root) + self.files.len()
    }

    /// What is rendered early, and the first files in order: as many as [`First::count`], since
    /// [`First::draw`] renders `terraform/main.tf.json` exactly when `root` is set.
    fn join(self, drawn: Drawing) -> Result<(Early, Vec<File>), SynthError> {
        let Drawing {
            main,
            diagram,
            facts,
        } = drawn;
        let mut files = Vec::with_capacity(self.count());
        if let Some(main) = main {
            files.push(File {
                path: "terraform/main.tf.json".into(),
                contents: main?,
            });
        }
        files.extend(self.files);
        let early = Early {
            diagram,
            facts,
            apply_order: self.apply_order,
            kubernetes_step: self.kubernetes_step,
        };
        Ok((early, files))
    }
}

/// The diagram and the facts of the resources, and `terraform/main.tf.json` (rendered beside
/// them on every core) when the stack has a Terraform root.
struct Drawing {
    main: Option<Result<Vec<u8>, SynthError>>,
    diagram: crate::diagram::Drawn,
    facts: Vec<ResourceFacts>,
}

/// The diagram after the Kubernetes files, then `manifest.json`.
fn finish(
    g: &Graph,
    renamed: &[Renamed],
    early: Early,
    kubernetes_objects: Vec<String>,
    mut parts: Parts<'_>,
) -> Result<Rendered, SynthError> {
    let Early {
        diagram,
        facts,
        mut apply_order,
        kubernetes_step,
    } = early;
    let resources_count = facts.len();
    let objects = kubernetes_objects.len();
    if objects > 0 {
        apply_order.push(kubernetes_step);
    }
    parts.push(diagram.files())?;
    drop(diagram);

    let files: Vec<&File> = parts.files().collect();
    let manifest = Manifest {
        schema: crate::moves::MANIFEST_SCHEMA,
        generator: concat!("stacksmith ", env!("CARGO_PKG_VERSION")),
        stack: &g.stack,
        region: &g.region,
        apply_after_stacks: &g.after,
        prerequisites: &g.prerequisites,
        apply_order: &apply_order,
        kubernetes_version: g
            .kubernetes_version
            .as_deref()
            .or((objects > 0).then_some(stacksmith_core::KUBERNETES_API_VERSION)),
        cluster_must_have: {
            let mut needs: Vec<String> = g
                .unmet_requirements()
                .map(|r| r.capability.to_string())
                .collect();
            needs.sort();
            needs.dedup();
            needs
        },
        kubernetes_objects,
        files: stacksmith_core::parallel::map(&files, |f| ManifestFile {
            path: &f.path,
            sha256: sha256(&f.contents),
            bytes: f.contents.len(),
        }),
        resources: facts,
        renamed: &renamed
            .iter()
            .filter(|r| !r.names.is_empty())
            .cloned()
            .collect::<Vec<_>>(),
    };
    // Sized from the lists it holds (roughly their pretty-printed length), so that a large
    // manifest is not grown and copied a dozen times.
    let estimate = 1024
        + 160 * manifest.files.len()
        + 64 * manifest.kubernetes_objects.len()
        + 256 * manifest.resources.len();
    let mut bytes = Vec::with_capacity(estimate);
    let json_err = |source| SynthError::Json {
        what: format!("{}/{}", g.stack, crate::manifest::MANIFEST),
        source,
    };
    serde_json::to_writer_pretty(&mut bytes, &manifest).map_err(json_err)?;
    bytes.push(b'\n');
    drop(manifest);
    drop(files);
    parts.push(vec![File {
        path: crate::manifest::MANIFEST.into(),
        contents: bytes,
    }])?;
    Ok(Rendered {
        output: StackOutput {
            stack: g.stack.clone(),
            files: Vec::new(),
            resources: resources_count,
            objects,
            apply_order,
            after: g.after.clone(),
            prerequisites: g.prerequisites.clone(),
            renamed: renamed.to_vec(),
        },
        parts: parts.parts,
    })
}

/// Every apply step a stack can have, in the order they are applied; a stack's apply order
/// keeps the steps whose folder it writes. The single source of the order, for `manifest.json`,
/// synth's summary and the CLI's help.
pub(crate) fn apply_steps(g: &Graph) -> [ApplyStep; 3] {
    let mut kubernetes = ApplyStep::kubernetes();
    if let Some(k) = cluster_root::kubeconfig(g) {
        kubernetes.command = format!("{k} && {}", kubernetes.command);
    }
    [
        ApplyStep::terraform(),
        cluster_root::apply_step(g),
        kubernetes,
    ]
}

fn sha256(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// Checks that `path` (`<stack>/<file>`, relative to the output folder) stays inside it: every
/// `/`-separated part is a plain name, not empty, `.` or `..`, and holds no `\\` or NUL (which
/// another platform would read as a separator or an end).
pub(crate) fn inside(path: &str) -> Result<(), SynthError> {
    let problem = if path.starts_with('/') {
        Some("absolute")
    } else if path.split('/').any(|part| part.is_empty()) {
        Some("empty component")
    } else if path.split('/').any(|part| part == "." || part == "..") {
        Some("`.` or `..` component")
    } else if path.contains(['\\', '\0']) {
        Some("`\\` or NUL in a name")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(SynthError::PathOutside {
            path: path.to_owned(),
            problem,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::inside;
    use crate::SynthError;

    #[test]
    fn written_paths_stay_inside_the_output_folder() {
        assert!(inside("prod/kubernetes/apps/configmap-api.yaml").is_ok());
        assert!(inside("prod/kubernetes/clusterrole-system:view.yaml").is_ok());
        for bad in [
            "/etc/passwd",
            "prod//x.yaml",
            "prod/kubernetes/../../x.yaml",
            "../x",
            "prod/./x",
            "prod/a\\..\\x",
            "",
        ] {
            assert!(
                matches!(inside(bad), Err(SynthError::PathOutside { .. })),
                "{bad:?} passed"
            );
        }
    }
}
