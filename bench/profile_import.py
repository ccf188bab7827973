"""Where an import's time goes, function by function (`make profile-import`):
the benchmark's import (bench/imports.py) run under py-spy, its samples
summed per phase and per process, written to docs/import-profile.md.

py-spy samples every process's Python stack from outside (natively run code,
rjieba's segmenter, tantivy's writer, SQLite, counts in the Python function
that called it) and leaves out threads it sees idle. A sample is a moment a
process was busy, so the shares below are shares of busy time: with both
cores taken, a process waiting for a core still counts, and the seconds are
wall seconds of busy processes, not CPU seconds (those are in
docs/benchmarks.md, from the import's own accounting).

No Django imports here: the import runs in a child process.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.run import machine

BASE_DIR = Path(__file__).resolve().parent.parent
RATE = 100  # samples a second

# A frame of an import's main process, by phase (the first found, innermost
# first, names the phase); worker processes are forked from it, so their
# stacks begin with the frame that started their pool and are placed alike.
PHASE_FRAMES = (
    # The index's documents, whenever they are made: the pool is forked when
    # the files are stored and makes tokens ahead while the vocabulary is
    # built, then documents while the tags are written (essays.search.pooled).
    ("_pretokenize", "index"),
    ("_documents", "index"),
    ("IndexFeed.keep_busy", "index"),
    ("IndexFeed.until", "index"),
    ("IndexFeed.add", "index"),
    ("IndexFeed.close", "index"),
    ("Importer._update_index", "index"),
    ("retag", "tags"),
    ("Importer._import_files", "store"),
)
# "setup" (writing the corpus, starting Django, before the import is timed)
# is left out of the report.
PHASES = ("store", "tags", "index")
# Leaf frames that are the database's own work (the statement run in C).
DATABASE_LEAVES = (
    "SQLiteCursorWrapper.execute",
    "SQLiteCursorWrapper.executemany",
    "BaseDatabaseWrapper._commit",
    "CursorWrapper._execute",
    "CursorWrapper._executemany",
    "DatabaseWrapper._commit",
)
# What a leaf frame's package is, read as a reader of the profile would.
PACKAGE_NAMES = {
    "essays": "Wenji's own code (with the native segmenter and index writer it calls)",
    "django": "Django (ORM: building statements, model instances, signals)",
    "multiprocessing": "handing work to the pools and back (pickling, pipes)",
    "json": "JSON encoding and decoding (terms, import snapshots)",
    "haystack": "haystack",
    "opencc_purepy": "OpenCC (Traditional to Simplified, pure Python)",
    "jieba": "jieba (its dictionaries, loaded once)",
    "collections": "Counter arithmetic (tags, near-duplicates)",
}
_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*?)(?::\d+)?\)$")


@dataclass
class Frame:
    function: str
    path: str

    @property
    def package(self) -> str:
        head = self.path.split("/", 1)[0]
        return head.removesuffix(".py") if not head.startswith("<") else "python"

    @property
    def label(self) -> str:
        return f"{self.function} ({self.path})"


def parse_frame(text: str) -> Frame:
    match = _FRAME.match(text)
    if match is None:
        return Frame(text, "")
    return Frame(match["function"], match["path"])


@dataclass
class Profile:
    """Samples per (phase, process role), and within each what our code and
    the libraries under it were doing."""

    samples: Counter = field(default_factory=Counter)  # (phase, role) -> n
    ours: dict = field(default_factory=lambda: defaultdict(Counter))  # (phase, role) -> label -> n
    spent_in: dict = field(default_factory=lambda: defaultdict(Counter))  # (phase, role) -> what -> n


def phase_of(frames: list[Frame]) -> str:
    for frame in reversed(frames):
        for marker, phase in PHASE_FRAMES:
            if frame.function == marker:
                return phase
    return "setup"


def spent_in(leaf: Frame) -> str:
    if leaf.function in DATABASE_LEAVES:
        return "the database (statements and commits, run in SQLite or sent to PostgreSQL)"
    return PACKAGE_NAMES.get(leaf.package, f"{leaf.package} (other)")


def aggregate(lines, root_pid: str | None = None) -> Profile:
    """A py-spy ``--format raw --subprocesses`` recording, summed. The
    importing process is ``root_pid`` (by default the outermost process of
    the recording, the first of every stack); every other process is a
    pool's worker."""
    profile = Profile()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        parts = stack.split(";")
        processes = [p for p in parts if p.startswith("process ")]
        pids = [re.match(r"process (\d+)", p).group(1) for p in processes]
        if not pids:
            continue
        if root_pid is None:
            root_pid = pids[0]
        frames = [parse_frame(p) for p in parts if not p.startswith("process ")]
        if not frames or any(f.function == "Thread._bootstrap" for f in frames):
            continue  # a pool's bookkeeping thread, waiting on its pipes
        role = "importing process" if pids[-1] == root_pid else "pool workers"
        key = (phase_of(frames), role)
        n = int(count)
        profile.samples[key] += n
        own = next((f for f in reversed(frames) if f.package == "essays"), None)
        profile.ours[key][own.label if own else f"(outside Wenji: {frames[-1].label})"] += n
        profile.spent_in[key][spent_in(frames[-1])] += n
    return profile


def report(profile: Profile, imported: dict, machine: str, top: int = 12) -> str:
    essays = imported["essays"]
    lines = [
        "# Where an import's time goes",
        "",
        f"Generated by `make profile-import` on {machine}: the benchmark's import",
        f"(`bench/imports.py`) of {essays:,} synthetic essays with the search index, "
        f"{imported['seconds']:.0f} s ({imported['per_second']:.0f} essays/s) under",
        f"py-spy at {RATE} samples a second, every process sampled (`bench/profile_import.py`).",
        "",
        "A sample is a moment a process was busy; seconds here are busy wall seconds (a process",
        "waiting for a core counts), per phase and process. The CPU each phase needs per essay,",
        "from the import's own accounting, is in docs/benchmarks.md and below.",
        "",
        "| phase | seconds | CPU ms/essay, importing process | CPU ms/essay, pools |",
        "|---|---:|---:|---:|",
    ]
    for name, cost in imported.get("phases", {}).items():
        lines.append(f"| {name} | {cost['seconds']:.1f} | {cost['cpu_ms']:.2f} | {cost['workers_cpu_ms']:.2f} |")
    for phase in PHASES:
        for role in ("importing process", "pool workers"):
            key = (phase, role)
            total = profile.samples.get(key, 0)
            if total < RATE // 10:
                continue
            lines += [
                "",
                f"## {phase}: {role} ({total / RATE:.1f} busy seconds, {1000 * total / RATE / essays:.2f} ms an essay)",
                "",
                "What the time was finally spent in:",
                "",
                "| share | spent in |",
                "|---:|---|",
                *(
                    f"| {100 * n / total:.0f}% | {what} |"
                    for what, n in profile.spent_in[key].most_common()
                    if n * 100 >= total  # under 1%: left out
                ),
                "",
                "Wenji's functions (each with what it calls: the innermost of Wenji's frames):",
                "",
                "| share | ms/essay | function |",
                "|---:|---:|---|",
                *(
                    f"| {100 * n / total:.1f}% | {1000 * n / RATE / essays:.3f} | `{label}` |"
                    for label, n in profile.ours[key].most_common(top)
                ),
            ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("essays", type=int, nargs="?", default=20000)
    parser.add_argument("--output", type=Path, default=BASE_DIR / "docs" / "import-profile.md")
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if py_spy is None:
        print("py-spy is not installed (requirements-dev.txt): make install", file=sys.stderr)
        return 1
    var_dir = BASE_DIR / "var"  # git-ignored, absent from a fresh clone
    var_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=var_dir) as scratch:
        raw, result = Path(scratch) / "samples.txt", Path(scratch) / "import.json"
        command = [py_spy, "record", "-r", str(RATE), "-f", "raw", "--subprocesses", "-o", str(raw), "--"]
        command += [sys.executable, "-m", "bench.imports", str(args.essays), "--json", str(result)]
        done = subprocess.run(command, cwd=BASE_DIR)
        if done.returncode != 0 or not result.exists():
            print(f"the profiled import failed ({' '.join(command)})", file=sys.stderr)
            return 1
        imported = json.loads(result.read_text())
        with raw.open(encoding="utf-8", errors="replace") as samples:
            profile = aggregate(samples)
    args.output.write_text(report(profile, imported, machine()), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
