"""Speed benchmark of a whole round, measured against the raw encoder in the same run.

    python scripts/benchmark.py --nominations 1000 --repeats 3

For each precision (float32, and bfloat16 where the CPU supports it) and each repeat, in fresh
subprocesses so that caches and peak memory are per run:
  1. raw encoder: the round's sentences embedded by the encoder alone (sentences per second);
  2. end to end: `analyser batch` on the round as a CSV, all outputs written (fresh cache);
  3. second run: the same command again over the same output folder (cache hit).
Prints medians, the end-to-end/raw ratio, peak memory, and checks that levels do not change
between precisions on the sample round. The round is synthetic: nominations of about
--words words assembled from the corpus's training sentences with a fixed seed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def make_round(path: Path, n: int, words: int, seed: int = 0) -> int:
    """Write a CSV round of n nominations of about `words` words; returns the number of rows."""
    sys.path.insert(0, str(ROOT))
    recs = [json.loads(line) for line in (ROOT / "corpora" / "train.jsonl").read_text().splitlines() if line.strip()]
    pools: dict[str, list[str]] = {q: [] for q in ("Q1", "Q2", "Q3", "Q4")}
    for r in recs:
        for q, a in r["answers"].items():
            pools[q].extend(p for p in a.split("\n") if len(p.split()) >= 5)
    rng = random.Random(seed)
    names = ["Amara", "Bogdan", "Chen", "Deepa", "Eilidh", "Farid", "Grace", "Hamza", "Ines", "Jonah", "Kemi", "Lukasz"]

    def unique(paragraph: str) -> str:
        # Real nominations do not repeat each other's sentences: vary every sentence a little,
        # so that no cache makes the round look faster than a real one.
        out = []
        for sent in paragraph.split(". "):
            w = sent.split(" ")
            w.insert(rng.randrange(len(w) + 1), rng.choice(names))
            w.insert(rng.randrange(len(w) + 1), str(rng.randrange(2, 999)))
            out.append(" ".join(w))
        return ". ".join(out)

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "nominee", "Q1", "Q2", "Q3", "Q4"])
        for k in range(n):
            answers = []
            for q in ("Q1", "Q2", "Q3", "Q4"):
                parts: list[str] = []
                while sum(len(p.split()) for p in parts) < words // 4:
                    parts.append(unique(rng.choice(pools[q])))
                answers.append("\n".join(parts))
            w.writerow([f"N{k:05d}", f"Nominee {k}", *answers])
    return n


RAW = r"""
import json, sys, time, resource
from analyser.criteria import load_framework
from analyser.readers import ReadOptions, read_nominations
from analyser.nlp import build_nlp, process_nominations
from analyser.embed import Encoder
opts = ReadOptions(framework=load_framework())
noms = [n for n in read_nominations(sys.argv[1], opts) if hasattr(n, "answers")]
sents = [s.model_text for ss in process_nominations(build_nlp(), noms) for s in ss]
enc = Encoder(precision=sys.argv[2])
enc.encode(["warm up"] * 64)
enc.forget()
t = time.perf_counter()
enc.encode(sents)
dt = time.perf_counter() - t
print(json.dumps({"sentences": len(sents), "unique": len(set(sents)), "seconds": dt,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_raw(round_csv: Path, precision: str) -> dict:
    out = subprocess.run(
        [PY, "-c", RAW, str(round_csv), precision], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_batch(round_csv: Path, out_dir: Path, precision: str, workers: int = 1) -> dict:
    t = time.perf_counter()
    proc = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "MAXRSS %M",
            PY,
            "-m",
            "analyser",
            "batch",
            str(round_csv),
            "--out",
            str(out_dir),
            "--quiet",
            "--precision",
            precision,
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    dt = time.perf_counter() - t
    if proc.returncode not in (0, 4):
        raise RuntimeError(proc.stderr[-2000:])
    rss = next(
        (int(line.split()[1]) / 1024 for line in proc.stderr.splitlines() if line.startswith("MAXRSS")), float("nan")
    )
    return {"seconds": dt, "rss_mb": rss, "summary": proc.stdout.strip().splitlines()[-1] if proc.stdout else ""}


def levels_of(out_dir: Path) -> dict[str, list[str]]:
    rows = list(csv.DictReader((out_dir / "round.csv").open(encoding="utf-8-sig")))
    return {r["id"]: [r[k] for k in r if k.startswith("level_")] for r in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description="Speed benchmark of a round against the raw encoder.")
    ap.add_argument("--nominations", type=int, default=1000)
    ap.add_argument("--words", type=int, default=1600)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--precision", action="append", choices=["float32", "bfloat16"], help="default: both where supported"
    )
    ap.add_argument("--workers", type=int, default=1, help="analysis processes for `analyser batch`")
    ap.add_argument("--json", type=Path, default=ROOT / "docs" / "benchmark.json")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from analyser.embed import cpu_supports_bf16

    precisions = args.precision or (["float32", "bfloat16"] if cpu_supports_bf16() else ["float32"])
    results: dict = {
        "nominations": args.nominations,
        "words": args.words,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "runs": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        round_csv = tmpd / "round.csv"
        make_round(round_csv, args.nominations, args.words)
        for prec in precisions:
            raws, firsts, seconds = [], [], []
            for rep in range(args.repeats):
                raw = run_raw(round_csv, prec)
                out = tmpd / f"out-{prec}-{rep}"
                first = run_batch(round_csv, out, prec, args.workers)
                second = run_batch(round_csv, out, prec, args.workers)
                raws.append(raw)
                firsts.append(first)
                seconds.append(second)
                print(
                    f"{prec} run {rep + 1}: raw encoder {raw['sentences'] / raw['seconds']:.0f} sentences/s "
                    f"({raw['seconds']:.1f} s); end to end {first['seconds']:.1f} s "
                    f"({raw['sentences'] / first['seconds']:.0f} sentences/s, peak {first['rss_mb']:.0f} MB); "
                    f"second run {second['seconds']:.1f} s",
                    flush=True,
                )
            n_sent = raws[0]["sentences"]
            raw_sps = statistics.median(r["sentences"] / r["seconds"] for r in raws)
            e2e = statistics.median(f["seconds"] for f in firsts)
            again = statistics.median(s["seconds"] for s in seconds)
            results["runs"][prec] = {
                "sentences": n_sent,
                "raw_encoder_sentences_per_s": raw_sps,
                "end_to_end_seconds": e2e,
                "end_to_end_sentences_per_s": n_sent / e2e,
                "ratio_to_raw_encoder": (n_sent / e2e) / raw_sps,
                "second_run_seconds": again,
                "second_run_fraction": again / e2e,
                "peak_rss_mb": max(f["rss_mb"] for f in firsts),
            }
        # Levels must not change with precision on the sample round.
        if len(precisions) > 1:
            outs = {}
            for prec in precisions:
                o = tmpd / f"sample-{prec}"
                run_batch(ROOT / "examples" / "round.csv", o, prec)
                outs[prec] = levels_of(o)
            results["sample_round_levels_equal"] = outs[precisions[0]] == outs[precisions[1]]
    print()
    print(f"Round of {args.nominations} nominations of about {args.words} words; medians of {args.repeats} runs")
    print(
        "| precision | sentences | raw encoder (sent/s) | end to end | end to end (sent/s) | ratio | second run | peak memory |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for prec, r in results["runs"].items():
        print(
            f"| {prec} | {r['sentences']} | {r['raw_encoder_sentences_per_s']:.0f} | {r['end_to_end_seconds']:.0f} s | "
            f"{r['end_to_end_sentences_per_s']:.0f} | {r['ratio_to_raw_encoder']:.2f} | {r['second_run_seconds']:.1f} s "
            f"({r['second_run_fraction']:.1%}) | {r['peak_rss_mb']:.0f} MB |"
        )
    if "sample_round_levels_equal" in results:
        print(f"Levels on the sample round identical across precisions: {results['sample_round_levels_equal']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
