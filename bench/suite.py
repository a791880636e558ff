#!/usr/bin/env python3
"""Runs the benchmark suite of BENCHMARKS.md side by side and writes the results table.

Microbenchmarks beside their floors (Google Benchmark, medians of repetitions), then every
workload under Switchyard and under each peer that is available, alternating, `--reps` times,
each I/O run against a fresh delay server; then the scheduler's workloads (fork-join fib at a
fine and a coarse cutoff, skynet, and echo servers under the echo-load client at 100, 1,000
and 10,000 connections, every server fresh), then channels and the Mutex against Go's and
Boost.Fiber's (a few seconds). Writes RESULTS/latest.md (ratios, the targets marked met or
not, the machine, the date) and RESULTS/latest.svg (the ratios as bars).
About 12 minutes on a 2-core machine, most of it the Python peer's pure-Python cpu; the
scheduler's workloads take about 2.

With --policies it compares the policies instead and prints the comparison: mixed under each
policy, under oracle and forced onto each executor (the CPU and blocking pools cannot finish
10,000 one-second connections on their few threads within --cap seconds: such a run is
reported as cut off), and phase under each policy.

Standard library only.
Usage: bench/suite.py [--build build] [--reps 3] [--results bench/results] [--echo-seconds 2]
                      [--policies [--cap 30]]
"""

import argparse
import collections
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-uvloop is installed for this one
ROOT = Path(__file__).resolve().parent.parent
# A config under which no task is measured (warm-up over before the first, one task in 2^32
# sampled): the floor that profiling's overhead is measured against.
UNMEASURED = ("[profiling]\nwarmup = 0\nsample_every = 4294967295\n"
              "follow_changes = false\n")
# fib(FIB_N) at two cutoffs: fine, 21,891 tasks whose leaves compute fib(21) or fib(20) (about
# 10 us each here), where what a spawn and a join cost shows; coarse, 41 tasks, where only the
# balance of the load does. fib(40) alone takes some 0.13 s of CPU here.
FIB_N = 40
FIB_CUTOFFS = {"fine": 21, "coarse": 34}
ECHO_CONNS = (100, 1000, 10000)
# The values the channel workload passes: every program's default.
CHANNEL_VALUES = 1_000_000
# How long a run of the scheduler's workloads may take before it is reported as cut off: a
# join that blocks a pool thread can leave the children nobody to run them.
SCHEDULER_CAP = 120
PEER_NAMES = {"switchyard": "Switchyard", "tbb": "oneTBB", "go": "Go", "asio": "Boost.Asio",
              "boost-fiber": "Boost.Fiber"}
# The peers of the channel and Mutex workloads.
SYNC_PEERS = ("go", "boost-fiber")


class Scraper:
    """Scrapes http://ADDRESS/metrics every second from a thread, as Prometheus would, until
    stop(); `scrapes` counts the answers."""

    def __init__(self, address):
        self.url = f"http://{address}/metrics"
        self.scrapes = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stopping.wait(1.0):
            try:
                with urllib.request.urlopen(self.url, timeout=5) as answer:
                    answer.read()
                self.scrapes += 1
            except OSError:
                pass  # not listening yet, or already gone

    def stop(self):
        self.stopping.set()
        self.thread.join()


def free_port():
    """A loopback port free now, for a metrics endpoint."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moves_of(result, kind):
    """(how many times `kind` changed placement in the run of `result`, whether that is exact):
    counted as the run went when it ran with --count-moves, else the report's history, which
    keeps the last 64."""
    if kind in result.get("counted_moves", {}):
        counted = result["counted_moves"][kind]
        return counted["moves"], counted["exact"]
    history = result["kinds"].get(kind, {}).get("moves", [])
    return len(history), len(history) < 64


def progress(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


class Suite:
    def __init__(self, build, reps, results, echo_seconds=2):
        self.build = Path(build).resolve()
        self.reps = reps
        self.echo_seconds = echo_seconds
        self.results = Path(results)
        self.bench = self.build / "bench/switchyard-bench/switchyard-bench"
        self.runs = {}  # label -> [JSON result]
        self.cut_off = set()  # labels with a run cut off at its time limit
        self.skipped = []  # why a peer did not run
        self.micro = {}  # benchmark name -> median ns
        self.work = Path(tempfile.mkdtemp(prefix="switchyard-bench-"))
        self.configs = {}
        self.peers = {}  # name -> command, from find_peers()
        self.uvloop = False

    # --- peers -------------------------------------------------------------------------
    def find_peers(self):
        peers = {}
        tbb = self.build / "bench/peers/tbb/tbb-peer"
        if tbb.exists():
            peers["tbb"] = [str(tbb)]
        else:
            self.skipped.append("oneTBB: the build has no tbb-peer (libtbb-dev missing?)")
        peers["sequential"] = [str(self.build / "bench/peers/sequential/fib-sequential")]
        peers["echo-load"] = [str(self.build / "bench/echo-load/echo-load")]
        asio = self.build / "bench/peers/asio/asio-peer"
        if asio.exists():
            peers["asio"] = [str(asio)]
        else:
            self.skipped.append("Boost.Asio: the build has no asio-peer (Boost's headers without "
                                "boost/asio/co_spawn.hpp, or a compiler whose coroutines Asio "
                                "1.74 does not take?)")
        boost_fiber = self.build / "bench/peers/boost_fiber/boost-fiber-peer"
        if boost_fiber.exists():
            peers["boost-fiber"] = [str(boost_fiber)]
        else:
            self.skipped.append("Boost.Fiber: the build has no boost-fiber-peer")
        if shutil.which("go"):
            out = self.build / "go-peer"
            env = dict(os.environ, GOCACHE=str(self.build / "gocache"),
                       GOPATH=str(self.build / "gopath"), GOFLAGS="-mod=mod", GOPROXY="off")
            built = subprocess.run(["go", "build", "-o", str(out), "."],
                                   cwd=ROOT / "bench/peers/go", env=env)
            if built.returncode == 0:
                peers["go"] = [str(out)]
            else:
                self.skipped.append("Go: `go build` of bench/peers/go failed")
        else:
            self.skipped.append("Go: no `go` on PATH (Debian's golang-go)")
        if Path(SYSTEM_PYTHON).exists():
            peers["python"] = [SYSTEM_PYTHON, str(ROOT / "bench/peers/python/peer.py")]
            has_uvloop = subprocess.run([SYSTEM_PYTHON, "-c", "import uvloop"],
                                        capture_output=True).returncode == 0
            if not has_uvloop:
                self.skipped.append("uvloop: /usr/bin/python3 cannot import it (python3-uvloop)")
            self.uvloop = has_uvloop
        else:
            self.skipped.append(f"Python: no {SYSTEM_PYTHON}")
        if self.mpi_command() is None:
            self.skipped.append("MPI: no mpirun, or the build has no MPI (Debian's "
                                "openmpi-bin and libopenmpi-dev)")
        for why in self.skipped:
            progress(f"skipped: {why}")
        return peers

    def config(self, text):
        """The path of a config file holding `text`."""
        if text not in self.configs:
            path = self.work / f"config{len(self.configs)}.toml"
            path.write_text(text)
            self.configs[text] = str(path)
        return self.configs[text]

    # --- running -----------------------------------------------------------------------
    def run(self, label, argv, server=False, config=None, cap=600, scrape=False):
        """Runs one benchmark command; its JSON line is kept under `label` (or, past `cap`
        seconds, the label is marked cut off). With `scrape`, the program serves its metrics on
        a free loopback port and a Scraper reads them every second while it runs."""
        env = dict(os.environ)
        address = f"127.0.0.1:{free_port()}" if scrape else None
        if scrape:
            config = (config or "") + f'[profiling]\nmetrics = "{address}"\n'
        if config is not None:
            env["SWITCHYARD_CONFIG"] = self.config(config)
        delay = None
        scraper = None
        try:
            if server:
                delay = subprocess.Popen([str(self.bench), "delay-server", "--addr", "127.0.0.1:0"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         text=True)
                argv = argv + ["--server", delay.stdout.readline().strip()]
            if scrape:
                scraper = Scraper(address)
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=cap)
        except subprocess.TimeoutExpired:
            self.cut_off.add(label)
            return
        finally:
            if scraper is not None:
                scraper.stop()
            if delay is not None:
                delay.terminate()
                delay.wait()
        if done.returncode != 0:
            raise SystemExit(f"bench: {label} failed ({' '.join(argv)}):\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result.get("errors"):
            raise SystemExit(f"bench: {label} had {result['errors']} errors: "
                             f"{result.get('first_error', '')}")
        if scraper is not None:
            result["scrapes"] = scraper.scrapes
        self.runs.setdefault(label, []).append(result)

    def mpi_command(self):
        """mpirun's command for a job of three ranks on this machine, or None when there is no
        mpirun or the build has no MPI."""
        deps = self.build / "meson-info/intro-dependencies.json"
        if not shutil.which("mpirun") or not deps.exists():
            return None
        # Meson's MPI dependency is found under the implementation's name (ompi-cxx, mpich).
        names = [d["name"] for d in json.loads(deps.read_text())]
        if not any(n == "mpi" or n.startswith(("ompi", "mpich")) for n in names):
            return None
        return ["mpirun", "--oversubscribe", "--bind-to", "none", "-n", "3"]

    def google_benchmark(self, argv, prefix="", env=None, output=None):
        """Runs a Google Benchmark binary; keeps each benchmark's median under prefix + name.
        Its JSON is read from standard output, or from the file `output` when argv writes it
        there."""
        # Google Benchmark reports medians only for two repetitions or more.
        reps = max(2, self.reps)
        out = subprocess.run(argv + ["--benchmark_format=json", "--benchmark_min_time=0.3",
                                     f"--benchmark_repetitions={reps}",
                                     "--benchmark_report_aggregates_only=true"],
                             capture_output=True, text=True, check=True, env=env)
        text = output.read_text() if output is not None else out.stdout
        for b in json.loads(text)["benchmarks"]:
            if b.get("aggregate_name") == "median":
                self.micro[prefix + b["run_name"]] = b["real_time"] * {"ns": 1, "us": 1e3,
                                                                        "ms": 1e6}[b["time_unit"]]

    def micro_benchmarks(self):
        for binary in ("switchyard-micro", "switchyard-micro-shards"):
            progress(f"{binary} ({max(2, self.reps)} repetitions)")
            self.google_benchmark([str(self.build / "bench" / binary)])
        if mpirun := self.mpi_command():
            # The same shard benchmark with its shards on two other ranks of an MPI job.
            progress("switchyard-micro-shards under mpirun, 3 ranks")
            env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                       OMPI_MCA_btl_vader_single_copy_mechanism="none",
                       OMPI_MCA_mpi_warn_on_fork="0")
            # Every rank starts the binary and prints the report's opening; only rank 0 gets
            # further (the others serve), so each writes a file of its own and rank 0's counts.
            out = self.work / "mpi-rank"
            per_rank = ('exec "$0" "$@" --benchmark_out_format=json '
                        f'--benchmark_out={out}-$OMPI_COMM_WORLD_RANK.json')
            self.google_benchmark(mpirun + ["sh", "-c", per_rank,
                                            str(self.build / "bench/switchyard-micro-shards"),
                                            "--benchmark_filter=shard_round_trip_from_thread"],
                                  prefix="mpi ", env=env, output=Path(f"{out}-0.json"))
        if "python" in self.peers:
            progress("Python ProcessPoolExecutor round trip")
            for _ in range(self.reps):
                self.run("roundtrip python", self.peers["python"] + ["roundtrip",
                                                                     "--roundtrips", "5000"])

    def workloads(self):
        sy = [str(self.bench)]
        one_core = "[executors]\ncpu_threads = 1\n"
        for rep in range(1, self.reps + 1):
            progress(f"workloads, round {rep} of {self.reps}")
            self.run("cpu switchyard", sy + ["cpu"])
            self.run("cpu switchyard 1 thread", sy + ["cpu", "--placement", "cpu"], config=one_core)
            for peer in ("tbb", "go", "python"):
                if peer in self.peers:
                    self.run(f"cpu {peer}", self.peers[peer] + ["cpu"])
            self.run("fastio switchyard", sy + ["fastio"], server=True)
            for peer in ("go", "python"):
                if peer in self.peers:
                    self.run(f"fastio {peer}", self.peers[peer] + ["fastio"], server=True)
            self.run("slowio switchyard", sy + ["slowio"], server=True)
            for peer in ("go", "asio"):
                if peer in self.peers:
                    self.run(f"slowio {peer}", self.peers[peer] + ["slowio"], server=True)
            if "python" in self.peers:
                self.run("slowio python-asyncio", self.peers["python"] + ["slowio"], server=True)
                if self.uvloop:
                    self.run("slowio python-uvloop",
                             self.peers["python"] + ["slowio", "--loop", "uvloop"], server=True)
            for placement in ("adaptive", "oracle", "fiber"):
                self.run(f"mixed switchyard {placement}", sy + ["mixed", "--placement", placement],
                         server=True)
            # The same with the metrics endpoint on, scraped every second: what watching costs.
            self.run("mixed switchyard adaptive scraped",
                     sy + ["mixed", "--placement", "adaptive"], server=True, scrape=True)
            # Oracle places every task by hint, so the runtime's measuring is all that differs.
            self.run("mixed switchyard oracle unmeasured", sy + ["mixed", "--placement", "oracle"],
                     server=True, config=UNMEASURED)
            if "go" in self.peers:
                self.run("mixed go", self.peers["go"] + ["mixed"], server=True)
            if "python" in self.peers:
                self.run("mixed python-asyncio", self.peers["python"] + ["mixed"], server=True)
            self.run("phase switchyard", sy + ["phase"], server=True)
            for placement in ("cpu", "shard"):
                self.run(f"lock switchyard {placement}", sy + ["lock", "--placement", placement])
            self.run("stall switchyard", sy + ["stall"])
            if "go" in self.peers:
                self.run("phase go", self.peers["go"] + ["phase"], server=True)
                self.run("lock go", self.peers["go"] + ["lock"])
                self.run("stall go", self.peers["go"] + ["stall"])

    def scheduler_workloads(self):
        """fib, skynet and echo: the workloads a scheduler is judged by, each under Switchyard
        and its peers, alternating."""
        sy = [str(self.bench)]
        go = self.peers.get("go")
        # Every echo server and the client need a descriptor per connection.
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        servers = {"switchyard": sy + ["echo-server"]}
        if go:
            servers["go"] = go + ["echo-server"]
        if "asio" in self.peers:
            servers["asio"] = self.peers["asio"] + ["echo-server"]
        for rep in range(1, self.reps + 1):
            progress(f"scheduler workloads, round {rep} of {self.reps}")
            for grain, cutoff in FIB_CUTOFFS.items():
                argv = ["fib", "--fib-n", str(FIB_N), "--fib-cutoff", str(cutoff)]
                self.run(f"fib {grain} switchyard", sy + argv, cap=SCHEDULER_CAP)
                for peer in ("tbb", "go"):
                    if peer in self.peers:
                        self.run(f"fib {grain} {peer}", self.peers[peer] + argv,
                                 cap=SCHEDULER_CAP)
            self.run("fib sequential", self.peers["sequential"] + ["fib", "--fib-n", str(FIB_N)],
                     cap=SCHEDULER_CAP)
            self.run("skynet switchyard", sy + ["skynet"], cap=SCHEDULER_CAP)
            if go:
                self.run("skynet go", go + ["skynet"], cap=SCHEDULER_CAP)
            # The report keeps a kind's last 64 moves: a run of its own counts them all as it
            # goes, polling the report, which the timed run should not carry.
            self.run("skynet switchyard counting moves", sy + ["skynet", "--count-moves"],
                     cap=SCHEDULER_CAP)
            for conns in ECHO_CONNS:
                for name, server in servers.items():
                    self.echo(f"echo {conns} {name}", server, conns)
        counted = self.runs.get("skynet switchyard counting moves", [])
        if counted:
            # What the kind moved between, and by which rules, in the last run's kept history.
            pairs = collections.Counter(f"{m['from']} -> {m['to']} ({m['rule']})"
                                        for m in counted[-1]["kinds"]["skynet"]["moves"])
            progress("skynet: the kind's placement changes per run (count, exact): "
                     f"{[moves_of(r, 'skynet') for r in counted]}; the last run's kept history: "
                     + (", ".join(f"{n} x {what}" for what, n in pairs.most_common()) or "none"))

    def sync_workloads(self):
        """Channels and the Mutex against Go's and Boost.Fiber's: ping-pong over rendezvous
        channels, 4 x 4 through a buffered channel, 1,000 tasks incrementing under one mutex.
        Ping-pong also runs unmeasured: its two tasks are in their kind's warm-up for the whole
        run, so every one of its switches reads the counters."""
        sy = [str(self.bench)]
        for rep in range(1, self.reps + 1):
            progress(f"sync workloads, round {rep} of {self.reps}")
            for workload in ("pingpong", "channel", "mutex"):
                self.run(f"{workload} switchyard", sy + [workload])
                for peer in SYNC_PEERS:
                    if peer in self.peers:
                        self.run(f"{workload} {peer}", self.peers[peer] + [workload])
            self.run("pingpong switchyard unmeasured", sy + ["pingpong"], config=UNMEASURED)

    def echo(self, label, server, conns):
        """Starts `server` on a free loopback port and runs echo-load against it with `conns`
        connections; the client's JSON line is kept under `label`."""
        process = subprocess.Popen(server + ["--addr", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        try:
            address = process.stdout.readline().strip()
            if not address:
                raise SystemExit(f"bench: {label}: the server ({' '.join(server)}) printed no "
                                 "address")
            self.run(label, self.peers["echo-load"] + [
                "--server", address, "--conns", str(conns), "--seconds", str(self.echo_seconds)],
                cap=SCHEDULER_CAP)
        finally:
            process.terminate()
            process.wait()

    def policies(self, cap):
        sy = [str(self.bench)]
        named = {p: f'[policy]\nname = "{p}"\n' for p in ("rules", "cost", "explore")}
        for rep in range(1, self.reps + 1):
            progress(f"policies, round {rep} of {self.reps}")
            for policy, config in named.items():
                self.run(f"mixed adaptive/{policy}", sy + ["mixed"], server=True, config=config)
            for placement in ("oracle", "fiber"):
                self.run(f"mixed {placement}", sy + ["mixed", "--placement", placement],
                         server=True)
            for policy, config in named.items():
                self.run(f"phase adaptive/{policy}", sy + ["phase"], server=True, config=config)
        for placement in ("cpu", "blocking"):
            progress(f"mixed forced onto the {placement} pool, cut off after {cap:.0f} s")
            self.run(f"mixed {placement}", sy + ["mixed", "--placement", placement], server=True,
                     cap=cap)

    def print_policies(self, cap):
        mixed = sorted(l for l in set(self.runs) | self.cut_off if l.startswith("mixed"))
        best = min(self.median(l) for l in mixed
                   if l in self.runs and "adaptive" not in l and l not in self.cut_off)
        print(f"mixed: makespan medians of {self.reps}; ratio to the best of oracle and the "
              "forced placements")
        for label in mixed:
            if label in self.cut_off:
                print(f"  {label:<22} > {cap:.0f} s (cut off)")
                continue
            m = self.median(label)
            runs = " ".join(f"{r['makespan_s']:.3f}" for r in self.runs[label])
            print(f"  {label:<22} {m:8.3f} s  {m / best:5.2f}x  runs {runs}")
        print("phase: medians; share of the second phase run on fibers, and the second-phase "
              "tasks before the kind left the fibers for good")
        for label in sorted(l for l in self.runs if l.startswith("phase")):
            print(f"  {label:<22} on fibers {self.median(label, 'second_phase_on_fiber_share'):.3f}"
                  f"  moved after {self.median(label, 'moved_after_tasks'):5.0f} tasks "
                  f"({self.median(label, 'moved_within_share'):.1%})  "
                  f"makespan {self.median(label):.3f} s")

    # --- results -----------------------------------------------------------------------
    def median(self, label, key="makespan_s"):
        runs = self.runs.get(label)
        return statistics.median(r[key] for r in runs) if runs else None

    def rows(self):
        """(what, Switchyard's figure, the other's, ratio, target text, met) for the table."""
        rows = []

        def ratio(what, ours, theirs, unit, target=None, limit=None, lower_is_better=True):
            if ours is None or theirs is None:
                return
            r = ours / theirs
            met = None if limit is None else (r <= limit if lower_is_better else r >= limit)
            rows.append((what, f"{ours:.4g} {unit}", f"{theirs:.4g} {unit}", r, target or "", met))

        m = self.micro
        ratio("fiber spawn+join ÷ raw Boost.Fiber", m.get("spawn_join_in_task/unmeasured/real_time"),
              m.get("raw_boost_fiber/real_time"), "ns", "≤ 1.5", 1.5)
        ratio("CPU-pool round trip from a thread ÷ oneTBB arena round trip",
              m.get("spawn_join_from_thread/cpu/real_time"),
              m.get("tbb_round_trip_from_thread/real_time"), "ns")
        for pool in ("cpu", "blocking"):
            ratio(f"spawn+join from a thread to the {pool} pool ÷ fiber spawn+join",
                  m.get(f"spawn_join_from_thread/{pool}/real_time"),
                  m.get("spawn_join_from_thread/fiber/real_time"), "ns")
        ratio("shard round trip ÷ socketpair ping-pong",
              m.get("shard_round_trip_from_thread/measured/real_time"),
              m.get("raw_socketpair_ping_pong/real_time"), "ns", "≤ 1.5", 1.5)
        ratio("shard round trip over MPI (2 ranks on this machine) ÷ over a local socketpair",
              m.get("mpi shard_round_trip_from_thread/measured/real_time"),
              m.get("shard_round_trip_from_thread/measured/real_time"), "ns")
        py = self.median("roundtrip python", "median_us")
        shard = m.get("shard_round_trip_from_thread/measured/real_time")
        ratio("shard round trip ÷ Python ProcessPool round trip",
              shard / 1e3 if shard else None, py, "us")
        cores = os.cpu_count() or 1
        one = self.median("cpu switchyard 1 thread")
        sy_cpu = self.median("cpu switchyard")
        if one and sy_cpu:
            speedup = one / sy_cpu
            rows.append(("cpu speedup (1-thread pool ÷ adaptive) ÷ cores", f"{speedup:.3g}x",
                         f"{cores} cores", speedup / cores, "≥ 0.95", speedup / cores >= 0.95))
        ratio("cpu makespan ÷ oneTBB", sy_cpu, self.median("cpu tbb"), "s", "≤ 1.0", 1.0)
        ratio("cpu makespan ÷ Go", sy_cpu, self.median("cpu go"), "s")
        ratio("cpu makespan ÷ Python ProcessPool", sy_cpu, self.median("cpu python"), "s")
        sy_fast = self.median("fastio switchyard")
        ratio("fastio makespan ÷ Go", sy_fast, self.median("fastio go"), "s")
        ratio("fastio makespan ÷ Python ThreadPool", sy_fast, self.median("fastio python"), "s")
        sy_slow = self.median("slowio switchyard")
        ratio("slowio makespan ÷ Go", sy_slow, self.median("slowio go"), "s", "≤ 1.0", 1.0)
        ratio("slowio makespan ÷ uvloop", sy_slow, self.median("slowio python-uvloop"), "s",
              "≤ 1.0", 1.0)
        ratio("slowio makespan ÷ asyncio", sy_slow, self.median("slowio python-asyncio"), "s")
        ratio("slowio makespan ÷ Boost.Asio", sy_slow, self.median("slowio asio"), "s")
        adaptive = self.median("mixed switchyard adaptive")
        forced = [self.median(f"mixed switchyard {p}") for p in ("oracle", "fiber")]
        forced = [f for f in forced if f is not None]
        ratio("mixed adaptive ÷ best of oracle and forced fiber", adaptive,
              min(forced) if forced else None, "s", "≤ 1.05", 1.05)
        for key, unit, what in (("makespan_s", "s", "makespan"), ("cpu_s", "s", "CPU time")):
            ratio(f"profiling overhead on mixed: {what}, default sampling ÷ none (oracle)",
                  self.median("mixed switchyard oracle", key),
                  self.median("mixed switchyard oracle unmeasured", key), unit, "≤ 1.03", 1.03)
        for key, unit, what in (("makespan_s", "s", "makespan"), ("cpu_s", "s", "CPU time")):
            ratio(f"metrics cost on mixed: {what}, endpoint on and scraped every second ÷ off",
                  self.median("mixed switchyard adaptive scraped", key),
                  self.median("mixed switchyard adaptive", key), unit, "≤ 1.01", 1.01)
        ratio("mixed adaptive ÷ Go", adaptive, self.median("mixed go"), "s", "≤ 1.0", 1.0)
        ratio("mixed adaptive ÷ Python (asyncio + pools)", adaptive,
              self.median("mixed python-asyncio"), "s")
        ratio("lock: CPU pool ÷ shards (speedup of shards)", self.median("lock switchyard cpu"),
              self.median("lock switchyard shard"), "s", "≥ 1.8", 1.8, lower_is_better=False)
        ratio("lock: shards ÷ Go (goroutines on one mutex)", self.median("lock switchyard shard"),
              self.median("lock go"), "s")
        ratio("phase makespan ÷ Go", self.median("phase switchyard"), self.median("phase go"), "s")
        phase = self.median("phase switchyard", "moved_within_share")
        if phase is not None:
            rows.append(("phase: second phase run before the kind moved", f"{phase:.1%}", "",
                         phase, "≤ 10%", phase <= 0.10))
        stall = self.median("stall switchyard", "tick_p99_ms")
        go_stall = self.median("stall go", "tick_p99_ms")
        if stall is not None and go_stall:
            ratio("stall: tick lateness p99 ÷ Go", stall, go_stall, "ms")
        elif stall is not None:
            rows.append(("stall: tick lateness p99", f"{stall:.3g} ms", "", stall, "", None))

        fine = f"fib fine (n={FIB_N}, cutoff {FIB_CUTOFFS['fine']})"
        ratio(f"{fine} makespan ÷ oneTBB task_group", self.median("fib fine switchyard"),
              self.median("fib fine tbb"), "s", "≤ 1.2", 1.2)
        ratio(f"{fine} makespan ÷ Go", self.median("fib fine switchyard"),
              self.median("fib fine go"), "s")
        # CPU time says what the tasks cost even when other work takes the cores.
        ratio(f"{fine} CPU time ÷ oneTBB", self.median("fib fine switchyard", "cpu_s"),
              self.median("fib fine tbb", "cpu_s"), "s")
        sequential = self.median("fib sequential")
        coarse = f"fib coarse (n={FIB_N}, cutoff {FIB_CUTOFFS['coarse']})"
        for who in ("switchyard", "tbb", "go"):
            ours = self.median(f"fib coarse {who}")
            if ours and sequential:
                speedup = sequential / ours
                target = "≥ 0.9" if who == "switchyard" else ""
                met = speedup / cores >= 0.9 if who == "switchyard" else None
                rows.append((f"{coarse}: {PEER_NAMES[who]} speedup over sequential ÷ cores",
                             f"{speedup:.3g}x", f"{cores} cores", speedup / cores, target, met))
        ratio("skynet (1,111,111 tasks) time ÷ Go", self.median("skynet switchyard"),
              self.median("skynet go"), "s", "≤ 1.0", 1.0)
        ratio("skynet CPU time ÷ Go", self.median("skynet switchyard", "cpu_s"),
              self.median("skynet go", "cpu_s"), "s")
        # Each program's own VmHWM: ru_maxrss would count this Python process's pages too.
        rss = [self.median(f"skynet {who}", "vm_hwm_kb") for who in ("switchyard", "go")]
        ratio("skynet peak RSS ÷ Go", *[kb / 1024 if kb else None for kb in rss], "MiB",
              "≤ 1.0", 1.0)
        for label, what in (("skynet switchyard counting moves", "skynet"),
                            ("fib fine switchyard", fine)):
            runs = self.runs.get(label, [])
            if runs:
                kind = label.split()[0]
                counts = [moves_of(r, kind) for r in runs]
                moves = statistics.median(n for n, _ in counts)
                text = f"{moves:g}" if all(exact for _, exact in counts) else f"≥ {moves:g}"
                rows.append((f"{what}: placement changes of its kind in a run", text, "", moves,
                             "", None))
        def throughput(label):
            """Values a channel run passed per second: its columns show rates, not times."""
            makespan = self.median(label)
            return None if makespan is None else CHANNEL_VALUES / makespan

        # Boost.Fiber's buffered_channel of capacity 1,024 holds 1,023 values.
        channel_peers = {"go": ("Go unbuffered", "Go buffered", "Go sync.Mutex", True),
                         "boost-fiber": ("Boost.Fiber unbuffered_channel",
                                         "Boost.Fiber buffered_channel",
                                         "boost::fibers::mutex", False)}
        for peer, (rendezvous, buffered, mutex, target) in channel_peers.items():
            ratio(f"channel ping-pong (2 tasks, rendezvous) round trip ÷ {rendezvous}",
                  self.median("pingpong switchyard"), self.median(f"pingpong {peer}"), "s",
                  "≤ 1.0" if target else None, 1.0 if target else None)
            ratio(f"channel ping-pong, tasks unmeasured ÷ {rendezvous}",
                  self.median("pingpong switchyard unmeasured"),
                  self.median(f"pingpong {peer}"), "s")
            ratio(f"channel 4 x 4, {CHANNEL_VALUES:,} values, capacity 1,024: "
                  f"throughput ÷ {buffered}",
                  throughput("channel switchyard"), throughput(f"channel {peer}"), "values/s",
                  "≥ 1.0" if target else None, 1.0 if target else None, lower_is_better=False)
            ratio(f"Mutex, 1,000 tasks x 1,000 increments ÷ {mutex}",
                  self.median("mutex switchyard"), self.median(f"mutex {peer}"), "s",
                  "≤ 1.0" if target else None, 1.0 if target else None)
        for conns in ECHO_CONNS:
            for peer, target in (("go", True), ("asio", False)):
                ratio(f"echo, {conns} connections: req/s ÷ {PEER_NAMES[peer]}",
                      self.median(f"echo {conns} switchyard", "req_per_s"),
                      self.median(f"echo {conns} {peer}", "req_per_s"), "req/s",
                      "≥ 1.0" if target else None, 1.0 if target else None,
                      lower_is_better=False)
                ratio(f"echo, {conns} connections: p99 round trip ÷ {PEER_NAMES[peer]}",
                      self.median(f"echo {conns} switchyard", "p99_ms"),
                      self.median(f"echo {conns} {peer}", "p99_ms"), "ms",
                      "≤ 1.2" if target else None, 1.2 if target else None)
        return rows

    def machine(self):
        model = ""
        try:
            for line in open("/proc/cpuinfo"):
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        return f"{os.cpu_count()} cores, {model or platform.processor()}, Linux {platform.release()}"

    def write(self):
        self.results.mkdir(parents=True, exist_ok=True)
        rows = self.rows()
        when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            "# Benchmark results",
            "",
            f"{when}; {self.machine()}; medians of {self.reps} runs (`make bench`).",
            "A ratio is Switchyard's figure over the other's: below 1 Switchyard is faster, except",
            "where the target says ≥.",
            "",
            "| comparison | Switchyard | other | ratio | target | met |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for what, ours, theirs, r, target, met in rows:
            mark = "" if met is None else ("met" if met else "**not met**")
            lines.append(f"| {what} | {ours} | {theirs} | {r:.3g} | {target} | {mark} |")
        if self.skipped:
            lines += ["", "Skipped: " + "; ".join(self.skipped) + "."]
        if self.cut_off:
            lines += ["", "Cut off at their time limit (no figure): " +
                      ", ".join(sorted(self.cut_off)) + "."]
        lines += ["", "![ratios](latest.svg)", ""]
        (self.results / "latest.md").write_text("\n".join(lines))
        (self.results / "latest.svg").write_text(svg(rows))
        (self.results / "latest.json").write_text(json.dumps(self.runs, indent=1))
        progress(f"wrote {self.results / 'latest.md'}")
        print("\n".join(lines))


def svg(rows):
    """Horizontal bars of the ratio rows (not the plain figures), a line at 1."""
    bars = [(what, r, met) for what, _, theirs, r, _, met in rows if theirs and r > 0]
    width, left, row_h = 760, 380, 22
    scale_max = max([2.0] + [r for _, r, _ in bars])
    plot = width - left - 60
    x = lambda v: left + plot * min(v, scale_max) / scale_max
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{row_h * len(bars) + 40}" font-family="sans-serif" font-size="12">']
    for i, (what, r, met) in enumerate(bars):
        y = 20 + i * row_h
        colour = "#888" if met is None else ("#2a7" if met else "#c33")
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(what)}</text>')
        out.append(f'<rect x="{left}" y="{y + 3}" width="{x(r) - left:.1f}" height="14" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{x(r) + 4:.1f}" y="{y + 14}">{r:.3g}</text>')
    out.append(f'<line x1="{x(1):.1f}" y1="10" x2="{x(1):.1f}" y2="{row_h * len(bars) + 30}" '
               'stroke="#000" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{x(1):.1f}" y="10" text-anchor="middle">1</text></svg>')
    return "\n".join(out) + "\n"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--results", default=str(ROOT / "bench/results"))
    p.add_argument("--echo-seconds", type=int, default=2,
                   help="how long each echo run measures, after its connections are open and a "
                   "second of warm-up")
    p.add_argument("--policies", action="store_true", help="compare the policies instead")
    p.add_argument("--cap", type=float, default=30, help="--policies: seconds before a forced "
                   "run is cut off")
    args = p.parse_args()
    suite = Suite(args.build, args.reps, args.results, args.echo_seconds)
    try:
        if args.policies:
            suite.policies(args.cap)
            suite.print_policies(args.cap)
        else:
            suite.peers = suite.find_peers()
            suite.micro_benchmarks()
            suite.workloads()
            suite.scheduler_workloads()
            suite.sync_workloads()
            suite.write()
    finally:
        shutil.rmtree(suite.work, ignore_errors=True)


if __name__ == "__main__":
    main()
