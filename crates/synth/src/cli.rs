//! The command line an app's `main` hands over to: `synth` (default), `validate`, `list`.
//! Exit codes: 0 ok, 1 diagnostics (or I/O failure), 2 usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stacksmith_core::App;

use crate::{SynthError, synth, write::render_app};

/// Synthesize this app's infrastructure: Terraform JSON and Kubernetes YAML.
#[derive(Parser, Debug)]
#[command(
    about,
    long_about = "Synthesize this app's infrastructure.\n\nEach stack is written to <out>/<stack>/: terraform/main.tf.json (run `terraform init && terraform apply` there first), kubernetes/*.yaml (then `kubectl apply -k kubernetes`), and manifest.json (files, hashes, apply order). On any error nothing is written and the previous output stays intact."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write every stack's output (the default command).
    Synth {
        /// Where stack folders are written.
        #[arg(long, default_value = "out")]
        out: PathBuf,
    },
    /// Run every check and report, writing nothing.
    Validate,
    /// List each construct with the Terraform resources and Kubernetes objects it creates.
    List,
}

/// Parses the process arguments and runs the command on `app`.
pub fn run(app: &App) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command.unwrap_or(Command::Synth {
        out: PathBuf::from("out"),
    }) {
        Command::Synth { out } => match synth(app, &out) {
            Ok(report) => {
                if !report.diagnostics.is_empty() {
                    eprintln!("{}\n", report.diagnostics);
                }
                for s in &report.stacks {
                    println!(
                        "synthesized stack `{}` into {}: {} Terraform resources and data sources, {} Kubernetes objects, {} files",
                        s.stack,
                        s.dir.display(),
                        s.resources,
                        s.objects,
                        s.files
                    );
                    if !s.after.is_empty() {
                        println!("  apply after stack(s): {}", s.after.join(", "));
                    }
                    println!("  apply order (from {}):", s.dir.display());
                    for (i, step) in s.apply_order.iter().enumerate() {
                        println!("    {}. {:<70} # {}", i + 1, step.command, step.what);
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::Validate => match render_app(app) {
            Ok((outputs, diagnostics)) => {
                if !diagnostics.is_empty() {
                    eprintln!("{diagnostics}\n");
                }
                let (r, o): (usize, usize) = outputs
                    .iter()
                    .fold((0, 0), |(r, o), s| (r + s.resources, o + s.objects));
                println!(
                    "ok: {} stack(s), {r} Terraform resources, {o} Kubernetes objects; nothing written",
                    outputs.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::List => {
            for g in app.lower() {
                let mut paths: Vec<&stacksmith_core::Path> = g
                    .resources
                    .iter()
                    .map(|r| &r.owner)
                    .chain(g.objects.iter().map(|o| &o.owner))
                    .collect();
                paths.sort();
                paths.dedup();
                for p in paths {
                    println!("{p}");
                    for r in g.resources.iter().filter(|r| &r.owner == p) {
                        println!("    {}", r.address.expression());
                    }
                    for o in g.objects.iter().filter(|o| &o.owner == p) {
                        let ns = o
                            .namespace
                            .as_deref()
                            .map(|n| format!("{n}/"))
                            .unwrap_or_default();
                        println!("    {} {ns}{}", o.kind, o.name);
                    }
                }
                if g.diagnostics.has_errors() {
                    eprintln!("{}", g.diagnostics);
                    return ExitCode::from(1);
                }
            }
            ExitCode::SUCCESS
        }
    }
}

fn fail(e: &SynthError) -> ExitCode {
    match e {
        SynthError::Diagnostics(d) => {
            eprintln!("{d}\nnothing was written; the previous output is unchanged")
        }
        other => eprintln!("error: {other}\nthe previous output is unchanged"),
    }
    ExitCode::from(1)
}
