import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test's database is rolled back without its commits ever running,
    so the content version (essays.freshness) stays put while the content
    changes: start every test with an empty cache, as a restored server
    would with a new database."""
    from django.core.cache import cache

    from essays import freshness, pagecache

    cache.clear()
    freshness.forget()
    pagecache.forget()
    yield
    cache.clear()
    freshness.forget()
    pagecache.forget()


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
