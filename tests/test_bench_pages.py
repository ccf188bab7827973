"""The page benchmark (bench/pages.py) gives every kind of page as many
samples, however few URLs it has: a p95 over a handful of requests is one
slow request."""

import pytest

from bench import pages

pytestmark = pytest.mark.django_db


def test_every_kind_gets_as_many_samples(imported, settings):
    settings.PAGE_CACHE = True  # measure() turns it off, for the rest of its process
    urls = pages.page_urls(samples=6)
    assert len(urls["home"]) == 1 and len(urls["section"]) < len(urls["essay page"])
    rows = pages.measure(urls, rounds=2, log=lambda line: None)
    longest = max(len(kind_urls) for kind_urls in urls.values())
    assert {kind: row["n"] for kind, row in rows.items()} == {kind: 2 * longest for kind in urls}
    assert all(row["median"] <= row["p95"] <= row["max"] for row in rows.values())
