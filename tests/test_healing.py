"""An index that heals: after a crash, the next import, ensure_search_index
or the web process finds what the index and the database disagree on and
repairs that difference, not the whole index."""

import json
import signal
import time

import pytest
from django.core.cache import cache
from haystack import connections

from essays.importer import Importer
from essays.models import Essay
from essays.search import healing
from essays.search.sync import repair

from .conftest import SEEDS

pytestmark = pytest.mark.django_db


def indexed_pks() -> set[int]:
    return set(connections["default"].get_backend().indexed_stamps())


def readable_pks() -> set[int]:
    return set(Essay.objects.readable().values_list("pk", flat=True))


def test_repair_indexes_public_essays_the_index_lacks_and_nothing_else(imported):
    assert indexed_pks() == set()
    result = repair()
    assert (result.indexed, result.removed) == (len(readable_pks()), 0)
    assert indexed_pks() == readable_pks()
    again = repair()
    assert (again.indexed, again.removed) == (0, 0)


def test_repair_reindexes_only_an_essay_changed_behind_the_index(indexed, monkeypatch):
    essay = Essay.objects.readable().first()
    written = []
    backend = connections["default"].get_backend()
    original = backend.update
    monkeypatch.setattr(
        backend, "update", lambda index, objs, commit=True: written.extend(o.pk for o in objs) or original(index, objs)
    )
    from essays.search.sync import deferred

    with deferred():  # a change the index never heard of (a crash before the flush)
        essay.title = "改过的标题"
        essay.save()
    result = repair()
    assert (result.indexed, result.removed) == (1, 0)
    assert written == [essay.pk]


def test_repair_removes_documents_of_essays_no_longer_readable(indexed):
    essay = Essay.objects.readable().first()
    Essay.objects.filter(pk=essay.pk).update(status=Essay.Status.HIDDEN)  # no signal, no index update
    result = repair()
    assert (result.indexed, result.removed) == (0, 1)
    assert essay.pk not in indexed_pks()


def test_rerunning_an_import_of_unchanged_files_repairs_unindexed_essays(imported):
    assert indexed_pks() == set()  # stored, never indexed: as after a kill -9
    report = Importer().import_paths([SEEDS])
    assert report.count("unchanged") == 5
    assert indexed_pks() == readable_pks()
    assert report.repair.indexed == len(readable_pks())


def test_a_corrupt_index_is_moved_aside_and_refilled(indexed, search_index):
    (search_index.path / "meta.json").write_text("{not json", encoding="utf-8")
    from essays.search.tantivy_backend import _OPEN

    _OPEN.clear()
    result = repair()
    assert result.indexed == len(readable_pks())
    assert indexed_pks() == readable_pks()
    assert list(search_index.path.parent.glob(f"{search_index.path.name}.broken-*"))


@pytest.fixture
def self_healing(settings, monkeypatch):
    settings.SEARCH_SELF_HEALING = True
    monkeypatch.setattr(healing, "_start", lambda work: work())  # in place, on the test's connection
    cache.delete(healing.LOCK_KEY)
    cache.delete(healing.CHECKED_KEY)


def test_a_deleted_index_is_an_honest_503_and_the_web_process_rebuilds_it(client, indexed, search_index, self_healing):
    import shutil

    shutil.rmtree(search_index.path)
    response = client.get("/search/?q=武汉")
    assert response.status_code == 503
    assert 'value="武汉"' in response.content.decode()
    assert response["Retry-After"] == "60"
    # The 503 started the rebuild; the next reader is answered.
    assert indexed_pks() == readable_pks()
    response = client.get("/search/?q=武汉")
    assert response.status_code == 200
    assert "找到 0 篇" not in response.content.decode()


def test_only_one_repair_runs_at_a_time(db, self_healing, monkeypatch):
    started = []
    monkeypatch.setattr(healing, "_start", lambda work: started.append(work))  # still running
    assert healing.heal_soon(now=True) is True
    assert healing.heal_soon(now=True) is False
    started[0]()  # it finishes: the lock is released
    assert healing.heal_soon(now=True) is True


def test_searches_check_now_and_then_not_every_time(client, indexed, self_healing, monkeypatch):
    runs = []
    monkeypatch.setattr(healing, "_start", lambda work: runs.append(work) or work())
    for _ in range(3):
        assert client.get("/search/?q=武汉").status_code == 200
    assert len(runs) == 1


def test_healthz_reports_a_deleted_index_and_starts_its_rebuild(client, indexed, search_index, self_healing):
    import shutil

    shutil.rmtree(search_index.path)
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").json()["search"] == "ok"


def make_files(folder, count, essays=4):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        lines = [f"第{i}号测试合集"]
        for j in range(1, essays + 1):
            lines += [f"{j}、第{i}号合集第{j}篇", f"这是第{i}个合集里的第{j}篇文章，编号{i * 100 + j}，内容各不相同。"]
        (folder / f"{i:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def counts(manage, url):
    code, out, err = manage(
        url,
        "shell",
        "-c",
        "import json; from haystack import connections; from essays.models import Essay;"
        "r = set(Essay.objects.readable().values_list('pk', flat=True));"
        "i = set(connections['default'].get_backend().indexed_stamps());"
        "print(json.dumps([len(r), len(i), len(r - i), len(i - r)]))",
    )
    assert code == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_an_import_killed_mid_run_is_repaired_by_the_next_one(tmp_path, scratch_database, manage):
    url = scratch_database("kill")
    assert manage(url, "migrate", "--noinput", "-v", "0")[0] == 0
    files = tmp_path / "files"
    make_files(files, 120)
    process = manage(url, "import_seeds", files, "--no-progress", background=True)
    stored = 0
    deadline = time.monotonic() + 120
    while stored < 10 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        stored += ": imported" in line
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    readable, indexed, missing, extra = counts(manage, url)
    assert readable >= 40 and missing == readable  # stored whole, never indexed
    assert readable < 120 * 4  # killed before the end

    code, out, err = manage(url, "import_seeds", files, "--no-progress", "-v", "1")
    assert code == 0, err
    assert "unchanged" in out
    assert counts(manage, url) == [120 * 4, 120 * 4, 0, 0]
