"""python -m bench: build, query, load and compare; print the table and write JSON."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench import REPO
from bench import eval_data
from bench import machine
from bench import report
from bench.build import build_embeddings
from bench.build import build_product
from bench.build import index_size
from bench.http import measure_http
from bench.peers import PEERS
from bench.peers import tantivy_missing
from bench.queries import FIELDS
from bench.queries import MAX_QUERY_CHARS
from bench.queries import embedding_search
from bench.queries import first_query
from bench.queries import hybrid_status
from bench.queries import judge
from bench.queries import load_queries
from bench.queries import product_search
from bench.queries import relevance
from bench.queries import time_queries

DEFAULT_OUT = REPO / "bench" / "results" / "latest.json"
# Seconds of load before the HTTP measurement: enough for each worker to have searched every dev
# query once (about 210 searches with no cache on 2 cores), so the timed window is the steady
# state the result cache gives; the run with the cache off shows the cost of searching. In
# hybrid mode the warm-up goes on until every worker has loaded the model (bench.http.warm_up).
WARMUP_S = 10
WARMUP_QUICK_S = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true",
                   help="short smoke run: 10 questions, one timed pass, 5 s of load")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    p.add_argument("--index", type=Path, metavar="DIR",
                   help="reuse this built product index instead of building one")
    p.add_argument("--skip-peers", action="store_true", help="no SQLite FTS5 / Tantivy")
    p.add_argument("--skip-http", action="store_true", help="no gunicorn load test")
    p.add_argument("--skip-eval", action="store_true", help="no nDCG@10 check")
    p.add_argument("--duration", type=float, help="seconds of HTTP load (default 20; quick 5)")
    p.add_argument("--connections", type=int, default=8, help="concurrent connections")
    p.add_argument("--repeats", type=int, help="timed passes per query (default 3; quick 1)")
    p.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                   help="load generator: wrk when available (auto installs it as root), "
                        "else a threaded http.client loop")
    args = p.parse_args(argv)
    args.duration = args.duration or (5.0 if args.quick else 20.0)
    args.repeats = args.repeats or (1 if args.quick else 3)
    return args


def say(message: str) -> None:
    """Progress on stderr."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def product_figures(args: argparse.Namespace, index_dir: Path, queries: dict,
                    background: dict[str, float], hybrid: bool) -> dict:
    """The product's query latencies (keyword; hybrid and the query embedding alone when the
    index has embeddings), first query after start and relevance (both modes)."""
    data = eval_data()
    out: dict = {"queries": {}, "queries_uncached": {}, "first_query": {}}
    runs = [("queries", True, "keyword"), ("queries_uncached", False, "keyword")]
    if hybrid:
        runs.append(("queries_hybrid", True, "hybrid"))
    with machine.phase("queries", background):
        for key, term_cache, mode in runs:
            search = product_search(index_dir, term_cache, mode)
            out.setdefault(key, {})
            for field in FIELDS:
                say(f"product: {len(queries[field])} {field} queries x {args.repeats} "
                    f"(+ warm-up), {mode}, term cache {'on' if term_cache else 'off'}")
                out[key][field] = time_queries(search, queries[field], args.repeats)
        if hybrid:
            embed = embedding_search()
            out["query_embedding"] = {}
            for field in FIELDS:
                say(f"product: {len(queries[field])} {field} query embeddings x {args.repeats} "
                    "(+ warm-up)")
                out["query_embedding"][field] = time_queries(embed, queries[field],
                                                             args.repeats)
    runs = 1 if args.quick else 3
    with machine.phase("first_query", background):
        for field in FIELDS:
            say(f"product: first {field} query in {runs} fresh process(es)")
            out["first_query"][field] = first_query(index_dir, queries[field][0], runs, REPO)
    if not args.skip_eval:
        say("product: relevance, keyword (indexer.evaluate)")
        out["relevance"] = relevance(index_dir, data.questions, data.qrels, "keyword")
        out["relevance_readme"] = report.readme_ndcg(REPO)
        if hybrid:
            say("product: relevance, hybrid (indexer.evaluate)")
            out["relevance_hybrid"] = relevance(index_dir, data.questions, data.qrels,
                                                "hybrid")
    return out


def peer_figures(args: argparse.Namespace, queries: dict, folder: Path) -> dict:
    """Each peer's build, query latencies and relevance (or why it was skipped)."""
    data = eval_data()
    out = {}
    for name, build in PEERS.items():
        why = tantivy_missing() if name == "tantivy" else None
        if why:
            say(f"{name} skipped: {why}")
            out[name] = {"skipped": why}
            continue
        say(f"{name}: build, then queries")
        (folder / name).mkdir()
        search, figures = build(data.corpus, folder / name)
        figures["queries"] = {f: time_queries(search, queries[f], args.repeats)
                              for f in FIELDS}
        if not args.skip_eval:
            figures["relevance"] = judge(
                lambda t, s=search: [i for i, _ in s(t[:MAX_QUERY_CHARS])],
                data.questions, data.qrels)
        out[name] = figures
    return out


def run(args: argparse.Namespace, tmp: Path) -> dict:
    """The whole benchmark; the results as one dict."""
    data = eval_data()
    queries = load_queries(data.questions, limit=10 if args.quick else None)
    background: dict[str, float] = {}
    results: dict = {"date": report.now(), "machine": machine.describe(),
                     "settings": {k: str(v) for k, v in vars(args).items()},
                     "background_cores": background,
                     "speed": {"start": machine.speed()}}
    index_dir = args.index or tmp / "index"
    if args.index is None:
        say(f"building {data.corpus} through indexer.store.build without embeddings "
            "(child process)")
        with machine.phase("build", background):
            results["build"] = build_product(data.corpus, index_dir, REPO)
        why = semantic_missing()
        if why:
            say(f"embeddings skipped: {why}")
            results["embeddings"] = {"skipped": why}
        else:
            say(f"building {data.corpus} again with embeddings (child process)")
            with machine.phase("embeddings", background):
                results["embeddings"] = build_embeddings(data.corpus, index_dir, REPO)
    elif not (index_dir / "CURRENT").is_file():
        raise SystemExit(f"bench: {index_dir} holds no product index (no CURRENT file).")
    results["index_size_mb"] = round(index_size(index_dir) / 1e6, 2)
    results["modes"] = hybrid_status(index_dir)
    if not results["modes"]["hybrid"]:
        say(f"hybrid mode cannot run: {results['modes']['reason']}; keyword figures only")
    results.update(product_figures(args, index_dir, queries, background,
                                   results["modes"]["hybrid"]))
    if not args.skip_http:
        warmup = WARMUP_QUICK_S if args.quick else WARMUP_S
        default = results["modes"]["default"]
        for key, cache, mode, what in (
                ("http", True, "auto", f"default mode ({default}), result cache on"),
                ("http_uncached", False, "auto",
                 f"default mode ({default}), result cache off: every request searches"),
                ("http_keyword", True, "keyword", "keyword mode, result cache on")):
            say(f"HTTP: gunicorn + {args.connections} connections for {args.duration:g} s, "
                f"{what}")
            with machine.phase(key, background):
                results[key] = measure_http(
                    REPO, index_dir, queries, connections=args.connections,
                    duration=args.duration, warmup=warmup, client=args.client, cache=cache,
                    mode=mode)
    if not args.skip_peers:
        with machine.phase("peers", background):
            results["peers"] = peer_figures(args, queries, tmp / "peers")
    results["speed"]["end"] = machine.speed()
    results["ratios"] = report.ratios(results)
    results["bars"] = report.check_bars(results)
    return results


def semantic_missing() -> str | None:
    """Why the embeddings cannot be built here (None: the semantic extra is installed)."""
    from indexer import semantic

    return semantic.available()


def main(argv: list[str] | None = None) -> None:
    """Run, print the table, write the JSON."""
    args = parse_args(argv)
    eval_data()
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        (Path(tmp) / "peers").mkdir()
        results = run(args, Path(tmp))
    print(report.render(results))
    report.write_json(results, args.out)
    say(f"wrote {args.out}")


if __name__ == "__main__":
    main()
