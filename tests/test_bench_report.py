"""The benchmark's import section says where the time went and whether the
target fits the machine's cores at all."""

from bench.run import IMPORT_TARGET, import_report

IMPORTED = {
    "essays": 1000,
    "files": 100,
    "seconds": 5.0,
    "per_second": 200.0,
    "peak_rss_mb": 300.0,
    "peak_worker_rss_mb": 200.0,
    "cores": 2,
    "phases": {
        "store": {"seconds": 2.5, "cpu_ms": 2.3, "workers_cpu_ms": 1.7, "cores": 1.6},
        "tags": {"seconds": 1.0, "cpu_ms": 0.9, "workers_cpu_ms": 0.0, "cores": 0.9},
        "index": {"seconds": 1.5, "cpu_ms": 0.9, "workers_cpu_ms": 1.9, "cores": 1.87},
    },
}


def test_the_import_report_shows_each_phase_and_the_cpu_budget():
    text = "\n".join(import_report(IMPORTED))
    assert "| store | 2 | 2.30 | 1.70 | 1.60 |" in text
    assert "| tags | 1 | 0.90 | 0.00 | 0.90 |" in text
    assert (
        f"needs 7.7 ms of CPU per essay; {IMPORT_TARGET} essays/s on 2 cores allow {2000 / IMPORT_TARGET:.1f} ms"
        in text
    )
    assert "cannot be met by using the cores better alone" in text


def test_an_import_that_fits_the_cores_says_so_and_an_old_result_has_no_phases():
    light = {**IMPORTED, "phases": {"store": {"seconds": 1, "cpu_ms": 1.0, "workers_cpu_ms": 1.0, "cores": 2.0}}}
    assert "cannot be met" not in "\n".join(import_report(light))
    old = {k: v for k, v in IMPORTED.items() if k != "phases"}
    assert "Where the time goes" not in "\n".join(import_report(old))
