"""make bench: generate a synthetic corpus, import it, and time search.

    python -m bench.run [--essays 2000 [20000 ...]] [--repeat 5] [--whoosh-max 5000] [--output docs/benchmarks.md]

Everything lives in var/bench-N/ (its own SQLite database and indexes), so
the archive's data is never touched. In one run it times, over the same
queries and corpus:

- the search view (/search/?q=…, full page: engine, database, snippets) on
  tantivy, the default engine, and again on our Whoosh backend (same
  tokens, same tiers), up to --whoosh-max essays;
- a naive LIKE '%q%' scan of titles and texts in the database;
- stock haystack + Whoosh + jieba's ChineseAnalyzer (QueryParser over the
  analysed text, a fresh searcher per query, as haystack's backend does);

and reports median and p95 latency and each one's verbatim recall (the share
of essays whose normalised title or text holds every term of the query that
the method finds).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

QUERIES = [
    # common words
    "疫情",
    "人民",
    "防控",
    "武汉",
    "英雄",
    # names
    "钟南山",
    "张楠",
    "金珊",
    "周柳吟",
    # two to four character phrases, some across jieba's word boundaries
    "的人民",
    "控阻击",
    "逆行",
    "阻击战",
    "初心使命",
    "背水一战",
    "一线",
    # Traditional
    "脫貧攻堅",
    "醫護人員",
    "鐘南山",
    # several words
    "钟南山 武汉",
]


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def setup_django(var_dir: Path):
    os.environ["WENJI_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'db.sqlite3'}"
    os.environ["SEARCH_URL"] = f"tantivy://{var_dir / 'search_index'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def build(var_dir: Path, essays: int, whoosh: bool, log) -> dict:
    from django.core.management import call_command

    from bench.corpus import write_corpus
    from essays.importer import Importer
    from essays.models import Essay
    from essays.search.sync import update_essays

    corpus_dir = var_dir / "corpus"
    started = time.perf_counter()
    files = write_corpus(corpus_dir, essays, BASE_DIR / "seeds")
    log(f"wrote {files} files in {time.perf_counter() - started:.1f}s")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    report = Importer(update_index=False).import_paths([corpus_dir])
    import_seconds = time.perf_counter() - started
    log(f"imported: {report.summary()} in {import_seconds:.0f}s")
    pks = list(Essay.objects.readable().values_list("pk", flat=True))
    info = {"files": files, "import_seconds": import_seconds}
    for alias in ["default", "whoosh"] if whoosh else ["default"]:
        started = time.perf_counter()
        update_essays(pks, using=alias)
        info[f"index_seconds_{alias}"] = seconds = time.perf_counter() - started
        log(f"indexed {len(pks)} essays ({alias}) in {seconds:.0f}s")
    return info


def build_stock_index(path: Path, log) -> float:
    """haystack's Whoosh schema for the document field, with jieba's
    ChineseAnalyzer instead of the StemmingAnalyzer."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from essays.models import Essay

    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    schema = Schema(
        id=ID(stored=True, unique=True),
        django_id=ID(stored=True),
        text=TEXT(stored=True, analyzer=ChineseAnalyzer(), sortable=True),
    )
    ix = whoosh_index.create_in(str(path), schema)
    started = time.perf_counter()
    writer = ix.writer()
    for essay in Essay.objects.readable().select_related("source").iterator():
        writer.add_document(
            id=f"essays.essay.{essay.pk}",
            django_id=str(essay.pk),
            text=f"{essay.title}\n{essay.source.title}\n{essay.text}",
        )
    writer.commit()
    seconds = time.perf_counter() - started
    log(f"stock ChineseAnalyzer index built in {seconds:.0f}s")
    return seconds


def ground_truth(queries) -> dict[str, set[int]]:
    from essays.models import Essay
    from essays.search.tokens import parse_query, project

    projected = [
        (pk, project(title)[0], project(text)[0])
        for pk, title, text in Essay.objects.readable().values_list("pk", "title", "text").iterator()
    ]
    truth = {}
    for query in queries:
        terms = [t.text for t in parse_query(query).terms]
        truth[query] = {pk for pk, title, text in projected if all(t in title or t in text for t in terms)}
    return truth


def run(essays: int, repeat: int, keep: bool, whoosh: bool, log) -> dict:
    var_dir = BASE_DIR / "var" / f"bench-{essays}"
    if var_dir.exists() and not keep:
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(var_dir)

    from django.core.management import call_command
    from django.db.models import Q
    from django.test import Client
    from haystack import connections
    from whoosh import index as whoosh_index
    from whoosh.qparser import QueryParser

    from essays.models import Essay
    from essays.search.engine import run_search
    from essays.search.tiers import SearchRequest
    from essays.search.tokens import parse_query

    call_command("migrate", verbosity=0, interactive=False)
    info_file = var_dir / "build.json"
    if not Essay.objects.exists():
        build_info = build(var_dir, essays, whoosh, log)
        build_info["stock_index_seconds"] = build_stock_index(var_dir / "stock_index", log)
        info_file.write_text(json.dumps(build_info), encoding="utf-8")
    else:  # --keep: the corpus and indexes of an earlier run
        build_info = json.loads(info_file.read_text(encoding="utf-8")) if info_file.exists() else {}
    count = Essay.objects.readable().count()
    truth = ground_truth(QUERIES)
    client = Client()
    stock_ix = whoosh_index.open_dir(str(var_dir / "stock_index"))

    engines = dict(connections.connections_info)

    def use_engine(alias):
        """Serve the search view from this haystack connection."""
        connections.connections_info["default"] = engines[alias]
        connections.reload("default")

    def view_on(alias):
        def view(query):
            use_engine(alias)
            response = client.get("/search/", {"q": query})
            assert response.status_code == 200, response.status_code

        def found(query):
            hits = run_search(SearchRequest(parse_query(query), limit=count + 1), using=alias)
            return set(hits.pks)

        return view, found

    def like(query):
        terms = query.split()
        match = Q()
        for term in terms:
            match &= Q(title__contains=term) | Q(text__contains=term)
        essays = Essay.objects.readable().filter(match)
        return essays.count(), list(essays.values_list("pk", flat=True)[:20])

    def like_found(query):
        terms = query.split()
        match = Q()
        for term in terms:
            match &= Q(title__contains=term) | Q(text__contains=term)
        return set(Essay.objects.readable().filter(match).values_list("pk", flat=True))

    def stock(query, limit=20):
        # What haystack's Whoosh backend does per query: refresh the index,
        # open a searcher, parse the string, fetch a page.
        ix = stock_ix.refresh()
        with ix.searcher() as searcher:
            parsed = QueryParser("text", schema=ix.schema).parse(query)
            page = searcher.search_page(parsed, 1, pagelen=limit)
            return len(page), [hit["django_id"] for hit in page]

    def stock_found(query):
        with stock_ix.searcher() as searcher:
            parsed = QueryParser("text", schema=stock_ix.schema).parse(query)
            return {int(hit["django_id"]) for hit in searcher.search(parsed, limit=None)}

    def engine(query):
        return run_search(SearchRequest(parse_query(query)), using="default")

    methods = {
        "search view, tantivy (ours, default)": view_on("default"),
        "tantivy engine alone (ours: 20 ids and the count)": (engine, view_on("default")[1]),
        **({"search view, Whoosh (ours)": view_on("whoosh")} if whoosh else {}),
        "naive LIKE scan": (like, like_found),
        "stock haystack+Whoosh+ChineseAnalyzer": (stock, stock_found),
    }
    # Interleaved: for each query, every method in turn, repeat times, so a
    # busy moment on a shared machine hits all methods alike.
    timings = {name: {query: [] for query in QUERIES} for name in methods}
    for query in QUERIES:
        for timed, _ in methods.values():
            timed(query)  # warm-up
        for _ in range(repeat):
            for name, (timed, _) in methods.items():
                started = time.perf_counter()
                timed(query)
                timings[name][query].append((time.perf_counter() - started) * 1000)
    rows = {}
    for name, (_, finder) in methods.items():
        per_query = {}
        for query in QUERIES:
            expected = truth[query]
            got = finder(query)
            recall = len(got & expected) / len(expected) if expected else 1.0
            per_query[query] = {"median": statistics.median(timings[name][query]), "recall": recall, "found": len(got)}
        every = [t for query in QUERIES for t in timings[name][query]]
        rows[name] = {
            "median": statistics.median(every),
            "p95": percentile(every, 0.95),
            "max": max(every),
            "queries": per_query,
        }
        log(f"{name}: median {rows[name]['median']:.1f} ms, p95 {rows[name]['p95']:.1f} ms")
    return {
        "essays": essays,
        "readable": count,
        "repeat": repeat,
        "build": build_info,
        "holding": {query: len(truth[query]) for query in QUERIES},
        "rows": rows,
    }


VIEW = "search view, tantivy (ours, default)"
ENGINE = "tantivy engine alone (ours: 20 ids and the count)"
LIKE = "naive LIKE scan"
TARGET_P95 = {20000: 100.0, 100000: 150.0}


def report(results: list[dict]) -> str:
    """docs/benchmarks.md from one result per corpus size."""
    first = results[0]
    lines = [
        "# Search benchmark",
        "",
        "Written by `make bench` (`python -m bench.run`); numbers from one run on this machine:",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},",
        "SQLite. Latency is wall time per query, in milliseconds, after one warm-up. For each of the",
        f"{len(QUERIES)} queries every method runs in turn, {first['repeat']} times (interleaved, so a busy",
        "moment on this shared machine hits them alike). A search view's time covers the whole page",
        "(engine, database, snippets, template); the other rows only fetch 20 ids and a count.",
        "Recall is verbatim recall: the share of the essays whose normalised title or text holds",
        "every term of the query that the method finds.",
        "Build times (import, index) are those of the run that built each corpus: with `--keep` an",
        "earlier run's, with the code of that day.",
        "",
        "## Targets",
        "",
        "| essays | view p95 | target | LIKE p95 | LIKE median ÷ view median | met |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        rows = result["rows"]
        view, like = rows[VIEW], rows[LIKE]
        target = TARGET_P95.get(result["essays"])
        ratio = like["median"] / view["median"]
        met = "–" if target is None else "yes" if view["p95"] <= target and ratio >= 2 else "no"
        lines.append(
            f"| {result['readable']} | {view['p95']:.1f} | {f'{target:.0f}' if target else '–'} | {like['p95']:.1f} "
            f"| {ratio:.1f}× | {met} |"
        )
    for result in results:
        lines += section(result)
    return "\n".join(lines) + "\n"


def section(result: dict) -> list[str]:
    build, rows = result["build"], result["rows"]
    lines = [
        "",
        f"## {result['readable']} essays",
        "",
        f"Corpus: {result['essays']} essays requested, {result['readable']} readable after import (recombined",
        "seed sentences in two of the seeds' layouts; `bench/corpus.py`).",
    ]
    if build:
        lines += [
            "",
            f"- Import (parse, tags, duplicates; no index): {build['import_seconds']:.0f} s.",
            *(
                f"- Index build (our tokens, {label}): {build[key]:.0f} s."
                for key, label in (("index_seconds_default", "tantivy"), ("index_seconds_whoosh", "Whoosh"))
                if key in build
            ),
            f"- Stock ChineseAnalyzer index build: {build['stock_index_seconds']:.0f} s.",
        ]
    lines += [
        "",
        "| method | median ms | p95 ms | max ms | mean verbatim recall | queries with full recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        recalls = [q["recall"] for q in row["queries"].values()]
        full = sum(1 for r in recalls if r == 1.0)
        lines.append(
            f"| {name} | {row['median']:.1f} | {row['p95']:.1f} | {row['max']:.1f} "
            f"| {statistics.mean(recalls):.3f} | {full}/{len(recalls)} |"
        )
    names = list(rows)
    lines += [
        "",
        "Per query: median ms / recall / essays found ("
        + "; ".join(f"{i + 1} = {n}" for i, n in enumerate(names))
        + "). `holding` is the number of essays whose title or text holds the query.",
        "",
        "| query | holding | " + " | ".join(str(i + 1) for i in range(len(names))) + " |",
        "|---|---:|" + "---|" * len(names),
    ]
    for query, holding in result["holding"].items():
        cells = []
        for name in names:
            q = rows[name]["queries"][query]
            cells.append(f"{q['median']:.1f} / {q['recall']:.2f} / {q['found']}")
        lines.append(f"| {query} | {holding} | " + " | ".join(cells) + " |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, nargs="+", default=[2000], help="corpus sizes, each in its own process")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=None, help="a Markdown file to write (default: print only)")
    parser.add_argument("--keep", action="store_true", help="reuse var/bench-N if it was built before")
    parser.add_argument(
        "--whoosh-max",
        type=int,
        default=5000,
        help="time our Whoosh backend only up to this many essays (its index is slow to build; 0: never)",
    )
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # one size, results as JSON (internal)
    args = parser.parse_args(argv)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    if args.json:  # a child: one corpus size, in a process of its own (Django is set up once per process)
        result = run(args.essays[0], args.repeat, args.keep, args.essays[0] <= args.whoosh_max, log)
        args.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return
    results = []
    for essays in args.essays:
        out = BASE_DIR / "var" / f"bench-{essays}.json"
        command = [sys.executable, "-m", "bench.run", "--essays", str(essays), "--repeat", str(args.repeat)]
        command += ["--json", str(out), "--whoosh-max", str(args.whoosh_max)] + (["--keep"] if args.keep else [])
        log(f"== {essays} essays")
        subprocess.run(command, check=True, cwd=BASE_DIR)
        results.append(json.loads(out.read_text(encoding="utf-8")))
    text = report(results)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        log(f"wrote {args.output}")


if __name__ == "__main__":
    main()
