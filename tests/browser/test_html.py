"""The Nu HTML checker (vnu.jar) finds no error in any kind of page.

The pages are fetched from the live server as a browser gets them, written
to files, and checked in one run of the validator (it takes seconds to
start); each page then has its own test."""

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from urllib.parse import quote, unquote, urlparse

import pytest

from tests.browser.conftest import NODE_MODULES
from tests.browser.pages import PAGES

# django_db: so that pytest-django sets up the test database (see conftest.site).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def fetch(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Language": "zh-CN"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def vnu_messages(site, tmp_path_factory):
    """The validator's messages for each page, by page name."""
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: run `make node-deps` (npm ci --ignore-scripts)")
    java = shutil.which("java")
    if not java:
        pytest.fail("java is missing: `make browser-deps` installs default-jre-headless")
    folder = tmp_path_factory.mktemp("html")
    files = {}
    for name in PAGES:
        status, body = fetch(site(quote(site.pages[name], safe="/?=&%")))
        assert status == (404 if name == "404" else 200), name
        files[name] = folder / f"{name}.html"
        files[name].write_bytes(body)
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stderr or result.stdout)
    messages = {name: [] for name in files}
    by_path = {str(path.resolve()): name for name, path in files.items()}
    for message in report["messages"]:
        # vnu names a file "file:/tmp/..."; an error about no file fails all.
        path = unquote(urlparse(message.get("url", "")).path)
        for name in [by_path[path]] if path in by_path else files:
            messages[name].append(message)
    return messages


@pytest.mark.parametrize("name", PAGES)
def test_page_is_valid_html(vnu_messages, name):
    errors = [
        f"line {m.get('lastLine')}: {m['message']}  [{m.get('extract', '').strip()}]"
        for m in vnu_messages[name]
        if m["type"] in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)
