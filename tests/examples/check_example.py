#!/usr/bin/env python3
"""Runs one example from examples/ briefly and checks its output for the decision it shows.

Usage: check_example.py NAME BUILD_ROOT SOURCE_ROOT

NAME is an example (seed_demo, crawler, echo_server, legacy_lock, phase_change,
profile_counters), `crawler_deadline` or `crawler_interrupt` (the crawler stopped by its
deadline, by SIGINT), or `configs` (phase_change under each of examples/config/*.toml). For the
examples that talk to a delay server, switchyard-bench's is started on loopback. Timings are printed, never asserted, except
legacy_lock's loose speedup (> 1.2x where about 2x is usual) and its placement in shards,
which get three tries because other work on a 2-core machine takes cores from the shards.
"""
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME, BUILD, SOURCE = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
# The examples read SWITCHYARD_CONFIG and friends; the checks assume the defaults.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHYARD_")}


def run(*args, env=None, status=0):
    """Runs an example with `args`; returns its standard output, failing the check if it exits
    with another status than `status`."""
    command = [str(BUILD / "examples" / args[0]), *map(str, args[1:])]
    done = subprocess.run(command, env=env or ENV, capture_output=True, text=True, timeout=120)
    print(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}", flush=True)
    check(done.returncode == status, f"{args[0]} exited with {done.returncode}, not {status}")
    return done.stdout


def check(ok, what):
    if not ok:
        print(f"FAILED: {what}")
        sys.exit(1)


def expect(pattern, text, what):
    check(re.search(pattern, text, re.MULTILINE), f"{what} (no match for {pattern!r})")


@contextlib.contextmanager
def server(command):
    """Starts `command`, a server that prints its address first; yields the address."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        address = process.stdout.readline().split()[-1]
        yield address
    finally:
        process.terminate()
        process.wait(timeout=30)


def delay_server():
    bench = BUILD / "bench" / "switchyard-bench" / "switchyard-bench"
    return server([bench, "delay-server", "--addr", "127.0.0.1:0"])


def seed_demo():
    with delay_server() as address:
        out = run("seed_demo", address, 2)
    expect(r"^sum\s+cpu\s", out, "sum placed on the cpu pool")
    expect(r"^fetch\s+blocking\s", out, "fetch placed on the blocking pool")
    expect(r"^wait\s+fiber\s", out, "wait left on fibers")
    expect(r"^placed by Switchyard(\s+[\d.]+ s){4}$", out, "the run with no hints finished")
    for executor in ("fiber", "cpu", "blocking"):
        expect(rf"^all forced to {executor}\s", out, f"a run forced onto {executor}")


def crawler():
    with delay_server() as address, tempfile.TemporaryDirectory() as out_dir:
        out = run("crawler", address, out_dir, 600)
        check(len(list(Path(out_dir).glob("page-*.txt"))) == 600, "600 pages saved")
        # It holds the futures of the tasks that may be running (3 stages of 64, 4 conveyors),
        # not all 1804: a bound a few times theirs, whatever the number of pages.
        held = int(re.search(r"^futures: at most (\d+) held at once$", out, re.MULTILINE).group(1))
        check(held <= 800, f"the crawler held at most 800 futures at once, not {held}")
        # Its arguments' bounds: at them it runs, past them it names the argument.
        expect(r"^crawled 1 pages", run("crawler", address, out_dir, 1, 86_400), "one page crawled")
        for args in ((0,), (1_000_001,), (1, 0), (1, 86_401), (1, "nan")):
            err = subprocess.run([str(BUILD / "examples" / "crawler"), address, out_dir,
                                  *map(str, args)], env=ENV, capture_output=True, text=True,
                                 timeout=60)
            what = "PAGES" if len(args) == 1 else "DEADLINE_S"
            check(err.returncode == 1 and f"crawler: {what} must be a number" in err.stderr,
                  f"crawler {args} refused, naming {what}: {err.stderr!r}")
    expect(r"^fetch\s+fiber\s", out, "fetch on fibers")
    expect(r"^parse\s+cpu\s", out, "parse on the cpu pool")
    expect(r"^save\s+blocking\s", out, "save on the blocking pool")


def crawl_accounted(out, pages):
    """Checks that a stopped crawl resolved every task it spawned and printed its report."""
    tasks = re.search(r"^tasks: (\d+) spawned, (\d+) resolved .*, (\d+) lost$", out, re.MULTILINE)
    check(tasks is not None, "the crawler accounted for its tasks")
    check(tasks.group(1) == tasks.group(2) and tasks.group(3) == "0",
          f"every task's future resolved: {tasks.group(0)}")
    saved = int(re.search(rf"saved (\d+) of {pages} pages", out).group(1))
    check(saved < pages, f"the crawl stopped early ({saved} of {pages} pages saved)")
    expect(r"^fetch\s+\w+\s", out, "the report's table")


def crawler_deadline():
    with delay_server() as address, tempfile.TemporaryDirectory() as out_dir:
        out = run("crawler", address, out_dir, 20000, 0.5, status=124)
    expect(r"^deadline of 0.5 s passed: saved \d+ of 20000 pages", out, "the deadline reported")
    crawl_accounted(out, 20000)


def crawler_interrupt():
    with delay_server() as address, tempfile.TemporaryDirectory() as out_dir:
        command = [str(BUILD / "examples" / "crawler"), address, out_dir, "20000"]
        process = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            first = process.stdout.readline()
            # Interrupted mid-crawl: once pages are being saved.
            for _ in range(600):
                if list(Path(out_dir).glob("page-*.txt")):
                    break
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            rest, errors = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    out = first + rest
    print(f"$ {' '.join(command)} (SIGINT)\n{out}{errors}", flush=True)
    check(process.returncode == 130, f"crawler exited with {process.returncode}, not 130")
    expect(r"^interrupted: saved \d+ of 20000 pages", out, "the interruption reported")
    crawl_accounted(out, 20000)


def echo_server():
    expect(r"^2000 of 2000 connections echoed", run("echo_server", 2000), "every echo came back")
    serve = [BUILD / "examples" / "echo_server", "serve", "127.0.0.1:0"]
    with server(serve) as address:
        out = run("echo_server", "client", address, 300)
    expect(r"^300 of 300 connections echoed", out, "client mode against serve mode")


def legacy_lock():
    for attempt in range(3):
        out = run("legacy_lock", 300)
        speedup = float(re.search(r"shards ([\d.]+)x faster than threads", out).group(1))
        placed = re.search(r"legacy_step placed on (\w+)", out).group(1)
        if placed == "shard" and speedup > 1.2:
            expect(r"-> shard \(", out, "explore's move to the shards in the kind's history")
            return
        print(f"attempt {attempt + 1}: explore left legacy_step on {placed}; "
              f"shards {speedup}x faster than threads")
    check(False, "explore placed legacy_step in shards, and shards ran it more than 1.2x faster "
          "than threads, in one of three runs")


def phase_change():
    out = run("phase_change", 200)
    expect(r"^under the rules policy, phase is on cpu now", out, "the kind ends on the cpu pool")
    expect(r"^    at [\d.]+ s: fiber -> cpu \(", out, "its move from fibers to the cpu pool")


def profile_counters():
    with tempfile.TemporaryDirectory() as out_dir:
        out = run("profile_counters", out_dir)
        report_path = Path(out_dir) / "profile_counters.report.json"
        trace_path = Path(out_dir) / "profile_counters.trace.json"
        check(str(report_path) in out and str(trace_path) in out, "it says where it wrote")
        report = json.loads(report_path.read_text())
        trace = json.loads(trace_path.read_text())
    check(report["schema"] == "switchyard.report", "a switchyard report")
    placements = {k["name"]: k["placement"] for k in report["kinds"]}
    check(placements == {"crunch": "cpu", "nap": "fiber", "syscall": "blocking"},
          f"the three kinds where they belong, not {placements}")
    check(all(k["counted"] == 200 for k in report["kinds"]), "every task counted")
    slices = {e["name"] for e in trace["traceEvents"] if e.get("ph") == "X"}
    check({"crunch", "nap", "syscall"} <= slices, f"a slice of every kind in the trace: {slices}")


def configs():
    for policy in ("fixed", "rules", "cost", "explore"):
        env = dict(ENV, SWITCHYARD_CONFIG=str(SOURCE / "examples" / "config" / f"{policy}.toml"))
        out = run("phase_change", 100, env=env)
        expect(rf"^under the {policy} policy, phase is on ", out, f"{policy}.toml loaded")
        if policy == "fixed":
            expect(r"phase is on fiber now; its moves: none$", out, "nothing moves under fixed")


globals()[NAME]()
print(f"{NAME}: ok")
