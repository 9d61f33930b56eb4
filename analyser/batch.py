"""`analyser batch`: a whole round in, per-nomination reports and round views out.

Outputs in the output folder:
  reports/NNNNN-<id>.json and .html   one evidence report and judge's summary per nomination
  round.csv, round.xlsx               one row per nomination (columns: see ROUND_COLUMNS / README)
  index.html                          the round dashboard (self-contained)
  errors.csv                          rows or files that could not be read or analysed, with reasons
  .analyser-cache.sqlite              results and embeddings, so a second run (or a resumed one) is fast

One bad row or file never stops the round. Ctrl-C stops cleanly; the same command resumes.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyser import __version__
from analyser.cache import ResultCache, nomination_key
from analyser.fileio import atomic_write
from analyser.readers import ReadOptions, RowError, read_nominations
from analyser.records import Flag, Nomination, Report
from analyser.report.escape import cell
from analyser.report.naming import report_filename

log = logging.getLogger(__name__)

CACHE_NAME = ".analyser-cache.sqlite"
CHUNK = 32


@dataclass
class BatchResult:
    read: int = 0
    analysed: int = 0
    rejected: int = 0
    from_cache: int = 0
    interrupted: bool = False
    errors: list[RowError] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    out_dir: Path = Path(".")

    def summary_line(self) -> str:
        s = (
            f"read {self.read}, analysed {self.analysed}, rejected {self.rejected}"
            f" ({self.analysed} + {self.rejected} = {self.analysed + self.rejected})"
        )
        if self.from_cache:
            s += f"; {self.from_cache} reused from the cache"
        if self.interrupted:
            s += "; stopped early: run the same command again to resume"
        return s


Progress = Callable[[int, int], None]


def settings_of(analyser: Any) -> dict[str, Any]:
    """Everything besides the text that changes a report (part of the cache key)."""
    m = analyser.model
    return {
        "analyser": __version__,
        "framework": analyser.framework.id,
        "framework_digest": analyser.framework.digest,
        "model": m.name,
        "model_hash": m.meta.get("corpus_hash", ""),
        "model_trained": m.meta.get("training_seconds", ""),
        "encoder": analyser.encoder.id,
        "precision": analyser.encoder.precision,
        "word_limit": analyser.word_limit,
    }


def run_batch(
    input_path: str | Path,
    out_dir: str | Path,
    analyser: Any,
    options: ReadOptions,
    blind: bool = False,
    progress: Callable[[int], None] | None = None,
    start: Callable[[int, int], None] | None = None,
    use_cache: bool = True,
    workers: int = 1,
) -> BatchResult:
    """Analyse every nomination of INPUT into OUT_DIR (see the module docstring).

    workers > 1 runs the analysis in that many processes with one thread each: on two cores
    that embeds about a quarter faster than one process with two threads, and the reading,
    scoring and writing then overlap with embedding.
    """
    out = Path(out_dir)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    res = BatchResult(out_dir=out)
    items = list(read_nominations(input_path, options))
    noms: list[Nomination] = [i for i in items if isinstance(i, Nomination)]
    res.errors = [i for i in items if isinstance(i, RowError)]
    res.read = len(items)
    cache = ResultCache(out / CACHE_NAME) if use_cache else None
    # Sentence vectors live in the disk cache; in memory only the current chunks' are kept, so
    # memory stays flat however large the round.
    previous_limit = analyser.encoder.cache_limit
    analyser.encoder.cache_limit = 20_000
    try:
        if cache is not None:
            analyser.encoder.store = cache
        settings = {**settings_of(analyser), "blind": blind}
        keys = [nomination_key(n, settings) for n in noms]
        cached = cache.get_many(keys) if cache else {}
        reports: list[Report | None] = [None] * len(noms)
        for k, key in enumerate(keys):
            if key in cached:
                reports[k] = Report.from_dict(cached[key])
        res.from_cache = sum(r is not None for r in reports)
        todo = [k for k in range(len(noms)) if reports[k] is None]
        if start:
            start(len(noms), res.from_cache)
        # Names for files are fixed by input order, so a resumed run writes the same files.
        names = _unique_names(noms)
        groups = group_nominations(noms)
        copied = copied_answers(noms)
        for k in range(len(noms)):
            r = reports[k]
            if r is not None:
                _add_copy_flags(r, copied.get(noms[k].id, []))
                if not (out / "reports" / (names[k] + ".json")).exists():
                    _write_report(out, names[k], r)
        try:
            chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
            if workers > 1 and len(chunks) > 1:
                results = _parallel_chunks(analyser, noms, chunks, blind, res, workers)
            else:
                results = ((c, _analyse_chunk(analyser, [noms[k] for k in c], blind, res)) for c in chunks)
            for chunk, done in results:
                fresh = []
                for k, rep in zip(chunk, done, strict=True):
                    if rep is None:
                        continue
                    reports[k] = rep
                    _add_copy_flags(rep, copied.get(noms[k].id, []))
                    _write_report(out, names[k], rep)
                    fresh.append((keys[k], rep.to_dict()))
                if cache is not None and fresh:
                    cache.put_many(fresh)
                if progress:
                    progress(len(chunk))
        except KeyboardInterrupt:
            res.interrupted = True
        finished = [(k, r) for k, r in enumerate(reports) if r is not None]
        res.reports = [r for _, r in finished]
        res.analysed = len(res.reports)
        res.rejected = len(res.errors)
        if res.interrupted:
            res.read = res.analysed + res.rejected
        write_round_table(out, res.reports, [names[k] for k, _ in finished], groups)
        write_errors(out, res.errors)
        from analyser.report.dashboard import render_dashboard

        atomic_write(
            out / "index.html",
            render_dashboard(res.reports, [names[k] for k, _ in finished], groups, res.errors, res.summary_line()),
        )
    finally:
        analyser.encoder.cache_limit = previous_limit
        if cache is not None:
            analyser.encoder.store = None
            cache.close()
    return res


def analyser_config(analyser: Any) -> dict[str, Any]:
    """What a worker process needs to build the same Analyser (paths and settings, no models)."""
    from analyser.model import resolve_model_dir

    return {
        "framework": analyser.framework.path or analyser.framework.id,
        "model_dir": str(resolve_model_dir(analyser.model_dir)),
        "encoder": str(analyser.encoder.path),
        "spacy_model": analyser.spacy_model,
        "precision": analyser.encoder.precision,
        "word_limit": analyser.word_limit,
        "lexicon": str(analyser.lexicon) if analyser.lexicon else None,
    }


_WORKER: Any = None


def _worker_init(config: dict[str, Any]) -> None:
    import os

    # One thread per process: two single-threaded encoders beat one two-threaded one here.
    os.environ["ANALYSER_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    import signal

    # Ctrl-C is the parent's to handle; workers are stopped by it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from analyser.analyse import Analyser

    global _WORKER
    _WORKER = Analyser(**config)
    _WORKER.warm_up()


def _worker_analyse(noms: list[Nomination], blind: bool) -> list[dict[str, Any] | str]:
    """`_analyse_each` in a worker process, with reports as dicts to cross the process boundary."""
    return [r.to_dict() if isinstance(r, Report) else r for r in _analyse_each(_WORKER, noms, blind)]


def _parallel_chunks(
    analyser: Any,
    noms: list[Nomination],
    chunks: list[list[int]],
    blind: bool,
    res: BatchResult,
    workers: int,
) -> Iterator[tuple[list[int], list[Report | None]]]:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    ctx = mp.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init, initargs=(analyser_config(analyser),))
    pending: dict[Future[list[dict[str, Any] | str]], list[int]] = {}
    queue = list(chunks)
    try:
        while queue or pending:
            # Keep two chunks per worker in flight, so that no worker waits for the parent.
            while queue and len(pending) < 2 * workers:
                c = queue.pop(0)
                pending[pool.submit(_worker_analyse, [noms[k] for k in c], blind)] = c
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                c = pending.pop(fut)
                items = [Report.from_dict(i) if isinstance(i, dict) else i for i in fut.result()]
                yield c, _record_failures([noms[k] for k in c], items, res)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for p in list((getattr(pool, "_processes", None) or {}).values()):
            p.terminate()


def _add_copy_flags(report: Report, copies: list[tuple[str, str]]) -> None:
    have = {(f.code, f.message) for f in report.flags}
    for other, q in copies:
        f = Flag("copied_answer", f"{q} is nearly the same as an answer in nomination {other}.", q)
        if (f.code, f.message) not in have:
            report.flags.append(f)
            have.add((f.code, f.message))


def _analyse_chunk(analyser: Any, noms: list[Nomination], blind: bool, res: BatchResult) -> list[Report | None]:
    return _record_failures(noms, _analyse_each(analyser, noms, blind), res)


def _analyse_each(analyser: Any, noms: list[Nomination], blind: bool) -> list[Report | str]:
    """A report per nomination, or why its analysis failed: when the chunk as a whole fails,
    it is retried one by one, so that one nomination that breaks the analysis loses no other."""
    try:
        return list(analyser.analyse_many(noms, blind=blind))
    except Exception:
        out: list[Report | str] = []
        for n in noms:
            try:
                out.append(analyser.analyse_many([n], blind=blind)[0])
            except Exception as exc:
                log.debug("analysis failed for %s", n.id, exc_info=True)
                out.append(f"analysis failed ({type(exc).__name__})")
        return out


def _record_failures(noms: list[Nomination], items: list[Report | str], res: BatchResult) -> list[Report | None]:
    """Failures go to the round's errors (errors.csv); their places hold None."""
    out: list[Report | None] = []
    for n, item in zip(noms, items, strict=True):
        if isinstance(item, str):
            res.errors.append(RowError(n.source or "?", None, f"{n.id}: {item}"))
            out.append(None)
        else:
            out.append(item)
    return out


def _unique_names(noms: Sequence[Nomination]) -> list[str]:
    return [report_filename(n.id, k, "") for k, n in enumerate(noms)]


def _write_report(out: Path, name: str, report: Report) -> None:
    from analyser.report.html import render_html
    from analyser.report.jsonreport import to_json

    atomic_write(out / "reports" / f"{name}.json", to_json(report))
    atomic_write(out / "reports" / f"{name}.html", render_html(report))


# ----- same nominee, near-duplicates, copied answers -----------------------------------------------
_WORD = re.compile(r"[a-z0-9']+")


def _norm_name(s: str) -> str:
    s = re.sub(r"\b(dr|mr|mrs|ms|miss|mx|prof|professor|sister)\b\.?", " ", s.lower())
    return " ".join(_WORD.findall(s))


def _shingles(text: str, n: int = 5) -> set[int]:
    w = _WORD.findall(text.lower())
    # zip stops at the shortest slice: exactly the windows of n consecutive words.
    return set(map(hash, zip(*(w[i:] for i in range(n)), strict=False)))


def _similar_pairs(sets: list[set[int]], threshold: float, min_size: int = 8) -> list[tuple[int, int, float]]:
    """Pairs (a < b, in order) with Jaccard >= threshold. Shared shingles are counted for all pairs
    at once by a sparse product of the set-by-shingle incidence matrix with itself."""
    import numpy as np
    from scipy.sparse import csr_matrix

    if len(sets) < 2:
        return []
    columns: dict[int, int] = {}
    indices: list[int] = []
    indptr = [0]
    for s in sets:
        indices.extend(columns.setdefault(h, len(columns)) for h in s)
        indptr.append(len(indices))
    if not indices:
        return []
    M = csr_matrix(
        (np.ones(len(indices), dtype=np.int32), np.asarray(indices), np.asarray(indptr)),
        shape=(len(sets), len(columns)),
    )
    df = np.bincount(indices, minlength=len(columns))
    # A shingle in only one set shares nothing; a stock phrase shared by many is no evidence of copying.
    M = M[:, np.flatnonzero((df >= 2) & (df <= 50))]
    shared = (M @ M.T).tocoo()
    sizes = np.array([len(s) for s in sets])
    a, b, n = shared.row, shared.col, shared.data
    keep = (a < b) & (sizes[a] >= min_size) & (sizes[b] >= min_size)
    a, b, n = a[keep], b[keep], n[keep]
    jac = n / (sizes[a] + sizes[b] - n)
    hit = np.flatnonzero(jac >= threshold)
    return sorted((int(a[i]), int(b[i]), float(jac[i])) for i in hit)


def group_nominations(noms: Sequence[Nomination]) -> dict[str, str]:
    """Nomination id -> group label, for nominations of the same nominee (same name and
    organisation) or with near-identical text. Nominations alone get no group."""
    parent = list(range(len(noms)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    by_key: dict[tuple[str, str], int] = {}
    for i, n in enumerate(noms):
        name = _norm_name(n.metadata.get("nominee", ""))
        if not name:
            continue
        key = (name, _norm_name(n.metadata.get("organisation", "")))
        if key in by_key:
            union(i, by_key[key])
        else:
            by_key[key] = i
    for a, b, _ in _similar_pairs([_shingles(n.text) for n in noms], 0.6):
        union(a, b)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(noms)):
        members[find(i)].append(i)
    out: dict[str, str] = {}
    g = 0
    for idxs in members.values():
        if len(idxs) > 1:
            g += 1
            for i in idxs:
                out[noms[i].id] = f"G{g}"
    return out


def copied_answers(noms: Sequence[Nomination]) -> dict[str, list[tuple[str, str]]]:
    """Nomination id -> [(other nomination id, question)] for answers copied across nominations."""
    keys: list[tuple[int, str]] = []
    sets: list[set[int]] = []
    for i, n in enumerate(noms):
        for q, a in n.answers.items():
            keys.append((i, q))
            sets.append(_shingles(a))
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for x, y, _ in _similar_pairs(sets, 0.7, min_size=12):
        (ia, qa), (ib, qb) = keys[x], keys[y]
        if ia == ib:
            continue
        out[noms[ia].id].append((noms[ib].id, qa))
        out[noms[ib].id].append((noms[ia].id, qb))
    return out


# ----- the round table ---------------------------------------------------------------------------
def round_columns(criteria: Sequence[str], questions: Sequence[str]) -> list[str]:
    return [
        "id",
        "nominee",
        "organisation_or_source",
        "nominee_type",
        "group",
        *[f"level_{c}" for c in criteria],
        "total",
        "demonstrated",
        "described",
        "asserted",
        "gaps",
        "gap_criteria",
        "misplaced",
        "flags",
        *[f"words_{q}" for q in questions],
        "words_total",
        "language",
        "report_json",
        "report_html",
    ]


def round_rows(reports: Sequence[Report], names: Sequence[str], groups: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for r, name in zip(reports, names, strict=True):
        levels = {c: v.strength for c, v in r.criteria.items()}
        row: dict[str, Any] = {
            "id": r.id,
            "nominee": r.nominee,
            "organisation_or_source": Path(r.source).name if r.source else "",
            "nominee_type": r.nominee_type,
            "group": groups.get(r.id, ""),
        }
        row.update({f"level_{c}": v for c, v in levels.items()})
        row.update(
            {
                "total": r.total,
                "demonstrated": sum(v == 3 for v in levels.values()),
                "described": sum(v == 2 for v in levels.values()),
                "asserted": sum(v == 1 for v in levels.values()),
                "gaps": len(r.gaps),
                "gap_criteria": " ".join(g.criterion for g in r.gaps),
                "misplaced": len(r.shown_misplaced),
                "flags": " ".join(sorted({f.code for f in r.flags})),
            }
        )
        row.update({f"words_{q}": n for q, n in r.word_counts.items()})
        row["words_total"] = sum(r.word_counts.values())
        row["language"] = r.language
        row["report_json"] = f"reports/{name}.json"
        row["report_html"] = f"reports/{name}.html"
        rows.append(row)
    return rows


def write_round_table(out: Path, reports: Sequence[Report], names: Sequence[str], groups: dict[str, str]) -> None:
    if reports:
        crit = list(reports[0].criteria)
        qs = list(reports[0].word_counts)
    else:
        crit, qs = [], []
    cols = round_columns(crit, qs)
    rows = round_rows(reports, names, groups)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: cell(v) for k, v in row.items()})
    # UTF-8 with BOM so that Excel opens accented names correctly.
    atomic_write(out / "round.csv", "\ufeff" + buf.getvalue())
    _write_xlsx(out / "round.xlsx", cols, rows)


def _write_xlsx(path: Path, cols: list[str], rows: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    # Write-only mode streams rows (a round of thousands stays fast and small in memory).
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("round")
    ws.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for name in cols:
        c = WriteOnlyCell(ws, value=name)
        c.font = bold
        header.append(c)
    ws.append(header)
    for row in rows:
        out = []
        for k in cols:
            c = WriteOnlyCell(ws, value=cell(row.get(k, "")))
            # Text that looks like a formula was neutralised above; every string is stored as text.
            if isinstance(c.value, str):
                c.data_type = "s"
            out.append(c)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())


def write_errors(out: Path, errors: Sequence[RowError]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["source", "row", "reason"])
    for e in errors:
        w.writerow([cell(e.source), e.row if e.row is not None else "", cell(e.message)])
    atomic_write(out / "errors.csv", "\ufeff" + buf.getvalue())
