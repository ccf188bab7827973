"""Cutting a file's text into its title, intro, author and essays.

The cut is chosen, not assumed. The file's own plain structure (its title
line repeated, the title plus a number, a line led by an ASCII space) always
cuts, as it always did. Of the numbered heading families found in the body,
only one cuts: a family whose numbers increase through the file, and that is
not nested inside another cut (the outer numbering wins over points numbered
inside each essay). Separator lines cut when they are the outer structure.
A ``CutHint`` overrides the choice.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import pairwise

from essays.parsing import layout
from essays.parsing.doubts import find_doubts
from essays.parsing.layout import FAMILY_LABELS, NUM, Heading, is_layout_only, is_separator, separator_title
from essays.parsing.model import CutHint, ParsedCollection, ParsedEssay, ParseError
from essays.parsing.text import (
    EXPLICIT_AUTHOR_RE,
    HAN,
    HEADING_MAX_CHARS,
    SIGNOFF_RE,
    TITLE_TRIM,
    author_line,
    blurb_title,
    derive_title,
    distinct_titles,
    ends_sentence,
    first_of_paired_titles,
    is_blurb,
    looks_like_name,
    normalised_lines,
    strip_line,
)

MODES = ("auto", "family", "separator", "single", "lines")
# Numbers of one family may skip a little (a heading lost in scraping).
MAX_NUMBER_STEP = 3
# A line after a separator or a bare heading names the essay when it is
# this short and does not end a sentence.
MAX_TITLE_LINE = 30
MAX_ASKING_TITLE = 20
# Text before the first separator this short is the file's intro.
SHORT_INTRO = 80


@dataclass
class _Line:
    index: int
    raw: str
    text: str

    @property
    def space_led(self) -> bool:
        return self.raw.startswith((" ", "\t")) and bool(self.text)

    @property
    def heading(self) -> Heading | None:
        if not hasattr(self, "_heading"):
            self._heading = layout.match_heading(self.text)
        return self._heading

    @property
    def separator_title(self) -> str:
        if not hasattr(self, "_separator_title"):
            self._separator_title = separator_title(self.text)
        return self._separator_title

    @property
    def separator(self) -> bool:
        """A separator line, one carrying a title ('=== 背影 ===') too."""
        if not hasattr(self, "_separator"):
            self._separator = is_separator(self.text) or bool(self.separator_title)
        return self._separator


@dataclass
class _Cut:
    kind: str  # heading / title / separator / space / line
    heading_text: str = ""
    bare: bool = False  # a heading with no title: the next short line may be it
    repeats_title: bool = False


@dataclass
class _Draft:
    heading: str = ""
    heading_text: str = ""
    repeats_title: bool = False
    from_separator: bool = False
    paragraphs: list[str] = field(default_factory=list)
    start_line: int | None = None
    end_line: int = 0
    # Lines inside the essay that look like headings or separators.
    inner: list[str] = field(default_factory=list)
    author: str = ""

    def touch(self, index: int) -> None:
        if self.start_line is None:
            self.start_line = index
        self.end_line = index + 1


# --------------------------------------------------------------------------
# The title line and the preamble


def _split_title_excerpt(first: str, following: list[str]) -> str | None:
    """The page title when the first line carries an excerpt of the first
    essay ending in "...": ' 标题 标题一坚持以人民为中心。…为人...'."""
    body = first.rstrip()
    for ellipsis in ("...", "…", "。。。"):
        if body.endswith(ellipsis):
            body = body[: -len(ellipsis)]
            break
    else:
        return None
    start = next((t for t in following if t), "")
    best = None
    # The title is short: only its first characters can start the excerpt.
    for i in range(min(len(body), HEADING_MAX_CHARS * 3)):
        excerpt = body[i:]
        if len(excerpt) >= 5 and start.startswith(excerpt):
            best = body[:i]
            break
    if best is None:
        return None  # no excerpt of the text below: an ordinary first line
    title = best.strip(TITLE_TRIM)
    # "…观后感一" + excerpt of essay one: the trailing number counts essays.
    title = re.sub(r"(?:一|1|（一）|\(1\))$", "", title).strip(TITLE_TRIM)
    return title or None


def _title_number_heading(line: str, title: str) -> bool:
    """'疫情防控的实践心得3': the collection title followed by a number."""
    if not title or not line.startswith(title) or line == title:
        return False
    rest = line[len(title) :].strip(TITLE_TRIM)
    return bool(re.fullmatch(rf"[（(]?{NUM}[)）]?篇?", rest))


def _repeat_starts_essay(lines: list[_Line], index: int, end: int) -> bool:
    """A repeated title directly followed by body text is a heading."""
    for line in lines[index + 1 : end]:
        if line.text:
            return not is_blurb(line.text) and line.text != lines[index].text
    return False


@dataclass
class _Preamble:
    title: str = ""
    title_line: str = ""  # the literal title line, which may recur as a heading
    intro: list[str] = field(default_factory=list)
    author: str = ""
    body_start: int = 0


def _read_preamble(lines: list[_Line], end: int) -> _Preamble:
    pre = _Preamble()
    index = 0
    while index < end and (not lines[index].text or (lines[index].separator and not lines[index].separator_title)):
        index += 1
    if index >= end:
        pre.body_start = index
        return pre
    first = lines[index].separator_title or lines[index].text
    following = [line.text for line in lines[index + 1 : end]]
    excerpt_title = _split_title_excerpt(first, following)
    if excerpt_title:
        pre.title_line = excerpt_title
        pre.title = first_of_paired_titles(excerpt_title)
        index += 1
    elif is_blurb(first) or lines[index].heading or is_layout_only(first):
        pass
    elif len(first) <= HEADING_MAX_CHARS + 10 and not ends_sentence(first):
        pre.title = pre.title_line = first.strip(TITLE_TRIM)
        index += 1

    # Repeated titles, the editor's blurb, an author line.
    under_title = True  # a separator right under the title underlines it
    while index < end:
        line = lines[index]
        current = line.text
        if line.separator_title or (
            line.separator and (not under_title or any(later.separator for later in lines[index + 1 : end]))
        ):
            break  # it opens the first essay (one under the title alone underlines it)
        if not current or line.separator:
            index += 1
            continue
        under_title = False
        if line.heading:
            break
        if (
            pre.title_line
            and current.strip(TITLE_TRIM) == pre.title_line
            and not _repeat_starts_essay(lines, index, end)
        ):
            pass
        elif is_blurb(current) and len(current) <= 400:
            pre.intro.append(current)
        elif not pre.author and not pre.intro and (author := author_line(current)):
            pre.author = author
        else:
            break
        index += 1
    pre.body_start = index
    return pre


# --------------------------------------------------------------------------
# Choosing the cut


def _title_cut(line: _Line, title_line: str) -> _Cut | None:
    if not title_line or not line.text:
        return None
    bare = line.text.strip(TITLE_TRIM)
    if bare == title_line or _title_number_heading(bare, title_line):
        return _Cut("title", repeats_title=True)
    return None


def _heading_cut(heading: Heading, title_line: str) -> _Cut:
    repeats = bool(title_line) and heading.rest == title_line
    return _Cut(
        "heading",
        heading_text="" if repeats else heading.rest,
        bare=not heading.rest,
        repeats_title=repeats,
    )


def _sequential(numbers: list[int]) -> bool:
    return all(0 < b - a <= MAX_NUMBER_STEP for a, b in pairwise(numbers))


@dataclass
class _Candidate:
    key: str
    indexes: list[int]
    first_number: int = 1

    @property
    def first(self) -> int:
        return self.indexes[0]


def _inside(inner: _Candidate, outer: _Candidate) -> bool:
    """Whether ``inner`` lies within one essay of ``outer``: outer cuts before
    it and never between its first and last line, and inner counts from 1 (an
    outer numbering starting at 2 follows an unheaded first essay)."""
    if inner.first_number > 1 or not any(i < inner.first for i in outer.indexes):
        return False
    return not any(inner.first < i < inner.indexes[-1] for i in outer.indexes)


def _separator_indexes(body: list[_Line]) -> list[int]:
    """Separator lines with text on both sides of them."""
    content = [i for i, line in enumerate(body) if line.text and not line.separator]
    if not content:
        return []
    return [line.index for i, line in enumerate(body) if line.separator and content[0] < i < content[-1]]


def _auto_cuts(body: list[_Line], pre: _Preamble, space_separates: bool) -> tuple[dict[int, _Cut], str, list]:
    cuts: dict[int, _Cut] = {}
    structural: list[int] = []
    titled: set[int] = set()
    for line in body:
        cut = _title_cut(line, pre.title_line)
        if cut:
            titled.add(line.index)
        elif line.space_led and space_separates:
            cut = _Cut("space")
        if cut:
            cuts[line.index] = cut
            structural.append(line.index)

    by_family: dict[str, list[tuple[int, int]]] = {}
    for line in body:
        if line.index not in titled and line.heading:
            by_family.setdefault(line.heading.family, []).append((line.index, line.heading.number))
    first_content = next((line.index for line in body if line.text and not line.separator), None)
    candidates = []
    for key, found in by_family.items():
        found = _without_contents(found, body)
        numbers = [n for _, n in found]
        lone_opening = len(found) == 1 and found[0][0] == first_content and numbers[0] == 1
        if (len(found) >= 2 and _sequential(numbers)) or lone_opening:
            candidates.append(_Candidate(key, [i for i, _ in found], numbers[0]))
    separators = _separator_indexes(body)
    if separators:
        candidates.append(_Candidate("separator", separators))
    containers = list(candidates)
    if structural:
        containers.append(_Candidate("structure", structural))
    outer = [c for c in candidates if not any(o is not c and _inside(c, o) for o in containers)]
    outer.sort(key=lambda c: (c.first, -len(c.indexes)))
    chosen = outer[0] if outer else None
    if chosen is None:
        return cuts, "", []
    if chosen.key == "separator":  # all of them cut, the one opening the body too
        chosen.indexes = [line.index for line in body if line.separator]
    for index in chosen.indexes:
        if chosen.key == "separator":
            cuts.setdefault(index, _Cut("separator"))
        else:  # a numbered heading led by a space is still a heading
            line = body[index - body[0].index]
            cuts[index] = _heading_cut(line.heading, pre.title_line)
    rivals = [c for c in outer[1:] if len(c.indexes) >= 2 and not _agrees(c, chosen)]
    return cuts, chosen.key, rivals


def _without_contents(found: list[tuple[int, int]], body: list[_Line]) -> list[tuple[int, int]]:
    """Drop a table of contents: a leading run of headings on consecutive
    lines (no text between them) whose numbers start again after it."""
    run = 1
    offset = body[0].index
    while run < len(found) and found[run][1] > found[run - 1][1]:
        between = body[found[run - 1][0] - offset + 1 : found[run][0] - offset]
        if any(line.text and not line.heading for line in between):
            break
        run += 1
    if 2 <= run < len(found) and found[run][1] <= found[run - 1][1]:
        return found[run:]
    return found


def _agrees(a: _Candidate, b: _Candidate) -> bool:
    """Two cuts that start essays at (nearly) the same lines."""
    others = sorted(b.indexes)
    for i in a.indexes:
        k = bisect_left(others, i - 3)
        if k == len(others) or others[k] > i + 3:
            return False
    return True


def _hint_cuts(body: list[_Line], pre: _Preamble, hint: CutHint) -> dict[int, _Cut]:
    cuts: dict[int, _Cut] = {}
    if hint.mode == "separator":
        for line in body:
            if line.separator:
                cuts[line.index] = _Cut("separator")
        if not cuts:
            raise ParseError("no separator lines in the file")
    elif hint.mode == "family":
        if hint.family in ("title_number", "title_repeat"):
            if not pre.title_line:
                raise ParseError("the file has no title line for its headings to repeat")
            for line in body:
                bare = line.text.strip(TITLE_TRIM)
                matches = (
                    bare == pre.title_line
                    if hint.family == "title_repeat"
                    else _title_number_heading(bare, pre.title_line)
                )
                if matches:
                    cuts[line.index] = _Cut("title", repeats_title=True)
        else:
            for line in body:
                if line.heading and line.heading.family == hint.family:
                    cuts[line.index] = _heading_cut(line.heading, pre.title_line)
        if not cuts:
            raise ParseError(f"no headings of the family {FAMILY_LABELS[hint.family]} in the file")
    elif hint.mode == "lines":
        for index in sorted(set(hint.heading_lines)):
            line = body[index - body[0].index]
            heading = line.heading
            text = heading.rest if heading else line.text.strip(TITLE_TRIM)
            cuts[index] = _Cut("line", heading_text=text, bare=not text)
    return cuts


def _underlined_titles(lines: list[_Line], pre: _Preamble, cuts: dict[int, _Cut]) -> dict[int, _Cut]:
    """'标题' / '--------' / text: separators that underline the title above
    them, when most do. The essay then starts at its title line."""
    underlined = {}
    for index, cut in cuts.items():
        if cut.kind != "separator" or lines[index].separator_title or index == 0:
            continue
        above, below = lines[index - 1], next((line for line in lines[index + 1 :] if line.text), None)
        titled = above.text and not above.separator and _reads_as_title(above.text)
        if titled and below and not below.separator and not _reads_as_title(below.text):
            underlined[index] = above
    if not underlined or len(underlined) * 2 < sum(1 for c in cuts.values() if c.kind == "separator"):
        return cuts
    result = dict(cuts)
    for index, above in underlined.items():
        if above.index < pre.body_start:  # the title line, read as the collection's: it names essay one too
            result[index] = _Cut(
                "separator", heading_text=pre.title_line if above.text.strip(TITLE_TRIM) == pre.title_line else ""
            )
        else:
            del result[index]
            result[above.index] = _Cut("line", heading_text=above.text.strip(TITLE_TRIM))
    return result


def _check_hint(hint: CutHint, lines: list[_Line]) -> None:
    if not isinstance(hint, CutHint):
        raise ParseError("the cut hint is not a CutHint")
    if hint.mode not in MODES:
        raise ParseError(f"unknown cut mode {hint.mode!r} (one of {', '.join(MODES)})")
    if hint.mode == "family" and (not isinstance(hint.family, str) or hint.family not in FAMILY_LABELS):
        raise ParseError(f"unknown heading family {hint.family!r}")
    if hint.mode == "lines":
        if not isinstance(hint.heading_lines, tuple | list):
            raise ParseError("heading lines must be a tuple of line numbers")
        if not hint.heading_lines:
            raise ParseError("no heading lines given")
        for index in hint.heading_lines:
            if not isinstance(index, int) or isinstance(index, bool):
                raise ParseError(f"heading line {index!r} is not a line number")
            if not 0 <= index < len(lines):
                raise ParseError(f"line {index} is not in the file (it has lines 0 to {len(lines) - 1})")
            if not lines[index].text:
                raise ParseError(f"line {index} is blank and cannot start an essay")
            if lines[index].separator:
                raise ParseError(f"line {index} is a separator line, not a title")


# --------------------------------------------------------------------------
# Parsing


def parse(text: str, fallback_title: str = "", hint: CutHint | None = None) -> ParsedCollection:
    """Cut a whole file's text into its collection title, intro, author and
    essays. Raises ParseError when there is no essay in it, or when ``hint``
    asks for a cut the text does not have."""
    hint = CutHint() if hint is None else hint
    if not isinstance(text, str):
        raise ParseError("the text is not a string")
    lines = [_Line(i, raw, strip_line(raw)) for i, raw in enumerate(normalised_lines(text))]
    _check_hint(hint, lines)
    if not any(line.text for line in lines):
        raise ParseError("contains only whitespace")

    # The preamble ends where the curator's first heading line is, if any.
    end = min(hint.heading_lines) if hint.mode == "lines" else len(lines)
    pre = _read_preamble(lines, end)
    body = lines[pre.body_start :] if pre.body_start < len(lines) else []
    if not body:
        raise ParseError("no essay found (only a title, headings or an editor's note)")

    non_empty = [line for line in body if line.text]
    space_led = sum(1 for line in non_empty if line.space_led)
    # A leading ASCII space starts an essay only when it is the exception; a
    # file indenting every paragraph with spaces uses it as plain indentation.
    space_separates = 0 < space_led <= len(non_empty) / 2

    rivals: list = []
    if hint.mode == "auto":
        cuts, cut_key, rivals = _auto_cuts(body, pre, space_separates)
    else:
        cuts = _hint_cuts(body, pre, hint)
        cut_key = hint.family if hint.mode == "family" else hint.mode

    if cut_key == "separator":
        cuts = _underlined_titles(lines, pre, cuts)
    drafts = _cut_essays(body, cuts)
    intro = list(pre.intro)
    auto_cut = hint.mode == "auto" and cut_key in FAMILY_LABELS | {"separator": ""}
    if auto_cut and len(drafts) >= 3 and _is_intro(drafts[0]):
        intro.extend(drafts.pop(0).paragraphs)
    for draft in drafts:
        if draft.heading_text and not draft.paragraphs:
            # A titled heading with no text under it: keep its words (the
            # title's line under a bare number, not the number).
            words = next((t for t in (draft.heading, draft.heading_text) if t and not is_layout_only(t)), "")
            if words:
                draft.paragraphs.append(words)
    drafts = [d for d in drafts if d.paragraphs]
    if not drafts:
        raise ParseError("no essay found (only a title, headings or an editor's note)")

    collection = ParsedCollection(title=pre.title, essays=[], intro="\n".join(intro), author=pre.author, cut=cut_key)
    if not collection.title and pre.intro:
        collection.title = blurb_title(" ".join(pre.intro), NUM)
        collection.title_derived = bool(collection.title)
    if not collection.title:
        first_heading = next((d.heading_text for d in drafts if d.heading_text), "")
        collection.title = first_heading or fallback_title
        collection.title_derived = True

    essays = [_finish(d) for d in drafts]
    titles = _titles(drafts, essays, collection, pre, cut_key)
    for essay, title in zip(essays, distinct_titles(titles), strict=True):
        essay.title = title
    collection.essays = essays
    collection.doubts = find_doubts(essays, [d.inner for d in drafts], cut_key, rivals, _lead_text(drafts, cuts, lines))
    return collection


def _lead_text(drafts: list[_Draft], cuts: dict[int, _Cut], lines: list[_Line]) -> str:
    """The first heading, when text stands before it and it counts from 1:
    the headings may then be the sections of one essay."""
    headed = sorted(i for i, cut in cuts.items() if cut.kind == "heading")
    if not headed or not drafts or drafts[0].heading:
        return ""
    heading = lines[headed[0]].heading
    return lines[headed[0]].text if heading and heading.number == 1 else ""


def _is_intro(draft: _Draft) -> bool:
    """A short text before the first separator or heading introduces the
    file; so does a table of contents (a text made of headings only)."""
    if draft.from_separator or draft.heading or not draft.paragraphs:
        return False
    contents = all(layout.match_heading(p) for p in draft.paragraphs)
    return contents or sum(len(p) for p in draft.paragraphs) < SHORT_INTRO


def _titles(drafts: list[_Draft], essays: list[ParsedEssay], collection, pre: _Preamble, cut_key: str) -> list[str]:
    # A heading that only repeats the collection title names the essay when
    # every essay has one (a uniform layout); in a mixed file the text says more.
    uniform = all(d.heading for d in drafts)
    # One essay, or a file whose first essay stands under the title line and
    # the others under their own titles: the title line names the first.
    title_names_first = pre.title_line and (
        len(drafts) == 1 or (cut_key == "separator" and all(d.heading_text for d in drafts[1:]))
    )
    titles = []
    for n, (draft, essay) in enumerate(zip(drafts, essays, strict=True)):
        if draft.heading_text and not draft.repeats_title and not is_layout_only(draft.heading_text):
            titles.append(draft.heading_text)
        elif (draft.repeats_title and uniform and collection.title) or (
            n == 0 and title_names_first and not draft.heading_text and not draft.from_separator
        ):
            titles.append(collection.title)
        else:
            essay.title_derived = True
            titles.append(_derived_title(essay, collection.title))
    return titles


def _derived_title(essay: ParsedEssay, fallback: str) -> str:
    """The first sentence, else the opening words, else the collection's
    title: never a bare number or nothing."""
    first = essay.paragraphs[0]
    for title in (derive_title(essay.paragraphs), first[:30].strip(TITLE_TRIM), fallback):
        if title and not is_layout_only(title):
            return title
    return first[:300]


def _reads_as_title(text: str) -> bool:
    """A short line that does not end a statement (a short question or
    exclamation may be a title: 我们为什么要读书？)."""
    if len(text) > MAX_TITLE_LINE or is_layout_only(text) or text.endswith(("。”", "！”", "？”")):
        return False
    if len(text) <= MAX_ASKING_TITLE and text[-1] in "？！?!":
        return True
    return not ends_sentence(text.rstrip("”’」』》）)"))


def _next_is_text(body: list[_Line], position: int, cuts: dict[int, _Cut]) -> bool:
    """Whether the essay goes on with text after ``body[position]``."""
    for line in body[position + 1 :]:
        if line.index in cuts:
            return False
        if line.text and not is_layout_only(line.text):
            return True
    return False


def _cut_essays(body: list[_Line], cuts: dict[int, _Cut]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    blank_seen = False
    wants_title = False  # the essay just started after a separator or a bare heading
    pending = ""  # a bare number waiting for the paragraph it numbers

    for position, line in enumerate(body):
        text = line.text
        if not text:
            blank_seen = True
            continue
        cut = cuts.get(line.index)
        if cut is not None and cut.kind == "space" and current and current.heading and not current.paragraphs:
            cut = None  # the essay's first line, indented under its heading
        if cut is not None:
            current = _Draft(repeats_title=cut.repeats_title)
            drafts.append(current)
            pending = ""
            blank_seen = False
            if cut.kind == "separator":
                current.from_separator = True
                current.heading_text = cut.heading_text or line.separator_title
                if current.heading_text:
                    current.heading = text
                    current.touch(line.index)
                wants_title = not current.heading_text
                continue
            if cut.kind == "space":
                wants_title = False
                if not is_layout_only(text):
                    current.touch(line.index)
                    current.paragraphs.append(text)
                continue
            current.touch(line.index)
            current.heading = text
            current.heading_text = cut.heading_text
            wants_title = cut.bare
            continue

        if current is None:
            current = _Draft()
            drafts.append(current)
        starting = not current.paragraphs
        if wants_title and starting:
            if is_layout_only(text):
                current.touch(line.index)
                continue
            heading = line.heading
            candidate = heading.rest if heading else text
            if candidate and _reads_as_title(candidate) and _next_is_text(body, position, cuts):
                current.heading_text = candidate
                current.heading = current.heading or text
                current.touch(line.index)
                wants_title = False
                continue
        wants_title = False

        if starting and current.heading_text and not current.author and (m := EXPLICIT_AUTHOR_RE.match(text)):
            current.author = m.group("name").strip()  # 作者：张三 under the essay's title
            current.touch(line.index)
            continue
        if line.separator_title:
            if not starting:
                current.inner.append(line.text)
            text = line.separator_title  # not a cut: its title is a line of text
        elif line.separator or is_layout_only(text):
            # Layout inside an essay: a separator goes, a bare number joins
            # the paragraph it numbers.
            if (line.separator or line.heading) and not starting:
                current.inner.append(text)
            if not line.separator:
                pending = text
            blank_seen = False
            continue
        if line.heading and line.heading.rest and not starting:
            current.inner.append(text)
        current.touch(line.index)
        if pending:
            text = pending + text
            pending = ""
            current.paragraphs.append(text)
        else:
            previous = current.paragraphs[-1] if current.paragraphs else ""
            if previous and blank_seen and _cut_mid_sentence(previous, text):
                current.paragraphs[-1] = _join(previous, text)
            else:
                current.paragraphs.append(text)
        blank_seen = False
    return drafts


def _cut_mid_sentence(previous: str, following: str) -> bool:
    """'…超越了时间和空间上的限' / '制，用一个个…': one paragraph split in two."""
    if len(previous) < 20 or ends_sentence(previous):
        return False
    if layout.match_heading(following):
        return False
    return bool(re.match(rf"[{HAN}A-Za-z0-9，,、；;：:）)”’」』]", following))


def _join(left: str, right: str) -> str:
    if re.search(r"[A-Za-z0-9]$", left) and re.match(r"[A-Za-z0-9]", right):
        return f"{left} {right}"
    return left + right


def _finish(draft: _Draft) -> ParsedEssay:
    paragraphs = list(draft.paragraphs)
    author = draft.author
    last = paragraphs[-1]
    if author:
        pass
    elif len(paragraphs) > 1 and (name := author_line(last)) and len(last) <= 10:
        # A name alone on the last line signs the essay.
        author = name
        paragraphs.pop()
    else:
        m = SIGNOFF_RE.match(last)
        if m and looks_like_name(m.group("name")):
            author = m.group("name")
            paragraphs[-1] = m.group("body").rstrip()
    return ParsedEssay(
        title="",
        paragraphs=paragraphs,
        author=author,
        heading=draft.heading,
        start_line=draft.start_line or 0,
        end_line=draft.end_line,
    )
