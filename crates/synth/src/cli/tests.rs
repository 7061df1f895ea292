//! Runs the CLI on argument vectors against small apps, capturing stdout and stderr.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use stacksmith_core::{App, Construct, KubeExisting, KubeObject, Lower, Lowering, Scope, Stack};

use super::{Console, auto_color, definition, run_with};

/// A ConfigMap, with a warning and/or an error on request.
struct Settings {
    id: &'static str,
    warn: bool,
    fail: bool,
}

impl Lower for Settings {
    fn lower(&self, cx: &mut Lowering<'_>) {
        if self.warn {
            cx.warning(
                "SS9001",
                format!("`{}` has no keys", self.id),
                "add a key with `.data(key, value)`",
            );
        }
        if self.fail {
            cx.error(
                "SS9002",
                format!("`{}` is not a valid name", self.id),
                "use lowercase letters, digits and '-'",
            );
        }
        // Namespace `team` exists on the cluster (declared, so SS0220 accepts it).
        cx.existing(KubeExisting {
            owner: cx.path().clone(),
            kind: "Namespace".into(),
            namespace: None,
            name: "team".into(),
        });
        cx.object(KubeObject {
            owner: cx.path().clone(),
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some("team".into()),
            name: self.id.into(),
            body: json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": self.id, "namespace": "team"},
                "data": {"k": "v"},
            })
            .into(),
        });
    }
}

impl Construct for Settings {
    type Handle = ();

    fn id(&self) -> &str {
        self.id
    }

    fn handle(&self, _: &Scope) {}
}

fn app(warn: bool, fail: bool) -> App {
    let mut stack = Stack::new("prod", "us-east-1");
    stack.add(Settings {
        id: "settings",
        warn,
        fail,
    });
    let mut app = App::new();
    app.add(stack);
    app
}

/// What a run printed.
struct Run {
    code: ExitCode,
    out: String,
    err: String,
}

fn run(app: &App, args: &[&str], auto: bool) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with(
        app,
        std::iter::once("app").chain(args.iter().copied()),
        &mut Console {
            out: &mut out,
            err: &mut err,
            auto_color: auto,
        },
    );
    Run {
        code,
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// A fresh output folder for one test; removed again by [`Scratch::drop`].
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("stacksmith-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }

    /// `text` with the folder's path replaced by `<out>`, for snapshots.
    fn redact(&self, text: &str) -> String {
        text.replace(self.arg(), "<out>")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn json_synth_prints_the_summary_and_diagnostics_on_stdout_only() {
    let dir = Scratch::new("json-synth");
    let r = run(
        &app(true, false),
        &["--format", "json", "synth", "--out", dir.arg()],
        true,
    );
    assert_eq!(r.code, ExitCode::SUCCESS);
    assert_eq!(r.err, "");
    assert!(dir.0.join("prod/manifest.json").is_file());
    insta::assert_snapshot!(dir.redact(&r.out), @r#"
    {
      "schema_version": 1,
      "command": "synth",
      "ok": true,
      "error": null,
      "errors": 0,
      "warnings": 1,
      "diagnostics": [
        {
          "severity": "warning",
          "code": "SS9001",
          "path": "prod/settings",
          "message": "`settings` has no keys",
          "hint": "add a key with `.data(key, value)`"
        }
      ],
      "stacks": [
        {
          "stack": "prod",
          "dir": "<out>/prod",
          "resources": 0,
          "objects": 1,
          "files": 5,
          "after": [],
          "apply_order": [
            {
              "root": "kubernetes",
              "what": "workloads (Kubernetes objects, Namespaces first)",
              "command": "kubectl apply -k kubernetes"
            }
          ]
        }
      ]
    }
    "#);
}

#[test]
fn json_flags_work_after_the_command_too() {
    let before = run(&app(false, false), &["--format", "json", "validate"], false);
    let after = run(&app(false, false), &["validate", "--format", "json"], false);
    assert_eq!(before.out, after.out);
    assert!(after.out.contains(r#""command": "validate""#));
}

#[test]
fn fails_json_validate_with_errors_in_the_app() {
    let r = run(&app(true, true), &["validate", "--format=json"], true);
    assert_eq!(r.code, ExitCode::from(1));
    assert_eq!(r.err, "");
    insta::assert_snapshot!(r.out, @r#"
    {
      "schema_version": 1,
      "command": "validate",
      "ok": false,
      "error": "the app has 1 error(s); nothing was written",
      "errors": 1,
      "warnings": 1,
      "diagnostics": [
        {
          "severity": "error",
          "code": "SS9002",
          "path": "prod/settings",
          "message": "`settings` is not a valid name",
          "hint": "use lowercase letters, digits and '-'"
        },
        {
          "severity": "warning",
          "code": "SS9001",
          "path": "prod/settings",
          "message": "`settings` has no keys",
          "hint": "add a key with `.data(key, value)`"
        }
      ],
      "stacks": []
    }
    "#);
}

#[test]
fn fails_json_synth_when_the_output_cannot_be_written() {
    let dir = Scratch::new("json-io");
    let _ = std::fs::write(&dir.0, "a file, not a folder");
    let r = run(
        &app(false, false),
        &["--format", "json", "synth", "--out", dir.arg()],
        false,
    );
    assert_eq!(r.code, ExitCode::from(1));
    assert_eq!(r.err, "");
    let doc: serde_json::Value = serde_json::from_str(&r.out).unwrap_or_default();
    assert_eq!(doc["ok"], json!(false));
    assert_eq!(doc["stacks"], json!([]));
    let error = doc["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with(&format!("`{}` is a file, not a directory", dir.arg())),
        "{error}"
    );
    let _ = std::fs::remove_file(&dir.0);
}

#[test]
fn json_list_names_each_construct_and_its_objects() {
    let r = run(&app(false, false), &["--format", "json", "list"], false);
    assert_eq!(r.code, ExitCode::SUCCESS);
    insta::assert_snapshot!(r.out, @r#"
    {
      "schema_version": 1,
      "command": "list",
      "ok": true,
      "error": null,
      "errors": 0,
      "warnings": 0,
      "diagnostics": [],
      "stacks": [
        {
          "stack": "prod",
          "constructs": [
            {
              "path": "prod/settings",
              "resources": [],
              "objects": [
                {
                  "kind": "ConfigMap",
                  "namespace": "team",
                  "name": "settings"
                }
              ]
            }
          ]
        }
      ]
    }
    "#);
}

#[test]
fn human_synth_prints_the_summary_and_apply_order() {
    let dir = Scratch::new("human-synth");
    let r = run(&app(true, false), &["synth", "--out", dir.arg()], false);
    assert_eq!(r.code, ExitCode::SUCCESS);
    insta::assert_snapshot!(dir.redact(&r.out), @r"
    synthesized stack `prod` into <out>/prod: 0 Terraform resources and data sources, 1 Kubernetes objects, 5 files
      apply order (from <out>/prod):
        1. kubectl apply -k kubernetes                                            # workloads (Kubernetes objects, Namespaces first)
    ");
    insta::assert_snapshot!(r.err, @r"
    warning[SS9001]: `settings` has no keys
      --> prod/settings
      = help: add a key with `.data(key, value)`

    0 error(s), 1 warning(s)
    ");
}

#[test]
fn quiet_success_prints_nothing() {
    let dir = Scratch::new("quiet");
    let r = run(
        &app(true, false),
        &["-q", "synth", "--out", dir.arg()],
        true,
    );
    assert_eq!(r.code, ExitCode::SUCCESS);
    assert_eq!((r.out.as_str(), r.err.as_str()), ("", ""));
    assert!(dir.0.join("prod/manifest.json").is_file());
}

#[test]
fn fails_quiet_validate_with_the_errors_only() {
    let r = run(
        &app(true, true),
        &["validate", "--quiet", "--color=never"],
        true,
    );
    assert_eq!(r.code, ExitCode::from(1));
    assert_eq!(r.out, "");
    insta::assert_snapshot!(r.err, @r"
    error[SS9002]: `settings` is not a valid name
      --> prod/settings
      = help: use lowercase letters, digits and '-'

    1 error(s)
    nothing was written; the previous output is unchanged
    ");
}

#[test]
fn colour_never_and_no_color_print_no_escape_codes() {
    let app = app(true, true);
    // `--color never` wins over a terminal.
    let never = run(&app, &["--color", "never", "validate"], true);
    assert!(!never.err.contains('\x1b'), "{}", never.err);
    assert!(never.err.contains("error[SS9002]"));
    // NO_COLOR set (or stderr not a terminal): `auto` stays plain.
    let no_color = auto_color(true, Some(OsStr::new("1")));
    assert!(!no_color);
    let auto = run(&app, &["validate"], no_color);
    assert_eq!(auto.err, never.err);
    assert!(!auto_color(false, None));
    // A terminal without NO_COLOR (or with it empty) colours; so does `--color always`.
    assert!(auto_color(true, None) && auto_color(true, Some(OsStr::new(""))));
    let coloured = run(&app, &["validate"], true);
    assert!(coloured.err.contains("\x1b[1m\x1b[31merror[SS9002]\x1b[0m"));
    let always = run(&app, &["validate", "--color", "always"], false);
    assert_eq!(always.err, coloured.err);
    // Colour never reaches stdout or JSON.
    let json = run(
        &app,
        &["--format", "json", "--color", "always", "validate"],
        true,
    );
    assert!(!json.out.contains('\x1b'));
}

#[test]
fn help_teaches_every_command_flag_and_the_apply_order() {
    let r = run(&app(false, false), &["--help"], true);
    assert_eq!(r.code, ExitCode::SUCCESS);
    assert_eq!(r.err, "");
    // Unwrapped, so the snapshot does not depend on the terminal's width or on whether another
    // crate in the build enables clap's `wrap_help` (divan does, in this workspace).
    let help = definition("app")
        .term_width(0)
        .render_long_help()
        .to_string();
    assert!(r.out.split_whitespace().eq(help.split_whitespace()));
    // The apply order is the one synth writes into manifest.json, every step in order.
    let steps = crate::render::apply_steps(&stacksmith_core::Graph::new("<stack>", "<region>"));
    let mut at = 0;
    for (i, step) in steps.iter().enumerate() {
        let line = format!("  {}. {:<70} # {}\n", i + 1, step.command, step.what);
        let found = help[at..].find(&line);
        assert!(found.is_some(), "{line} missing from:\n{help}");
        at += found.unwrap_or_default() + line.len();
    }
    insta::assert_snapshot!(help);
}

#[test]
fn fails_unknown_flag_with_usage_exit_code() {
    let r = run(&app(false, false), &["synth", "--outt", "x"], true);
    assert_eq!(r.code, ExitCode::from(2));
    assert_eq!(r.out, "");
    assert!(
        r.err.starts_with("error: unexpected argument '--outt'"),
        "{}",
        r.err
    );
    let bad_value = run(&app(false, false), &["--format", "yaml"], true);
    assert_eq!(bad_value.code, ExitCode::from(2));
}

#[test]
fn completions_print_a_script_naming_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run(&app(false, false), &["completions", shell], true);
        assert_eq!(r.code, ExitCode::SUCCESS, "{shell}");
        assert!(
            r.out.contains("validate") && r.out.contains("format"),
            "{shell}: {}",
            r.out
        );
    }
}

#[test]
fn list_prints_each_construct_with_its_objects() {
    let r = run(&app(false, false), &["list"], true);
    assert_eq!(r.code, ExitCode::SUCCESS);
    assert_eq!(r.out, "prod/settings\n    ConfigMap team/settings\n");
}

#[test]
fn graph_prints_each_stacks_diagram_and_rejects_an_unknown_stack() {
    let r = run(&app(true, false), &["graph", "--as", "dot"], false);
    assert_eq!(r.code, ExitCode::SUCCESS);
    assert!(r.out.contains("digraph"), "{}", r.out);
    let r = run(&app(true, false), &["graph"], false);
    assert!(r.out.contains("flowchart TB"), "{}", r.out);
    let r = run(&app(true, false), &["graph", "--stack", "nope"], false);
    assert_eq!(r.code, ExitCode::from(2));
    assert!(r.err.contains("no stack named `nope`"), "{}", r.err);
}

/// One ConfigMap with the given id and value of key `k`.
fn settings_app(value: &str) -> App {
    let mut app = App::new();
    app.add(settings_stack("prod", value));
    app
}

/// A stack `name` with the ConfigMap of [`settings_app`].
fn settings_stack(name: &str, value: &str) -> Stack {
    struct Map(String);
    impl Lower for Map {
        fn lower(&self, cx: &mut Lowering<'_>) {
            cx.existing(KubeExisting {
                owner: cx.path().clone(),
                kind: "Namespace".into(),
                namespace: None,
                name: "team".into(),
            });
            cx.object(KubeObject {
                owner: cx.path().clone(),
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                namespace: Some("team".into()),
                name: "settings".into(),
                body: json!({
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "settings", "namespace": "team"},
                    "data": {"k": self.0},
                })
                .into(),
            });
        }
    }
    impl Construct for Map {
        type Handle = ();
        fn id(&self) -> &str {
            "settings"
        }
        fn handle(&self, _: &Scope) {}
    }
    let mut stack = Stack::new(name, "us-east-1");
    stack.add(Map(value.to_owned()));
    stack
}

#[test]
fn diff_shows_a_line_diff_and_exits_zero_with_or_without_changes() {
    let dir = Scratch::new("diff");
    assert_eq!(
        run(&settings_app("a"), &["synth", "--out", dir.arg()], false).code,
        ExitCode::SUCCESS
    );
    let same = run(&settings_app("a"), &["diff", "--out", dir.arg()], false);
    assert_eq!(same.code, ExitCode::SUCCESS);
    assert_eq!(same.out, "stack `prod`\n  no changes\n");
    let changed = run(&settings_app("b"), &["diff", "--out", dir.arg()], false);
    assert_eq!(changed.code, ExitCode::SUCCESS);
    insta::assert_snapshot!(changed.out);
    let md = run(
        &settings_app("b"),
        &["diff", "--markdown", "--out", dir.arg()],
        false,
    );
    assert!(
        md.out.contains("| Kubernetes files | 0 | 1 | – | 0 |"),
        "{}",
        md.out
    );
    let j = run(
        &settings_app("b"),
        &["--format", "json", "diff", "--out", dir.arg()],
        false,
    );
    let doc: serde_json::Value = serde_json::from_str(&j.out).unwrap_or_default();
    assert_eq!(doc["command"], "diff");
    assert_eq!(doc["stacks"][0]["kubernetes"][0]["action"], "update");
}

#[test]
fn fails_diff_of_an_app_with_errors() {
    let dir = Scratch::new("diff-errors");
    let r = run(&app(false, true), &["diff", "--out", dir.arg()], false);
    assert_eq!(r.code, ExitCode::from(1));
    assert!(r.err.contains("SS9002"), "{}", r.err);
}

#[test]
fn diff_against_compares_two_stack_folders_of_the_app() {
    let dir = Scratch::new("against");
    let mut app = App::new();
    app.add(settings_stack("staging", "a"));
    app.add(settings_stack("prod", "b"));
    assert_eq!(
        run(&app, &["synth", "--out", dir.arg()], false).code,
        ExitCode::SUCCESS
    );
    let prod = format!("{}/prod", dir.arg());
    let r = run(
        &app,
        &["diff", "--out", dir.arg(), "--against", &prod],
        false,
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert!(
        r.out
            .contains("  ~ kubernetes/team/configmap-settings.yaml (settings)\n      @@ line 5\n")
            && r.out.contains("      -  k: b\n      +  k: a\n"),
        "{}",
        r.out
    );
    let j = run(
        &app,
        &[
            "--format",
            "json",
            "diff",
            "--out",
            dir.arg(),
            "--against",
            &prod,
        ],
        false,
    );
    let doc: serde_json::Value = serde_json::from_str(&j.out).unwrap_or_default();
    assert_eq!(doc["stacks"][0]["stack"], "staging");
    assert_eq!(doc["stacks"][0]["real"][0]["side"], "both");
    let missing = format!("{}/nope", dir.arg());
    let r = run(
        &app,
        &["diff", "--out", dir.arg(), "--against", &missing],
        false,
    );
    assert_eq!(r.code, ExitCode::from(1));
}

#[test]
fn explain_prints_a_code_and_rejects_an_unknown_one() {
    let app = app(false, false);
    let r = run(&app, &["--explain", "SS0101"], false);
    assert_eq!(r.code, ExitCode::SUCCESS);
    assert!(r.err.is_empty(), "{}", r.err);
    insta::assert_snapshot!(r.out, @r"
    SS0101: invalid VPC CIDR

    A network's `cidr` must be an IPv4 network with its host bits zero, such as `10.0.0.0/16`; constructs in that network are not checked against it until it is fixed.
    ");
    // Case does not matter.
    assert_eq!(run(&app, &["--explain", "ss0101"], false).out, r.out);

    let unknown = run(&app, &["--explain", "SS9999"], false);
    assert_eq!(unknown.code, ExitCode::from(2));
    assert!(unknown.out.is_empty());
    insta::assert_snapshot!(unknown.err, @"error: no diagnostic code `SS9999`; codes look like `SS0101`, as printed in `error[SS0101]`");

    // It stands alone: with a command it is a usage error.
    let both = run(&app, &["--explain", "SS0101", "validate"], false);
    assert_eq!(both.code, ExitCode::from(2), "{}", both.err);
}
