"""The figures as a markdown table with PASS/FAIL against the issue's bars, and as JSON."""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from pathlib import Path
from typing import Any

NOISY_CORES = 0.25
PEER_NAMES = {"sqlite_fts5": "SQLite FTS5", "tantivy": "Tantivy"}
COMPARED = (("build s", ("build", "seconds"), ("build_s",)),
            ("summary p50 ms", ("queries", "summary", "p50"), ("queries", "summary", "p50")),
            ("summary p95 ms", ("queries", "summary", "p95"), ("queries", "summary", "p95")),
            ("summary p99 ms", ("queries", "summary", "p99"), ("queries", "summary", "p99")),
            ("message p50 ms", ("queries", "message", "p50"), ("queries", "message", "p50")),
            ("message p95 ms", ("queries", "message", "p95"), ("queries", "message", "p95")),
            ("message p99 ms", ("queries", "message", "p99"), ("queries", "message", "p99")),
            ("summary nDCG@10", ("relevance", "summary", "ndcg@10"),
             ("relevance", "summary", "ndcg@10")),
            ("message nDCG@10", ("relevance", "message", "ndcg@10"),
             ("relevance", "message", "ndcg@10")))


@dataclass(frozen=True)
class Bar:
    """One bar the issue sets: a figure's path in the results, a comparison, a limit; n/a
    unless the figure at `requires` (when given) is true; shown with `digits` decimals."""

    label: str
    path: tuple[str, ...]
    test: Callable[[float, float], bool]
    limit: float
    text: str
    requires: tuple[str, ...] | None = None
    digits: int = 1


# Keyword search (the first issue's bars: queries, build and worker RSS measured in keyword
# mode), then hybrid search (issue 8).
BARS = (
    Bar("summary query p50 (highlights)", ("queries", "summary", "p50"), operator.le, 10,
        "<= 10 ms"),
    Bar("summary query p95 (highlights)", ("queries", "summary", "p95"), operator.le, 30,
        "<= 30 ms"),
    Bar("message query p95 (highlights)", ("queries", "message", "p95"), operator.le, 100,
        "<= 100 ms"),
    Bar("full build, 17,908 pairs", ("build", "seconds"), operator.le, 10, "<= 10 s"),
    Bar("HTTP requests/s at 8 connections", ("http", "requests_per_s"), operator.ge, 150,
        ">= 150 /s"),
    Bar("HTTP p99 latency", ("http", "latency_ms", "p99"), operator.le, 200, "<= 200 ms"),
    Bar("HTTP errors", ("http", "errors"), operator.eq, 0, "= 0"),
    Bar("web worker RSS (largest worker)", ("http_keyword", "worker_rss_mb", "max"),
        operator.le, 200, "<= 200 MB"),
    Bar("embeddings for 17,908 pairs", ("embeddings", "seconds"), operator.le, 120, "<= 120 s"),
    Bar("query embedding p50 (summaries)", ("query_embedding", "summary", "p50"), operator.le,
        8, "<= 8 ms"),
    Bar("whole hybrid query p50 (summaries, highlights)", ("queries_hybrid", "summary", "p50"),
        operator.le, 20, "<= 20 ms"),
    Bar("hybrid summary nDCG@10", ("relevance_hybrid", "summary", "ndcg@10"), operator.ge,
        0.60, ">= 0.60", digits=3),
    Bar("hybrid summary avgScore@1", ("relevance_hybrid", "summary", "avgscore@1"),
        operator.ge, 1.45, ">= 1.45", digits=2),
    Bar("hybrid message nDCG@10", ("relevance_hybrid", "message", "ndcg@10"), operator.ge,
        0.55, ">= 0.55", digits=3),
    Bar("web worker RSS, hybrid (embeddings loaded)", ("http", "worker_rss_mb", "max"),
        operator.le, 400, "<= 400 MB", requires=("http", "embeddings_loaded")),
)
DIGITS = {bar.label: bar.digits for bar in BARS}


def dig(data: Any, path: tuple[str, ...]) -> Any:
    """data[path[0]][path[1]]..., or None where any step is missing."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def check_bars(results: dict) -> list[dict]:
    """Each bar with the measured figure and PASS, FAIL or n/a (not measured)."""
    checked = []
    for bar in BARS:
        value = dig(results, bar.path)
        if bar.requires is not None and not dig(results, bar.requires):
            value = None
        verdict = "n/a" if value is None else ("PASS" if bar.test(value, bar.limit) else "FAIL")
        checked.append({"bar": bar.label, "limit": bar.text, "value": value,
                        "result": verdict})
    return checked


def ratios(results: dict) -> dict[str, dict[str, float | None]]:
    """Product figure / peer figure for every compared measure and peer."""
    out = {}
    for name, peer in results.get("peers", {}).items():
        if "skipped" in peer:
            continue
        out[name] = {label: ratio(dig(results, mine), dig(peer, theirs))
                     for label, mine, theirs in COMPARED}
    return out


def ratio(mine: float | None, theirs: float | None) -> float | None:
    """mine / theirs to 3 significant-ish places, None when either is missing or zero."""
    if mine is None or not theirs:
        return None
    return round(mine / theirs, 2)


def now() -> str:
    """The current time, UTC, ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def readme_ndcg(repo: Path) -> dict[str, dict[str, float]]:
    """nDCG@10 per mode and field as the README's relevance table states it (empty when
    absent): rows ``| keyword | summary | 0.548 | ...``."""
    try:
        text = (repo / "README.md").read_text(encoding="utf-8")
    except OSError:
        return {}
    found: dict[str, dict[str, float]] = {}
    for mode, field, value in re.findall(
            r"^\|\s*(keyword|hybrid)\s*\|\s*(summary|message)\s*\|\s*([0-9.]+)\s*\|", text, re.M):
        found.setdefault(mode, {}).setdefault(field, float(value))
    return found


def fmt(value: Any, digits: int = 1) -> str:
    """A figure for the table: numbers rounded, missing as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(headers: list[str], rows: list[list[Any]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return "\n".join(lines)


def bars_table(results: dict) -> str:
    """The issue's bars: measured value, limit, PASS/FAIL."""
    rows = [[b["bar"], fmt(b["value"], DIGITS.get(b["bar"], 1)), b["limit"], b["result"]]
            for b in results["bars"]]
    return markdown(["bar", "measured", "limit", "result"], rows)


def product_table(results: dict) -> str:
    """Everything measured of the product."""
    rows = []
    build = results.get("build")
    if build:
        size = f", index {build['size_mb']:.1f} MB" if "size_mb" in build else ""
        rows += [["build wall time, keyword index only (indexer.store.build, embeddings=False)",
                  f"{build['seconds']:.1f} s"],
                 ["build process incl. start-up", f"{build['process_seconds']:.1f} s"],
                 ["build peak RSS (child process)", f"{build['peak_rss_mb']:.0f} MB{size}"],
                 ["pairs / interviews", f"{build['pairs']:,} / {build['interviews']:,}"]]
    rows += embedding_rows(results.get("embeddings"))
    rows.append(["index size on disk (serving build)", f"{results['index_size_mb']:.1f} MB"])
    modes = results.get("modes")
    if modes:
        rows.append(["search modes of the index", f"default {modes['default']}; hybrid "
                     + ("available" if modes["hybrid"] else f"unavailable: {modes['reason']}")])
    for key, how in (("queries", "keyword, warm, as served"),
                     ("queries_uncached", "keyword, no caches: every posting decoded"),
                     ("queries_hybrid", "hybrid, warm, query embedded every time"),
                     ("query_embedding", "query embedding alone")):
        for field in ("summary", "message"):
            d = dig(results, (key, field))
            if d and not d["n"]:
                rows.append([f"{field} queries ({how})", f"all failed: {d['first_error']}"])
            elif d:
                ran = d.get("modes")
                ran = f"; ran {', '.join(f'{m} {n}' for m, n in ran.items())}" if ran else ""
                rows.append([f"{field} queries, {how} (n={d['n']}, errors {d['errors']}{ran})",
                             f"p50 {d['p50']:.1f} / p95 {d['p95']:.1f} / p99 {d['p99']:.1f} / "
                             f"max {d['max']:.1f} ms"])
    for field, cold in (results.get("first_query") or {}).items():
        mode = f", {cold['mode']}" if cold.get("mode") else ""
        rows.append([f"first {field} query after start (median of {cold['runs']}{mode})",
                     f"open+first {cold['open_to_first_ms']:.0f} ms (open "
                     f"{cold['open_ms']:.0f}, query {cold['first_query_ms']:.0f}; second "
                     f"{cold['second_query_ms']:.0f}; imports {cold['import_ms']:.0f} ms)"])
    for key in ("http", "http_uncached", "http_keyword"):
        rows += http_rows(results.get(key))
    return markdown(["product measure", "value"], rows)


def embedding_rows(embeddings: dict | None) -> list[list[str]]:
    """The embedding build's rows (or why it was skipped)."""
    if not embeddings:
        return []
    if "skipped" in embeddings:
        return [["embedding build", f"skipped: {embeddings['skipped']}"]]
    return [["embedding build: embedding step (WriteReport.embeddings)",
             f"{embeddings['seconds']:.1f} s, {embeddings['rows']:,} rows "
             f"({embeddings.get('embedded') or 0:,} embedded, "
             f"{embeddings.get('reused') or 0:,} reused)"],
            ["embedding build: whole build / process incl. start-up",
             f"{embeddings['total_seconds']:.1f} s / {embeddings['process_seconds']:.1f} s"],
            ["embedding build peak RSS (child process)",
             f"{embeddings['peak_rss_mb']:.0f} MB, index {embeddings['size_mb']:.1f} MB"]]


def http_rows(http: dict | None) -> list[list[str]]:
    """The load test's rows."""
    if not http:
        return []
    lat = http["latency_ms"]
    rss = http["worker_rss_mb"]
    cache = ("result cache on, as served" if http.get("result_cache", True)
             else "result cache off")
    if not http.get("result_cache", True) and http.get("mode") == "hybrid":
        cache += " (query embeddings still remembered per worker)"
    mode = http.get("mode") or "keyword"
    setting = http.get("mode_setting")
    if setting and setting != mode:
        mode = f"{setting}: {mode}"
    if http.get("embeddings_loaded"):
        mode += ", model and embeddings loaded in every worker"
    elif http.get("mode") == "hybrid":
        mode += ", NOT every worker loaded the model and embeddings"
    return [[f"HTTP /api/search, {http['connections']} conns, {http['seconds']:.0f} s "
             f"({http['client']}; gunicorn {http['workers']}x{http['threads']}; {mode}; "
             f"{cache})",
             f"{http['requests_per_s']:.1f} req/s, {http['requests']:,} requests, "
             f"{http['errors']} errors"],
            ["HTTP latency", f"p50 {lat['p50']:.0f} / p95 {lat['p95']:.0f} / p99 "
                             f"{lat['p99']:.0f} / max {lat['max']:.0f} ms"],
            ["CPU during load (cores of the machine's cpu_count)",
             f"server {http['server_cpu_cores']:.2f}, load client "
             f"{http['client_cpu_cores']:.2f}"],
            ["worker RSS at end of load", f"sum {rss['sum']:.0f} MB, max {rss['max']:.0f} MB "
                                          f"(peak {rss['peak_max']:.0f} MB)"]]


def peers_table(results: dict) -> str:
    """Product beside each peer, with product/peer ratios."""
    peers = {n: p for n, p in results.get("peers", {}).items() if "skipped" not in p}
    headers = ["measure", "product"]
    for name in peers:
        headers += [PEER_NAMES.get(name, name), f"product/{PEER_NAMES.get(name, name)}"]
    rows = []
    for label, mine, theirs in COMPARED:
        digits = 3 if "nDCG" in label else 1
        row = [label, fmt(dig(results, mine), digits)]
        for name, peer in peers.items():
            row += [fmt(dig(peer, theirs), digits), fmt(results["ratios"][name][label], 2)]
        rows.append(row)
    return markdown(headers, rows)


def relevance_table(results: dict) -> str:
    """The product's relevance on the dev questions in keyword and hybrid mode, beside the
    README's stated nDCG@10."""
    stated = results.get("relevance_readme", {})
    rows = []
    for mode, key in (("keyword", "relevance"), ("hybrid", "relevance_hybrid")):
        for field, m in results.get(key, {}).items():
            ran = m.get("modes") or {}
            fell = sum(n for used, n in ran.items() if used != mode)
            rows.append([mode, field, f"{m['ndcg@10']:.3f}",
                         fmt(stated.get(mode, {}).get(field), 3),
                         f"{m['map@10']:.3f}", f"{m['mrr@10']:.3f}", f"{m['avgscore@1']:.2f}",
                         f"{m['p@1']:.3f}", fmt(m.get("unjudged@1"), 3),
                         f"{fell} of {sum(ran.values())}" if ran else "–"])
    return markdown(["mode", "field", "nDCG@10", "README nDCG@10", "MAP@10", "MRR@10",
                     "avgScore@1", "P@1", "top answer unjudged", "ran in the other mode"], rows)


def render(results: dict) -> str:
    """The whole printed report."""
    m = results["machine"]
    parts = [f"# Interview Q&A Search benchmark — {results['date']}",
             f"{m['cpu_count']} CPUs ({m['processor']}), Python {m['python']}, "
             f"{m['platform']}; load average at start {m['loadavg_at_start']}",
             background_note(results.get("background_cores", {}), m["cpu_count"]),
             speed_note(results.get("speed", {})),
             "## Bars (the issue)", bars_table(results), "## Product", product_table(results)]
    if results.get("peers"):
        parts += ["## Peers (same corpus, same questions, same run; top 10 with answer "
                  "snippet)", peers_table(results)]
        parts += [f"{PEER_NAMES.get(n, n)} skipped: {p['skipped']}"
                  for n, p in results["peers"].items() if "skipped" in p]
    if results.get("relevance") or results.get("relevance_hybrid"):
        parts += ["## Relevance (dev questions, judged)", relevance_table(results)]
    return "\n\n".join(parts) + "\n"


def background_note(background: dict[str, float], cpus: int) -> str:
    """Cores other processes used during each phase, with a warning when they were busy."""
    if not background:
        return ""
    note = "Other processes' CPU during each phase (cores of " + str(cpus) + "): " + ", ".join(
        f"{k} {v:.2f}" for k, v in background.items())
    if max(background.values()) >= NOISY_CORES:
        note += (" — the machine was shared while measuring: absolute figures are inflated; "
                 "compare the ratios measured in this run.")
    return note


def speed_note(speed: dict[str, dict[str, float]]) -> str:
    """The fixed work's times at the start and end: how fast the machine ran (lower: faster)."""
    if not speed:
        return ""
    return ("Machine speed, fixed work (best of 5, ms; lower is faster; compare runs by it): "
            + "; ".join(f"{when} " + ", ".join(f"{k.removesuffix('_ms')} {v:.1f}"
                                                for k, v in times.items())
                        for when, times in speed.items()))


def write_json(results: dict, path: Path) -> None:
    """Write the results as indented JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
