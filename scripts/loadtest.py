"""Load test of `analyser serve` on loopback: N concurrent clients for a bounded time.

    python scripts/loadtest.py --clients 20 --seconds 60

Starts the server in a subprocess on 127.0.0.1, waits for /health, then each client posts the
sample nomination to /api/feedback in a loop until the time is up. Prints requests, errors,
median and 95th-percentile response times. Traffic goes to loopback only and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample_nomination() -> bytes:
    sys.path.insert(0, str(ROOT))
    from analyser.criteria import load_framework
    from analyser.readers import ReadOptions, read_one

    nom = read_one(ROOT / "examples" / "nomination-amira.txt", ReadOptions(framework=load_framework()))
    return json.dumps({"id": nom.id, "answers": nom.answers}).encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "analyser", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            print("server did not start", file=sys.stderr)
            return 1
        body = sample_nomination()
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.time() + args.seconds

        def client() -> None:
            while time.time() < stop:
                req = urllib.request.Request(
                    base + "/api/feedback", data=body, headers={"Content-Type": "application/json"}, method="POST"
                )
                t0 = time.perf_counter()
                try:
                    with urllib.request.urlopen(req, timeout=120) as r:
                        r.read()
                        ok = r.status == 200
                except Exception as exc:
                    ok = False
                    err = type(exc).__name__
                dt = time.perf_counter() - t0
                with lock:
                    if ok:
                        times.append(dt)
                    else:
                        errors.append(err)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        n = len(times) + len(errors)
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)] if times else float("nan")
        print(f"clients {args.clients}, {args.seconds:.0f} s: {n} requests, {len(errors)} errors")
        if times:
            print(
                f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, throughput {len(times) / args.seconds:.1f}/s"
            )
        return 1 if errors else 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
