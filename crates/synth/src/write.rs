//! Writing the output folder so that a crash at any instant leaves either the complete previous
//! output of the whole app or the complete new one.
//!
//! Layout (unix):
//!
//! ```text
//! out/.stacksmith/lock                      flock'd by the synth writing (SynthError::Locked otherwise)
//! out/.stacksmith/generations/<n>/<stack>/  one complete output of the app
//! out/.stacksmith/current -> generations/<n>  the live generation
//! out/<stack> -> .stacksmith/current/<stack>  what users open (`out/prod/terraform`)
//! ```
//!
//! A synth, holding the lock:
//! 1. removes what a killed run left: `*.staging*` entries, and every generation but the live one;
//! 2. checks each `out/<stack>`: its own link, nothing, or a folder an earlier stacksmith wrote
//!    (before generations). A file, a link to anywhere else, or a folder without
//!    `manifest.json` is an error ([`SynthError::Occupied`]) and nothing changes;
//! 3. returns if the live generation already holds every file byte for byte (nothing changed,
//!    nothing written: a committed copy of the output does not churn). Under `synth`, steps 1
//!    and 2 run before the app renders, and each file is compared with its live copy, or
//!    written into the staging folder of step 4, on another core as soon as it is rendered
//!    ([`write_rendering`]); a render that fails removes what was staged;
//! 4. builds generation `n + 1` in `generations/<n+1>.staging/`: unchanged files hard-linked from
//!    the live output, the others written; everything synth did not generate (its previous
//!    `manifest.json` says what it did) carried over as hard links, so `.terraform/`,
//!    `.terraform.lock.hcl`, `terraform.tfstate*` and plan files outlive re-synthesis and state
//!    is never copied stale; stacks this app no longer writes carried over whole;
//! 5. renames it to `generations/<n+1>` and creates the missing `out/<stack>` links (dangling
//!    until the next step, so a stack new in this synth is absent, not half there);
//! 6. **commits** with one `rename` of a temporary link `current.staging` over `current`;
//! 7. replaces each real `out/<stack>` folder of the old layout by its link (its files were
//!    hard-linked into the generation; killed here, the next synth finishes it), removes an
//!    `out/.<stack>.previous-<pid>` that a synth before generations, killed between its two
//!    renames, left as the only copy of a missing `out/<stack>` (read and carried from like a
//!    previous output), and removes the old generation. A Terraform run inside the old generation at that moment loses its
//!    working folder, as it lost it when a stack folder was swapped before generations.
//!
//! Durability across power loss (fsync) is not attempted; a killed process is covered
//! (`tests/kill.rs`).
//!
//! Elsewhere (no symlinks) each stack is staged beside `out/<stack>` and swapped with two renames,
//! as before the generations.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use stacksmith_core::Diagnostics;

use crate::error::Occupant;
use crate::manifest::ApplyStep;
use crate::manifest::{File, MANIFEST};
use crate::render::{Handed, Rendered, Stage};
use crate::{StackOutput, SynthError};

/// The folder under `out` holding the lock, the generations and the live link.
pub(crate) const STATE_DIR: &str = ".stacksmith";
/// The lock file in [`STATE_DIR`].
const LOCK: &str = "lock";
/// The folder in [`STATE_DIR`] holding one folder per generation.
const GENERATIONS: &str = "generations";
/// The link in [`STATE_DIR`] to the live generation.
const CURRENT: &str = "current";
/// In the name of every temporary: a run that did not finish left it, the next removes it.
const STAGING: &str = ".staging";

/// What one stack's synth wrote.
#[derive(Clone, Debug)]
pub struct StackReport {
    /// The stack's name.
    pub stack: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Terraform resources and data sources.
    pub resources: usize,
    /// Kubernetes objects.
    pub objects: usize,
    /// Files written.
    pub files: usize,
    /// The apply steps, in order.
    pub apply_order: Vec<ApplyStep>,
    /// Stacks to apply before this one.
    pub after: Vec<String>,
    /// What the stack uses but does not create, with the command that checks each.
    pub prerequisites: Vec<stacksmith_core::Prerequisite>,
    /// Constructs renamed by this synth that keep their cloud names (one summary line each).
    pub renamed: Vec<crate::moves::Renamed>,
}

/// What a synth did: the stacks written and the warnings found.
#[derive(Clone, Debug)]
pub struct Report {
    /// One per stack.
    pub stacks: Vec<StackReport>,
    /// Warnings (errors would have stopped the synth).
    pub diagnostics: Diagnostics,
}

/// The output folder's advisory lock (`flock`), held until dropped; the system releases it
/// when the process dies, so a killed synth never leaves it taken.
#[derive(Debug)]
pub(crate) struct OutputLock {
    _file: fs::File,
}

/// Takes `out`'s lock, `out/.stacksmith/lock` (creating the folders); another synth holding it
/// is [`SynthError::Locked`].
pub(crate) fn lock(out: &Path) -> Result<OutputLock, SynthError> {
    if fs::metadata(out).is_ok_and(|m| !m.is_dir()) {
        return Err(SynthError::Occupied {
            path: out.to_owned(),
            occupant: Occupant::File,
        });
    }
    let state = out.join(STATE_DIR);
    fs::create_dir_all(&state).map_err(SynthError::io(&state))?;
    let path = state.join(LOCK);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(SynthError::io(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(OutputLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(SynthError::Locked {
            dir: out.to_owned(),
            lock: path,
        }),
        Err(fs::TryLockError::Error(source)) => Err(SynthError::Io { path, source }),
    }
}

/// The folder holding a stack's live output: `out/<stack>` when it is a real folder (written
/// before generations, or where there are no symbolic links: it is what the user sees), else
/// the stack's folder in the live generation. `None` when there is neither.
pub(crate) fn live_stack_dir(out: &Path, stack: &str) -> Option<PathBuf> {
    let dir = out.join(stack);
    if fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return Some(dir);
    }
    let state = out.join(STATE_DIR);
    let live = live_generation(&state).map(|g| state.join(GENERATIONS).join(g).join(stack));
    match live {
        Some(dir) if dir.is_dir() => Some(dir),
        _ if fs::symlink_metadata(out.join(stack)).is_err() => moved_aside(out, stack),
        _ => None,
    }
}

/// The folder a synth before generations moved aside (`out/.<stack>.previous-<pid>`) and was
/// killed before it put the new one in place: with `out/<stack>` missing, the only copy of the
/// previous output (the newest, if several). Read as the previous output, carried from, and
/// removed once a generation holds the stack.
fn moved_aside(out: &Path, stack: &str) -> Option<PathBuf> {
    let prefix = format!(".{stack}.previous-");
    read_dir(out)
        .ok()?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
                && e.file_type().is_ok_and(|t| t.is_dir())
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
}

/// The stacks with a folder [`moved_aside`] in `out` (`.<stack>.previous-<pid>`), from one
/// listing of `out`.
#[cfg(unix)]
fn set_aside(out: &Path) -> HashSet<String> {
    read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .flat_map(|name| {
            // Every stack whose prefix this name has (a name may hold `.previous-` twice).
            let name = name.strip_prefix('.').unwrap_or_default().to_owned();
            name.match_indices(".previous-")
                .map(|(at, _)| name.get(..at).unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The live generation's name, read once from the `current` link (so a reader never mixes
/// two generations); `None` without one, or when it points anywhere but `generations/<name>`.
fn live_generation(state: &Path) -> Option<String> {
    let target = fs::read_link(state.join(CURRENT)).ok()?;
    let mut parts = target.components();
    let (Some(Component::Normal(first)), Some(Component::Normal(name)), None) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    (first == GENERATIONS).then(|| name.to_str().map(str::to_owned))?
}

/// Writes rendered stacks under `out` as one new generation of the whole app, switched in with
/// one rename (see the module doc); takes the output folder's lock first.
pub fn write_outputs(out: &Path, outputs: &[StackOutput]) -> Result<Vec<StackReport>, SynthError> {
    let held = lock(out)?;
    write_locked(out, outputs, &held)
}

/// [`write_outputs`] with the lock already held (taken before the previous output was read).
pub(crate) fn write_locked(
    out: &Path,
    outputs: &[StackOutput],
    _held: &OutputLock,
) -> Result<Vec<StackReport>, SynthError> {
    install(out, outputs)?;
    Ok(reports(out, outputs))
}

/// What each stack's synth wrote.
fn reports(out: &Path, outputs: &[StackOutput]) -> Vec<StackReport> {
    outputs
        .iter()
        .map(|o| StackReport {
            stack: o.stack.clone(),
            dir: out.join(&o.stack),
            resources: o.resources,
            objects: o.objects,
            files: o.files.len(),
            apply_order: o.apply_order.clone(),
            after: o.after.clone(),
            prerequisites: o.prerequisites.clone(),
            renamed: o.renamed.iter().filter(|r| r.moves > 0).cloned().collect(),
        })
        .collect()
}

/// Renders and writes at once: `render` renders `items` (the app's planned stacks, named
/// `stacks`), handing each part of a stack's files to the stage it is given as soon as it is
/// rendered; meanwhile another core stages them into the next generation ([`Prepared::stage`]:
/// written, or noted unchanged from the live output), and this one joins in once rendering is
/// done. `items` are dropped before the generation is built; then it is built and switched in
/// as [`write_outputs`] does. Nothing is switched in if rendering fails.
pub(crate) fn write_rendering<T>(
    out: &Path,
    held: &OutputLock,
    stacks: &[String],
    mut items: Vec<T>,
    render: impl FnOnce(&mut [T], &Stage<'_>) -> Result<Vec<Rendered>, SynthError>,
) -> Result<Vec<StackReport>, SynthError> {
    #[cfg(not(unix))]
    {
        let _ = stacks;
        let rendered = render(&mut items, &drop)?;
        drop(items);
        let outputs: Vec<StackOutput> = rendered.into_iter().map(Rendered::into_output).collect();
        write_locked(out, &outputs, held)
    }
    #[cfg(unix)]
    {
        let _ = held;
        let prepared = Prepared::new(out, stacks.iter().map(String::as_str))?;
        let (send, receive) = std::sync::mpsc::channel::<Handed>();
        let receive = Mutex::new(receive);
        let drain = || prepared.stage_received(&receive);
        let (rendered, results) = std::thread::scope(|s| {
            let writer = s.spawn(drain);
            let stage = |handed: Handed| {
                // A closed channel means the writer stopped: what it did not stage is written
                // when the generation is built.
                let _ = send.send(handed);
            };
            let rendered = render(&mut items, &stage);
            drop(send);
            // What rendering left of the stacks is freed here while the writer still writes.
            drop(std::mem::take(&mut items));
            let mut results = drain();
            match writer.join() {
                Ok(theirs) => results.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            (rendered, results)
        });
        let mut staged = Staged::new();
        let mut failed = None;
        for (stack, at, written, error) in results {
            let flags = staged.entry(stack).or_default();
            let end = at.saturating_add(written.len());
            if flags.len() < end {
                flags.resize(end, None);
            }
            for (flag, written) in flags.iter_mut().skip(at).zip(written) {
                *flag = Some(written);
            }
            if let Some(e) = error {
                failed.get_or_insert(e);
            }
        }
        let rendered = match (rendered, failed) {
            (Ok(rendered), None) => rendered,
            (Err(e), _) | (Ok(_), Some(e)) => {
                prepared.abandon();
                return Err(e);
            }
        };
        let outputs: Vec<StackOutput> = rendered.into_iter().map(Rendered::into_output).collect();
        install_prepared(out, &outputs, prepared, &staged)?;
        Ok(reports(out, &outputs))
    }
}

/// Removes `out` if it holds nothing but the state folder (made for the lock by a synth that
/// then failed): a failed first synth leaves no folder behind.
pub(crate) fn remove_if_unused(out: &Path) {
    let only_state = read_dir(out).is_ok_and(|entries| {
        entries
            .flatten()
            .all(|e| e.file_name() == std::ffi::OsStr::new(STATE_DIR))
    });
    if only_state {
        let _ = fs::remove_dir_all(out);
    }
}

/// What is at `out/<stack>` now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Nothing.
    Missing,
    /// The link synth made, `.stacksmith/current/<stack>`.
    Linked,
    /// A real folder an earlier stacksmith wrote (it has a `manifest.json`), or an empty one.
    Folder,
}

/// Checks what is at `out/<stack>`: a file, a link synth did not make, or a folder it did not
/// write is [`SynthError::Occupied`], and nothing may be replaced.
fn target(out: &Path, stack: &str) -> Result<Target, SynthError> {
    let path = out.join(stack);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Missing),
        Err(source) => return Err(SynthError::Io { path, source }),
    };
    let occupant = if meta.is_symlink() {
        let to = fs::read_link(&path).map_err(SynthError::io(&path))?;
        if to == link_target(stack) {
            return Ok(Target::Linked);
        }
        Occupant::Link(to)
    } else if !meta.is_dir() {
        Occupant::File
    } else if path.join(MANIFEST).is_file()
        || read_dir(&path)
            .map_err(SynthError::io(&path))?
            .next()
            .is_none()
    {
        return Ok(Target::Folder);
    } else {
        Occupant::Foreign
    };
    Err(SynthError::Occupied { path, occupant })
}

/// The link `out/<stack>` holds: `.stacksmith/current/<stack>`, relative, so the output
/// folder can be moved.
fn link_target(stack: &str) -> PathBuf {
    Path::new(STATE_DIR).join(CURRENT).join(stack)
}

/// Builds the next generation and switches `current` to it with one rename; see the module doc.
#[cfg(unix)]
fn install(out: &Path, outputs: &[StackOutput]) -> Result<(), SynthError> {
    let prepared = Prepared::new(out, outputs.iter().map(|o| o.stack.as_str()))?;
    install_prepared(out, outputs, prepared, &Staged::default())
}

/// The next generation of `out`, prepared before the app renders (the lock held): the live
/// generation, what is at each stack's `out/<stack>` (checked: nothing is written over a
/// stranger), and the staging folder files are staged into as they are rendered.
#[cfg(unix)]
pub(crate) struct Prepared {
    live: Option<String>,
    targets: HashMap<String, Target>,
    /// Each stack's live output ([`live_stack_dir`]), which unchanged files are linked from.
    previous: HashMap<String, Option<PathBuf>>,
    next: String,
    staging: PathBuf,
    /// The folders created in `staging` so far.
    made: Mutex<stacksmith_core::hash::HashSet<PathBuf>>,
}

/// What became of each file of a part ([`Prepared::stage_received`]): the stack, the place of
/// the part's first file, each file written or not, and the first error.
#[cfg(unix)]
type PartStaged = (String, usize, Vec<bool>, Option<SynthError>);

/// Files staged before the generation is built, by stack, in the order of its files: `true`
/// when written into the staging folder, `false` when the live output holds the same bytes
/// (linked later), `None` when not staged.
pub(crate) type Staged = HashMap<String, Vec<Option<bool>>>;

#[cfg(unix)]
impl Prepared {
    /// Removes what a killed run left and checks every stack's `out/<stack>`.
    pub(crate) fn new<'s>(
        out: &Path,
        stacks: impl Iterator<Item = &'s str>,
    ) -> Result<Self, SynthError> {
        let state = out.join(STATE_DIR);
        let generations = state.join(GENERATIONS);
        let live = live_generation(&state);
        clean(&state, live.as_deref());
        let mut targets = HashMap::new();
        let mut previous = HashMap::new();
        for stack in stacks {
            targets.insert(stack.to_owned(), target(out, stack)?);
            previous.insert(stack.to_owned(), live_stack_dir(out, stack));
        }
        let next = next_generation(&generations, live.as_deref());
        let staging = generations.join(format!("{next}{STAGING}"));
        Ok(Self {
            live,
            targets,
            previous,
            next,
            staging,
            made: Mutex::new(stacksmith_core::hash::HashSet::default()),
        })
    }

    /// Stages one rendered file of `stack`: `false` when the live output holds the same bytes
    /// (hard-linked when the generation is built, if one is), else written into the staging
    /// folder (`true`).
    pub(crate) fn stage(&self, stack: &str, f: &File) -> Result<bool, SynthError> {
        if let Some(Some(previous)) = self.previous.get(stack)
            && unchanged(&previous.join(&f.path), &f.contents)
        {
            return Ok(false);
        }
        // One allocation for the path (two joins would make two and grow the second).
        let mut path = PathBuf::with_capacity(
            self.staging
                .as_os_str()
                .len()
                .saturating_add(stack.len())
                .saturating_add(f.path.len())
                .saturating_add(2),
        );
        path.push(&self.staging);
        path.push(stack);
        path.push(&f.path);
        if let Some(parent) = path.parent() {
            let made = self
                .made
                .lock()
                .map(|made| made.contains(parent))
                .unwrap_or(false);
            if !made {
                fs::create_dir_all(parent).map_err(SynthError::io(parent))?;
                if let Ok(mut made) = self.made.lock() {
                    made.insert(parent.to_owned());
                }
            }
        }
        fs::write(&path, &f.contents).map_err(SynthError::io(&path))?;
        Ok(true)
    }

    /// Stages every part received until the channel closes, and frees what is handed to be.
    fn stage_received(
        &self,
        receive: &Mutex<std::sync::mpsc::Receiver<Handed>>,
    ) -> Vec<PartStaged> {
        let mut results = Vec::new();
        loop {
            let next = match receive.lock() {
                Ok(receive) => receive.recv(),
                Err(_) => break,
            };
            let (stack, at, part) = match next {
                Ok(Handed::Part(stack, at, part)) => (stack, at, part),
                Ok(Handed::Free(garbage)) => {
                    drop(garbage);
                    continue;
                }
                Err(_) => break,
            };
            let mut error = None;
            let written = part
                .iter()
                .map(|f| match self.stage(&stack, f) {
                    Ok(written) => written,
                    Err(e) => {
                        error.get_or_insert(e);
                        true
                    }
                })
                .collect();
            results.push((stack, at, written, error));
        }
        results
    }

    /// Gives up the generation (rendering failed): removes what was staged.
    pub(crate) fn abandon(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// [`install`] with the generation prepared and some files staged already.
#[cfg(unix)]
fn install_prepared(
    out: &Path,
    outputs: &[StackOutput],
    prepared: Prepared,
    staged: &Staged,
) -> Result<(), SynthError> {
    let state = out.join(STATE_DIR);
    let generations = state.join(GENERATIONS);
    let Prepared {
        live,
        targets,
        previous,
        next,
        staging,
        made: _,
    } = prepared;
    let target_of = |stack: &str| targets.get(stack).copied().unwrap_or(Target::Missing);
    let staged_of = |stack: &str| staged.get(stack).map_or(&[][..], Vec::as_slice);
    if let Some(live) = &live
        && outputs
            .iter()
            .all(|o| target_of(&o.stack) == Target::Linked)
        && outputs.iter().all(|o| {
            holds(
                &generations.join(live).join(&o.stack),
                o,
                staged_of(&o.stack),
            )
        })
    {
        // Nothing was written (every file held): only folders, if any, were staged.
        let _ = fs::remove_dir_all(&staging);
        return Ok(());
    }
    let generation = generations.join(&next);
    let built = build(
        &staging,
        outputs,
        live.as_deref().map(|l| generations.join(l)),
        &previous,
        staged,
    );
    if let Err(e) = built {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    fs::rename(&staging, &generation).map_err(SynthError::io(&generation))?;
    for o in outputs {
        let link = out.join(&o.stack);
        if target_of(&o.stack) == Target::Missing {
            symlink(&link_target(&o.stack), &link).map_err(SynthError::io(&link))?;
        }
    }
    // The commit point: before this rename the previous output is live, after it the new one.
    let temporary = state.join(format!("{CURRENT}{STAGING}"));
    let current = state.join(CURRENT);
    let _ = fs::remove_file(&temporary);
    symlink(&Path::new(GENERATIONS).join(&next), &temporary).map_err(SynthError::io(&temporary))?;
    fs::rename(&temporary, &current).map_err(SynthError::io(&current))?;
    // Listed once (not once per stack: `out` now holds a link per stack).
    let aside = set_aside(out);
    for o in outputs {
        let t = target_of(&o.stack);
        if t == Target::Missing
            && aside.contains(o.stack.as_str())
            && let Some(aside) = moved_aside(out, &o.stack)
        {
            let _ = fs::remove_dir_all(aside);
        }
        if t == Target::Folder {
            replace_folder(out, &o.stack).map_err(|(path, source)| SynthError::Unfinished {
                live: current.join(&o.stack),
                path,
                source,
            })?;
        }
    }
    clean(&state, Some(&next));
    Ok(())
}

/// Whether the stack folder `dir` already holds every file of `o`, byte for byte (then the
/// live generation stays: a synth that changes nothing writes nothing).
#[cfg(unix)]
fn holds(dir: &Path, o: &StackOutput, staged: &[Option<bool>]) -> bool {
    let same = |i: usize, f: &File| match staged.get(i).copied().flatten() {
        Some(written) => !written,
        None => unchanged(&dir.join(&f.path), &f.contents),
    };
    let every_file_same = || o.files.iter().enumerate().all(|(i, f)| same(i, f));
    if o.files.iter().any(|f| f.path == MANIFEST) {
        // `manifest.json` lists every other file of the stack: held byte for byte, the folder
        // lists the same files, and is not read back (at 60,000 files, 13 MB).
        return every_file_same();
    }
    let listed = generated(dir);
    listed.len() == o.files.len()
        && o.files.iter().all(|f| listed.contains(&f.path))
        && every_file_same()
}

/// After the switch: moves a real `out/<stack>` folder (written before generations; its files
/// were carried into the new one as hard links) aside and puts the stack's link in its place.
#[cfg(unix)]
fn replace_folder(out: &Path, stack: &str) -> Result<(), (PathBuf, io::Error)> {
    let path = out.join(stack);
    let aside = out
        .join(STATE_DIR)
        .join(format!("before-generations-{stack}{STAGING}"));
    let _ = fs::remove_dir_all(&aside);
    fs::rename(&path, &aside).map_err(|e| (path.clone(), e))?;
    symlink(&link_target(stack), &path).map_err(|e| (path.clone(), e))?;
    let _ = fs::remove_dir_all(&aside);
    Ok(())
}

/// The next generation's name: one more than the largest number among the live one and
/// those left (a crashed run's are removed first, but a generation that could not be removed
/// must not be reused).
#[cfg(unix)]
fn next_generation(generations: &Path, live: Option<&str>) -> String {
    let left = read_dir(generations)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .split('.')
                .next()?
                .parse::<u64>()
                .ok()
        });
    let live = live.and_then(|l| l.parse::<u64>().ok());
    (left.chain(live).max().unwrap_or(0) + 1).to_string()
}

/// Writes every stack into `generation`, then carries over, whole, the stacks of the live
/// generation this app does not write (as a synth before generations left their folders).
#[cfg(unix)]
fn build(
    generation: &Path,
    outputs: &[StackOutput],
    live: Option<PathBuf>,
    previous: &HashMap<String, Option<PathBuf>>,
    staged: &Staged,
) -> Result<(), SynthError> {
    fs::create_dir_all(generation).map_err(SynthError::io(generation))?;
    for o in outputs {
        build_stack(
            &generation.join(&o.stack),
            previous.get(&o.stack).and_then(Option::as_deref),
            o,
            staged.get(&o.stack).map(Vec::as_slice),
        )?;
    }
    let Some(live) = live else {
        return Ok(());
    };
    let written: HashSet<&std::ffi::OsStr> = outputs
        .iter()
        .map(|o| std::ffi::OsStr::new(&o.stack))
        .collect();
    for entry in read_dir(&live).map_err(SynthError::io(&live))? {
        let name = entry.map_err(SynthError::io(&live))?.file_name();
        if !written.contains(name.as_os_str()) {
            carry(&live.join(&name), &generation.join(&name), &HashSet::new())?;
        }
    }
    Ok(())
}

/// Removes what a run that did not finish left: every `*.staging*` entry of the state folder
/// and of its generations, and, when a generation is live, every other generation. Best
/// effort: what cannot be removed now is tried again by the next run.
#[cfg(unix)]
fn clean(state: &Path, live: Option<&str>) {
    let entries = |dir: &Path| read_dir(dir).into_iter().flatten().flatten();
    for e in entries(state) {
        if e.file_name().to_string_lossy().contains(STAGING) {
            remove(&e.path());
        }
    }
    for e in entries(&state.join(GENERATIONS)) {
        let name = e.file_name();
        let stale = match live {
            Some(live) => *name != *live,
            None => name.to_string_lossy().contains(STAGING),
        };
        if stale {
            remove(&e.path());
        }
    }
}

/// Removes a file, link or folder (a link is removed, never followed).
#[cfg(unix)]
fn remove(path: &Path) {
    let _ = if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
}

/// Where there are no symbolic links: each stack is staged beside `out/<stack>` and swapped in
/// with two renames once all are staged (a crash between them can leave a stack missing).
#[cfg(not(unix))]
fn install(out: &Path, outputs: &[StackOutput]) -> Result<(), SynthError> {
    for o in outputs {
        target(out, &o.stack)?;
    }
    let pid = std::process::id();
    let mut staged: Vec<PathBuf> = Vec::new();
    for o in outputs {
        let staging = out.join(format!(".{}{STAGING}-{pid}", o.stack));
        if let Err(e) = build_stack(&staging, live_stack_dir(out, &o.stack).as_deref(), o, None) {
            let _ = fs::remove_dir_all(&staging);
            for s in &staged {
                let _ = fs::remove_dir_all(s);
            }
            return Err(e);
        }
        staged.push(staging);
    }
    for (o, staging) in outputs.iter().zip(&staged) {
        let previous = out.join(format!(".{}.previous-{pid}", o.stack));
        swap(staging, &out.join(&o.stack), &previous)?;
    }
    Ok(())
}

/// Moves `staging` to `target`; the old `target` is moved aside first and restored if the
/// second rename fails.
#[cfg(not(unix))]
fn swap(staging: &Path, target: &Path, previous: &Path) -> Result<(), SynthError> {
    let had_previous = target.exists();
    if had_previous {
        if previous.exists() {
            fs::remove_dir_all(previous).map_err(SynthError::io(previous))?;
        }
        fs::rename(target, previous).map_err(SynthError::io(target))?;
    }
    if let Err(source) = fs::rename(staging, target) {
        if had_previous {
            let _ = fs::rename(previous, target);
        }
        return Err(SynthError::Io {
            path: target.to_owned(),
            source,
        });
    }
    if had_previous {
        fs::remove_dir_all(previous).map_err(SynthError::io(previous))?;
    }
    Ok(())
}

/// Writes one stack's folder `dir` ([`stage`]) and carries into it what the user and
/// Terraform put beside the previous output ([`carry`]).
fn build_stack(
    dir: &Path,
    previous: Option<&Path>,
    o: &StackOutput,
    staged: Option<&[Option<bool>]>,
) -> Result<(), SynthError> {
    stage(dir, previous, o, staged)?;
    let Some(previous) = previous else {
        return Ok(());
    };
    let mut generated = generated(previous);
    generated.extend(o.files.iter().map(|f| f.path.clone()));
    carry(previous, dir, &generated)
}

/// The files synth wrote into a stack folder: those its `manifest.json` lists, and itself.
fn generated(dir: &Path) -> HashSet<String> {
    /// What is read of `manifest.json` here: the paths of its files (the rest is skipped
    /// unparsed, the resources' facts among it).
    #[derive(serde::Deserialize)]
    struct Listed {
        files: Vec<ListedFile>,
    }
    #[derive(serde::Deserialize)]
    struct ListedFile {
        path: Option<String>,
    }
    let mut files = HashSet::from([MANIFEST.to_owned()]);
    let listed = fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|text| serde_json::from_str::<Listed>(&text).ok());
    files.extend(
        listed
            .into_iter()
            .flat_map(|l| l.files)
            .filter_map(|f| f.path),
    );
    files
}

/// Hard-links into `to` every file under `from` that synth did not generate (`generated`:
/// paths relative to the stack folder) and `to` does not hold yet, recreating their folders
/// and symbolic links: `.terraform/`, `.terraform.lock.hcl`, `terraform.tfstate*`, plan files.
/// A hard link, not a copy, so state written later through either path is the same file;
/// copied only where the file system has no hard links. Sockets and pipes are left out.
fn carry(from: &Path, to: &Path, generated: &HashSet<String>) -> Result<(), SynthError> {
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let dir = from.join(&rel);
        for entry in read_dir(&dir).map_err(SynthError::io(&dir))? {
            let entry = entry.map_err(SynthError::io(&dir))?;
            let rel = rel.join(entry.file_name());
            let kind = entry.file_type().map_err(SynthError::io(&dir))?;
            if kind.is_dir() {
                pending.push(rel);
                continue;
            }
            let (source, dest) = (from.join(&rel), to.join(&rel));
            let skip = rel.to_str().is_some_and(|r| generated.contains(r));
            if skip || fs::symlink_metadata(&dest).is_ok() {
                continue;
            }
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).map_err(SynthError::io(parent))?;
            }
            let carried = if kind.is_symlink() {
                fs::read_link(&source).and_then(|target| symlink(&target, &dest))
            } else if kind.is_file() {
                fs::hard_link(&source, &dest).or_else(|_| fs::copy(&source, &dest).map(drop))
            } else {
                Ok(())
            };
            carried.map_err(SynthError::io(&dest))?;
        }
    }
    Ok(())
}

/// `fs::read_dir`; in tests the entries read are counted per folder listed
/// (`tests::entries_read_under`), so a test can check that no listing is repeated per stack.
fn read_dir(dir: &Path) -> io::Result<impl Iterator<Item = io::Result<fs::DirEntry>> + use<>> {
    let entries = fs::read_dir(dir)?;
    #[cfg(test)]
    let entries = {
        let dir = dir.to_path_buf();
        entries.inspect(move |_| tests::entry_read(&dir))
    };
    Ok(entries)
}

/// Creates the symbolic link `at` → `target`.
#[cfg(unix)]
fn symlink(target: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

/// Symbolic links are not carried where they need privileges to create.
#[cfg(not(unix))]
fn symlink(_target: &Path, _at: &Path) -> io::Result<()> {
    Ok(())
}

/// Writes a stack's files into `dir`, a staging folder switched in later. A file whose bytes
/// equal those of the same file in `previous` is hard-linked from there instead of written:
/// re-synthesizing writes only what changed (unchanged files keep their modification time),
/// and the switch stays atomic since no file is ever changed in place. Files are staged on
/// every core; each folder is created once. Files `staged` already ([`Prepared::stage`]) are
/// left as they are if written, linked if unchanged.
fn stage(
    dir: &Path,
    previous: Option<&Path>,
    o: &StackOutput,
    staged: Option<&[Option<bool>]>,
) -> Result<(), SynthError> {
    if dir.exists() && staged.is_none() {
        fs::remove_dir_all(dir).map_err(SynthError::io(dir))?;
    }
    let mut made: HashSet<&Path> = HashSet::new();
    made.insert(Path::new(""));
    fs::create_dir_all(dir).map_err(SynthError::io(dir))?;
    for f in &o.files {
        if let Some(parent) = Path::new(&f.path).parent()
            && made.insert(parent)
        {
            let parent = dir.join(parent);
            fs::create_dir_all(&parent).map_err(SynthError::io(&parent))?;
        }
    }
    let files: Vec<(usize, &File)> = o.files.iter().enumerate().collect();
    stacksmith_core::parallel::map(&files, |&(i, f)| {
        let path = dir.join(&f.path);
        let written = staged.and_then(|s| s.get(i)).copied().flatten();
        if written == Some(true) {
            return Ok(());
        }
        let same = previous
            .map(|p| p.join(&f.path))
            .filter(|old| match written {
                Some(written) => !written,
                None => unchanged(old, &f.contents),
            });
        if let Some(old) = same
            && fs::hard_link(&old, &path).is_ok()
        {
            return Ok(());
        }
        fs::write(&path, &f.contents).map_err(SynthError::io(&path))
    })
    .into_iter()
    .collect()
}

/// Whether the file at `path` holds exactly `bytes` (size first: most changes change it).
fn unchanged(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    if !fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64) {
        return false;
    }
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    // Compared a block at a time: a large root (`main.tf.json`) is never read whole beside
    // its new bytes.
    let mut block = [0u8; 16 * 1024];
    let mut rest = bytes;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) => match (block.get(..n), rest.get(..n)) {
                (Some(read), Some(expected)) if read == expected => rest = &rest[n..],
                _ => return false,
            },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::File;
    use serde_json::Value as Json;

    type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

    /// A stack's output: `files` and a `manifest.json` listing them, as render writes.
    fn stack(name: &str, files: &[(&str, &str)]) -> StackOutput {
        let mut files: Vec<File> = files
            .iter()
            .map(|(p, c)| File::text(*p, (*c).to_owned()))
            .collect();
        let listed: Vec<Json> = files
            .iter()
            .map(|f| serde_json::json!({ "path": f.path }))
            .collect();
        files.push(File::text(
            "manifest.json",
            serde_json::json!({ "files": listed }).to_string(),
        ));
        StackOutput {
            stack: name.into(),
            files,
            resources: 0,
            objects: 0,
            apply_order: Vec::new(),
            after: Vec::new(),
            prerequisites: Vec::new(),
            renamed: Vec::new(),
        }
    }

    fn output(files: &[(&str, &str)]) -> StackOutput {
        stack("prod", files)
    }

    /// How a test writes outputs: all at once ([`write_outputs`]), or staged file by file while
    /// "rendering" ([`write_rendering`], as synth writes), each file a part of its own.
    type Writer = fn(&Path, &[StackOutput]) -> std::result::Result<Vec<StackReport>, SynthError>;

    const WRITERS: [(Writer, &str); 2] = [(write_outputs, "all"), (write_staged, "staged")];

    fn write_staged(
        out: &Path,
        outputs: &[StackOutput],
    ) -> std::result::Result<Vec<StackReport>, SynthError> {
        let held = lock(out)?;
        let stacks: Vec<String> = outputs.iter().map(|o| o.stack.clone()).collect();
        write_rendering(out, &held, &stacks, outputs.to_vec(), |items, stage| {
            Ok(items
                .iter_mut()
                .map(|o| crate::render::Rendered::in_parts(o.clone(), stage))
                .collect())
        })
    }

    /// An empty scratch folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let out =
            std::env::temp_dir().join(format!("stacksmith-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        out
    }

    /// Directory entries read by the writer, per folder listed (all tests of the process;
    /// a test reads only the folders under its own scratch folder).
    static ENTRIES_READ: std::sync::Mutex<std::collections::BTreeMap<PathBuf, usize>> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());

    /// Counts one entry read from `dir`.
    pub(super) fn entry_read(dir: &Path) {
        if let Ok(mut read) = ENTRIES_READ.lock() {
            *read.entry(dir.to_path_buf()).or_default() += 1;
        }
    }

    /// Entries read from `root` and the folders under it.
    fn entries_read_under(root: &Path) -> usize {
        ENTRIES_READ.lock().map_or(0, |read| {
            read.range(root.to_path_buf()..)
                .take_while(|(d, _)| d.starts_with(root))
                .map(|(_, n)| n)
                .sum()
        })
    }

    /// The names in a folder, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn resynthesizing_writes_only_the_files_that_changed() -> Result {
        for (write, tag) in WRITERS {
            resynthesizing_writes_only_the_files_that_changed_with(write, tag)?;
        }
        Ok(())
    }

    fn resynthesizing_writes_only_the_files_that_changed_with(write: Writer, tag: &str) -> Result {
        use std::os::unix::fs::MetadataExt;
        let out = scratch(&format!("changed-{tag}"));
        let inode = |p: &str| fs::metadata(out.join("prod").join(p)).map(|m| m.ino()).ok();
        write(
            &out,
            &[output(&[("a/same.yaml", "same\n"), ("b.json", "old\n")])],
        )?;
        let (same, changed) = (inode("a/same.yaml"), inode("b.json"));
        write(
            &out,
            &[output(&[
                ("a/same.yaml", "same\n"),
                ("b.json", "new\n"),
                ("c/d/e.txt", "added\n"),
            ])],
        )?;
        assert_eq!(
            inode("a/same.yaml"),
            same,
            "an unchanged file is kept, not rewritten"
        );
        assert_ne!(inode("b.json"), changed);
        let read = |p: &str| fs::read_to_string(out.join("prod").join(p));
        assert_eq!(read("b.json")?, "new\n");
        assert_eq!(read("c/d/e.txt")?, "added\n");
        assert_eq!(names(&out), [".stacksmith", "prod"]);
        assert_eq!(
            fs::read_link(out.join("prod"))?,
            Path::new(".stacksmith/current/prod")
        );
        let state = out.join(STATE_DIR);
        assert_eq!(names(&state), ["current", "generations", "lock"]);
        assert_eq!(
            names(&state.join(GENERATIONS)),
            ["2"],
            "no staging folder or earlier generation is left behind"
        );
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    /// What `terraform init/apply` leave in a stack folder outlives re-synthesis, as the same
    /// files; a file synth wrote before and no longer writes goes.
    #[cfg(unix)]
    #[test]
    fn terraform_state_and_dot_terraform_survive_resynthesis() -> Result {
        for (write, tag) in WRITERS {
            terraform_state_and_dot_terraform_survive_resynthesis_with(write, tag)?;
        }
        Ok(())
    }

    fn terraform_state_and_dot_terraform_survive_resynthesis_with(
        write: Writer,
        tag: &str,
    ) -> Result {
        use std::os::unix::fs::MetadataExt;
        let out = scratch(&format!("state-{tag}"));
        write(
            &out,
            &[output(&[
                ("terraform/main.tf.json", "{}\n"),
                ("kubernetes/a.yaml", "a\n"),
            ])],
        )?;
        let tf = out.join("prod/terraform");
        fs::write(tf.join("terraform.tfstate"), "{\"serial\": 7}\n")?;
        fs::write(tf.join(".terraform.lock.hcl"), "# lock\n")?;
        fs::create_dir_all(tf.join(".terraform/providers/aws"))?;
        fs::write(tf.join(".terraform/providers/aws/provider"), "binary")?;
        std::os::unix::fs::symlink("providers/aws", tf.join(".terraform/cache"))?;
        let state_inode = fs::metadata(tf.join("terraform.tfstate"))?.ino();
        write(
            &out,
            &[output(&[("terraform/main.tf.json", "{\"x\": 1}\n")])],
        )?;
        assert_eq!(fs::read_to_string(tf.join("main.tf.json"))?, "{\"x\": 1}\n");
        assert_eq!(
            fs::read_to_string(tf.join("terraform.tfstate"))?,
            "{\"serial\": 7}\n"
        );
        assert_eq!(
            fs::metadata(tf.join("terraform.tfstate"))?.ino(),
            state_inode,
            "the state is the same file, never a stale copy"
        );
        assert_eq!(
            fs::read_to_string(tf.join(".terraform.lock.hcl"))?,
            "# lock\n"
        );
        assert_eq!(
            fs::read_to_string(tf.join(".terraform/providers/aws/provider"))?,
            "binary"
        );
        assert_eq!(
            fs::read_link(tf.join(".terraform/cache"))?,
            Path::new("providers/aws")
        );
        assert!(
            !out.join("prod/kubernetes/a.yaml").exists(),
            "a file synth no longer writes is not carried"
        );
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_synth_that_changes_nothing_writes_nothing() -> Result {
        for (write, tag) in WRITERS {
            a_synth_that_changes_nothing_writes_nothing_with(write, tag)?;
        }
        Ok(())
    }

    fn a_synth_that_changes_nothing_writes_nothing_with(write: Writer, tag: &str) -> Result {
        let out = scratch(&format!("same-{tag}"));
        let files = [("terraform/main.tf.json", "{}\n")];
        write(&out, &[output(&files)])?;
        let generations = out.join(STATE_DIR).join(GENERATIONS);
        assert_eq!(names(&generations), ["1"]);
        write(&out, &[output(&files)])?;
        assert_eq!(names(&generations), ["1"], "the live generation stays");
        fs::write(out.join("prod/terraform/main.tf.json"), "edited by hand\n")?;
        write(&out, &[output(&files)])?;
        assert_eq!(
            names(&generations),
            ["2"],
            "a file edited by hand is written again"
        );
        assert_eq!(
            fs::read_to_string(out.join("prod/terraform/main.tf.json"))?,
            "{}\n"
        );
        // The manifest is unchanged, but a file it lists is gone.
        fs::remove_file(out.join("prod/terraform/main.tf.json"))?;
        write(&out, &[output(&files)])?;
        assert_eq!(
            names(&generations),
            ["3"],
            "a removed file is written again"
        );
        assert_eq!(
            fs::read_to_string(out.join("prod/terraform/main.tf.json"))?,
            "{}\n"
        );
        // A file more, and the manifest that lists it.
        let more = [
            ("terraform/main.tf.json", "{}\n"),
            ("kubernetes/a.yaml", "a: 1\n"),
        ];
        write(&out, &[output(&more)])?;
        assert_eq!(names(&generations), ["4"], "a file added is written");
        write(&out, &[output(&files)])?;
        assert_eq!(names(&generations), ["5"], "a file dropped is removed");
        assert!(!out.join("prod/kubernetes/a.yaml").exists());
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    /// A shipped binary file (a Lambda's zip, not UTF-8) is written byte for byte, and an
    /// unchanged one leaves the output as it is.
    #[cfg(unix)]
    #[test]
    fn a_binary_file_is_written_byte_for_byte() -> Result {
        for (write, tag) in WRITERS {
            a_binary_file_is_written_byte_for_byte_with(write, tag)?;
        }
        Ok(())
    }

    fn a_binary_file_is_written_byte_for_byte_with(write: Writer, tag: &str) -> Result {
        let out = scratch(&format!("binary-{tag}"));
        let zip = vec![0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80];
        let with_zip = || {
            let mut o = output(&[
                ("terraform/main.tf.json", "{}\n"),
                ("terraform/assets/code.zip", ""),
            ]);
            if let Some(f) = o.files.iter_mut().find(|f| f.path.ends_with(".zip")) {
                f.contents = zip.clone();
            }
            o
        };
        write(&out, &[with_zip()])?;
        assert_eq!(fs::read(out.join("prod/terraform/assets/code.zip"))?, zip);
        write(&out, &[with_zip()])?;
        let generations = out.join(STATE_DIR).join(GENERATIONS);
        assert_eq!(
            names(&generations),
            ["1"],
            "nothing changed, nothing written"
        );
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    /// Files staged while rendering are not switched in when rendering then fails: the
    /// previous output stays live and nothing staged is left; a first synth leaves no folder.
    #[cfg(unix)]
    #[test]
    fn a_render_that_fails_switches_nothing_in() -> Result {
        let failing = |out: &Path| {
            let held = lock(out)?;
            write_rendering(
                out,
                &held,
                &["prod".to_owned()],
                vec![output(&[("a.json", "new\n"), ("b/c.json", "new\n")])],
                |items, stage| {
                    for o in items.iter() {
                        drop(crate::render::Rendered::in_parts(o.clone(), stage));
                    }
                    Err(SynthError::PathOutside {
                        path: "prod/..".into(),
                        problem: "`.` or `..` component",
                    })
                },
            )
        };
        let out = scratch("failing");
        write_outputs(&out, &[output(&[("a.json", "old\n")])])?;
        assert!(failing(&out).is_err());
        assert_eq!(fs::read_to_string(out.join("prod/a.json"))?, "old\n");
        assert_eq!(
            names(&out.join(STATE_DIR).join(GENERATIONS)),
            ["1"],
            "what was staged is removed"
        );
        fs::remove_dir_all(&out)?;
        let fresh = scratch("failing-fresh");
        assert!(failing(&fresh).is_err());
        remove_if_unused(&fresh);
        assert!(!fresh.exists(), "a failed first synth leaves no folder");
        Ok(())
    }

    #[test]
    fn a_file_where_a_stack_folder_goes_is_refused_and_kept() -> Result {
        let out = scratch("file");
        fs::create_dir_all(&out)?;
        fs::write(out.join("prod"), "mine\n")?;
        let Err(e) = write_outputs(&out, &[output(&[("a.json", "{}\n")])]) else {
            return Err("a file at out/prod was replaced".into());
        };
        assert_eq!(
            e.to_string(),
            format!(
                "`{}` is a file, not a directory: move it away or choose another output folder",
                out.join("prod").display()
            )
        );
        assert!(e.previous_intact());
        assert_eq!(fs::read_to_string(out.join("prod"))?, "mine\n");
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_folder_synth_did_not_make_is_refused_and_kept() -> Result {
        let out = scratch("foreign");
        fs::create_dir_all(out.join("elsewhere"))?;
        std::os::unix::fs::symlink("elsewhere", out.join("prod"))?;
        let Err(e) = write_outputs(&out, &[output(&[("a.json", "{}\n")])]) else {
            return Err("a link the user made was replaced".into());
        };
        assert!(
            e.to_string()
                .ends_with("prod` is a symbolic link to `elsewhere`, which stacksmith did not make: move it away or choose another output folder"),
            "{e}"
        );
        assert_eq!(fs::read_link(out.join("prod"))?, Path::new("elsewhere"));
        assert!(names(&out.join("elsewhere")).is_empty());
        fs::remove_file(out.join("prod"))?;
        fs::create_dir_all(out.join("prod"))?;
        fs::write(out.join("prod/notes.txt"), "mine\n")?;
        let Err(e) = write_outputs(&out, &[output(&[("a.json", "{}\n")])]) else {
            return Err("a folder synth did not write was replaced".into());
        };
        assert!(
            e.to_string()
                .contains("is a folder stacksmith did not write"),
            "{e}"
        );
        assert_eq!(names(&out.join("prod")), ["notes.txt"]);
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    /// A stack folder written before generations (a real `out/prod`) becomes the link, keeping
    /// the files synth did not write.
    #[cfg(unix)]
    #[test]
    fn a_stack_folder_from_before_generations_is_migrated() -> Result {
        let out = scratch("migrate");
        let old = output(&[("terraform/main.tf.json", "{}\n"), ("old.yaml", "old\n")]);
        for f in &old.files {
            let path = out.join("prod").join(&f.path);
            fs::create_dir_all(path.parent().ok_or("no parent")?)?;
            fs::write(path, &f.contents)?;
        }
        fs::write(out.join("prod/terraform/terraform.tfstate"), "state\n")?;
        write_outputs(
            &out,
            &[output(&[("terraform/main.tf.json", "{\"x\": 1}\n")])],
        )?;
        assert!(fs::symlink_metadata(out.join("prod"))?.is_symlink());
        let tf = out.join("prod/terraform");
        assert_eq!(fs::read_to_string(tf.join("terraform.tfstate"))?, "state\n");
        assert_eq!(fs::read_to_string(tf.join("main.tf.json"))?, "{\"x\": 1}\n");
        assert!(!out.join("prod/old.yaml").exists());
        assert_eq!(names(&out), [".stacksmith", "prod"]);
        assert_eq!(
            names(&out.join(STATE_DIR)),
            ["current", "generations", "lock"]
        );
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    /// A synth before generations killed between its two renames left `out/.prod.previous-<pid>`
    /// and no `out/prod`: that folder is the previous output (rename planning and SS0009 read
    /// it), its Terraform state is carried, and it is removed once the new output is live.
    #[cfg(unix)]
    #[test]
    fn a_stack_folder_moved_aside_by_a_killed_synth_is_the_previous_output() -> Result {
        let out = scratch("aside");
        let aside = out.join(".prod.previous-4242");
        fs::create_dir_all(aside.join("terraform"))?;
        fs::write(aside.join("manifest.json"), "{\"files\": []}")?;
        fs::write(aside.join("terraform/terraform.tfstate"), "state\n")?;
        assert_eq!(live_stack_dir(&out, "prod"), Some(aside.clone()));
        write_outputs(&out, &[output(&[("terraform/main.tf.json", "{}\n")])])?;
        assert_eq!(
            fs::read_to_string(out.join("prod/terraform/terraform.tfstate"))?,
            "state\n"
        );
        assert!(!aside.exists());
        assert_eq!(names(&out), [".stacksmith", "prod"]);
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    #[test]
    fn a_second_synth_into_a_locked_folder_is_refused() -> Result {
        let out = scratch("lock");
        let held = lock(&out)?;
        let Err(e) = write_outputs(&out, &[output(&[("a.json", "{}\n")])]) else {
            return Err("two synths wrote one folder at once".into());
        };
        assert_eq!(
            e.to_string(),
            format!(
                "another synth is writing `{}` right now (it holds the lock `{}`); wait for it to finish, or choose another output folder",
                out.display(),
                out.join(".stacksmith/lock").display()
            )
        );
        assert!(!out.join("prod").exists());
        drop(held);
        write_outputs(&out, &[output(&[("a.json", "{}\n")])])?;
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    /// What a killed run left is removed; a stack this app no longer writes is kept.
    #[cfg(unix)]
    #[test]
    fn temporaries_of_a_killed_run_are_removed_and_other_stacks_kept() -> Result {
        let out = scratch("stale");
        write_outputs(
            &out,
            &[
                output(&[("a.json", "1\n")]),
                stack("dr", &[("b.json", "2\n")]),
            ],
        )?;
        let state = out.join(STATE_DIR);
        fs::create_dir_all(state.join("generations/2.staging/prod"))?;
        fs::create_dir_all(state.join("generations/9"))?;
        std::os::unix::fs::symlink("generations/2", state.join("current.staging"))?;
        write_outputs(&out, &[output(&[("a.json", "3\n")])])?;
        assert_eq!(names(&state), ["current", "generations", "lock"]);
        assert_eq!(names(&state.join(GENERATIONS)), ["2"]);
        assert_eq!(fs::read_to_string(out.join("prod/a.json"))?, "3\n");
        assert_eq!(fs::read_to_string(out.join("dr/b.json"))?, "2\n");
        fs::remove_dir_all(&out)?;
        Ok(())
    }

    /// The writer lists `out/` a bounded number of times per stack, not once per stack while
    /// `out/` holds a link per stack (10,000 stacks read 10^8 entries that way): the entries
    /// read per stack, counted (no clock), stay flat from 100 to 1,000 stacks, for a fresh
    /// write and for a re-write that changes every stack.
    #[cfg(unix)]
    #[test]
    fn directory_entries_read_per_stack_stay_flat() -> Result {
        let per_stack = |n: usize| -> Result<usize> {
            let out = scratch(&format!("listings-{n}"));
            let outputs = |contents: &str| -> Vec<StackOutput> {
                (0..n)
                    .map(|i| stack(&format!("s{i}"), &[("a.yaml", contents)]))
                    .collect()
            };
            write_outputs(&out, &outputs("a: 1\n"))?;
            write_outputs(&out, &outputs("a: 2\n"))?;
            let read = entries_read_under(&out);
            fs::remove_dir_all(&out)?;
            Ok(read / n)
        };
        let (small, large) = (per_stack(100)?, per_stack(1_000)?);
        assert!(small > 0, "no directory entry counted");
        assert!(
            large <= small + small / 2,
            "{small} entries read per stack at 100 stacks, {large} at 1,000"
        );
        Ok(())
    }
}
