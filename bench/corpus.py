"""A synthetic corpus: N essays made by recombining the seeds' sentences,
written as .txt files in two of the seeds' layouts. Deterministic for a given
seed number. No Django imports."""

from __future__ import annotations

import random
import re
from pathlib import Path

from essays import parsing

_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
LAYOUTS = ("space-led", "numbered-title")


def seed_sentences(seeds_dir: Path) -> tuple[list[str], list[str]]:
    """(sentences, collection titles) of the seed files."""
    sentences: list[str] = []
    titles: list[str] = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text, _ = parsing.decode(path.read_bytes())
        parsed = parsing.parse(text, fallback_title=path.stem)
        titles.append(parsed.title)
        for essay in parsed.essays:
            for paragraph in essay.text.splitlines():
                for sentence in _SENTENCE.findall(paragraph.strip()):
                    if len(sentence) >= 8:
                        sentences.append(sentence)
    return list(dict.fromkeys(sentences)), titles


def _essay(rng: random.Random, sentences: list[str]) -> list[str]:
    paragraphs = []
    for _ in range(rng.randint(4, 8)):
        paragraphs.append("".join(rng.choice(sentences) for _ in range(rng.randint(3, 6))))
    return paragraphs


def write_corpus(target: Path, essays: int, seeds_dir: Path, per_file: int = 10, seed: int = 20) -> int:
    """Write about ``essays`` essays into ``target``; returns the file count."""
    rng = random.Random(seed)
    sentences, titles = seed_sentences(seeds_dir)
    target.mkdir(parents=True, exist_ok=True)
    files = 0
    written = 0
    while written < essays:
        count = min(per_file, essays - written)
        layout = LAYOUTS[files % len(LAYOUTS)]
        title = rng.choice(titles)
        lines: list[str] = []
        if layout == "space-led":
            # 001's layout: no title line, each essay starts with an ASCII space.
            for _ in range(count):
                paragraphs = _essay(rng, sentences)
                lines.append(" " + paragraphs[0])
                lines += [p for paragraph in paragraphs[1:] for p in ("", paragraph)]
                lines.append("")
        else:
            # 004's layout: title, author line, "title + number" headings.
            lines += [title, "", "马振华老师", ""]
            for number in range(1, count + 1):
                lines += [f"{title}{number}", ""]
                lines += [p for paragraph in _essay(rng, sentences) for p in (paragraph, "")]
        (target / f"bench_{files:05d}.txt").write_text("\n".join(lines), encoding="utf-8")
        files += 1
        written += count
    return files
