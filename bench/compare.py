#!/usr/bin/env python3
"""Issue 12's side-by-side in one run: stacksmith, the `cp -r` floor of its output, cdk8s and
cdktf, on tmpfs, printed against the issue's goals. Run by hand, not by CI (see BENCHMARKS.md).

    cargo bench --bench synth --no-run     # builds the bench binary
    (cd bench && npm install)              # the anchors, once (skipped when absent)
    python3 bench/compare.py               # ~5 minutes, most of it cdk8s at N=10,000

Each pass runs every workload at every size into a folder that does not exist yet, then
re-synthesizes K8s one stack over the output just written and copies it with `cp -r` (the
floor); the anchors run after the passes. Wall time is from fork to wait4, CPU time and peak
RSS come from wait4's rusage (a forked child starts with this script's RSS, ~15 MiB, so
smaller peaks read as that). Medians are reported: the machine is shared and a single run at
N=1,000 (0.1 s) moves by 20 %.
"""

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import time

WORKLOADS = ["k8s_one_stack", "k8s_stack_per_app", "terraform"]
BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)


def spawn(argv, env=None, cwd=None):
    """Runs argv to completion: (wall s, user + sys s, peak RSS MiB)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    err = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if status != 0:
        sys.exit(f"{' '.join(argv)} failed ({status}): {err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def bench_binary():
    """The newest bench binary `cargo bench --bench synth --no-run` built."""
    found = [
        p
        for p in glob.glob(os.path.join(ROOT, "target/release/deps/synth-*"))
        if os.access(p, os.X_OK) and not p.endswith(".d")
    ]
    if not found:
        sys.exit("no bench binary: run `cargo bench --bench synth --no-run` first")
    return max(found, key=os.path.getmtime)


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    return path


def median(runs, field=0):
    return statistics.median(r[field] for r in runs)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", help="the bench binary (default: the newest one built)")
    p.add_argument("--passes", type=int, default=7, help="stacksmith passes (default 7)")
    p.add_argument("--sizes", default="1000,10000", help="units (default 1000,10000)")
    p.add_argument("--anchor-runs", type=int, default=3, help="anchor runs at the smallest size")
    p.add_argument("--no-anchors", action="store_true", help="skip cdk8s and cdktf")
    p.add_argument("--dir", default="/dev/shm", help="where outputs go (default tmpfs)")
    a = p.parse_args()
    binary = a.bin or bench_binary()
    sizes = [int(s) for s in a.sizes.split(",")]
    out = lambda name: os.path.join(a.dir, f"stacksmith-compare-{name}")
    runs = {}

    for _ in range(a.passes):
        for w in WORKLOADS:
            for n in sizes:
                folder = fresh(out(f"{w}-{n}"))
                env = {**os.environ, "STACKSMITH_BENCH": f"{w}:{n}:{folder}"}
                runs.setdefault((w, n), []).append(spawn([binary], env))
                if w == "k8s_one_stack":
                    runs.setdefault((w, n, "resynth"), []).append(spawn([binary], env))
                    copy = fresh(folder + ".copy")
                    runs.setdefault((w, n, "cp"), []).append(spawn(["cp", "-r", folder, copy]))
                    shutil.rmtree(copy)
                shutil.rmtree(folder)

    anchors = {}
    have_node = os.path.isdir(os.path.join(BENCH, "node_modules"))
    if not a.no_anchors and not have_node:
        print("anchors skipped: run `npm install` in bench/ first\n")
    if not a.no_anchors and have_node:
        for tool in ["cdk8s", "cdktf"]:
            for n in sizes:
                for _ in range(a.anchor_runs if n == sizes[0] else 1):
                    folder = fresh(out(f"{tool}-{n}"))
                    argv = ["node", f"{tool}.js", str(n), folder]
                    anchors.setdefault((tool, n), []).append(spawn(argv, cwd=BENCH))
                    shutil.rmtree(folder)

    print(f"bench binary {binary}, {a.passes} passes, outputs in {a.dir}\n")
    print("| run | N | wall (median, min) | user + sys | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for key, r in runs.items():
        name = " ".join([key[0]] + list(key[2:]))
        print(
            f"| {name} | {key[1]:,} | {median(r):.3f} s, {min(x[0] for x in r):.3f} s "
            f"| {median(r, 1):.2f} s | {median(r, 2):.1f} MiB |"
        )
    for key, r in anchors.items():
        print(
            f"| {key[0]} | {key[1]:,} | {median(r):.3f} s (of {len(r)}) "
            f"| {median(r, 1):.2f} s | {median(r, 2):.0f} MiB |"
        )

    print("\nAgainst the issue's goals:")
    small, large = sizes[0], sizes[-1]
    one = lambda n: median(runs[("k8s_one_stack", n)])
    for n in sizes:
        floor = median(runs[("k8s_one_stack", n, "cp")])
        print(f"- K8s one stack at N={n:,}: {one(n) / floor:.2f}x the `cp -r` floor ({floor:.3f} s)")
        if ("cdk8s", n) in anchors:
            print(f"  {median(anchors[('cdk8s', n)]) / one(n):.1f}x faster than cdk8s")
        if ("cdktf", n) in anchors:
            # Per unit: both wrote n units.
            ratio = median(anchors[("cdktf", n)]) / median(runs[("terraform", n)])
            print(f"  Terraform {ratio:.1f}x faster than cdktf per unit")
    if small != large:
        for w in WORKLOADS:
            growth = median(runs[(w, large)]) / median(runs[(w, small)])
            print(f"- growth {small:,} -> {large:,}, {w}: {growth:.1f}x (linear: {large / small:.0f}x)")


if __name__ == "__main__":
    main()
