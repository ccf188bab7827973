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

    cache.clear()
    yield
    cache.clear()


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
