import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's default language: a request made in
    English (the footer switch, an English cookie) leaves that language
    active in the thread, and a message built outside a request (an import
    report, a doubt) would otherwise come out in whichever language the
    previous test ended in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test's database is rolled back without its commits ever running,
    so the content version (essays.freshness) stays put while the content
    changes: start every test with an empty cache, as a restored server
    would with a new database."""
    from django.core.cache import cache

    from essays import freshness, pagecache, paging

    cache.clear()
    freshness.forget()
    pagecache.forget()
    paging.forget_anchors()
    yield
    cache.clear()
    freshness.forget()
    pagecache.forget()
    paging.forget_anchors()


@pytest.fixture
def seeds_dir(tmp_path):
    """A private copy of the seed files, safe to modify."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def search_index():
    """An empty search index for the test."""
    from haystack import connections

    backend = connections["default"].get_backend()
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture
def imported(db, search_index, django_capture_on_commit_callbacks):
    """The five seed files, imported. Not indexed: indexing the seeds costs
    seconds and most tests never search; those that do ask for ``indexed``.
    Its on-commit work (the content version) runs, as after a real commit."""
    from essays.importer import Importer

    with django_capture_on_commit_callbacks(execute=True):
        report = Importer(update_index=False).import_paths([SEEDS])
    assert not report.failed, report.summary()
    return report


@pytest.fixture
def indexed(imported):
    """The five seed files, imported and in the search index."""
    from essays.models import Essay
    from essays.search.sync import update_essays

    update_essays(Essay.objects.readable().values_list("pk", flat=True))
    return imported


@pytest.fixture
def write_file(tmp_path):
    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write


@pytest.fixture
def run_import():
    """Run the management command; return (exit code, stdout, stderr)."""
    import io

    def run(*paths):
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_seeds", *map(str, paths), "--no-progress", stdout=out, stderr=err)
            code = 0
        except SystemExit as exc:
            code = exc.code
        return code, out.getvalue(), err.getvalue()

    return run


@pytest.fixture
def scratch_database(tmp_path):
    """``make(suffix, vendor=None)``: the URL of a new, empty database for
    subprocesses (a server, an import to kill, a restore), on the vendor of
    the test run unless ``vendor`` says ("sqlite" or "postgresql"). On
    PostgreSQL it is a sibling of the configured database, named
    ``<name>_<suffix>``, dropped afterwards."""
    import psycopg2
    from django.conf import settings

    default = settings.DATABASES["default"]
    made = []

    def admin_connection():
        pg = default if default["ENGINE"].endswith("postgresql") else None
        params = {"dbname": "postgres"}
        if pg:
            params.update(host=pg["HOST"] or None, port=pg["PORT"] or None, user=pg["USER"] or None)
            if pg["PASSWORD"]:
                params["password"] = pg["PASSWORD"]
        else:
            params.update(host="127.0.0.1", port=5432, user="postgres")
        conn = psycopg2.connect(**params)
        conn.autocommit = True
        return conn, params

    def make(suffix: str, vendor: str | None = None) -> str:
        vendor = vendor or ("postgresql" if default["ENGINE"].endswith("postgresql") else "sqlite")
        if vendor == "sqlite":
            return f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
        base = default["NAME"] if default["ENGINE"].endswith("postgresql") else "wenji_trust"
        base = base.removeprefix("test_")
        name = f"{base}_{suffix}"
        conn, params = admin_connection()
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        made.append(name)
        auth = params["user"] or ""
        if params.get("password"):
            auth += f":{params['password']}"
        return f"postgres://{auth}@{params['host'] or '127.0.0.1'}:{params['port'] or 5432}/{name}"

    yield make
    for name in made:
        conn, _ = admin_connection()
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


@pytest.fixture
def manage(tmp_path):
    """Run ``manage.py`` in a subprocess against ``database_url``, with its
    own var/ and search index: (exit code, stdout, stderr)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent

    def run(database_url, *args, index=None, **popen):
        environ = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "archive.settings",
            "WENJI_VAR_DIR": str(tmp_path / "var"),
            "SEARCH_URL": f"tantivy://{index or tmp_path / 'index'}",
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, str(root / "manage.py"), *map(str, args)]
        if popen.pop("background", False):
            return subprocess.Popen(
                command, cwd=root, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        result = subprocess.run(command, cwd=root, env=environ, capture_output=True, text=True, timeout=300)
        return result.returncode, result.stdout, result.stderr

    return run


FOUR = (
    "四篇文章\n\n一、春天\n春天来了，田野里一片新绿，农民们开始播种。\n\n二、夏天\n夏天到了，荷花开满池塘，孩子们在河边嬉戏。\n"
    "第二段写夏夜的星空和蛙声。\n\n三、秋天\n秋天是收获的季节，稻谷金黄，果实累累。\n\n四、冬天\n冬天下雪了，大地一片洁白，人们围炉夜话。\n"
)


@pytest.fixture
def curator(db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def four(db, search_index, django_capture_on_commit_callbacks):
    """A collection of four short essays, imported (not indexed)."""
    from essays.importer import Importer
    from essays.models import SourceFile

    with django_capture_on_commit_callbacks(execute=True):
        report = Importer(update_index=False).import_bytes("four.txt", FOUR.encode())
    assert report.status == "imported", report.line()
    return SourceFile.objects.get(name="four.txt")
