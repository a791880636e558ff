#!/usr/bin/env python3
"""Renders switchyard-report's page in headless Chromium: the page's self-check must say that
every chart drew and no script failed, and a screenshot is saved for people to look at.

Usage: chromium_render.py SWITCHYARD_REPORT FIXTURE.json BUILD_DIR
Writes BUILD_DIR/report-screenshot.html and BUILD_DIR/report-screenshot.png. Exits 77 (meson's
"skipped") when no Chromium is installed."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

SKIP = 77
CHARTS = 3
# Each Chromium run's limit; meson's timeout for the whole test is larger.
TIMEOUT_S = 60
# A blank 1280x2000 page compresses to a few KB; the rendered report is over 100 KB.
MIN_SCREENSHOT_BYTES = 30_000


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run(command, env=None):
    """Runs a command in a session of its own, so that on a timeout Chromium's helper
    processes are killed with it. Returns (status, stdout, stderr)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, start_new_session=True)
    try:
        out, err = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        return None, out, err
    return process.returncode, out, err


def fail(message, stderr=""):
    print(f"FAIL: {message}")
    if stderr:
        print("chromium's last words:\n" + "\n".join(stderr.splitlines()[-15:]))
    return 1


def png_size(path):
    """Width and height from a PNG's IHDR chunk, or None if the file is not a PNG."""
    with open(path, "rb") as png:
        header = png.read(24)
    if len(header) < 24 or header[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def main(tool, fixture, build_dir):
    chromium = find_chromium()
    if chromium is None:
        print("SKIP: chromium not installed (tools/install-deps test installs it)")
        return SKIP
    page = os.path.join(build_dir, "report-screenshot.html")
    screenshot = os.path.join(build_dir, "report-screenshot.png")
    status, out, err = run([tool, fixture, "-o", page])
    if status != 0:
        return fail(f"switchyard-report exited with {status}: {out}{err}")

    with tempfile.TemporaryDirectory(prefix="switchyard-chromium-") as profile:
        # Chromium keeps its profile, caches and crash reports there, not in the real home.
        env = dict(os.environ, HOME=profile, XDG_CONFIG_HOME=profile, XDG_CACHE_HOME=profile)
        # --no-sandbox: Chromium's sandbox does not start as root, as in CI containers.
        flags = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--no-first-run", f"--user-data-dir={profile}"]
        url = "file://" + os.path.abspath(page)

        status, dom, err = run(flags + ["--dump-dom", url], env)
        if status != 0:
            return fail(f"chromium --dump-dom exited with {status}", err)
        charts = len(re.findall(r'<svg class="chart"', dom))
        marker = re.search(r'<body[^>]*\bdata-charts="([^"]*)"', dom)
        selfcheck = re.search(r'<pre id="selfcheck">(.*?)</pre>', dom, re.S)
        print(f"charts in the DOM: {charts}")
        print(f"body data-charts: {marker.group(1) if marker else None}")
        print(f"{selfcheck.group(1) if selfcheck else 'no #selfcheck in the DOM'}")
        if charts != CHARTS:
            return fail(f"expected {CHARTS} charts in the DOM, found {charts}", err)
        if not marker or marker.group(1) != f"{CHARTS} ok":
            return fail("the page's self-check did not pass", err)
        expected = f"self-check: {CHARTS} of {CHARTS} charts rendered; script errors: none"
        if not selfcheck or selfcheck.group(1) != expected:
            return fail(f"expected #selfcheck to say '{expected}'", err)

        if os.path.exists(screenshot):
            os.remove(screenshot)
        status, _, err = run(flags + [f"--screenshot={screenshot}", "--window-size=1280,2000",
                                      "--hide-scrollbars", url], env)
        if status != 0:
            return fail(f"chromium --screenshot exited with {status}", err)
    if not os.path.exists(screenshot):
        return fail(f"no screenshot at {screenshot}")
    size = os.path.getsize(screenshot)
    dimensions = png_size(screenshot)
    print(f"screenshot: {screenshot} ({size} bytes, {dimensions})")
    if dimensions != (1280, 2000):
        return fail(f"the screenshot is not a 1280x2000 PNG: {dimensions}")
    if size < MIN_SCREENSHOT_BYTES:
        return fail(f"the screenshot is {size} bytes: a blank page?")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
