"""Throughput under load (`make bench`): gunicorn with 2 workers on the
bench corpus, and wrk (Debian's package) with 16 connections for 10 s per
scenario. wrk's Lua script walks a list of paths, each connection from its
own starting point, and prints the latency percentiles as JSON."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PORT = 8301
CONNECTIONS = 16
SECONDS = 10
WORKERS = 2

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end
init = function(args)
  position = offset or 0
end
request = function()
  position = position + 1
  return wrk.format("GET", paths[(position % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, "max": %f, "non2xx": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def scenarios(urls: dict[str, list[str]], seed: int = 4) -> dict[str, tuple[list[str], bool]]:
    """name -> (paths, page cache on)."""
    rng = random.Random(seed)
    essays = list(urls["essay page"])
    mixed = (
        urls["home"] * 4
        + urls["list, page 1"] * 2
        + urls["list, deep page"]
        + urls["tag"][:10]
        + urls["section"]
        + urls["search"]
        + essays[:20]
    )
    rng.shuffle(mixed)
    return {
        "cached pages (mixed)": (mixed, True),
        "uncached mixed traffic": (mixed, False),
        "uncached essay pages": (essays, False),
    }


def all_essay_paths(limit: int = 2000, seed: int = 5) -> list[str]:
    """Many distinct essay pages, so that nothing repeats within a run."""
    from django.urls import reverse

    from essays.models import Essay

    keys = list(Essay.objects.readable().values_list("key", flat=True))
    rng = random.Random(seed)
    return [reverse("essays:essay", args=[key]) for key in rng.sample(keys, min(limit, len(keys)))]


def _wait(port: int, proc, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


def run_scenario(
    var_dir: Path, paths: list[str], cached: bool, cache_url: str, log, warm_paths: list[str] | None = None
) -> dict:
    """wrk on ``paths`` for SECONDS, after 3 s of warm-up on ``warm_paths``
    (default: the same paths). A new server's first seconds are not its
    steady state: each worker loads jieba's dictionary at its first search,
    compiles its templates, and checks the search index against the
    database (essays.search.healing, at most every 10 minutes)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "WENJI_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
        "SEARCH_URL": f"tantivy://{var_dir / 'search_index'}",
        "CACHE_URL": cache_url,
        "WENJI_PAGE_CACHE": "1" if cached else "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "archive.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--preload"]
    server_log = (var_dir / "gunicorn.log").open("a")
    proc = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=server_log, stderr=server_log)
    with server_log, tempfile.TemporaryDirectory() as tmp:
        try:
            _wait(PORT, proc)
            if cache_url.startswith("redis"):
                import redis

                redis.Redis.from_url(cache_url).flushdb()
            script = Path(tmp) / "paths.lua"
            script.write_text(LUA, encoding="utf-8")
            listing = Path(tmp) / "paths.txt"
            listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
            warming = Path(tmp) / "warm.txt"
            warming.write_text("\n".join(warm_paths or paths) + "\n", encoding="utf-8")
            wrk = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "-s", str(script)]
            # Warm up (and, cached, fill each worker's cache) before measuring.
            warm = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", "3s", "-s", str(script)]
            subprocess.run(
                [*warm, f"http://127.0.0.1:{PORT}"],
                env={**os.environ, "WRK_PATHS": str(warming)},
                capture_output=True,
                check=True,
            )
            done = subprocess.run(
                [*wrk, f"http://127.0.0.1:{PORT}"],
                env={**os.environ, "WRK_PATHS": str(listing)},
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure(var_dir: Path, urls: dict[str, list[str]], log, redis_url: str | None = None) -> dict[str, dict]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (make bench installs Debian's package)")
    results = {}
    plan = scenarios(urls)
    plan["uncached essay pages"] = (all_essay_paths(), False)
    # Essay pages warm up on the mixed paths: every essay page measured is
    # still its first view.
    warm_on = {"uncached essay pages": plan["uncached mixed traffic"][0]}
    caches = [("locmem", "locmem://")] + ([("Redis", redis_url)] if redis_url else [])
    for name, (paths, cached) in plan.items():
        for cache_name, cache_url in caches if cached else caches[:1]:
            label = f"{name}, {cache_name}" if cached else name
            result = run_scenario(var_dir, paths, cached, cache_url, log, warm_on.get(name))
            results[label] = result
            log(
                f"wrk {label}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms"
                f" ({result['non2xx']} non-2xx, {result['errors']} errors)"
            )
    return results
