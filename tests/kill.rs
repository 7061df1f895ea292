//! The kill harness (issue 13, item 3): a synth of a two-stack app of 2,000 Kubernetes objects
//! and a database is killed with SIGKILL at 20 seeded random instants of its write. After each
//! kill both `out/<stack>` folders hold, file for file, the output of one and the same synth
//! (the previous or the new), the Terraform state beside it is still there, and a synth of the
//! app without its database still stops with SS0009. A last synth runs to the end and leaves no
//! temporary behind.
//!
//! The child is this test binary run again (test `child`); it writes what the parent rendered
//! (handed over as JSON), since rendering touches no file and killing it there proves nothing:
//! every kill lands in the write, and the harness costs one render per version, not per kill.
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Instant;

use stacksmith::core::App;
use stacksmith::prelude::*;
use stacksmith::synth_api::{File, StackOutput, render, write_outputs};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Set (to `<out>` and a version) when this test binary runs as the harness's child.
const CHILD: &str = "STACKSMITH_KILL_CHILD";
/// Kubernetes objects per stack.
const OBJECTS: usize = 1_000;
const KILLS: usize = 20;
/// What `terraform apply` would have left beside stack `a`'s Terraform root.
const STATE: &str = "terraform/terraform.tfstate";
const PROVIDER: &str = "terraform/.terraform/providers/aws";

/// Stacks `a` (a network, a database unless `database` is false, and the objects) and `b` (the
/// objects); every object's data differs between versions.
fn app(version: u32, database: bool, objects: usize) -> App {
    let mut app = App::new();
    for (name, region) in [("a", "us-east-1"), ("b", "us-west-2")] {
        let mut stack = Stack::new(name, region);
        if name == "a" {
            let network = stack.add(Network::new("network", "10.0.0.0/16"));
            if database {
                stack.add(Database::postgres("db", &network));
            }
        }
        if objects > 0 {
            let ns = stack.add(Namespace::new("apps"));
            for i in 0..objects {
                stack.add(
                    ConfigMap::new(&ns, format!("settings-{i}"))
                        .data("version", version.to_string()),
                );
            }
        }
        app.add(stack);
    }
    app
}

/// Renders every stack of `app` in memory.
fn outputs(app: &App) -> Result<Vec<StackOutput>> {
    Ok(app
        .lower()
        .iter()
        .map(render)
        .collect::<std::result::Result<_, _>>()?)
}

/// Rendered stacks as JSON, for the child: `[{"stack": .., "files": [[path, contents], ..]}, ..]`.
fn bundle(outputs: &[StackOutput]) -> String {
    let stacks: Vec<serde_json::Value> = outputs
        .iter()
        .map(|o| {
            // The stacks written here are text only (no shipped binary file).
            let files: Vec<[&str; 2]> = o
                .files
                .iter()
                .map(|f| [&*f.path, f.as_text().unwrap_or_default()])
                .collect();
            serde_json::json!({ "stack": o.stack, "files": files })
        })
        .collect();
    serde_json::Value::from(stacks).to_string()
}

/// [`bundle`] read back.
fn unbundle(text: &str) -> Result<Vec<StackOutput>> {
    let stacks: Vec<(String, Vec<(String, String)>)> =
        serde_json::from_str::<serde_json::Value>(text)?
            .as_array()
            .ok_or("not an array")?
            .iter()
            .map(|s| {
                let stack = s["stack"].as_str().unwrap_or_default().to_owned();
                let files = serde_json::from_value(s["files"].clone()).unwrap_or_default();
                (stack, files)
            })
            .collect();
    Ok(stacks
        .into_iter()
        .map(|(stack, files)| StackOutput {
            stack,
            files: files
                .into_iter()
                .map(|(path, contents): (String, String)| File {
                    path,
                    contents: contents.into_bytes(),
                })
                .collect(),
            resources: 0,
            objects: 0,
            apply_order: Vec::new(),
            after: Vec::new(),
            prerequisites: Vec::new(),
            renamed: Vec::new(),
        })
        .collect())
}

/// The child: reads the rendered stacks, says so on stdout, writes them, says so. Does nothing
/// in a normal test run.
#[test]
fn child() -> Result {
    let Ok(arg) = std::env::var(CHILD) else {
        return Ok(());
    };
    let (out, bundle) = arg.split_once(':').ok_or("CHILD is <out>:<bundle>")?;
    let rendered = unbundle(&fs::read_to_string(bundle)?)?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "read")?;
    stdout.flush()?;
    write_outputs(Path::new(out), &rendered)?;
    writeln!(stdout, "written")?;
    stdout.flush()?;
    Ok(())
}

/// Starts the child writing version `version` into `out`, and waits until it has read it.
fn spawn(out: &Path, version: u32) -> Result<(Child, BufReader<ChildStdout>)> {
    let bundle = out.with_extension(format!("v{version}.json"));
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--exact", "child", "--nocapture", "--test-threads", "1"])
        .env(CHILD, format!("{}:{}", out.display(), bundle.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    wait_for(&mut lines, "read")?;
    Ok((child, lines))
}

fn wait_for(lines: &mut BufReader<ChildStdout>, what: &str) -> Result {
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Err(format!("the child ended before it {what}").into());
        }
        // libtest writes `test child ... ` before the test's own output, on the same line.
        if line.trim_end().ends_with(what) {
            return Ok(());
        }
    }
}

/// The files under `dir` (following the link `dir` itself may be), relative.
fn files(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for e in fs::read_dir(dir.join(&rel)).into_iter().flatten().flatten() {
            let rel = rel.join(e.file_name());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(rel);
            } else {
                found.insert(rel.to_string_lossy().into_owned());
            }
        }
    }
    found
}

/// Which version `out` holds, checking that both stacks hold all of it and nothing else
/// (apart from the Terraform state and provider carried beside stack `a`).
fn live_version(out: &Path, versions: &BTreeMap<u32, Vec<StackOutput>>) -> Result<u32> {
    let mut seen = BTreeSet::new();
    for stack in ["a", "b"] {
        let dir = out.join(stack);
        let manifest = fs::read_to_string(dir.join("manifest.json"))
            .map_err(|e| format!("{stack}/manifest.json: {e}"))?;
        let (version, output) = versions
            .iter()
            .find_map(|(v, o)| {
                let o = o.iter().find(|o| o.stack == stack)?;
                o.files
                    .iter()
                    .any(|f| f.path == "manifest.json" && f.contents == manifest.as_bytes())
                    .then_some((*v, o))
            })
            .ok_or_else(|| format!("{stack}/manifest.json is neither version's"))?;
        for f in &output.files {
            let on_disk =
                fs::read(dir.join(&f.path)).map_err(|e| format!("{stack}/{}: {e}", f.path))?;
            assert!(
                on_disk == f.contents,
                "{stack}/{} is not version {version}'s",
                f.path
            );
        }
        let mut expected: BTreeSet<String> = output.files.iter().map(|f| f.path.clone()).collect();
        if stack == "a" {
            expected.extend([STATE.to_owned(), PROVIDER.to_owned()]);
            assert_eq!(fs::read_to_string(dir.join(STATE))?, "{\"serial\": 7}\n");
        }
        assert_eq!(files(&dir), expected, "{stack} holds other files");
        seen.insert(version);
    }
    assert_eq!(
        seen.len(),
        1,
        "the stacks hold different versions: {seen:?}"
    );
    Ok(seen.into_iter().next().ok_or("no stack")?)
}

/// What a run left under `out/.stacksmith` besides the lock, the live link and one generation.
fn temporaries(out: &Path) -> usize {
    let state = out.join(".stacksmith");
    let count = |dir: &Path| fs::read_dir(dir).into_iter().flatten().count();
    count(&state) - 3 + count(&state.join("generations")) - 1
}

#[test]
fn a_synth_killed_at_any_instant_leaves_one_complete_output_and_ss0009_fires() -> Result {
    if std::env::var_os(CHILD).is_some() {
        return Ok(());
    }
    let started = Instant::now();
    // tmpfs where there is one: a disk shared by busy neighbours can take 2 ms per created file,
    // and what a SIGKILL leaves (renames, links) is the kernel's, the same on any file system.
    let shm = Path::new("/dev/shm");
    let scratch = if shm.is_dir() {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    };
    let out = scratch.join(format!("stacksmith-kill-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    let versions: BTreeMap<u32, Vec<StackOutput>> = [1, 2]
        .into_iter()
        .map(|v| Ok((v, outputs(&app(v, true, OBJECTS))?)))
        .collect::<Result<_>>()?;
    for (v, o) in &versions {
        fs::write(out.with_extension(format!("v{v}.json")), bundle(o))?;
    }
    let without_database = app(3, false, 0);

    // Version 1 written to the end; then version 2, measuring how long a re-synthesis writes.
    let (mut child, mut lines) = spawn(&out, 1)?;
    wait_for(&mut lines, "written")?;
    assert!(child.wait()?.success());
    fs::create_dir_all(out.join("a").join(PROVIDER).parent().ok_or("no parent")?)?;
    fs::write(out.join("a").join(STATE), "{\"serial\": 7}\n")?;
    fs::write(out.join("a").join(PROVIDER), "binary")?;
    let (mut child, mut lines) = spawn(&out, 2)?;
    let writing = Instant::now();
    wait_for(&mut lines, "written")?;
    let write_time = writing.elapsed();
    assert!(child.wait()?.success());
    let mut live = live_version(&out, &versions)?;
    assert_eq!(live, 2);

    // xorshift64, seeded: the same instants (relative to the write's length) on every run.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut switched, mut left_temporaries) = (0, 0);
    for _ in 0..KILLS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let fraction = (seed % 1_000) as f64 / 1_000.0;
        let next = 3 - live;
        let (mut child, _lines) = spawn(&out, next)?;
        std::thread::sleep(write_time.mul_f64(1.2 * fraction));
        child.kill()?;
        child.wait()?;
        let now = live_version(&out, &versions)?;
        switched += usize::from(now != live);
        left_temporaries += usize::from(temporaries(&out) > 0);
        live = now;
        match stacksmith::synth(&without_database, &out) {
            Err(stacksmith::SynthError::Diagnostics(d)) => assert!(
                d.iter()
                    .any(|d| d.code == "SS0009" && d.message.contains("`aws_db_instance.db`")),
                "{d}"
            ),
            other => panic!("dropping the database after a kill was not refused: {other:?}"),
        }
    }

    // A synth to the end removes what the killed ones left.
    let (mut child, mut lines) = spawn(&out, 3 - live)?;
    wait_for(&mut lines, "written")?;
    assert!(child.wait()?.success());
    assert_eq!(live_version(&out, &versions)?, 3 - live);
    assert_eq!(temporaries(&out), 0);
    let mut top: Vec<String> = fs::read_dir(&out)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, [".stacksmith", "a", "b"]);
    eprintln!(
        "{KILLS} kills over a {write_time:?} write: {switched} switched to the new output, \
         {left_temporaries} left temporaries; {:?} in all",
        started.elapsed()
    );
    fs::remove_dir_all(&out)?;
    for v in versions.keys() {
        fs::remove_file(out.with_extension(format!("v{v}.json")))?;
    }
    Ok(())
}

/// While one process holds the output folder's lock, a synth in another process and one in
/// this process are refused, and neither writes.
#[test]
fn a_second_synth_into_the_same_folder_is_refused() -> Result {
    if std::env::var_os(CHILD).is_some() {
        return Ok(());
    }
    let out = std::env::temp_dir().join(format!("stacksmith-lock-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(out.join(".stacksmith"))?;
    let lock = fs::File::create(out.join(".stacksmith/lock"))?;
    lock.try_lock()?;
    let small = app(1, false, 3);
    fs::write(out.with_extension("v1.json"), bundle(&outputs(&small)?))?;
    let child = Command::new(std::env::current_exe()?)
        .args(["--exact", "child", "--nocapture", "--test-threads", "1"])
        .env(
            CHILD,
            format!(
                "{}:{}",
                out.display(),
                out.with_extension("v1.json").display()
            ),
        )
        .output()?;
    assert!(!child.status.success());
    let printed = [child.stdout, child.stderr].concat();
    let printed = String::from_utf8_lossy(&printed);
    assert!(printed.contains("Locked"), "{printed}");
    assert!(!printed.contains("written"), "{printed}");
    match stacksmith::synth(&small, &out) {
        Err(e @ stacksmith::SynthError::Locked { .. }) => assert!(
            e.to_string().starts_with(&format!(
                "another synth is writing `{}` right now",
                out.display()
            )),
            "{e}"
        ),
        other => panic!("a second synth was not refused: {other:?}"),
    }
    assert_eq!(fs::read_dir(&out)?.count(), 1, "only .stacksmith/");
    drop(lock);
    stacksmith::synth(&small, &out)?;
    assert!(out.join("a/manifest.json").is_file());
    fs::remove_dir_all(&out)?;
    fs::remove_file(out.with_extension("v1.json"))?;
    Ok(())
}
