//! The synthesizer: lowers an app, renders Terraform JSON and Kubernetes YAML with a manifest,
//! writes each stack's folder atomically, and provides the CLI an app's `main` hands over to.

mod cli;
mod cluster_root;
pub mod diagram;
pub mod diff;
mod error;
mod kubernetes;
mod render;
mod terraform_json;
mod write;
mod yaml;

pub use cli::run;
pub use diff::{AppDiff, Move, StackDiff, diff};
pub use error::SynthError;
pub use render::{File, StackOutput, render};
pub use write::{Report, StackReport, synth, write_outputs};
pub use yaml::to_yaml;
