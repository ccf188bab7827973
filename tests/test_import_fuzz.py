"""Fuzzing the import command with hypothesis: whatever a file holds (random
bytes, random text in any of the encodings the importer reads, the debris of
scraped files), ``import_seeds`` never prints a traceback, exits 0 or 1, and
each file lands whole (every essay the parser cuts from it) or not at all.
Kept to a few seconds: modest example counts, no deadline, no index."""

import hashlib
import io
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from essays import parsing
from essays.models import SourceFile

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PIECES = [
    "【篇一】",
    "【篇二】标题",
    "（一）",
    "第1篇：",
    "范文2：",
    "------",
    "＊＊＊",
    "一、",
    "标题",
    "\x00",
    "\ufffd",
    "锟斤拷",
    "\ud800",
    "20__年",
    "_县",
    "春天来了，田野里一片新绿，农民们开始播种。",
    "夏天到了，荷花开满池塘，孩子们在河边嬉戏。",
    "\u3000\u3000",
    " ",
]
NEWLINES = ["\n", "\r\n", "\r"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be"]

essay_texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=30)),
    max_size=40,
).flatmap(lambda pieces: st.sampled_from(NEWLINES).map(lambda nl: nl.join(pieces)))

encoded = st.tuples(essay_texts, st.sampled_from(ENCODINGS)).map(
    lambda pair: (
        pair[0].encode(pair[1], errors="ignore")
        if pair[1] != "utf-8"
        else pair[0].encode("utf-8", errors="surrogatepass")
    )
)
file_bytes = st.one_of(encoded, st.binary(max_size=3000))


def expected_essays(data: bytes) -> int | None:
    """How many essays the file should land with, or None if it is refused."""
    try:
        text, _encoding = parsing.decode(data)
        return len(parsing.parse(text).essays)
    except parsing.ParseError:
        return None


# A real essay file with stray NULs, as some scrapers write them: PostgreSQL
# refuses a NUL in text, so it must be normalised before it is stored.
NUL_FILE = ("春天\n\n" + "春天来了，田野里一片新绿，农民们开始播种。" * 30 + "\x00" + "夏天到了。" * 20).encode()


@FUZZ
@given(st.lists(file_bytes, min_size=1, max_size=4))
@example([NUL_FILE])
def test_any_files_import_whole_or_not_at_all_without_a_traceback(search_index, caplog, contents):
    caplog.clear()
    # Examples share the test's database: content an earlier one stored is
    # skipped as "same content".
    stored_before = set(SourceFile.objects.values_list("sha256", flat=True))
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for data in contents:
            name = f"fuzz-{uuid.uuid4().hex}.txt"
            (Path(folder) / name).write_bytes(data)
            names.append(name)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_seeds", folder, "--no-index", "--no-progress", stdout=out, stderr=err)
            status = 0
        except SystemExit as exit:
            status = exit.code
    printed = out.getvalue() + err.getvalue()
    assert status in (0, 1), printed
    assert "Traceback" not in printed
    # Nor in the log: a file that fails to store is logged with its traceback.
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    for line in err.getvalue().splitlines():
        assert line.startswith("fuzz-") or "search index" in line, line  # one line, naming the file
    seen: set[bytes] = set()
    for name, data in zip(names, contents, strict=True):
        stored = SourceFile.objects.filter(name=name).first()
        # The same bytes as an earlier file: skipped as "same content".
        twin = data in seen or hashlib.sha256(data).hexdigest() in stored_before
        seen.add(data)
        want = expected_essays(data)
        if want is None or twin:
            assert stored is None, name
        else:
            assert stored is not None, (name, printed)
            assert stored.essays.count() == want, name
