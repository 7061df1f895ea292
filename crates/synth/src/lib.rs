//! The synthesizer: lowers an app, renders Terraform JSON and Kubernetes YAML with a manifest,
//! writes each stack's folder atomically, and provides the CLI an app's `main` hands over to.

#[cfg(feature = "cli")]
mod cli;
mod cluster_root;
pub mod diagram;
pub mod diff;
mod error;
mod kubernetes;
mod manifest;
mod moves;
mod pipeline;
mod pretty;
mod previous;
mod render;
mod terraform_json;
mod write;
mod yaml;

#[cfg(feature = "cli")]
pub use cli::run;
pub use diff::{AppDiff, Move, StackDiff, diff};
pub use error::{Occupant, SynthError};
pub use manifest::{ApplyStep, File};
pub use pipeline::synth;
pub use render::{StackOutput, render};
pub use write::{Report, StackReport, write_outputs};
pub use yaml::{body_to_yaml, to_yaml};
