"""Import essay text files into the archive.

One transaction per file: a file lands whole or not at all. A bad file is
refused with a one-line reason and the others still import. Re-running is
safe: unchanged files are skipped by hash, keys are stable, and a field a
curator has changed is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from essays import bulk, freshness, parsing, retagging, tagging, textutil
from essays.checkpoints import checkpoints_beside
from essays.heap import release_freed_memory
from essays.models import (
    IMPORT_REASON,
    IMPORTED_TEXT_DIGEST,
    SOURCE_HISTORY,
    Essay,
    Section,
    SourceFile,
    Tag,
    essay_key,
    history_rows,
    record_history,
    record_history_many,
)
from essays.planner import refresh_planner_statistics
from essays.sentence_index import SentenceIndex

logger = logging.getLogger(__name__)
# A sentence held by more essays than this is boilerplate to near-duplicate
# detection (see Importer._near_duplicate).
COMMON_SENTENCE_HOLDERS = 50
# With at least this many files, the reading, parsing and text work runs in a
# pool of processes (one per core); the database writes stay here.
POOL_MIN_FILES = 8
# Files read and prepared by the pool ahead of the one being stored, per worker.
FILES_AHEAD = 8
# With at least this many essays to index, their tokens are made in a pool
# of processes too (essays.search.sync.update_essays).
POOL_MIN_ESSAYS = 200
# New essays wait in memory for one insert per file; until then they are known
# by numbers from here up (above any primary key).
STAND_IN_BASE = 1 << 62
# How Essay.terms encodes its JSON: the pool encodes candidate terms the same way.
TERMS_ENCODER = Essay._meta.get_field("terms").encoder


@dataclass
class Prepared:
    """A file read, decoded, parsed and analysed (in a worker process): all
    an import needs but the database. ``reason`` refuses it."""

    name: str
    digest: str = ""
    size: int = 0
    reason: str = ""
    # For translated reports (FileReport.code, .values).
    code: str = ""
    values: dict = field(default_factory=dict)
    hint: parsing.CutHint | None = None  # how it was cut, when not the parser's guess
    skipped: bool = False  # same name and content as in the archive: nothing done
    text: str = ""
    encoding: str = ""
    parsed: parsing.ParsedCollection | None = None
    # Per essay: (section slug, candidate tag terms as the JSON the terms
    # column stores) from its text, and what its row keeps that follows from
    # the text (textutil.TextFacts: counts, fingerprint, sentence hashes,
    # digest).
    suggestions: list = field(default_factory=list)
    facts: list = field(default_factory=list)


def refusal(name: str, data: bytes) -> str:
    """Why ``data`` is not an essay file at all, judged by its name and first
    bytes (a Wenji backup, JSON), or ``""``."""
    if data.lstrip()[:1] == b"{" and b'"wenji-backup"' in data[:200]:
        return "a Wenji backup; restore it with manage.py restore_essays"
    if Path(name).suffix.lower() in (".jsonl", ".json"):
        return "JSON, not an essay text file (a backup? restore it with manage.py restore_essays)"
    return ""


def prepare(
    name: str,
    data: bytes,
    sections,
    known_digest: str | None = None,
    hint: parsing.CutHint | None = None,
) -> Prepared:
    """Everything about one file that needs no database: the CPU-bound part
    of an import, run in a pool's worker (no Django models used)."""
    prepared = Prepared(name=name, size=len(data), digest=hashlib.sha256(data).hexdigest(), hint=hint)
    if known_digest == prepared.digest:
        prepared.skipped = True
        return prepared
    prepared.reason = refusal(name, data)
    if prepared.reason:
        return prepared
    try:
        prepared.text, prepared.encoding = parsing.decode(data)
        prepared.parsed = parsing.parse(prepared.text, fallback_title=Path(name).stem, hint=hint)
    except parsing.ParseError as exc:
        prepared.reason = str(exc)
        prepared.code, prepared.values = "unparsable", {"message": str(exc)}
        return prepared
    for essay in prepared.parsed.essays:
        simplified = (textutil.to_simplified(essay.title), textutil.to_simplified(essay.text))  # once, for both
        section = textutil.best_section(essay.title, essay.text, sections, simplified=simplified)
        terms = tagging.candidate_terms(essay.title, essay.text, simplified=simplified)
        # Encoded here, in the pool, as the terms column encodes it (bulk.JSONText).
        prepared.suggestions.append((section, json.dumps(terms, cls=TERMS_ENCODER)))
        prepared.facts.append(textutil.text_facts(essay.text))
    return prepared


def _too_large(name: str, size: int, limit: int) -> Prepared:
    reason = f"too large ({size:,} bytes; the limit is {limit:,})"
    return Prepared(name=name, reason=reason, code="too_large", values={"size": size, "limit": limit})


def _prepare_job(job) -> Prepared:
    path, name, max_bytes, sections, known_digest, hint = job
    try:
        if not path.exists():
            return Prepared(name=str(path), reason="no such file or folder")
        if not path.is_file():
            return Prepared(name=str(path), reason="not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            return _too_large(name, size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        return Prepared(name=str(path), reason=f"unreadable ({exc.strerror or exc})")
    return prepare(name, data, sections, known_digest, hint)


@dataclass
class FileReport:
    name: str
    status: str = "failed"  # imported / updated / unchanged / failed
    reason: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    # For translated reports: what happened (``code``: too_large, same_content,
    # unparsable, not_txt, store_failed, kept_cut) with its numbers, and what
    # landed (the collection, the essays created).
    code: str = ""
    values: dict = field(default_factory=dict)
    source_id: int | None = None
    created_ids: list[int] = field(default_factory=list)
    # Why the parser doubts its cut (one line each); the file then waits in
    # the review queue 切分待复核 (SourceFile.objects.needs_cut_review()).
    doubts: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.name}: refused: {self.reason}"
        detail = f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"
        if self.retired:
            detail += f", {self.retired} hidden (no longer in the file)"
        extra = f" ({self.reason})" if self.reason else ""
        doubts = f"; cut to review: {'; '.join(self.doubts)}" if self.doubts else ""
        return f"{self.name}: {self.status}{extra}: {detail}{doubts}"


@dataclass
class PhaseCost:
    """What one phase of an import cost: wall time, and CPU time in this
    process and in the pool processes it ran (counted once they ended)."""

    seconds: float = 0.0
    cpu: float = 0.0
    workers_cpu: float = 0.0

    @property
    def cores(self) -> float:
        """How many cores the phase kept busy, on average."""
        return (self.cpu + self.workers_cpu) / self.seconds if self.seconds else 0.0


def _children_cpu() -> float:
    """CPU seconds of this process's children: those that ended, and those
    still running (a pool that outlives a phase: the index's, forked before
    the tags are made, ends with the index)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + sum(map(_running_cpu, multiprocessing.active_children()))


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _running_cpu(process) -> float:
    """A running child's CPU seconds so far, from /proc (0 elsewhere)."""
    try:
        with open(f"/proc/{process.pid}/stat", "rb") as stat:
            # After the command's closing parenthesis: state, then fields 4 on;
            # utime and stime are fields 14 and 15.
            fields = stat.read().rpartition(b")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    index_error: str = ""
    repair: object = None  # essays.search.sync.Repair, when the index was checked
    # store (reading, parsing and writing the files), tags (the run's
    # vocabulary), index: what each cost, for the command and the benchmark.
    phases: dict[str, PhaseCost] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str):
        wall, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
        try:
            yield
        finally:
            cost = self.phases.setdefault(name, PhaseCost())
            cost.seconds += time.perf_counter() - wall
            cost.cpu += time.process_time() - cpu
            cost.workers_cpu += _children_cpu() - workers

    def costs_line(self) -> str:
        return "; ".join(
            f"{name} {cost.seconds:.1f} s (CPU {cost.cpu:.1f} s here, {cost.workers_cpu:.1f} s in workers)"
            for name, cost in self.phases.items()
        )

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> bool:
        return any(f.status == "failed" for f in self.files)

    def summary(self) -> str:
        created = sum(f.created for f in self.files)
        updated = sum(f.updated for f in self.files)
        unchanged = sum(f.unchanged for f in self.files)
        imported = self.count("imported") + self.count("updated")
        return (
            f"files: {imported} imported, {self.count('unchanged')} unchanged, {self.count('failed')} failed; "
            f"essays: {created} created, {updated} updated, {unchanged} unchanged"
        )


def collect_paths(paths: list[str | Path]) -> list[Path]:
    """Files to import: each path is a .txt file or a folder of them (searched
    recursively, in name order). Missing paths are kept so they get reported."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".txt"))
        else:
            found.append(path)
    return found


class Importer:
    def __init__(
        self, max_bytes: int | None = None, update_index: bool = True, force: bool = False, workers: int | None = None
    ):
        self.max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
        # Processes for the text work (None: one less than the cores, for
        # POOL_MIN_FILES files or more; 0 or 1: all in this process).
        self.workers = workers
        self.update_index = update_index
        # Re-parse files even when their hash is unchanged (after the parser
        # improved); curator-owned fields are still left alone.
        self.force = force
        # The run's versions are those written since (its retag completes them).
        self.started = timezone.now()
        self.touched: set[int] = set()  # essays whose search document may have changed
        self.to_tag: set[int] = set()  # essays whose words changed: tagged in finish()
        self._sections: list[tuple[str, list[str]]] | None = None
        self._sentence_index: SentenceIndex | None = None
        self._suggested: dict[int, tuple] = {}
        self._indexed_any = False
        self._statements = bulk.Statements()
        self._new_tags: list[tuple[int, list[str]]] = []
        # The file's new essays, inserted together (_flush_new); until then
        # the sentence index knows each by a stand-in number above any pk.
        self._pending: list[Essay] = []
        self._pending_by_id: dict[int, Essay] = {}
        self._pending_hashes: dict[int, set[int]] = {}
        self._next_stand_in = STAND_IN_BASE
        # fingerprint → [(pk or stand-in, key, duplicate_of pk, its key, essay)]:
        # the file's possible copies, read in one query (_first_copy).
        self._copies: dict[str, list] = {}
        # The texts near-duplicate detection will compare the file's essays
        # with, read in one query (_read_candidates), and what follows from
        # each text (textutil.TextFacts), by text.
        self._texts: dict[int, str] = {}
        self._facts: dict[str, textutil.TextFacts] = {}
        textutil.init_jieba(settings.JIEBA_CACHE_DIR)

    # -- entry points ------------------------------------------------------

    def import_paths(self, paths, progress=None) -> ImportReport:
        from essays.search.sync import deferred

        report = ImportReport()
        files = collect_paths(paths)
        workers = self._pool_size(len(files), POOL_MIN_FILES)
        # SQLite's write-ahead log is copied into the database by a thread
        # beside this one, not in the commits (essays.checkpoints).
        with checkpoints_beside(connection):
            with deferred(), report.phase("store"):  # saves do not index one by one: finish() does, in batches
                for file_report in self._import_files(files, workers):
                    report.files.append(file_report)
                    if progress is not None:
                        progress(file_report)
            # The index is written once the run's tags are known (finish):
            # every essay is indexed once, and its tokens are made in a pool.
            self.finish(report)
        return report

    def _pool_size(self, jobs: int, minimum: int, beside_writer: int = 1) -> int:
        """Processes for the text work: ``workers`` when given (0 or 1: none,
        all in this process); else, for ``minimum`` jobs or more, the cores
        less ``beside_writer``. Storing files keeps this process as busy as a
        worker, and a third process on two cores slowed it more than the
        second worker helped (beside_writer=1); writing the index leaves it
        waiting for tokens half the time, and a worker per core kept both
        cores busy (beside_writer=0: 5,000 essays indexed in 7.9-8.8 s, not
        11.2)."""
        if self.workers is not None:
            return self.workers if self.workers > 1 else 0
        cores = os.cpu_count() or 1
        if jobs < minimum or cores < 2:
            return 0
        return max(1, cores - beside_writer)

    def _import_files(self, files: list[Path], workers: int):
        if workers < 1:
            for path in files:
                yield self.import_path(path)
            return
        # The workers are forked from this process (Django, jieba and the
        # dictionaries already loaded) and never touch the database; each
        # file comes back in order and is stored here, one transaction each.
        known = dict(SourceFile.objects.values_list("name", "sha256")) if not self.force else {}
        # The cut a curator chose at upload, kept for later imports of the file.
        hints = {
            name: parsing.CutHint(**hint)
            for name, hint in SourceFile.objects.exclude(cut_hint={}).values_list("name", "cut_hint")
            if hint
        }
        sections = self.sections()
        jobs = (
            (path, path.name, self.max_bytes, sections, known.get(path.name), hints.get(path.name)) for path in files
        )
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # A few files ahead, not all of them: Pool.imap reads every job
            # at once and keeps every result this process has not stored
            # yet (when the workers are faster than the writes, the whole
            # corpus prepared in memory).
            ahead: deque = deque()
            for job in jobs:
                ahead.append(pool.apply_async(_prepare_job, (job,)))
                if len(ahead) >= FILES_AHEAD * workers:
                    yield self._store_prepared(ahead.popleft().get())
            while ahead:
                yield self._store_prepared(ahead.popleft().get())

    def import_path(self, path: Path) -> FileReport:
        name = path.name
        try:
            if not path.exists():
                return FileReport(name=str(path), reason="no such file or folder")
            if not path.is_file():
                return FileReport(name=str(path), reason="not a regular file")
            size = path.stat().st_size
            if size > self.max_bytes:
                return FileReport(name=name, reason=f"too large ({size:,} bytes; the limit is {self.max_bytes:,})")
            data = path.read_bytes()
        except OSError as exc:
            return FileReport(name=str(path), reason=f"unreadable ({exc.strerror or exc})")
        return self.import_bytes(name, data)

    def import_bytes(self, name: str, data: bytes, hint: parsing.CutHint | None = None) -> FileReport:
        """Import one file. ``hint`` says how to cut it (a curator's choice,
        kept on the collection for later re-imports); without one, the hint
        the collection was last cut with, else the parser's guess."""
        if len(data) > self.max_bytes:
            return self._store_prepared(_too_large(name, len(data), self.max_bytes))
        digest = hashlib.sha256(data).hexdigest()
        existing = SourceFile.objects.filter(name=name).only("sha256", "cut_hint").first()
        if existing and existing.sha256 == digest and not self.force:
            return self._store_prepared(Prepared(name=name, digest=digest, size=len(data), skipped=True))
        if hint is None and existing and existing.cut_hint:
            hint = parsing.CutHint(**existing.cut_hint)
        return self._store_prepared(prepare(name, data, self.sections(), hint=hint))

    def _store_prepared(self, prepared: Prepared) -> FileReport:
        name, digest = prepared.name, prepared.digest
        report = FileReport(name=name)
        if prepared.reason and not prepared.digest:  # refused before it was read
            report.reason, report.code, report.values = prepared.reason, prepared.code, prepared.values
            return report
        # The file of this name and the first other file with this content,
        # in one query (a new file: the one query answers both, and no
        # collection is read).
        found = self._statements.rows("known", _files_named_or_holding, (name, digest))
        known = list(SourceFile.objects.filter(pk__in=[pk for (pk,) in found]).order_by("name")) if found else []
        existing = next((source for source in known if source.name == name), None)
        twin = next((source for source in known if source.name != name and source.sha256 == digest), None)
        if existing:
            report.source_id = existing.pk
        if existing and existing.sha256 == digest and not self.force:
            report.status = "unchanged"
            report.unchanged = existing.essays.count()
            return report
        if twin:
            report.status = "unchanged"
            report.reason = f"same content as {twin.name}"
            report.code, report.values, report.source_id = "same_content", {"twin": twin.name}, twin.pk
            return report
        if prepared.reason:
            report.reason, report.code, report.values = prepared.reason, prepared.code, prepared.values
            return report
        if prepared.skipped:  # its row changed after the pool read it: a concurrent import
            report.reason = "changed in the archive during this import; import it again"
            return report
        text, encoding, parsed = prepared.text, prepared.encoding, prepared.parsed
        self._suggested = dict(enumerate(prepared.suggestions, start=1))
        self._facts.update(zip((e.text for e in parsed.essays), prepared.facts, strict=True))
        try:
            with transaction.atomic(), freshness.written_with_transaction():
                if existing and existing.cut_curated:
                    self._keep_curated_cut(existing, digest, encoding, text, prepared.size, report)
                else:
                    self._store(name, digest, encoding, text, prepared.size, parsed, existing, report)
                    hint = prepared.hint
                    if hint is not None and hint.mode in ("family", "separator", "single"):
                        SourceFile.objects.filter(name=name).update(cut_hint={"mode": hint.mode, "family": hint.family})
        except Exception as exc:  # the file is rolled back whole; say why in one line
            logger.exception("import of %s failed", name)
            report.status = "failed"
            report.reason = f"could not be stored ({type(exc).__name__}: {exc})".splitlines()[0]
            report.code, report.values = "store_failed", {"message": report.reason}
            report.created = report.updated = report.unchanged = report.retired = 0
            report.created_ids = []
            report.doubts = []
            self._sentence_index = None  # may hold essays that were rolled back
        finally:
            self._suggested = {}
            self._new_tags = []
            self._pending, self._pending_by_id, self._pending_hashes = [], {}, {}
            self._copies, self._texts, self._facts = {}, {}, {}
        return report

    def _keep_curated_cut(self, source, digest, encoding, text, size, report) -> None:
        """A curator split, merged or re-cut this file's essays: a re-import
        never undoes that. The new raw text is kept (the re-cut page shows
        it); the essays stay as the curator left them, and the report says so."""
        changed = source.sha256 != digest
        source.sha256, source.encoding, source.raw_text, source.size = digest, encoding, text, size
        source.cut_doubts = []  # the curator's cut is not the parser's guess
        source.imported_at = timezone.now()
        source._change_reason = IMPORT_REASON
        source.save()
        kept = source.essays.count()
        report.status = "updated" if changed else "unchanged"
        report.unchanged = kept
        report.reason = f"kept the curated cut ({kept} essays); re-cut in the admin to follow the file"
        report.code, report.values = "kept_cut", {"count": kept, "changed": changed}

    def finish(self, report: ImportReport) -> None:
        """Tag what was imported from the archive's vocabulary, then bring
        the planner's statistics and the search index up to date; the index
        is then checked against the database as a whole.

        With enough essays to index, their documents are made in a pool
        (essays.search.pooled) from the start: while the vocabulary is
        built in a process of its own, the pool makes the texts' tokens
        ahead; while the tags are written, chunk by chunk, it makes those
        essays' documents, and this process writes them into the index."""
        from essays.search.pooled import IndexFeed
        from essays.search.sync import deferred

        feed = None
        # What finding near copies kept is done with: the texts compared
        # (1,024 of them with their characters counted: 45 MB) and every
        # stored essay's sentences (millions at 100,000 essays; made again
        # if this importer stores more files). Handed back before the
        # vocabulary is read and the pool and its process are forked.
        textutil.forget_compared_texts()
        self._sentence_index = None
        release_freed_memory()
        if self.update_index:
            to_index = self.touched | self.to_tag
            workers = self._pool_size(len(to_index), POOL_MIN_ESSAYS, beside_writer=0)
            if workers:
                feed = IndexFeed(to_index, workers).open()
        try:
            if self.to_tag:
                with deferred(), report.phase("tags"):
                    # A few essays into a large archive: tagged from the vocabulary
                    # the last full build remembered (`manage.py retag` rebuilds it).
                    vocab = retagging.tags_from_remembered(self.to_tag)
                    tagged = retagging.retag(
                        only=self.to_tag,
                        with_figures=False,
                        import_started=self.started,
                        vocab=vocab,
                        beside=feed,
                    )
                self.touched |= tagged.changed
                self.to_tag.clear()
                del vocab, tagged  # the vocabulary's memory, before the index's
                release_freed_memory()
            if self.touched or self._indexed_any:
                refresh_planner_statistics()
        except BaseException as exc:
            if feed is not None:
                feed.close(error=exc)
            raise
        if self.update_index:
            with report.phase("index"):
                self._update_index(report, feed, repair_all=True)

    def _update_index(self, report: ImportReport, feed=None, repair_all: bool = False) -> None:
        from essays.search.sync import repair, update_essays

        self._indexed_any = True
        try:
            if feed is not None:
                feed.add(self.touched)
                feed.close()
            elif self.touched:
                update_essays(self.touched)
            # And whatever an earlier run left out: an import killed after
            # storing some files never indexed their essays, and its re-run
            # finds those files unchanged.
            if repair_all:
                report.repair = repair()
        except Exception as exc:  # the database is right; the index can be rebuilt
            logger.exception("search index update failed")
            report.index_error = f"search index not updated ({type(exc).__name__}: {exc}); run ensure_search_index"
            if feed is not None:
                feed.close(error=exc)
        self.touched.clear()

    # -- storing -------------------------------------------------------------

    def _store(self, name, digest, encoding, text, size, parsed, source, report) -> None:
        existed = source is not None
        source = source or SourceFile(name=name)
        described = (source.sha256, source.title, source.intro, source.author, source.encoding, source.cut_doubts)
        source.sha256 = digest
        source.encoding = encoding
        source.title = parsed.title[:300]
        source.intro = parsed.intro
        source.author = parsed.author[:100]
        source.raw_text = text
        source.size = size
        source.imported_at = timezone.now()
        source.cut_doubts = [doubt.as_dict() for doubt in parsed.doubts]
        source._change_reason = IMPORT_REASON
        if existed:
            source.save()
        else:
            # A new collection's row and its first version, inserted as
            # values (essays.bulk): the save and its history through the ORM
            # were a seventh of the importing process's time per file.
            source.give_key()
            bulk.insert_objects([source])
            history_rows(SOURCE_HISTORY, [source], "+")
            freshness.changed()  # bulk inserts send no post_save
        report.source_id = source.pk
        report.doubts = [doubt.detail for doubt in parsed.doubts]

        old = (
            {e.position: e for e in source.essays.select_related("section", "duplicate_of").prefetch_related("tags")}
            if existed
            else {}
        )
        self.created_ids = report.created_ids
        self._read_copies(parsed, old.values())
        if not existed:
            self._read_candidates(parsed)
        for position, parsed_essay in enumerate(parsed.essays, start=1):
            essay = old.pop(position, None)
            outcome = self._store_essay(source, position, parsed_essay, parsed.author, essay)
            setattr(report, outcome, getattr(report, outcome) + 1)
        self._flush_new()
        self._write_new_tags()
        # Essays the file no longer has: hidden, never deleted (links and
        # curator work stay), unless a curator already chose their status.
        for essay in old.values():
            if "status" not in essay.curated_fields() and essay.status != Essay.Status.HIDDEN:
                essay.status = Essay.Status.HIDDEN
                essay.imported = {**essay.imported, "status": Essay.Status.HIDDEN}
                essay._change_reason = IMPORT_REASON
                essay.save(update_fields=["status", "imported", "updated"])
                self.touched.add(essay.pk)
                report.retired += 1
        if not existed:
            report.status = "imported"
        else:
            described_now = (
                source.sha256,
                source.title,
                source.intro,
                source.author,
                source.encoding,
                source.cut_doubts,
            )
            changed = report.created or report.updated or report.retired or described_now != described
            report.status = "updated" if changed else "unchanged"
            if changed and described_now[1:5] != described[1:5]:
                # The collection's title shows on every essay's page.
                self.touched.update(e.pk for e in source.essays.all())

    def _store_essay(self, source, position, parsed_essay, collection_author, essay: Essay | None) -> str:
        text = parsed_essay.text
        digest = self._text_facts(text).digest
        previous_import = essay.imported if essay else {}
        same_words = (
            previous_import.get(IMPORTED_TEXT_DIGEST) == digest
            and previous_import.get("title") == parsed_essay.title[:300]
        )
        needs_tags = not (same_words and essay.terms)
        if not needs_tags:
            # Same words as last time: keep the costly suggestions.
            section, tags = previous_import.get("section"), previous_import.get("tags", [])
            terms = essay.terms
        elif position in self._suggested:  # made with the file (prepare); tags come in finish()
            section, encoded = self._suggested[position]
            # A new essay is inserted with the terms as the pool encoded
            # them; one saved through the ORM needs them decoded.
            terms = bulk.JSONText(encoded) if essay is None else json.loads(encoded)
            tags = previous_import.get("tags", [])
        else:
            section = textutil.best_section(parsed_essay.title, text, self.sections())
            # Tags come from the archive's vocabulary once the whole run is
            # in (finish, essays.retagging); until then the essay keeps the
            # automatic tags it had.
            terms = tagging.candidate_terms(parsed_essay.title, text)
            tags = previous_import.get("tags", [])
        proposed = {
            "title": parsed_essay.title[:300],
            "text": text,
            "author": (parsed_essay.author or collection_author)[:100],
            "section": section,
            "tags": tags,
            "status": previous_import.get("status", Essay.Status.PUBLISHED),
        }

        created = essay is None
        if created:
            essay = Essay(source=source, position=position, key=essay_key(source.name, position))
            curated: list[str] = []
            before = None
        else:
            tag_names = sorted(t.name for t in essay.tags.all())
            curated = essay.curated_fields(tag_names)
            before = essay.current_values(tag_names)
            before["title_derived"] = essay.title_derived

        if "title" not in curated:
            essay.title = proposed["title"]
            essay.title_derived = parsed_essay.title_derived
        if "text" not in curated:
            essay.text = text
            essay.imported_text = text
        if "author" not in curated:
            essay.author = proposed["author"]
        if "section" not in curated:
            essay.section_id = self._section_id(section)
        if "status" not in curated:
            essay.status = proposed["status"]
        text_changed = created or (before is not None and before["text"] != essay.text)
        old_fingerprint = essay.fingerprint
        essay.refresh_derived_fields(self._text_facts(essay.text))

        if "duplicate_of" not in curated:
            essay.duplicate_of = self._first_copy(essay)
        proposed["duplicate_of"] = essay.duplicate_of.key if essay.duplicate_of_id else None
        if text_changed and not essay.duplicate_of_id:
            essay.near_duplicate_of, essay.similarity = self._near_duplicate(essay)
        elif essay.duplicate_of_id:
            essay.near_duplicate_of, essay.similarity = None, None
        essay.imported = Essay.import_snapshot(proposed, digest)
        essay.terms = terms
        # One history row per essay created or changed, written below once
        # its tags are set; not one per save and tag change.
        essay.skip_history_when_saving = True
        essay._change_reason = IMPORT_REASON
        if created:
            # Inserted with the file's other new essays (_flush_new).
            essay._import_needs_tags, essay._import_tags = needs_tags, tags
            self._add_pending(essay)
            return "created"
        essay.save()
        self._remember_copy(essay, old_fingerprint)
        if needs_tags:
            self.to_tag.add(essay.pk)
        if "tags" not in curated:
            self._set_tags(essay, tags)
        self._remember_sentences(essay)

        after = essay.current_values(tags if "tags" not in curated else None)
        after["title_derived"] = essay.title_derived
        if after != before:
            record_history(essay, "~")
            self.touched.add(essay.pk)
            return "updated"
        return "unchanged"

    # -- helpers ---------------------------------------------------------------

    def sections(self) -> list[tuple[str, list[str]]]:
        if self._sections is None:
            self._sections = [(s.slug, s.keyword_list()) for s in Section.objects.all()]
            self._section_ids = {s.slug: s.pk for s in Section.objects.all()}
        return self._sections

    def _section_id(self, slug: str | None) -> int | None:
        self.sections()
        return self._section_ids.get(slug) if slug else None

    def _write_new_tags(self) -> None:
        """The tags of the file's new essays, in three statements for the
        whole file instead of four per essay."""
        pending, self._new_tags = self._new_tags, []
        names = sorted({name for _, tags in pending for name in tags})
        if not names:
            return
        ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        missing = [Tag(name=n) for n in names if n not in ids]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        through = Essay.tags.through
        through.objects.bulk_create(
            [through(essay_id=pk, tag_id=ids[name]) for pk, tags in pending for name in tags if name in ids]
        )

    def _set_tags(self, essay: Essay, names: list[str]) -> None:
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        missing = [Tag(name=n) for n in names if n not in existing]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        essay.tags.set([existing[n] for n in names if n in existing])

    def _read_copies(self, parsed, old) -> None:
        """The essays that may be copies of the file's essays, by fingerprint,
        in one query for the whole file."""
        prints = {self._text_facts(e.text).fingerprint for e in parsed.essays} | {e.fingerprint for e in old}
        self._copies = {fingerprint: [] for fingerprint in prints}
        rows = self._statements.rows("copies", _essays_printed, list(prints))
        for fingerprint, pk, key, duplicate_id, duplicate_key in rows:
            self._copies[fingerprint].append([pk, key, duplicate_id, duplicate_key, None])

    def _text_facts(self, text: str) -> textutil.TextFacts:
        """The pool's, for the file's texts; else worked out here."""
        found = self._facts.get(text)
        if found is None:
            found = self._facts[text] = textutil.text_facts(text)
        return found

    def _sentence_hashes(self, text: str) -> set[int]:
        return self._text_facts(text).sentence_hashes

    def _candidates(self, essay_pk: int | None, hashes: set[int]) -> list[int]:
        """The essays (pks, or stand-ins for new ones) that may be near
        copies of a text with these sentence hashes: the first 20, in pk order.
        Candidates share at least half of this essay's telling sentences: a
        sentence found in very many essays ("下面是小编为大家整理的…") says
        nothing about which one this is a copy of, and walking its holders
        for every new essay would make an import quadratic (a sentence no
        essay holds is telling too: it counts in the half)."""
        return self._sentence_map().candidates(hashes, exclude=essay_pk, limit=20)

    def _read_candidates(self, parsed) -> None:
        """The texts a new file's essays will likely be compared with, in one
        query (any other is read when needed)."""
        wanted: set[int] = set()
        for parsed_essay in parsed.essays:
            hashes = self._sentence_hashes(parsed_essay.text)
            if hashes:
                wanted.update(pk for pk in self._candidates(None, hashes) if pk < STAND_IN_BASE)
        self._read_texts(wanted)

    def _read_texts(self, pks) -> None:
        missing = [pk for pk in pks if pk not in self._texts]
        if missing:
            self._texts.update(Essay.objects.filter(pk__in=missing).order_by().values_list("pk", "text"))

    def _copies_of(self, fingerprint: str) -> list:
        if fingerprint not in self._copies:  # not foreseen by _read_copies: ask
            self._copies[fingerprint] = [
                [pk, key, duplicate_id, duplicate_key, None]
                for pk, key, duplicate_id, duplicate_key in Essay.objects.filter(fingerprint=fingerprint)
                .order_by("pk")
                .values_list("pk", "key", "duplicate_of_id", "duplicate_of__key")
            ]
        return self._copies[fingerprint]

    def _remember_copy(self, essay: Essay, old_fingerprint: str | None = None, number: int | None = None) -> None:
        """Keep _copies as the database has it after ``essay`` was saved (or
        queued as new under ``number``)."""
        number = essay.pk if number is None else number
        if old_fingerprint is not None and old_fingerprint in self._copies:
            self._copies[old_fingerprint] = [c for c in self._copies[old_fingerprint] if c[0] != number]
        copies = [c for c in self._copies_of(essay.fingerprint) if c[0] != number]
        duplicate_key = essay.duplicate_of.key if essay.duplicate_of_id else None
        copies.append([number, essay.key, essay.duplicate_of_id, duplicate_key, essay])
        copies.sort(key=lambda c: c[0])
        self._copies[essay.fingerprint] = copies

    def _first_copy(self, essay: Essay) -> Essay | None:
        """The earliest other essay with the same text, if this one is not
        itself the earliest; a chain of copies resolves to its main copy.
        An essay of this file not yet inserted is inserted first."""
        copies = self._copies_of(essay.fingerprint)
        if essay.pk:
            copies = [c for c in copies if c[0] < essay.pk]
        if not copies:
            return None
        number, key, duplicate_id, duplicate_key, obj = copies[0]
        if number >= STAND_IN_BASE:  # a new essay of this file: give it its pk
            self._flush_new()
            return obj.duplicate_of if obj.duplicate_of_id else obj
        if duplicate_id:
            return Essay(pk=duplicate_id, key=duplicate_key)
        return Essay(pk=number, key=key)

    def _add_pending(self, essay: Essay) -> None:
        number = self._next_stand_in
        self._next_stand_in += 1
        self._pending.append(essay)
        self._pending_by_id[number] = essay
        essay._stand_in = number
        self._remember_copy(essay, number=number)
        if self._sentence_index is not None and not essay.duplicate_of_id:
            hashes = self._sentence_hashes(essay.text)
            self._pending_hashes[number] = hashes
            for h in hashes:
                self._sentence_index.add(h, number)

    def _flush_new(self) -> None:
        """Insert the file's new essays waiting in memory, in one statement,
        with one history row each (in another), in file order."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        bulk.insert_objects(pending)
        for essay in pending:
            number = essay.__dict__.pop("_stand_in")
            self._pending_by_id.pop(number, None)
            for h in self._pending_hashes.pop(number, ()):
                self._sentence_index.rename(h, number, essay.pk)
            for entry in self._copies.get(essay.fingerprint, ()):
                if entry[0] == number:
                    entry[0] = essay.pk
            if essay.__dict__.pop("_import_needs_tags", False):
                self.to_tag.add(essay.pk)
            self._new_tags.append((essay.pk, essay.__dict__.pop("_import_tags", [])))
            self.touched.add(essay.pk)
            self.created_ids.append(essay.pk)
        # New essays have no tags yet (their tags come with the run's retag).
        record_history_many(pending, "+", with_tags=False)
        freshness.changed()  # bulk inserts send no post_save

    def _sentence_map(self) -> SentenceIndex:
        if self._sentence_index is None:
            self._flush_new()  # the index is read from the database
            index = SentenceIndex(COMMON_SENTENCE_HOLDERS)
            originals = Essay.objects.filter(duplicate_of__isnull=True)
            for pk, packed in originals.exclude(sentence_hashes=None).values_list("pk", "sentence_hashes").iterator():
                for h in textutil.unpack_hashes(packed):
                    index.add(h, pk)
            # Rows stored before their hashes were kept: hashed from the text
            # once, and kept from now on.
            missing = originals.filter(sentence_hashes=None).values_list("pk", "text")
            filled = []
            for pk, text in missing.iterator():
                hashes = textutil.sentence_hashes(text)
                for h in hashes:
                    index.add(h, pk)
                filled.append((textutil.pack_hashes(hashes), pk))
            if filled:
                # One statement run for all of them (bulk_update's CASE per row
                # costs more to build than the rows to write).
                table, column = (connection.ops.quote_name(n) for n in (Essay._meta.db_table, "sentence_hashes"))
                with connection.cursor() as cursor:
                    for start in range(0, len(filled), 1000):
                        cursor.executemany(
                            f"UPDATE {table} SET {column} = %s WHERE id = %s", filled[start : start + 1000]
                        )
            self._sentence_index = index
        return self._sentence_index

    def _remember_sentences(self, essay: Essay) -> None:
        if self._sentence_index is not None and not essay.duplicate_of_id:
            for h in self._sentence_hashes(essay.text):
                self._sentence_index.add(h, essay.pk)

    def _near_duplicate(self, essay: Essay) -> tuple[Essay | None, float | None]:
        hashes = self._sentence_hashes(essay.text)
        if not hashes:
            return None, None
        candidates = self._candidates(essay.pk, hashes)
        if not candidates:
            return None, None
        # In pk order (the file's new essays, not inserted yet, come last).
        self._read_texts(pk for pk in candidates if pk < STAND_IN_BASE)
        best, best_ratio = None, 0.0
        for number in candidates:
            other = self._pending_by_id.get(number)
            text = other.text if other is not None else self._texts.get(number)
            if text is None:
                continue
            ratio = textutil.similarity(essay.text, text)
            if ratio >= textutil.NEAR_DUPLICATE_RATIO and ratio > best_ratio:
                best, best_ratio = number, ratio
        if best is None:
            return None, None
        if best >= STAND_IN_BASE:  # a new essay of this file: give it its pk
            found = self._pending_by_id[best]
            self._flush_new()
            return found, round(best_ratio, 4)
        return Essay(pk=best), round(best_ratio, 4)


def _files_named_or_holding(_size: int):
    """(pk,) of the file of a name and of those with a content (Statements)."""
    return SourceFile.objects.filter(Q(name="name") | Q(sha256="sha256")).values_list("pk")


def _essays_printed(size: int):
    """The essays with any of ``size`` fingerprints, with their main copy's
    key, in pk order (Statements)."""
    return (
        Essay.objects.filter(fingerprint__in=[str(n) for n in range(size)])
        .order_by("pk")
        .values_list("fingerprint", "pk", "key", "duplicate_of_id", "duplicate_of__key")
    )


def import_paths(paths, **kwargs) -> ImportReport:
    return Importer(**kwargs).import_paths(paths)
