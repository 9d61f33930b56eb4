"""The round dashboard (index.html): the whole round at a glance, from reports only.

Self-contained (no scripts, fonts or network). A coverage heatmap of nominations x sub-criteria,
the distribution of levels per sub-criterion (table plus an SVG chart with a text alternative),
nominations in a reading order by strength of evidence with links to each summary, the flags,
same-nominee groups and the rows that could not be read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from analyser.readers import RowError
from analyser.records import LEVEL_NAMES, Report
from analyser.report.html import CSS, FLAG_NAMES, METER, _env

DASH_CSS = """
.heat td.l0 { background: #ffffff; color: #4a4a4a; }
.heat td.l1 { background: #fff4e5; color: #6b3b00; }
.heat td.l2 { background: #e8f1fa; color: #00416f; }
.heat td.l3 { background: #e6f4ea; color: #0b4a24; }
.heat td, .heat th { text-align: center; white-space: nowrap; padding: 0.2rem 0.35rem; font-size: 0.9rem; }
.heat th.name, .heat td.name { text-align: left; white-space: normal; }
.insight { font-size: 1.05rem; }
.chart text { font-family: Arial, Helvetica, sans-serif; font-size: 12px; fill: #1b1b1b; }
"""
BAR_FILL = {0: "#d9d9d9", 1: "#f5b971", 2: "#6fa8dc", 3: "#52a36a"}


def level_distribution(reports: Sequence[Report]) -> dict[str, list[int]]:
    crit = list(reports[0].criteria) if reports else []
    dist = {c: [0, 0, 0, 0] for c in crit}
    for r in reports:
        for c, v in r.criteria.items():
            if c in dist:
                dist[c][v.strength] += 1
    return dist


def insights(reports: Sequence[Report]) -> list[str]:
    """Plain sentences an organiser can act on, weakest sub-criteria first."""
    n = len(reports)
    if not n:
        return []
    dist = level_distribution(reports)
    names = {c: v.name for c, v in reports[0].criteria.items()}
    shares = sorted(((d[2] + d[3]) / n, c) for c, d in dist.items())
    out = []
    for share, c in shares[:3]:
        out.append(
            f"{c} ({names[c]}) is evidenced with a concrete example by only {share:.0%} of nominations; "
            f"{dist[c][0] / n:.0%} say nothing about it."
        )
    best_share, best = shares[-1]
    out.append(f"{best} ({names[best]}) is the best evidenced: {best_share:.0%} of nominations give an example.")
    return out


def _chart(dist: dict[str, list[int]], n: int) -> dict[str, Any]:
    width, bar_h, gap, left = 560, 18, 8, 60
    bars = []
    y = 10
    for c, counts in dist.items():
        x = float(left)
        segs = []
        for lvl, k in enumerate(counts):
            w = (width - left - 10) * k / n if n else 0
            segs.append({"x": round(x, 1), "w": round(w, 1), "fill": BAR_FILL[lvl]})
            x += w
        bars.append({"c": c, "y": y, "segs": segs})
        y += bar_h + gap
    desc = "; ".join(
        f"{c}: " + ", ".join(f"{LEVEL_NAMES[lvl]} {k}" for lvl, k in enumerate(counts)) for c, counts in dist.items()
    )
    return {
        "width": width,
        "height": y + 24,
        "bar_h": bar_h,
        "bars": bars,
        "left": left,
        "desc": desc,
        "legend_y": y + 12,
    }


def render_dashboard(
    reports: Sequence[Report],
    names: Sequence[str],
    groups: dict[str, str],
    errors: Sequence[RowError],
    summary: str,
) -> str:
    n = len(reports)
    order = sorted(range(n), key=lambda i: (-reports[i].total, reports[i].id))
    dist = level_distribution(reports)
    crit = list(dist)
    rows = []
    for i in order:
        r = reports[i]
        rows.append(
            {
                "id": r.id,
                "nominee": r.nominee,
                "href": f"reports/{names[i]}.html",
                "group": groups.get(r.id, ""),
                "cells": [
                    {
                        "c": c,
                        "s": r.criteria[c].strength,
                        "meter": METER[r.criteria[c].strength],
                        "level": r.criteria[c].level,
                    }
                    for c in crit
                ],
                "total": r.total,
                "gaps": len(r.gaps),
                "flags": sorted({FLAG_NAMES.get(f.code, f.code) for f in r.flags}),
            }
        )
    # Nominations carrying each flag (a nomination with two repeated answers counts once).
    flag_counts = Counter(code for r in reports for code in {f.code for f in r.flags})
    group_members: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["group"]:
            group_members.setdefault(str(row["group"]), []).append(row)
    dist_rows = [
        {"c": c, "name": reports[0].criteria[c].name, "counts": d, "share": f"{(d[2] + d[3]) / n:.0%}" if n else "-"}
        for c, d in dist.items()
    ]
    return (
        _env()
        .get_template("dashboard.html.j2")
        .render(
            n=n,
            summary=summary,
            insights=insights(reports),
            crit=crit,
            rows=rows,
            dist_rows=dist_rows,
            chart=_chart(dist, n),
            levels=LEVEL_NAMES,
            bar_fill=BAR_FILL,
            flags=[(FLAG_NAMES.get(k, k), v) for k, v in flag_counts.most_common()],
            groups=group_members,
            errors=errors,
            css=CSS + DASH_CSS,
            framework=reports[0].framework_name if reports else "",
        )
    )
