"""What the parser returns and takes: results, doubts, cut hints, errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from essays.parsing.text import find_placeholders


class ParseError(ValueError):
    """The input is not an essay file (or a cut hint cannot be honoured); the
    message says why, in one line."""


@dataclass(frozen=True)
class CutHint:
    """How to cut a file, when the curator knows better than the guess.

    - ``auto``: the parser chooses (the default);
    - ``family``: cut only at the headings of ``family``, a key of
      ``heading_families()``;
    - ``separator``: cut only at separator lines (``-----``, ``＊＊＊``…);
    - ``single``: one essay of everything after the title and intro;
    - ``lines``: cut exactly at ``heading_lines``, 0-based indexes into
      ``normalised_lines(text)``; each starts an essay and is its title.
    """

    mode: str = "auto"
    family: str = ""
    heading_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Doubt:
    """A reason to have a person look at a cut. ``code`` is stable (it is
    stored and translated); ``essay`` is the 0-based index into
    ``ParsedCollection.essays`` (None for the whole file); ``detail`` is a
    one-line English explanation for logs and reports; ``values`` holds the
    numbers and lines a translated message needs."""

    code: str
    essay: int | None
    detail: str
    values: dict = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict:
        return {"code": self.code, "essay": self.essay, "detail": self.detail, "values": dict(self.values)}


@dataclass
class ParsedEssay:
    title: str
    paragraphs: list[str]
    title_derived: bool = False
    author: str = ""
    heading: str = ""
    # Where the essay is in normalised_lines(text): its first line (heading
    # or title line included) and one past its last.
    start_line: int = 0
    end_line: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def has_placeholders(self) -> bool:
        return bool(find_placeholders(self.text))


@dataclass
class ParsedCollection:
    title: str
    essays: list[ParsedEssay]
    intro: str = ""
    author: str = ""
    title_derived: bool = False
    notes: list[str] = field(default_factory=list)
    # What the essays were cut at: a heading family's key, "separator",
    # "single", "lines", or "" when nothing but the file's plain structure
    # (title repeats, space-led lines) cut it.
    cut: str = ""
    doubts: list[Doubt] = field(default_factory=list)
