//! The command line an app's `main` hands over to: `synth` (default), `validate`, `list`,
//! `diff`, `graph`, `completions`. Exit codes: 0 ok, 1 diagnostics (or I/O failure), 2 usage.
//!
//! Adding a command: a variant of [`Command`] (its doc comment is the help line), an example
//! line in [`after_help`], and an arm in [`dispatch`] calling a function that takes the
//! [`Ctx`] (writers, colour, quiet, format). Human text goes to `ctx.out` (results) and
//! `ctx.err` (diagnostics); with `--format json` a command writes one document to `ctx.out`
//! through [`json::Document`] and nothing to `ctx.err`.

mod json;
mod style;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use stacksmith_core::{App, Code, Diagnostics, Graph, Severity};

use crate::pipeline::{render_app, synth};
use crate::{SynthError, render};

/// Synthesize this app's infrastructure: Terraform JSON and Kubernetes YAML.
#[derive(Parser, Debug)]
#[command(
    about = "Synthesize this app's infrastructure: Terraform JSON and Kubernetes YAML.",
    long_about = "Synthesize this app's infrastructure: Terraform JSON and Kubernetes YAML.\n\n\
        Each stack is written to <out>/<stack>/: terraform/main.tf.json (and moved.tf.json after \
        a rename), cluster/main.tf.json when workloads read cloud values, kubernetes/*.yaml with \
        a Kustomization, architecture.mmd and architecture.dot, and manifest.json (every file \
        with its sha256, and the apply order). \
        Every check runs over the whole app first; on any error nothing is written and the \
        previous output stays intact."
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    /// Print what a diagnostic code means (`--explain SS0101`), and nothing else.
    #[arg(long, value_name = "CODE", exclusive = true)]
    explain: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Flags every command accepts, before or after its name.
#[derive(Args, Debug, Clone, Copy)]
struct GlobalArgs {
    /// When to colour diagnostics on stderr.
    ///
    /// `auto` colours only when stderr is a terminal and NO_COLOR is unset or empty; `always`
    /// and `never` override both. Standard output is never coloured.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    /// Print only errors.
    ///
    /// No summary and no warnings. `list` and `completions` still print their result, and a
    /// JSON document is always complete.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Output format: text for people, or JSON for scripts.
    ///
    /// `human`: a summary on stdout, diagnostics on stderr. `json`: one JSON document on stdout
    /// (the summary, and every diagnostic as an object with severity, code, path, message and
    /// hint), nothing on stderr; the exit codes are the same.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Human, global = true)]
    format: Format,
}

/// When to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Only when stderr is a terminal and NO_COLOR is unset or empty.
    Auto,
    /// Always, even into a pipe or with NO_COLOR set.
    Always,
    /// Never.
    Never,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Text for people: summary on stdout, compiler-style diagnostics on stderr.
    Human,
    /// One pretty-printed JSON document on stdout, keys in a fixed order.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write every stack's output (the default command).
    #[command(
        long_about = "Write every stack's output into <out>/<stack>/ (the default \
        command). Each stack folder is staged beside its target and swapped in only once every \
        stack rendered; on any error nothing is written. Prints each stack's counts and its apply \
        order."
    )]
    Synth(SynthArgs),
    /// Run every check and report, writing nothing.
    Validate,
    /// List each construct with the Terraform resources and Kubernetes objects it creates.
    List,
    /// Show what synth would change in the previous output, for review.
    #[command(
        long_about = "Show what synth would change in <out>/<stack>/, for review, writing \
        nothing. Terraform resources are compared attribute by attribute (`~ address`, \
        `attr: old → new`), with renames synth writes as `moved` blocks (`→ moved from`), \
        and so is the cluster/ root; Kubernetes files line by line. A renamed construct keeps \
        its cloud names, so a rename replaces nothing. Flags a reviewer must see come first: \
        destroying or replacing a stateful resource, a Kubernetes field that cannot be updated \
        (a workload's selector, a StatefulSet's volume claim templates), security group / IAM / \
        network policy / RBAC changes, deletion protection off, force_destroy, public access. \
        --markdown prints a \
        pull-request comment instead. Exit status 0 whether or not anything changes (a stateful \
        destroy that synth would refuse is a flag here, error SS0009 in synth); 1 when the app \
        has errors."
    )]
    Diff(DiffArgs),
    /// Print each stack's architecture diagram (Mermaid or Graphviz DOT) to stdout.
    #[command(
        long_about = "Print each stack's architecture, derived from what it synthesizes: zones \
        and subnets, clusters and node groups, load balancers, ingress, services and workloads, \
        data stores, and the connections between them with their ports. The same diagrams are \
        written by synth as <out>/<stack>/architecture.mmd and architecture.dot. Mermaid renders \
        on GitHub; DOT with `dot -Tpng`."
    )]
    Graph(GraphArgs),
    /// Print a shell completion script for this program to stdout.
    #[command(
        long_about = "Print a shell completion script for this program to stdout. \
        bash: `APP completions bash > ~/.local/share/bash-completion/completions/APP`; zsh: \
        `APP completions zsh > ~/.zfunc/_APP` (with ~/.zfunc in $fpath); fish: `APP completions \
        fish > ~/.config/fish/completions/APP.fish`; PowerShell: `APP completions powershell | \
        Out-String | Invoke-Expression` in your profile."
    )]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// `synth`'s flags.
#[derive(Args, Debug, Clone)]
struct SynthArgs {
    /// Where stack folders are written: <out>/<stack>/.
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
}

/// `diff`'s flags.
#[derive(Args, Debug, Clone)]
struct DiffArgs {
    /// The previous output to compare with: <out>/<stack>/.
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// Markdown for a pull-request comment: flags, a summary table, collapsible details.
    #[arg(long)]
    markdown: bool,
    /// Compare each stack's folder under --out with another stack's folder of this app instead.
    ///
    /// Both synthesized, e.g. `--against out/prod` compares out/staging with out/prod: real
    /// differences (sizes, counts, protections, NAT gateways) first, then one line per
    /// construct for the differences that only come from the stack name.
    #[arg(long, value_name = "OTHER_STACK_DIR", conflicts_with = "markdown")]
    against: Option<PathBuf>,
}

/// `graph`'s flags.
#[derive(Args, Debug, Clone)]
struct GraphArgs {
    /// The diagram language.
    #[arg(long = "as", value_enum, value_name = "LANGUAGE", default_value_t = DiagramFormat::Mermaid)]
    language: DiagramFormat,
    /// Only this stack (default: every stack, one after another).
    #[arg(long, value_name = "NAME")]
    stack: Option<String>,
}

/// A diagram language.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum DiagramFormat {
    /// Mermaid flowchart (renders on GitHub and in most Markdown viewers).
    Mermaid,
    /// Graphviz DOT (`dot -Tpng`).
    Dot,
}

/// Where the CLI writes, and what `--color auto` means here.
pub struct Console<'a> {
    /// Results: the synth summary, listings, completion scripts, JSON documents (stdout).
    pub out: &'a mut dyn Write,
    /// Diagnostics and errors (stderr).
    pub err: &'a mut dyn Write,
    /// Whether `--color auto` colours `err`: see [`auto_color`].
    pub auto_color: bool,
}

/// Whether `--color auto` colours: only into a terminal, and not when `NO_COLOR` is set to a
/// non-empty value (<https://no-color.org>).
pub fn auto_color(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Parses the process arguments and runs the command on `app`, writing to stdout and stderr.
pub fn run(app: &App) -> ExitCode {
    let auto = auto_color(
        io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let (mut out, mut err) = (io::stdout().lock(), io::stderr().lock());
    run_with(
        app,
        std::env::args_os(),
        &mut Console {
            out: &mut out,
            err: &mut err,
            auto_color: auto,
        },
    )
}

/// Runs the command line `args` (the first is the program's name) on `app`, writing to
/// `console`. The exit code is 0 on success, 1 when the app has errors or writing failed, and
/// 2 for a usage error.
pub fn run_with<I, T>(app: &App, args: I, console: &mut Console<'_>) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let bin = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map_or_else(|| "app".to_owned(), |n| n.to_string_lossy().into_owned());
    let cli = match definition(&bin)
        .try_get_matches_from_mut(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let text = e.render().to_string();
            let stream = if e.use_stderr() {
                &mut console.err
            } else {
                &mut console.out
            };
            // A closed pipe while printing help changes nothing about the outcome.
            let _ = stream.write_all(text.as_bytes());
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    let g = cli.global;
    let color = match g.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => console.auto_color,
    };
    let mut ctx = Ctx {
        out: &mut *console.out,
        err: &mut *console.err,
        color,
        quiet: g.quiet,
        json: g.format == Format::Json,
    };
    if let Some(code) = &cli.explain {
        return explain(code, cli.command.is_some(), &mut ctx).unwrap_or(ExitCode::from(1));
    }
    let command = cli.command.unwrap_or(Command::Synth(SynthArgs {
        out: PathBuf::from("out"),
    }));
    // Failing to write the report itself (a closed pipe) is an I/O failure: exit 1.
    dispatch(app, command, &bin, &mut ctx).unwrap_or(ExitCode::from(1))
}

/// The command line's definition, with `bin` as the program's name in usage and examples.
fn definition(bin: &str) -> clap::Command {
    Cli::command().bin_name(bin).after_help(after_help(bin))
}

/// The examples and the apply order shown under `--help`; the steps are the ones synth writes
/// into `manifest.json` ([`render::apply_steps`]).
fn after_help(bin: &str) -> String {
    let mut steps = String::new();
    for (i, step) in render::apply_steps(&Graph::new("<stack>", "<region>"))
        .iter()
        .enumerate()
    {
        // Writing into a String cannot fail.
        let _ = writeln!(steps, "  {}. {:<70} # {}", i + 1, step.command, step.what);
    }
    format!(
        "Examples:
  # Synthesize every stack into out/<stack>/ (the default command):
  {bin}
  # Write into deploy/<stack>/ instead:
  {bin} synth --out deploy
  # Run every check and write nothing; with --quiet, print only errors (exit code 1 if any):
  {bin} validate
  {bin} --quiet validate
  # What a diagnostic code means:
  {bin} --explain SS0101
  # Each construct with the Terraform resources and Kubernetes objects it creates:
  {bin} list
  # The summary and every diagnostic as one JSON document on stdout, for scripts and CI:
  {bin} --format json synth | jq '.stacks[].apply_order'
  # What synth would change in out/, flags first; as a pull-request comment:
  {bin} diff
  {bin} diff --markdown > diff.md
  # How staging differs from prod (both synthesized): real differences first:
  {bin} diff --against out/prod
  # The architecture as Mermaid (default) or Graphviz DOT, for one stack or all:
  {bin} graph --stack prod
  {bin} graph --as dot | dot -Tpng -o architecture.png
  # Shell completions (bash, zsh, fish, elvish, powershell):
  {bin} completions bash > ~/.local/share/bash-completion/completions/{bin}

Apply order (printed by synth and kept in <out>/<stack>/manifest.json), from <out>/<stack>/;
a stack has the steps whose folder it writes:
{steps}  Step 2 first applies the Namespaces its ConfigMaps and Secrets go into, when the stack
  declares them. A stack printed with \"apply after stack(s): a, b\" is applied after those stacks.

Exit status: 0 success (`diff` too, whether or not anything changes); 1 errors in the app
(nothing written) or an I/O failure; 2 usage error.
Environment: NO_COLOR=1 turns colour off unless --color always."
    )
}

/// What a command runs with.
struct Ctx<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    color: bool,
    quiet: bool,
    json: bool,
}

impl Ctx<'_> {
    /// Writes `diagnostics` to stderr as a compiler would, with the summary line; with
    /// `--quiet`, the errors only. Writes nothing when there is nothing to show.
    fn diagnostics(&mut self, diagnostics: &Diagnostics) -> io::Result<()> {
        let shown: Vec<_> = diagnostics
            .iter()
            .filter(|d| !self.quiet || d.severity == Severity::Error)
            .collect();
        if shown.is_empty() {
            return Ok(());
        }
        for d in &shown {
            writeln!(self.err, "{}\n", style::diagnostic(d, self.color))?;
        }
        let (e, w) = (diagnostics.error_count(), diagnostics.warning_count());
        if self.quiet {
            writeln!(self.err, "{e} error(s)")
        } else {
            writeln!(self.err, "{e} error(s), {w} warning(s)")
        }
    }

    /// An `error: ...` line, `error` coloured like a diagnostic's.
    fn error_line(&mut self, message: &str) -> io::Result<()> {
        let error = style::paint(style::ERROR, self.color, "error");
        writeln!(self.err, "{error}: {message}")
    }

    /// Reports a failed synth or validate: diagnostics (then a line saying nothing was written)
    /// or an I/O error. Exit code 1.
    fn fail(&mut self, command: &'static str, e: &SynthError) -> io::Result<ExitCode> {
        if self.json {
            let none = Diagnostics::default();
            let doc = match e {
                SynthError::Diagnostics(d) => json::Document::failed(command, d, None),
                other => json::Document::failed(command, &none, Some(other)),
            };
            doc.write(self.out)?;
        } else {
            match e {
                SynthError::Diagnostics(d) => {
                    self.diagnostics(d)?;
                    writeln!(
                        self.err,
                        "nothing was written; the previous output is unchanged"
                    )?;
                }
                other => {
                    self.error_line(&other.to_string())?;
                    if other.previous_intact() {
                        writeln!(self.err, "the previous output is unchanged")?;
                    }
                }
            }
        }
        Ok(ExitCode::from(1))
    }
}

fn dispatch(app: &App, command: Command, bin: &str, ctx: &mut Ctx<'_>) -> io::Result<ExitCode> {
    match command {
        Command::Synth(args) => synth_command(app, &args, ctx),
        Command::Validate => validate_command(app, ctx),
        Command::List => list_command(app, ctx),
        Command::Graph(args) => graph_command(app, &args, ctx),
        Command::Diff(args) => diff_command(app, &args, ctx),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut definition(bin), bin, ctx.out);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--explain CODE`: the code's entry in the table on stdout; an unknown code, or a command
/// given with it, is a usage error.
fn explain(code: &str, with_command: bool, ctx: &mut Ctx<'_>) -> io::Result<ExitCode> {
    if with_command {
        ctx.error_line("`--explain` runs no command: give it alone, as `--explain SS0101`")?;
        return Ok(ExitCode::from(2));
    }
    match Code::find(code) {
        Some(entry) => {
            writeln!(ctx.out, "{entry}")?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            ctx.error_line(&format!(
                "no diagnostic code `{code}`; codes look like `SS0101`, as printed in `error[SS0101]`"
            ))?;
            Ok(ExitCode::from(2))
        }
    }
}

fn synth_command(app: &App, args: &SynthArgs, ctx: &mut Ctx<'_>) -> io::Result<ExitCode> {
    let report = match synth(app, &args.out) {
        Ok(report) => report,
        Err(e) => return ctx.fail("synth", &e),
    };
    if ctx.json {
        json::Document::ok(
            "synth",
            &report.diagnostics,
            report.stacks.iter().map(json::Stack::from).collect(),
        )
        .write(ctx.out)?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.diagnostics(&report.diagnostics)?;
    if !ctx.quiet && !report.diagnostics.is_empty() {
        writeln!(ctx.err)?;
    }
    if ctx.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    for s in &report.stacks {
        writeln!(
            ctx.out,
            "synthesized stack `{}` into {}: {} Terraform resources and data sources, {} Kubernetes objects, {} files",
            s.stack,
            s.dir.display(),
            s.resources,
            s.objects,
            s.files
        )?;
        for r in &s.renamed {
            let kept: std::collections::BTreeSet<&str> =
                r.names.values().map(String::as_str).collect();
            if kept.is_empty() {
                writeln!(
                    ctx.out,
                    "  renamed {} → {} ({} moved block(s)): its cloud names are unchanged",
                    r.from, r.path, r.moves
                )?;
                continue;
            }
            writeln!(
                ctx.out,
                "  renamed {} → {} ({} moved block(s)): keeps the cloud names {}, so Terraform replaces nothing",
                r.from,
                r.path,
                r.moves,
                kept.into_iter().collect::<Vec<_>>().join(", ")
            )?;
        }
        if !s.after.is_empty() {
            writeln!(ctx.out, "  apply after stack(s): {}", s.after.join(", "))?;
        }
        if !s.prerequisites.is_empty() {
            writeln!(
                ctx.out,
                "  prerequisites (not created by this stack; each check fails if it is missing):"
            )?;
            for p in &s.prerequisites {
                writeln!(ctx.out, "    - {}\n      check: {}", p.what, p.check)?;
            }
        }
        writeln!(ctx.out, "  apply order (from {}):", s.dir.display())?;
        for (i, step) in s.apply_order.iter().enumerate() {
            writeln!(
                ctx.out,
                "    {}. {:<70} # {}",
                i + 1,
                step.command,
                step.what
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn validate_command(app: &App, ctx: &mut Ctx<'_>) -> io::Result<ExitCode> {
    let (outputs, diagnostics) = match render_app(app) {
        Ok(rendered) => rendered,
        Err(e) => return ctx.fail("validate", &e),
    };
    if ctx.json {
        json::Document::ok(
            "validate",
            &diagnostics,
            outputs.iter().map(json::Stack::from).collect(),
        )
        .write(ctx.out)?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.diagnostics(&diagnostics)?;
    if ctx.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    if !diagnostics.is_empty() {
        writeln!(ctx.err)?;
    }
    let (r, o) = outputs
        .iter()
        .fold((0, 0), |(r, o), s| (r + s.resources, o + s.objects));
    writeln!(
        ctx.out,
        "ok: {} stack(s), {r} Terraform resources, {o} Kubernetes objects; nothing written",
        outputs.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn diff_command(app: &App, args: &DiffArgs, ctx: &mut Ctx<'_>) -> io::Result<ExitCode> {
    if let Some(other) = &args.against {
        return against_command(app, &args.out, other, ctx);
    }
    let d = match crate::diff::diff(app, &args.out) {
        Ok(d) => d,
        Err(e) => return ctx.fail("diff", &e),
    };
    if ctx.json {
        json::Document::ok("diff", &d.diagnostics, d.stacks.iter().collect()).write(ctx.out)?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.diagnostics(&d.diagnostics)?;
    if !ctx.quiet && !d.diagnostics.is_empty() {
        writeln!(ctx.err)?;
    }
    let text = if args.markdown {
        d.markdown()
    } else {
        d.text()
    };
    ctx.out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn against_command(
    app: &App,
    out: &std::path::Path,
    other: &std::path::Path,
    ctx: &mut Ctx<'_>,
) -> io::Result<ExitCode> {
    let comparisons = match crate::diff::against(app, out, other) {
        Ok(c) => c,
        Err(e) => return ctx.fail("diff", &e),
    };
    if comparisons.is_empty() {
        ctx.error_line(&format!(
            "no stack of this app is synthesized under {} besides {}",
            out.display(),
            other.display()
        ))?;
        return Ok(ExitCode::from(1));
    }
    if ctx.json {
        let none = Diagnostics::default();
        json::Document::ok("diff", &none, comparisons.iter().collect()).write(ctx.out)?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.out
        .write_all(crate::diff::against_text(&comparisons).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn graph_command(app: &App, args: &GraphArgs, ctx: &mut Ctx<'_>) -> io::Result<ExitCode> {
    // The diagram is drawn from a valid app only: the same checks as `validate`, and the same
    // rendering (the diagrams are files of every stack's output).
    let outputs = match render_app(app) {
        Ok((outputs, _)) => outputs,
        Err(e) => return ctx.fail("graph", &e),
    };
    let file = match args.language {
        DiagramFormat::Mermaid => "architecture.mmd",
        DiagramFormat::Dot => "architecture.dot",
    };
    let diagrams: Vec<&str> = outputs
        .iter()
        .filter(|o| args.stack.as_ref().is_none_or(|s| *s == o.stack))
        .filter_map(|o| o.files.iter().find(|f| f.path == file))
        .filter_map(crate::File::as_text)
        .collect();
    if diagrams.is_empty() {
        writeln!(
            ctx.err,
            "error: no stack named `{}` in this app",
            args.stack.as_deref().unwrap_or_default()
        )?;
        return Ok(ExitCode::from(2));
    }
    for (i, text) in diagrams.iter().enumerate() {
        if i > 0 {
            writeln!(ctx.out)?;
        }
        ctx.out.write_all(text.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn list_command(app: &App, ctx: &mut Ctx<'_>) -> io::Result<ExitCode> {
    let graphs = app.lower();
    if ctx.json {
        let mut diagnostics = Diagnostics::default();
        for g in &graphs {
            diagnostics.extend(g.diagnostics.clone());
        }
        diagnostics.sort();
        let stacks = graphs.iter().map(json::Listing::from).collect();
        let doc = if diagnostics.has_errors() {
            json::Document::failed_with("list", &diagnostics, stacks)
        } else {
            json::Document::ok("list", &diagnostics, stacks)
        };
        doc.write(ctx.out)?;
        return Ok(ExitCode::from(u8::from(diagnostics.has_errors())));
    }
    for g in &graphs {
        for (path, resources, objects) in json::constructs(g) {
            writeln!(ctx.out, "{path}")?;
            for r in resources {
                writeln!(ctx.out, "    {r}")?;
            }
            for o in objects {
                let ns = o.namespace.map(|n| format!("{n}/")).unwrap_or_default();
                writeln!(ctx.out, "    {} {ns}{}", o.kind, o.name)?;
            }
        }
        if g.diagnostics.has_errors() {
            ctx.diagnostics(&g.diagnostics)?;
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
