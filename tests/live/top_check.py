#!/usr/bin/env python3
"""switchyard-top in a terminal: started in a detached tmux session against a running program,
its screen read back with capture-pane.

Usage: top_check.py BUILD_ROOT

Starts examples/live_metrics (kinds crunch, nap, block), then `switchyard-top ADDRESS` in a
detached tmux session 160 columns wide, and reads the pane every second (at most 90 s) until
the screen names the three kinds, the executors, and a move the policy made while it watched
(a line marked + under MOVES). Exits 77, skipped, when tmux is not installed.
"""
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from live_program import LiveProgram  # noqa: E402

KINDS = ("crunch", "nap", "block")


def main():
    build = Path(sys.argv[1])
    tmux = shutil.which("tmux")
    if tmux is None:
        print("tmux is not installed (tools/install-deps test): skipped")
        return 77
    top = build.resolve() / "tools" / "switchyard-top"
    with tempfile.TemporaryDirectory() as scratch, LiveProgram(build, 120, scratch) as program:
        # A server of its own (-L), so that the test touches no session of the user's.
        socket_name = f"switchyard-top-test-{program.process.pid}"
        base = [tmux, "-L", socket_name]
        subprocess.run(base + ["new-session", "-d", "-s", "top", "-x", "160", "-y", "50",
                               f"{top} {program.address}"], check=True)
        screen = ""
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                time.sleep(1)
                screen = subprocess.run(base + ["capture-pane", "-p", "-t", "top"],
                                        capture_output=True, text=True).stdout
                lines = screen.splitlines()
                named = all(any(line.startswith(kind + " ") for line in lines) for kind in KINDS)
                executors = all(any(line.startswith(e + " ") for line in lines)
                                for e in ("fiber", "cpu", "blocking"))
                moved = any(line.startswith("+ ") and "->" in line for line in lines)
                if named and executors and moved:
                    break
            print(f"program at {program.address}; the screen read:\n{screen}")
        finally:
            subprocess.run(base + ["kill-server"], capture_output=True)
        lines = screen.splitlines()
        for kind in KINDS:
            if not any(line.startswith(kind + " ") for line in lines):
                print(f"FAIL: the screen does not name kind {kind}")
                return 1
        if not any(line.startswith("+ ") and "->" in line for line in lines):
            print("FAIL: no move shown as it happened")
            return 1
    print("switchyard-top showed the kinds, the executors and a move as it happened")
    return 0


if __name__ == "__main__":
    sys.exit(main())
