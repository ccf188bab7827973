"""make profile-import: py-spy's samples of an import summed per phase and
process, and said in words (bench/profile_import.py)."""

from bench.profile_import import aggregate, parse_frame, report

MAIN = 'process 100:"python -m bench.imports 1000"'
WORKER = 'process 100:"python -m bench.imports 1000";process 101:"python -m bench.imports 1000"'
STORE = "<module> (bench/imports.py:70);Importer.import_paths (essays/importer.py:296);Importer._import_files (essays/importer.py:340)"
INDEX = "Importer.finish (essays/importer.py:280);Importer._update_index (essays/importer.py:300)"
SAMPLES = [
    f"{MAIN};{STORE};Importer._store_prepared (essays/importer.py:420);Atomic.__exit__ (django/db/transaction.py:263);BaseDatabaseWrapper._commit (django/db/backends/base/base.py:303) 30",
    f"{MAIN};{STORE};Importer._flush_new (essays/importer.py:780);QuerySet.bulk_create (django/db/models/query.py:800) 50",
    f"{MAIN};{STORE};Importer._store_essay (essays/importer.py:600) 20",
    f"{WORKER};{STORE};worker (multiprocessing/pool.py:125);_prepare_job (essays/importer.py:140);cut (essays/textutil.py:97) 80",
    f"{WORKER};{STORE};worker (multiprocessing/pool.py:125);SimpleQueue.put (multiprocessing/queues.py:390) 20",
    f"{MAIN};Importer.finish (essays/importer.py:280);retag (essays/retagging.py:120);vocabulary (essays/retagging.py:95) 40",
    f"{MAIN};{INDEX};EssayIndex.rows (essays/search_indexes.py:100) 10",
    f"{MAIN};{STORE};Thread._bootstrap (threading.py:995);Pool._handle_results (multiprocessing/pool.py:579) 500",
    f"{MAIN};setup (django/__init__.py:24) 5",
]
IMPORTED = {
    "essays": 1000,
    "seconds": 4.0,
    "per_second": 250.0,
    "phases": {"store": {"seconds": 2.0, "cpu_ms": 1.8, "workers_cpu_ms": 1.2, "cores": 1.5}},
}


def test_frames_are_read_with_their_package():
    frame = parse_frame("Atomic.__exit__ (django/db/transaction.py:263)")
    assert (frame.function, frame.path, frame.package) == ("Atomic.__exit__", "django/db/transaction.py", "django")
    assert parse_frame("<module> (<frozen runpy>:88)").package == "python"


def test_samples_are_summed_per_phase_and_process_and_idle_threads_left_out():
    profile = aggregate(SAMPLES)
    assert dict(profile.samples) == {
        ("store", "importing process"): 100,
        ("store", "pool workers"): 100,
        ("tags", "importing process"): 40,
        ("index", "importing process"): 10,
        ("setup", "importing process"): 5,
    }
    store = profile.spent_in[("store", "importing process")]
    assert store["the database (statements and commits, run in SQLite or sent to PostgreSQL)"] == 30
    assert store["Django (ORM: building statements, model instances, signals)"] == 50
    ours = profile.ours[("store", "importing process")]
    assert ours["Importer._flush_new (essays/importer.py)"] == 50
    assert ours["Importer._store_prepared (essays/importer.py)"] == 30
    workers = profile.ours[("store", "pool workers")]
    assert workers["cut (essays/textutil.py)"] == 80
    assert workers["Importer._import_files (essays/importer.py)"] == 20  # waiting to hand a file back


def test_the_report_gives_each_phase_and_process_its_shares():
    text = report(aggregate(SAMPLES), IMPORTED, "2 cores (test)")
    assert "of 1,000 synthetic essays with the search index, 4 s (250 essays/s)" in text
    assert "| store | 2.0 | 1.80 | 1.20 |" in text
    assert "## store: importing process (1.0 busy seconds, 1.00 ms an essay)" in text
    assert "| 50% | Django (ORM: building statements, model instances, signals) |" in text
    assert "| 50.0% | 0.500 | `Importer._flush_new (essays/importer.py)` |" in text
    assert "## store: pool workers" in text and "| 80.0% | 0.800 | `cut (essays/textutil.py)` |" in text
    assert "## tags: importing process" in text
    assert "## setup" not in text  # before the import was timed
    assert "## index: importing process (0.1 busy seconds" in text


def test_the_index_pool_counts_as_index_whenever_it_works():
    """The index's pool is forked before the tags are made: tokens made
    ahead, and documents made while tags are written, are the index's work;
    the vocabulary's own process is the tags'."""
    feed = "Importer.finish (essays/importer.py:480);IndexFeed.open (essays/search/pooled.py:160)"
    retag = "Importer.finish (essays/importer.py:480);retag (essays/retagging.py:170)"
    samples = [
        f"{WORKER};{feed};worker (multiprocessing/pool.py:125);_pretokenize (essays/search/pooled.py:120) 30",
        f"{WORKER};{feed};worker (multiprocessing/pool.py:125);_documents (essays/search/pooled.py:125) 40",
        f"{MAIN};{retag};IndexFeed.written (essays/search/pooled.py:260);IndexFeed.add (essays/search/pooled.py:270) 7",
        f"{MAIN};{retag};vocabulary (essays/retagging.py:110);IndexFeed.until (essays/search/pooled.py:210) 3",
        f"{WORKER};{retag};vocabulary (essays/retagging.py:110);_start_building (essays/retagging.py:150);_build_in_child (essays/retagging.py:140) 50",
        f"{MAIN};{retag};_stamp (essays/retagging.py:300) 9",
    ]
    assert dict(aggregate(samples).samples) == {
        ("index", "pool workers"): 70,
        ("index", "importing process"): 10,
        ("tags", "pool workers"): 50,
        ("tags", "importing process"): 9,
    }


def test_a_fresh_clone_without_var_gets_as_far_as_running_the_import(tmp_path, monkeypatch, capsys):
    """var/ is git-ignored, so a fresh clone has none: the profile makes it
    (it failed on the scratch directory before py-spy ever ran)."""
    import subprocess

    import bench.profile_import as profile_import

    ran = []
    monkeypatch.setattr(profile_import, "BASE_DIR", tmp_path)
    monkeypatch.setattr(profile_import.shutil, "which", lambda *args, **kwargs: "/usr/bin/py-spy")
    monkeypatch.setattr(
        profile_import.subprocess,
        "run",
        lambda command, **kwargs: ran.append(command) or subprocess.CompletedProcess(command, 1),
    )
    assert profile_import.main(["10", "--output", str(tmp_path / "profile.md")]) == 1
    assert ran and ran[0][0] == "/usr/bin/py-spy"
    assert "the profiled import failed" in capsys.readouterr().err
    assert (tmp_path / "var").is_dir()
