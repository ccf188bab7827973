"""Real-browser fixtures.

The seeds are imported once for this folder and served by pytest-django's
live server thread; one Debian Chromium (never a downloaded browser) serves
the whole folder, and every test gets a fresh context (empty localStorage,
its own clipboard permissions, its own viewport).

Why not the ``live_server`` fixture itself: it asks for ``transactional_db``,
which empties the database after every test, and importing the seeds takes
seconds. These tests only read, so the import is done once, committed, and
the database is put back as it was (the migrations' data included) when the
folder is done, before any other test runs.
"""

import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.backends.signals import connection_created
from django.test.utils import modify_settings

from tests.browser.pages import PAGES
from tests.conftest import SEEDS

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
CHROMIUM = os.environ.get("WENJI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    """The live server over the imported seeds, and the pages worth testing."""

    url: str
    pages: dict[str, str] = field(default_factory=dict)

    def __call__(self, path: str) -> str:
        return urljoin(self.url + "/", path.lstrip("/"))


def _pages() -> dict[str, str]:
    """One address per kind of page, chosen from the imported data."""
    from essays.models import Essay, Section, SourceFile, Tag, readable_count

    readable = Essay.objects.readable().select_related("source")
    # An essay with an anonymisation placeholder and a next essay.
    essay = next(
        e
        for e in readable.order_by("source__name", "position")
        if re.search(r"20_+年", " ".join(e.paragraphs))
        and readable.filter(source=e.source, position__gt=e.position).exists()
    )
    tag = Tag.objects.annotate(count=readable_count()).order_by("-count", "name").first()
    pages = {
        "home": "/",
        "list": "/essays/",
        "list-filtered": f"/essays/?tag={tag.name}&sort=new",
        "essay": essay.get_absolute_url(),
        "essay-traditional": essay.get_absolute_url() + "?script=hant",
        "collection": SourceFile.objects.order_by("name").first().get_absolute_url(),
        "section": Section.objects.filter(essays__in=readable).first().get_absolute_url(),
        "tag-list": "/tags/",
        "tag": tag.get_absolute_url(),
        "essay-duplicate": Essay.objects.filter(duplicate_of__isnull=False).first().get_absolute_url(),
        "404": "/no-such-page/",
    }
    if "search" in PAGES:
        pages["search"] = "/search/?q=疫情"
    return pages


CURATOR = ("walker", "curate-well-2026")


def _make_curator():
    """A staff account in the curators group, for the curator's walk."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(CURATOR[0], password=CURATOR[1], is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))


@contextmanager
def closing_connections():
    """Close, on the way out, the database connections this thread opened.

    While Playwright's sync API runs, an asyncio loop counts as running in
    this thread, so Django keeps a separate connection for the test code; left
    open, it would stop the test database from being dropped."""
    opened = []

    def remember(sender, connection, **kwargs):
        if threading.current_thread() is threading.main_thread():
            opened.append(connection)

    connection_created.connect(remember)
    try:
        yield
    finally:
        connection_created.disconnect(remember)
        for wrapper in opened:
            wrapper.close()


@pytest.fixture(scope="package")
def site(django_db_setup, django_db_blocker):
    from haystack import connections
    from pytest_django.live_server_helper import LiveServer

    from essays.importer import Importer

    index = connections["default"].get_backend()
    # The live server's thread needs the database for the whole folder, so the
    # blocker stays open until the folder is done.
    with django_db_blocker.unblock(), closing_connections():
        # pytest-django creates the test database only when some test asks for
        # one (the modules' django_db mark); never import into a real one.
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test_") or "memory" in name, f"not a test database: {name}"
        before = connection.creation.serialize_db_to_string()
        try:
            index.clear()
            report = Importer().import_paths([SEEDS])
            assert not report.failed, report.summary()
            _make_curator()
            pages = _pages()
            with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
                server = LiveServer("localhost")
                try:
                    yield Site(url=server.url, pages=pages)
                finally:
                    server.stop()
        finally:
            index.clear()
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            connection.creation.deserialize_db_from_string(before)
            # flush restarts PostgreSQL's id sequences and the rows come back
            # with their ids: move each sequence past them, or the next
            # test's first new section takes id 1 again.
            _reset_sequences()


def _reset_sequences() -> None:
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(scope="package")
def browser(site):
    """One Chromium for the folder. It is closed before the live server stops
    (it depends on ``site``), so no kept-alive connection leaves a server
    thread holding the test database open."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` installs Debian's chromium")
    # While Playwright's sync API runs, Django sees an event loop in this
    # thread and refuses ORM calls from the tests' own code; those calls are
    # plain synchronous ones, so allow them for as long as the browser is open.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if saved is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def new_context(browser, site):
    """Make a fresh browser context; closed after the test."""
    contexts = []

    def make(**options):
        options = {"viewport": DESKTOP, "locale": "zh-CN", "base_url": site.url, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@dataclass
class Problems:
    """Script errors and failed sub-resources seen by a page."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page):
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and response.request.resource_type != "document"
                and self.errors.append(f"{response.status} for {response.url}")
            ),
        )
        return page


@pytest.fixture
def problems():
    seen = Problems()
    yield seen
    assert not seen.errors, "the page had problems:\n" + "\n".join(seen.errors)


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context, problems):
    return problems.watch(context.new_page())
