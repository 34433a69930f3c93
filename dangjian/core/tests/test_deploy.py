"""deploy/ (issue 13): the shell scripts parse and refuse bad arguments before touching anything, and the load
test's client counts what it claims (stale reads, sticky cookies, bounded runs) — all without a replica."""
import importlib.util
import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SCRIPTS = sorted(DEPLOY.rglob("*.sh"))
BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="bash not installed")


def load_loadtest():
    spec = importlib.util.spec_from_file_location("dangjian_loadtest", DEPLOY / "loadtest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sh(script, *args, env=None):
    return subprocess.run([BASH, str(DEPLOY / script), *args], capture_output=True, text=True, timeout=30, env=env)


def test_the_scripts_are_found():
    names = {p.relative_to(DEPLOY).as_posix() for p in SCRIPTS}
    assert {"start_local.sh", "stop_local.sh", "replica/setup_replica.sh", "replica/stop_replica.sh",
            "replica/replica_status.sh"} <= names


@needs_bash
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_shell_syntax(script):
    r = subprocess.run([BASH, "-n", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@needs_bash
@pytest.mark.parametrize("args, message", [
    (["--primary-port", "x"], "bad port"),
    (["--replica-port", "80"], "bad port"),          # a privileged port is refused too
    (["--primary-port", "5450", "--replica-port", "5450"], "two ports"),
    (["--host-auth", "password"], "bad --host-auth"),
    (["--bogus"], "unknown argument"),
])
def test_setup_replica_refuses_bad_arguments_before_doing_anything(tmp_path, args, message):
    base = tmp_path / "pg"
    r = sh("replica/setup_replica.sh", "--base", str(base), *args)
    assert r.returncode == 2 and message in r.stderr
    assert not base.exists()  # nothing created, no cluster touched


@needs_bash
def test_setup_replica_help():
    r = sh("replica/setup_replica.sh", "--help")
    assert r.returncode == 0 and "--primary-port" in r.stdout


@needs_bash
def test_stop_replica_touches_only_its_own_directories(tmp_path):
    other = tmp_path / "primary-5999"           # not the port asked for: must survive --drop
    other.mkdir()
    (other / "PG_VERSION").write_text("15\n")
    r = sh("replica/stop_replica.sh", "--base", str(tmp_path), "--primary-port", "5998", "--drop")
    assert r.returncode == 0, r.stderr
    assert (other / "PG_VERSION").exists()
    assert sh("replica/stop_replica.sh", "--primary-port", "nope").returncode == 2


@needs_bash
@pytest.mark.parametrize("args", [["--db", "x;drop"], ["--watch", "soon"], ["--bogus"]])
def test_replica_status_refuses_bad_arguments(args):
    assert sh("replica/replica_status.sh", *args).returncode == 2


def test_client_is_loopback_only():
    lt = load_loadtest()
    with pytest.raises(SystemExit):
        lt.Client("http://example.com:8180")
    assert lt.Client("http://127.0.0.1:8180").port == 8180


def test_summarize_percentiles_and_statuses():
    lt = load_loadtest()
    results = [(200, i / 1000) for i in range(1, 101)] + [(429, 0.5)]
    r = lt.summarize("x", results, wall=10)
    assert (r["requests"], r["ok"], r["other"]) == (101, 100, {429: 1})
    assert r["throughput"] == 10.1 and r["p50_ms"] == 51.0 and r["p95_ms"] == 96.0


def test_bounded_stops_issuing_after_the_deadline():
    lt = load_loadtest()
    results, wall = lt.bounded(lambda k: (200, 0.0), 1000, concurrency=2, max_seconds=0)
    assert results == [] and wall < 5
    results, _ = lt.bounded(lambda k: (200, 0.0), 7, concurrency=2, max_seconds=60)
    assert len(results) == 7


class FakeServer(BaseHTTPRequestHandler):
    """A check-in answered with the router's sticky cookie; /my/meetings shows the check-in only to a request
    that carries it (as a lagging replica would): what scenario_checkin must tell apart."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Set-Cookie", "dj_primary=1; Max-Age=5; HttpOnly; Path=/")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self):
        fresh = "dj_primary=1" in (self.headers.get("Cookie") or "")
        body = json.dumps({"upcoming": [{"id": 7, "my_status": "present" if fresh else None}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_checkin_scenario_counts_stale_reads_and_sticky_cookies():
    lt = load_loadtest()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        state = {"checkins": [["/api/v1/meetings/7/check-in", f"t{i}", "qr"] for i in range(6)]}
        client = lt.Client(f"http://127.0.0.1:{server.server_address[1]}")
        r = lt.scenario_checkin(client, state, seconds=0, concurrency=3, verify_every=2)
    finally:
        server.shutdown()
        server.server_close()
    assert (r["requests"], r["ok"]) == (6, 6)
    ryw = r["read_your_write"]
    assert ryw["sticky_cookies"] == ryw["browser_reads"] == ryw["other_device_reads"] == 3
    assert ryw["browser_stale"] == 0       # the cookie was sent back: it saw its own write
    assert ryw["other_device_stale"] == 3  # without it, the "replica" answered stale
