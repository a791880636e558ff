"""LiveProgram: examples/live_metrics running in the background, its metrics endpoint's address
known, for the tests that watch a running program from outside."""
import os
import socket
import subprocess
from pathlib import Path


def free_port():
    """A port free on loopback now (the kernel's pick), for a server the test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveProgram:
    """Starts examples/live_metrics from BUILD for `seconds`, with the defaults (its endpoint on
    127.0.0.1 at a free port); `address` is where its metrics are served. A context manager:
    the program is killed on leaving."""

    def __init__(self, build, seconds, cwd):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHYARD_")}
        self.process = subprocess.Popen(
            [str(Path(build).resolve() / "examples" / "live_metrics"), str(seconds)],
            stdout=subprocess.PIPE, text=True, env=env, cwd=cwd)
        self.address = self.process.stdout.readline().strip()
        if not self.address:
            self.process.kill()
            raise RuntimeError("live_metrics printed no address")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.kill()
        self.process.wait()
