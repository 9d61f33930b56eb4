"""The analyser runs with the network blocked and makes no connection attempt; nomination text
never reaches the logs, whatever the log level."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.conftest import EXAMPLES

CANARY = "Qvzx-canary-5519"

BLOCKER = textwrap.dedent(
    """
    import os, socket
    _log = os.environ["ANALYSER_TEST_NET_LOG"]

    def _deny(kind):
        def deny(*args, **kwargs):
            with open(_log, "a") as fh:
                fh.write(f"{kind} {args[1:3]!r}\\n")
            raise OSError("network blocked by the test")
        return deny

    _connect = socket.socket.connect
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            return _deny("connect")(self, address)
        return _connect(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = lambda self, address: connect(self, address)
    socket.create_connection = _deny("create_connection")
    socket.getaddrinfo = _deny("getaddrinfo")
    """
)


def _run_blocked(tmp_path, *args):
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(BLOCKER)
    log = tmp_path / "net.log"
    env = {
        **os.environ,
        "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "ANALYSER_TEST_NET_LOG": str(log),
        # Pretend the user asked for the hub: the analyser must override it, not obey it.
        "HF_HUB_OFFLINE": "0",
        "TRANSFORMERS_OFFLINE": "0",
    }
    res = subprocess.run(
        [sys.executable, "-m", "analyser", *map(str, args)], capture_output=True, text=True, env=env, timeout=600
    )
    attempts = log.read_text() if log.exists() else ""
    return res, attempts


def test_analyse_and_batch_make_no_connection_attempt(tmp_path):
    res, attempts = _run_blocked(tmp_path, "analyse", EXAMPLES / "nomination-amira.txt", "--format", "html", "--blind")
    assert res.returncode == 0, res.stderr[-1000:]
    assert attempts == "", attempts
    res, attempts = _run_blocked(tmp_path, "batch", EXAMPLES / "round.csv", "--out", tmp_path / "r", "--quiet")
    assert res.returncode == 4, res.stderr[-1000:]  # one unparseable row in the sample round
    assert attempts == "", attempts


def test_blocker_really_blocks(tmp_path):
    """The test above would pass vacuously if the blocker were not installed."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER)
    log = tmp_path / "net.log"
    env = {**os.environ, "PYTHONPATH": str(site), "ANALYSER_TEST_NET_LOG": str(log)}
    code = "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError as e:\n    print('blocked', e)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout
    assert "blocked" in out and "create_connection" in log.read_text()


def test_no_nomination_text_in_logs_at_any_level(tmp_path):
    p = tmp_path / "canary.json"
    p.write_text(
        json.dumps(
            {
                "id": "c1",
                "nominee": CANARY,
                "answers": {"Q1": f"{CANARY} met the Roma families weekly.", "Q2": f"{CANARY}"},
            }
        )
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "ok", "answers": {"Q1": CANARY}}) + "\n" + "{" + CANARY + "\n")
    for args in (("--debug", "--verbose", "analyse", p), ("--debug", "analyse", bad), ("--verbose", "feedback", p)):
        res = subprocess.run(
            [sys.executable, "-m", "analyser", *map(str, args)], capture_output=True, text=True, timeout=600
        )
        assert CANARY not in res.stderr, (args, res.stderr[-500:])
