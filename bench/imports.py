"""Import speed (`make bench`): a fresh corpus imported end to end with the
search index, as `manage.py import_seeds` does, in a process of its own so
that its peak memory is its own (and its pool's)."""

from __future__ import annotations

import os
import resource
import shutil
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def run_import(essays: int, log) -> dict:
    from bench.run import setup_django

    var_dir = BASE_DIR / "var" / f"bench-import-{essays}"
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    setup_django(var_dir)
    from django.core.management import call_command

    from bench.corpus import write_corpus
    from essays.importer import Importer
    from essays.models import Essay

    files = write_corpus(var_dir / "corpus", essays, BASE_DIR / "seeds")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    report = Importer(update_index=True).import_paths([var_dir / "corpus"])
    seconds = time.perf_counter() - started
    assert not report.failed and not report.index_error, report.summary()
    imported = Essay.objects.count()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest pool worker
    result = {
        "essays": imported,
        "files": files,
        "seconds": seconds,
        "per_second": imported / seconds,
        "peak_rss_mb": peak_kb / 1024,
        "peak_worker_rss_mb": worker_kb / 1024,
        # Per phase: wall seconds, and CPU milliseconds per essay here and in
        # the pools: what an import would need to go faster on these cores.
        "phases": {
            name: {
                "seconds": cost.seconds,
                "cpu_ms": 1000 * cost.cpu / imported,
                "workers_cpu_ms": 1000 * cost.workers_cpu / imported,
                "cores": cost.cores,
            }
            for name, cost in report.phases.items()
        },
        "cores": os.cpu_count() or 1,
    }
    log(
        f"import of {imported} essays with the index: {seconds:.0f} s, {result['per_second']:.0f} essays/s, "
        f"peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    shutil.rmtree(var_dir)
    return result


if __name__ == "__main__":  # python -m bench.imports 100000: the import alone
    import argparse
    import json

    parser = argparse.ArgumentParser(description="An import of a synthetic corpus, timed.")
    parser.add_argument("essays", type=int, nargs="?", default=5000)
    parser.add_argument("--json", type=Path, help="also write the result here (bench/profile_import.py reads it)")
    args = parser.parse_args()
    result = run_import(args.essays, print)
    print(result)
    if args.json:
        args.json.write_text(json.dumps(result), encoding="utf-8")
