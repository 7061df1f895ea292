//! The stacksmith model shared by every target: apps, stacks, construct ids and paths, typed
//! references, the neutral resource graph constructs lower into, and diagnostics. No I/O.

// Lowering reads user-given numbers and names: no unchecked arithmetic, indexing or panics
// outside tests (issue 13; checked or saturating operations, `get`, and a diagnostic instead).
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod app;
mod body;
mod cidr;
mod code_sources;
pub mod codes;
mod construct;
mod crossing;
mod diagnostic;
pub mod drawing;
mod facts;
mod graph;
pub mod hash;
mod image;
mod kube;
mod kube_refs;
mod naming;
pub mod parallel;
mod path;
pub mod platform;
mod prerequisite;
mod reference;
mod stack;
pub mod terraform;
mod validate;
mod work;

pub use app::App;
pub use body::{Body, BodyIter, BodyMap, Str, to_body};
pub use cidr::{Cidr, CidrError};
pub use codes::{CODES, Code};
pub use construct::{Construct, Lower, Scope};
pub use crossing::{CloudValue, Crossing, StoredSecret};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use drawing::{Edge, EdgeKind, End, Label, Node, NodeKind, Placement, Within};
pub use facts::{Facts, KubernetesCluster, Lookup, SecretValue};
pub use graph::{Graph, Lowering, NameOrigin, cloud_name, tf_name};
pub use image::Image;
pub use kube::{
    IDENTITY_LABEL, KUBERNETES_API_VERSION, KubeExisting, KubeNamed, KubeObject, KubeUse,
    SourceKind,
};
pub use naming::{NameRule, closest, kebab_case, short_hash, snake_case};
pub use path::{Path, validate_id};
pub use platform::{Capability, Offer, Provision, Requirement};
pub use prerequisite::Prerequisite;
pub use reference::{Address, Part, Ref, Template};
pub use stack::{Backend, Stack};
