#!/usr/bin/python3
"""Switchyard's benchmark workloads, written the classic Python way.

Each kind of work goes where Python programmers put it by hand:
ProcessPoolExecutor for CPU work, a ThreadPoolExecutor of blocking sockets for
fast I/O, asyncio (or uvloop) for many slow connections, and all three behind
one event loop for the mixed workload.

Usage: peer.py cpu|fastio|slowio|mixed|roundtrip|check [flags]
"""

import argparse
import asyncio
import concurrent.futures as cf
import json
import math
import os
import resource
import socket
import statistics
import sys
import threading
import time

MASK = (1 << 64) - 1
FAST_REPLY = 1024
SLOW_REPLY = 64


def spin(seed, iters):
    """The benchmark's CPU kernel, on wrapping unsigned 64-bit arithmetic."""
    x = 2 * seed + 1
    acc = 0
    for _ in range(iters):
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        acc += x * 0x2545F4914F6CDD1D
    # acc is reduced once at the end: Python's integers do not overflow.
    return acc & MASK


class Latencies:
    """Per-task latency, from submission to the moment the task's future is done."""

    def __init__(self):
        self.samples = []

    def track(self, submit, *args):
        submitted = time.perf_counter()
        fut = submit(*args)
        fut.add_done_callback(
            lambda _: self.samples.append(time.perf_counter() - submitted))
        return fut

    def summary(self, makespan, checksum):
        ordered = sorted(self.samples)
        return {
            "tasks": len(ordered),
            "makespan_s": makespan,
            "p50_ms": quantile(ordered, 0.50) * 1e3,
            "p99_ms": quantile(ordered, 0.99) * 1e3,
            "checksum": checksum,
        }


def quantile(ordered, q):
    """Nearest rank, the rule every peer uses."""
    if not ordered:
        return 0.0
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def check_reply(reply, size):
    if len(reply) != size or not reply.endswith(b"\n"):
        raise RuntimeError(f"bad reply from the delay server: {reply[:80]!r}")


_conn = threading.local()


def fast_request(server, delay_us):
    """One request on this worker thread's own persistent blocking connection."""
    f = getattr(_conn, "file", None)
    if f is None:
        f = _conn.file = socket.create_connection(server).makefile("rwb")
    f.write(b"D %d %d\n" % (delay_us, FAST_REPLY))
    f.flush()
    check_reply(f.read(FAST_REPLY), FAST_REPLY)
    return FAST_REPLY


async def slow_conn(server, requests, delay_us):
    """One connection making its requests one after the other."""
    reader, writer = await asyncio.open_connection(*server)
    try:
        for _ in range(requests):
            writer.write(b"D %d %d\n" % (delay_us, SLOW_REPLY))
            await writer.drain()
            try:
                reply = await reader.readexactly(SLOW_REPLY)
            except asyncio.IncompleteReadError as e:
                reply = e.partial
            check_reply(reply, SLOW_REPLY)
    finally:
        writer.close()
        await writer.wait_closed()
    return requests * SLOW_REPLY


def run_cpu(args):
    lat = Latencies()
    with cf.ProcessPoolExecutor() as pool:
        start = time.perf_counter()
        futs = [lat.track(pool.submit, spin, i, args.iters)
                for i in range(args.cpu_tasks)]
        checksum = sum(f.result() for f in futs) & MASK
        makespan = time.perf_counter() - start
    # Leaving the with-block joins the pool: every done-callback has run.
    return lat.summary(makespan, checksum)


def run_fast(args):
    lat = Latencies()
    with cf.ThreadPoolExecutor(args.fast_conns) as pool:
        start = time.perf_counter()
        futs = [lat.track(pool.submit, fast_request, args.server, args.fast_delay_us)
                for _ in range(args.fast_requests)]
        received = sum(f.result() for f in futs)
        makespan = time.perf_counter() - start
    return lat.summary(makespan, received)


async def run_slow(args):
    lat = Latencies()
    start = time.perf_counter()
    tasks = [lat.track(asyncio.create_task,
                       slow_conn(args.server, args.slow_requests, args.slow_delay_us))
             for _ in range(args.slow_conns)]
    received = sum(await asyncio.gather(*tasks))
    return lat.summary(time.perf_counter() - start, received)


async def run_mixed(args):
    """cpu, fastio and slowio at once, each awaited through the one event loop."""
    loop = asyncio.get_running_loop()
    lats = {"cpu": Latencies(), "fastio": Latencies(), "slowio": Latencies()}
    with cf.ProcessPoolExecutor() as procs, cf.ThreadPoolExecutor(args.fast_conns) as threads:
        start = time.perf_counter()
        futs = {
            "cpu": [lats["cpu"].track(loop.run_in_executor, procs, spin, i, args.iters)
                    for i in range(args.cpu_tasks)],
            "fastio": [lats["fastio"].track(loop.run_in_executor, threads, fast_request,
                                            args.server, args.fast_delay_us)
                       for _ in range(args.fast_requests)],
            "slowio": [lats["slowio"].track(asyncio.create_task, slow_conn(
                args.server, args.slow_requests, args.slow_delay_us))
                for _ in range(args.slow_conns)],
        }

        async def finish(name):
            checksum = sum(await asyncio.gather(*futs[name])) & MASK
            return name, lats[name].summary(time.perf_counter() - start, checksum)

        parts = dict(await asyncio.gather(*(finish(name) for name in futs)))
        makespan = time.perf_counter() - start
    everything = Latencies()
    everything.samples = [s for lat in lats.values() for s in lat.samples]
    result = everything.summary(
        makespan, sum(p["checksum"] for p in parts.values()) & MASK)
    result["parts"] = parts
    return result


def trivial():
    """The task whose round trip through the process pool is measured."""


def run_roundtrip(args):
    workers = os.cpu_count()
    with cf.ProcessPoolExecutor(workers) as pool:
        # Start the workers first: process start-up is not a round trip.
        cf.wait([pool.submit(trivial) for _ in range(workers)])
        times = []
        start = time.perf_counter()
        for _ in range(args.roundtrips):
            t = time.perf_counter()
            pool.submit(trivial).result()
            times.append(time.perf_counter() - t)
        makespan = time.perf_counter() - start
    times.sort()
    return {
        "tasks": len(times),
        "makespan_s": makespan,
        "p50_ms": quantile(times, 0.50) * 1e3,
        "p99_ms": quantile(times, 0.99) * 1e3,
        "mean_us": statistics.fmean(times) * 1e6,
        "median_us": statistics.median(times) * 1e6,
    }


def check():
    want = 12944723528927218710
    got = sum(spin(i, 200000) for i in range(20)) & MASK
    if got != want:
        sys.exit(f"spin check failed: 20 x 200000 gave {got}, want {want}")
    print(f"spin check ok: 20 x 200000 -> {got}")


def address(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def usage():
    """CPU seconds and peak RSS of this process and its reaped children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    # The children's ru_maxrss is that of the largest child, not their total.
    return cpu_s, me.ru_maxrss + kids.ru_maxrss


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", choices=["cpu", "fastio", "slowio", "mixed", "roundtrip", "check"])
    p.add_argument("--server", type=address, help="delay server HOST:PORT")
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio",
                   help="event loop for slowio and mixed")
    p.add_argument("--cpu-tasks", type=int, default=2000)
    p.add_argument("--iters", type=int, default=200000)
    p.add_argument("--fast-requests", type=int, default=4000)
    p.add_argument("--fast-conns", type=int, default=32)
    p.add_argument("--fast-delay-us", type=int, default=1000)
    p.add_argument("--slow-conns", type=int, default=10000)
    p.add_argument("--slow-requests", type=int, default=2)
    p.add_argument("--slow-delay-us", type=int, default=1000000)
    p.add_argument("--roundtrips", type=int, default=10000)
    args = p.parse_args()

    if args.workload == "check":
        check()
        return
    if args.workload in ("fastio", "slowio", "mixed") and args.server is None:
        p.error("--server is required")
    # Thousands of sockets need more descriptors than the usual soft limit.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    placement = "python-pool"
    if args.workload in ("slowio", "mixed"):
        placement = "python-" + args.loop
        loop_factory = None
        if args.loop == "uvloop":
            import uvloop
            loop_factory = uvloop.new_event_loop
        run = run_slow if args.workload == "slowio" else run_mixed
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            result = runner.run(run(args))
    else:
        run = {"cpu": run_cpu, "fastio": run_fast, "roundtrip": run_roundtrip}[args.workload]
        result = run(args)

    cpu_s, max_rss_kb = usage()
    print(json.dumps({"workload": args.workload, "placement": placement, **result,
                      "cpu_s": cpu_s, "max_rss_kb": max_rss_kb}))


if __name__ == "__main__":
    main()
