//! Synthesizes the service's Kubernetes deployment while the crate builds, so the manifests
//! always carry the version being built: the image is `example/api:$CARGO_PKG_VERSION`.
//!
//! Output: `$OUT_DIR/deploy/<stack>/` (Cargo's rule: a build script writes only into OUT_DIR).
//! Set `STACKSMITH_DEPLOY_DIR=deploy` to also write a copy you commit, relative to this crate.
//! Warnings become `cargo::warning` lines; errors fail the build, printed as rustc prints its
//! own. No network, no clock: the same source gives the same bytes.

#[path = "deploy.rs"]
mod deploy;
#[path = "src/service.rs"]
mod service;

use std::env;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use stacksmith::SynthError;
use stacksmith::core::{Diagnostic, Severity};

/// The opt-in copy: a folder, relative to this crate's directory (or absolute).
const COPY_VAR: &str = "STACKSMITH_DEPLOY_DIR";

fn main() -> ExitCode {
    // Everything this script reads. Without these lines Cargo would rerun it on any file change.
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=deploy.rs");
    println!("cargo::rerun-if-changed=src/service.rs");
    println!("cargo::rerun-if-env-changed={COPY_VAR}");

    // Set by Cargo for every build script; a version bump recompiles and reruns this script.
    let app = deploy::app(env!("CARGO_PKG_VERSION"));

    let Some(out_dir) = env::var_os("OUT_DIR") else {
        println!("cargo::error=OUT_DIR is not set; run this build script through Cargo");
        return ExitCode::FAILURE;
    };
    let report = match stacksmith::synth(&app, &Path::new(&out_dir).join("deploy")) {
        Ok(report) => report,
        Err(e) => return fail(&e),
    };
    for d in report.diagnostics.iter() {
        println!("cargo::warning={}", one_line(d));
    }

    if let Some(copy) = env::var_os(COPY_VAR).filter(|v| !v.is_empty()) {
        // Relative to this crate's directory; `join` keeps an absolute path as it is.
        let crate_dir = env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        if let Err(e) = stacksmith::synth(&app, &crate_dir.unwrap_or_default().join(copy)) {
            return fail(&e);
        }
    }
    ExitCode::SUCCESS
}

/// Fails the build: the full compiler-style diagnostics on stderr (Cargo shows them under
/// `--- stderr`), and one `cargo::error` / `cargo::warning` line per diagnostic.
fn fail(e: &SynthError) -> ExitCode {
    match e {
        SynthError::Diagnostics(diagnostics) => {
            eprintln!("{diagnostics}");
            for d in diagnostics.iter() {
                let level = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                println!("cargo::{level}={}", one_line(d));
            }
        }
        other => println!("cargo::error=stacksmith: {other}"),
    }
    ExitCode::FAILURE
}

/// `[SS0303] api/api: message (help: hint)`: Cargo reads one directive per line.
fn one_line(d: &Diagnostic) -> String {
    let mut line = format!("[{}] {}: {}", d.code, d.path, d.message);
    if !d.hint.is_empty() {
        line.push_str(" (help: ");
        line.push_str(&d.hint);
        line.push(')');
    }
    line.replace(['\n', '\r'], " ")
}
