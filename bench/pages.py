"""Page latency and query count by archive size (`make bench`).

Every reader page is rendered through django.test.Client with the page cache
off (the cost of a page nobody has asked for under the current content
version; the cached shelves and counts of ``essays.freshness`` are warm, as
they are after the first view). The kinds are interleaved, request by
request, so a busy moment on a shared machine hits them alike.
"""

from __future__ import annotations

import random
import statistics
import time
from urllib.parse import quote, urlencode

KINDS = [
    "essay page",
    "home",
    "list, page 1",
    "list, deep page",
    "list, by tags",
    "section",
    "section, deep page",
    "tag",
    "collection",
    "collections",
    "tags page",
    "feed",
    "section feed",
    "sitemap index",
    "sitemap sections",
    "search",
    "search suggestions",
]
SEARCHES = ["疫情", "钟南山", "背水一战", "的人民", "脫貧攻堅", "钟南山 武汉", "一线", "逆行", "张楠", "控阻击"]


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def page_urls(samples: int = 30, seed: int = 9) -> dict[str, list[str]]:
    """A deterministic sample of URLs of each kind."""
    from django.urls import reverse

    from essays.models import Essay, Section, SourceFile, Tag
    from essays.sitemaps import SITEMAPS
    from essays.views import LIST_PAGE_SIZE, EssayList

    rng = random.Random(seed)
    readable = Essay.objects.readable()
    total = readable.count()
    pks = list(readable.values_list("key", flat=True))
    essays = [reverse("essays:essay", args=[key]) for key in rng.sample(pks, min(samples, len(pks)))]
    last_list_page = max(1, -(-total // EssayList.paginate_by))
    sections = [s for s in Section.objects.all() if s.essays.readable().exists()]
    deep_sections = []
    for section in sections:
        pages = max(1, -(-section.essays.readable().count() // LIST_PAGE_SIZE))
        deep_sections.append(f"{section.get_absolute_url()}?page={max(1, pages // 2)}")
        deep_sections.append(f"{section.get_absolute_url()}?page={pages}")
    tags = Tag.objects.in_use()
    # Tags of every size: the most used, and a spread over the rest.
    step = max(1, len(tags) // samples)
    tag_urls = [tag.get_absolute_url() for tag in tags[:5] + tags[5::step]][:samples]
    # Lists filtered by tags: the rarest and the most used, two and three of
    # the most used together, a rare one beside a common one, sorted and deep.
    names = [tag.name for tag in tags]  # most used first
    by_tags = [
        [names[-1]],
        [names[0]],
        names[:2],
        names[:3],
        [names[0], names[-1]],
        names[1:3],
    ]
    tag_lists = [
        "/essays/?" + urlencode([*(("tag", name) for name in chosen), ("sort", sort), ("page", page)])
        for chosen in by_tags
        if chosen
        for sort, page in (("order", 1), ("new", 5), ("length", 20))
    ]
    if sections and names:
        tag_lists.append("/essays/?" + urlencode([("section", sections[0].slug), ("tag", names[0]), ("page", 10)]))
    keys = list(SourceFile.objects.shelf().values_list("key", flat=True))
    collections = [reverse("essays:collection", args=[key]) for key in rng.sample(keys, min(samples, len(keys)))]
    sitemap_sections = []
    for name in SITEMAPS:
        sitemap_sections.append(reverse("essays:sitemap_section", args=[name]))
    essay_sitemap_pages = max(1, -(-total // SITEMAPS["essays"].limit))
    sitemap_sections.append(reverse("essays:sitemap_section", args=["essays"]) + f"?p={essay_sitemap_pages}")
    return {
        "essay page": essays,
        "home": ["/"],
        "list, page 1": ["/essays/", "/essays/?sort=new", "/essays/?sort=length"],
        "list, deep page": [f"/essays/?page={last_list_page // 2}", f"/essays/?page={last_list_page}"],
        "list, by tags": tag_lists,
        "section": [s.get_absolute_url() for s in sections],
        "section, deep page": deep_sections,
        "tag": tag_urls,
        "collection": collections,
        "collections": ["/collections/", f"/collections/?page={max(1, len(keys) // 48)}"],
        "tags page": ["/tags/"],
        "feed": ["/feed/"],
        "section feed": [f"{s.get_absolute_url()}feed/" for s in sections],
        "sitemap index": [reverse("essays:sitemap")],
        "sitemap sections": sitemap_sections,
        "search": [f"/search/?q={quote(q)}" for q in SEARCHES],
        # The search box as a reader types: each query's first one and two characters.
        "search suggestions": [
            f"/search/suggest/?q={quote(prefix)}" for prefix in dict.fromkeys(q[:n] for q in SEARCHES for n in (1, 2))
        ],
    }


def measure(urls: dict[str, list[str]], rounds: int, log) -> dict[str, dict]:
    """Median, p95 and max latency (ms) and the most queries of each kind,
    page cache off."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE = False
    client = Client()
    timings = {kind: [] for kind in urls}
    queries = {kind: 0 for kind in urls}
    for kind_urls in urls.values():  # warm-up: the cached shelves, the planner, the OS cache
        for url in kind_urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    for _ in range(rounds):
        longest = max(len(u) for u in urls.values())
        for i in range(longest):
            for kind, kind_urls in urls.items():
                # Every kind as many requests a round, its URLs in turn: a kind
                # of 8 URLs took 8 samples a round, and one slow request was
                # its p95.
                url = kind_urls[i % len(kind_urls)]
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                queries[kind] = max(queries[kind], len(captured))
    rows = {}
    for kind, values in timings.items():
        rows[kind] = {
            "median": statistics.median(values),
            "p95": percentile(values, 0.95),
            "max": max(values),
            "queries": queries[kind],
            "n": len(values),
        }
        log(f"{kind}: median {rows[kind]['median']:.1f} ms, p95 {rows[kind]['p95']:.1f} ms, {queries[kind]} queries")
    return rows


def after_an_edit(urls: dict[str, list[str]], rounds: int, log) -> dict[str, float]:
    """Each kind's first view after an edit (median ms over ``rounds``): a new
    content version, this process's memo and the cache emptied, so the
    fragments kept per version (counts, shelves, tag cloud, related essays)
    are built again, as the first reader after a curator's save meets them
    (each worker, with a per-process cache)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from essays import freshness

    settings.PAGE_CACHE = False
    client = Client()
    timings: dict[str, list[float]] = {kind: [] for kind in urls}
    for _ in range(rounds):
        for kind, kind_urls in urls.items():
            freshness._new_version()
            freshness.forget()
            cache.clear()
            started = time.perf_counter()
            response = client.get(kind_urls[0])
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (kind_urls[0], response.status_code)
    firsts = {kind: statistics.median(values) for kind, values in timings.items()}
    log("first view after an edit: " + ", ".join(f"{kind} {ms:.0f} ms" for kind, ms in firsts.items()))
    return firsts
