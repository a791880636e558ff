#!/usr/bin/env python3
"""A real Prometheus server scrapes a running program, and a PromQL query answers from it.

Usage: prometheus_check.py BUILD_ROOT

Starts examples/live_metrics (three kinds: crunch, nap, block), then Debian's `prometheus` on
loopback with a generated config scraping the program's endpoint every second, and asks
Prometheus's HTTP API for `switchyard_kind_tasks_total` until every kind has a count above 0
(at most 90 s). Exits 77, skipped, when prometheus is not installed.
"""
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from live_program import LiveProgram, free_port  # noqa: E402

KINDS = {"crunch", "nap", "block"}


def query(port, promql):
    """The result vector of an instant query, as {kind: value}."""
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as answer:
        body = json.load(answer)
    if body.get("status") != "success":
        raise RuntimeError(f"query failed: {body}")
    return {r["metric"].get("kind"): float(r["value"][1]) for r in body["data"]["result"]}


def main():
    build = Path(sys.argv[1])
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        print("prometheus is not installed (tools/install-deps test): skipped")
        return 77
    with tempfile.TemporaryDirectory() as scratch, LiveProgram(build, 120, scratch) as program:
        config = Path(scratch) / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: switchyard\n"
            f"    static_configs:\n      - targets: ['{program.address}']\n")
        port = free_port()
        log = open(Path(scratch) / "prometheus.log", "w")
        server = subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={scratch}/data",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            counts = {}
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                time.sleep(1)
                try:
                    counts = query(port, "switchyard_kind_tasks_total")
                except (urllib.error.URLError, ConnectionError, RuntimeError):
                    continue  # not up yet, or no scrape yet
                if KINDS <= counts.keys() and all(counts[k] > 0 for k in KINDS):
                    break
            print(f"program at {program.address}; prometheus at 127.0.0.1:{port}")
            print(f"switchyard_kind_tasks_total: {counts}")
            missing = [k for k in sorted(KINDS) if counts.get(k, 0) <= 0]
            if missing:
                log.flush()
                print((Path(scratch) / "prometheus.log").read_text()[-4000:])
                print(f"FAIL: no task count for {missing} from Prometheus")
                return 1
            per_kind = query(port, "sum by (kind) (switchyard_kind_placement) == 1")
            print(f"one placement per kind: {per_kind}")
            if not KINDS <= per_kind.keys():
                print("FAIL: a kind without exactly one placement")
                return 1
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    print("a real Prometheus scraped the program and answered each kind's task count")
    return 0


if __name__ == "__main__":
    sys.exit(main())
