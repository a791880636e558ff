#!/usr/bin/env python3
"""Checks the scheduler's benchmark workloads (bench/peers/README.md) at small sizes: that each
program computes what it should, refuses sizes past its bounds naming the flag, and that the echo
servers answer echo-load without errors. No timing is asserted.

Usage: check_bench.py CASE BUILD_ROOT, CASE one of fib, skynet, bounds, echo, sync, slowio.
"""
import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

CASE, BUILD = sys.argv[1], Path(sys.argv[2])
ENV = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHYARD_")}
BENCH = BUILD / "bench/switchyard-bench/switchyard-bench"
TBB = BUILD / "bench/peers/tbb/tbb-peer"
SEQUENTIAL = BUILD / "bench/peers/sequential/fib-sequential"
ASIO = BUILD / "bench/peers/asio/asio-peer"
BOOST_FIBER = BUILD / "bench/peers/boost_fiber/boost-fiber-peer"
LOAD = BUILD / "bench/echo-load/echo-load"


def check(ok, what):
    if not ok:
        print(f"FAILED: {what}")
        sys.exit(1)


def run(*command, status=0, prefix=()):
    """Runs `command`, checks its exit status; returns (stdout, stderr)."""
    argv = [*prefix, *map(str, command)]
    done = subprocess.run(argv, env=ENV, capture_output=True, text=True, timeout=120)
    print(f"$ {' '.join(argv)}\n{done.stdout}{done.stderr}", flush=True)
    check(done.returncode == status, f"exit status {done.returncode}, expected {status}")
    return done.stdout, done.stderr


def result(*command):
    """The JSON line `command` prints, once it has exited with 0."""
    return json.loads(run(*command)[0].strip().splitlines()[-1])


def refused(*command, says, status=2, prefix=()):
    """Checks that `command` fails with `status`, saying `says` on standard error."""
    _, err = run(*command, status=status, prefix=prefix)
    check(says in err, f"standard error does not say {says!r}")


def fib_tasks(n, cutoff):
    return 1 if n <= cutoff else 1 + fib_tasks(n - 1, cutoff) + fib_tasks(n - 2, cutoff)


def check_fib():
    for n, cutoff, value in ((20, 10, 6765), (25, 1, 75025), (12, 20, 144)):
        flags = ["--fib-n", n, "--fib-cutoff", cutoff]
        r = result(BENCH, "fib", *flags)
        check(r["checksum"] == value and r["tasks"] == fib_tasks(n, cutoff) and r["errors"] == 0,
              f"switchyard-bench fib({n}), cutoff {cutoff}")
        if TBB.exists():
            r = result(TBB, "fib", *flags)
            check(r["checksum"] == value and r["tasks"] == fib_tasks(n, cutoff),
                  f"tbb-peer fib({n}), cutoff {cutoff}")
        r = result(SEQUENTIAL, "fib", *flags)
        check(r["checksum"] == value and r["placement"] == "sequential", f"fib-sequential {n}")


def check_skynet():
    for leaves in (10, 10000):
        r = result(BENCH, "skynet", "--skynet-leaves", leaves, "--count-moves")
        check(r["checksum"] == leaves * (leaves - 1) // 2, f"skynet's sum over {leaves} leaves")
        check(r["tasks"] == sum(leaves // 10**i for i in range(len(str(leaves)))),
              f"skynet's task count for {leaves} leaves")
        check(isinstance(r["counted_moves"], dict), "--count-moves gives counted_moves")
        for kind, counted in r["counted_moves"].items():
            check(counted["moves"] >= len(r["kinds"][kind]["moves"]),
                  f"{kind}: fewer moves counted than the report keeps")


def check_sync():
    r = result(BENCH, "pingpong", "--pingpong-rounds", 1000)
    check(r["checksum"] == 1000 * 999 // 2 and r["errors"] == 0 and r["round_trip_ns"] > 0,
          "pingpong's sum over 1,000 rounds")
    for capacity in (0, 1, 64):
        r = result(BENCH, "channel", "--channel-values", 10000, "--channel-capacity", capacity)
        check(r["checksum"] == 10000 * 9999 // 2 and r["errors"] == 0,
              f"channel's sum over 10,000 values, capacity {capacity}")
    r = result(BENCH, "mutex", "--mutex-tasks", 100, "--mutex-increments", 100)
    check(r["checksum"] == 10000 and r["errors"] == 0, "mutex's count")
    refused(BENCH, "channel", "--channel-capacity", -1, says="--channel-capacity")
    refused(BENCH, "mutex", "--mutex-tasks", 10**8, says="--mutex-tasks")
    r = result(BOOST_FIBER, "pingpong", "--pingpong-rounds", 1000)
    check(r["checksum"] == 1000 * 999 // 2, "boost-fiber-peer pingpong's sum over 1,000 rounds")
    for capacity in (2, 64):
        r = result(BOOST_FIBER, "channel", "--channel-values", 10000, "--channel-capacity",
                   capacity)
        check(r["checksum"] == 10000 * 9999 // 2,
              f"boost-fiber-peer channel's sum over 10,000 values, capacity {capacity}")
    r = result(BOOST_FIBER, "mutex", "--mutex-tasks", 100, "--mutex-increments", 100)
    check(r["checksum"] == 10000 and r["placement"] == "boost-fiber", "boost-fiber-peer's count")
    r = result(BOOST_FIBER, "pingpong", "--pingpong-rounds", 1, "--threads", 1)
    check(r["checksum"] == 0, "boost-fiber-peer pingpong on one thread, one round")
    # At and past the bounds: Boost's buffered_channel takes powers of two only.
    refused(BOOST_FIBER, "channel", "--channel-capacity", 1000, says="--channel-capacity 1000")
    refused(BOOST_FIBER, "channel", "--channel-capacity", 2**21, says="--channel-capacity")
    refused(BOOST_FIBER, "mutex", "--mutex-tasks", 100001, says="--mutex-tasks 100001")
    refused(BOOST_FIBER, "pingpong", "--pingpong-rounds", 0, says="--pingpong-rounds 0")
    refused(BOOST_FIBER, "pingpong", "--threads", 257, says="--threads 257")
    refused(BOOST_FIBER, "pingpong", "--pingpong-rounds", "x", says="usage")


def check_bounds():
    refused(BENCH, "fib", "--fib-n", 51, says="--fib-n")
    refused(BENCH, "fib", "--fib-cutoff", 0, says="--fib-cutoff")
    # fib(50) with cutoff 1 would spawn 40,730,022,147 tasks.
    refused(BENCH, "fib", "--fib-n", 50, "--fib-cutoff", 1, says="more than 10000000")
    refused(BENCH, "skynet", "--skynet-leaves", 1200, says="not a power of ten")
    refused(BENCH, "skynet", "--skynet-leaves", 10**8, says="--skynet-leaves")
    refused(SEQUENTIAL, "fib", "--fib-n", 51, says="usage")
    if TBB.exists():
        refused(TBB, "fib", "--fib-n", 51, says="usage")
    refused(LOAD, "--server", "127.0.0.1:1", "--conns", 0, says="--conns 0")
    refused(LOAD, "--server", "127.0.0.1:1", "--conns", 100001, says="--conns 100001")
    refused(LOAD, "--server", "127.0.0.1:1", "--seconds", 0, says="--seconds 0")
    refused(LOAD, "--server", "127.0.0.1:1", "--threads", 65, says="--threads 65")
    # Two descriptors short of what 200 connections need: refused before any is opened.
    refused(LOAD, "--server", "127.0.0.1:1", "--conns", 200, status=1,
            says="the open-file limit is 230", prefix=["prlimit", "--nofile=230:230"])


@contextlib.contextmanager
def server(command):
    """Starts `command`, a server that prints its address first; yields the address."""
    process = subprocess.Popen([*map(str, command), "--addr", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=60)


def check_echo():
    servers = [[BENCH, "echo-server"]] + ([[ASIO, "echo-server"]] if ASIO.exists() else [])
    for command in servers:
        for threads in (1, 2):
            with server(command) as address:
                r = result(LOAD, "--server", address, "--conns", 300, "--seconds", 1,
                           "--warmup-seconds", 0, "--threads", threads)
                check(r["errors"] == 0 and r["requests"] > 0 and r["conns"] == 300,
                      f"{command[-1]}: echo-load with {threads} threads")
                check(0 < r["p50_ms"] <= r["p99_ms"] <= r["max_ms"], "quantiles in order")
    # The delay server answers an echo line with an error and closes: echo-load must say so.
    with server([BENCH, "delay-server"]) as address:
        out, _ = run(LOAD, "--server", address, "--conns", 5, "--seconds", 1, status=1)
        check('"first_error":"an echo differs from its line"' in out, "echo-load names the error")


def check_slowio():
    """The Boost.Asio peer's slowio: the checksum and task count switchyard-bench gives for the
    same flags, an error naming the server when nothing listens there, its flags' bounds."""
    if not ASIO.exists():
        print("slowio: this build has no asio-peer (Asio 1.74's coroutines need GCC): skipped")
        return
    flags = ["--slow-conns", 300, "--slow-requests", 3, "--slow-delay-us", 20000]
    with server([BENCH, "delay-server"]) as address:
        ours = result(BENCH, "slowio", "--server", address, *flags)
        for threads in (1, 2):
            asio = result(ASIO, "slowio", "--server", address, *flags, "--threads", threads)
            check(asio["checksum"] == ours["checksum"] == 300 * 3 * 64 and
                  asio["tasks"] == ours["tasks"] == 300, f"asio-peer slowio on {threads} threads")
            check(asio["placement"] == "asio" and
                  0 < asio["p50_ms"] <= asio["p99_ms"] <= asio["makespan_s"] * 1e3,
                  "asio-peer slowio's latencies")
    # A port bound but not listening refuses every connection.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"127.0.0.1:{closed.getsockname()[1]}"
        refused(ASIO, "slowio", "--server", nobody, "--slow-conns", 10, status=1,
                says=f"10 of 10 connections to --server {nobody} failed; the first: connect:")
    refused(ASIO, "slowio", says="--server is required")
    refused(ASIO, "slowio", "--server", "localhost:1", says="--server localhost:1: not an IP")
    refused(ASIO, "slowio", "--server", "127.0.0.1:65536", says="--server 127.0.0.1:65536")
    refused(ASIO, "slowio", "--server", "127.0.0.1", says="--server 127.0.0.1: no port")
    for flag, bad in (("--slow-conns", 0), ("--slow-conns", 1000001), ("--slow-requests", 0),
                      ("--slow-requests", 10000001), ("--slow-delay-us", 3600000001),
                      ("--threads", 0), ("--threads", 257)):
        refused(ASIO, "slowio", "--server", "127.0.0.1:1", flag, bad, says=f"{flag} {bad}")
    refused(ASIO, "slowio", "--slow-conns", "x", says="usage")
    # Two descriptors short of what 200 connections need: refused before any is opened.
    refused(ASIO, "slowio", "--server", "127.0.0.1:1", "--slow-conns", 200,
            says="the open-file limit is 230", prefix=["prlimit", "--nofile=230:230"])


CASES = {"fib": check_fib, "skynet": check_skynet, "bounds": check_bounds, "echo": check_echo,
         "sync": check_sync, "slowio": check_slowio}
CASES[CASE]()
print(f"{CASE}: ok")
