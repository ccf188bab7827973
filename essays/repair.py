"""Repairing a collection's cut: split an essay, merge it with the next one,
restore an earlier version (which also undoes the splits and merges made
after it). Every step writes one history row per essay it changes, with a
reason that says what happened; links never break (a key that loses its
essay gets an ``EssayRedirect``).

The admin pages (``essays.admin.repair``, ``essays.admin.history``) and the
tests call these functions; nothing here knows about requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from essays import parsing
from essays.models import Essay, EssayRedirect, SourceFile, Tag, essay_key, history_tag_ids, record_history
from essays.parsing.text import HEADING_MAX_CHARS, TITLE_TRIM, ends_sentence

SPLIT = "拆分"
MERGE = "合并"


class RepairError(ValueError):
    """A repair that cannot be made; the message says why, in one line."""


def split_reason(first_key: str, second_key: str) -> str:
    return f"{SPLIT}：{first_key} → {second_key}"


def merge_reason(gone_key: str, into_key: str) -> str:
    return f"{MERGE}：{gone_key} → {into_key}"


def save_with_one_row(essay: Essay, reason: str, history_type: str = "~", tags=None) -> None:
    """Save ``essay`` (and set its ``tags``) writing one history row."""
    essay.skip_history_when_saving = True
    try:
        essay.save()
        if tags is not None:
            essay.tags.set(tags)
    finally:
        del essay.skip_history_when_saving
    essay._change_reason = reason[:100]
    record_history(essay, history_type)


def renumber(source: SourceFile, ordered: list[Essay]) -> None:
    """Give ``ordered`` (all the collection's essays) positions 1..n, without
    ever holding two essays at one place (the unique constraint holds at
    every row, on PostgreSQL as on SQLite)."""
    essays = Essay.objects.filter(source=source)
    offset = (essays.aggregate(top=Max("position"))["top"] or 0) + len(ordered) + 1
    essays.update(position=F("position") + offset)
    for number, essay in enumerate(ordered, start=1):
        Essay.objects.filter(pk=essay.pk).update(position=number)
        essay.position = number


def fresh_key(source: SourceFile, seed: str) -> str:
    """A new stable key no essay or redirect holds."""
    for attempt in range(1000):
        key = essay_key(f"{source.name}\n{seed}", attempt)
        if not Essay.objects.filter(key=key).exists() and not EssayRedirect.objects.filter(old_key=key).exists():
            return key
    raise RepairError(_("无法生成新的链接键。"))


def title_of_part(paragraphs: list[str]) -> tuple[str, list[str], bool]:
    """(title, paragraphs, derived) for an essay starting with ``paragraphs``:
    a first line that reads as a heading (the parser's rule) becomes the
    title; otherwise the title is derived from the text."""
    first = paragraphs[0]
    heading = parsing.match_heading(first)
    if heading and len(paragraphs) > 1:
        body = paragraphs[1:]
        if heading.rest:
            return heading.rest, body, False
        return parsing.derive_title(body) or first, body, True
    if len(paragraphs) > 1 and len(first) <= HEADING_MAX_CHARS and not ends_sentence(first):
        return first.strip(TITLE_TRIM), paragraphs[1:], False
    return parsing.derive_title(paragraphs), paragraphs, True


def _ordered(source: SourceFile) -> list[Essay]:
    return list(source.essays.order_by("position", "pk"))


@transaction.atomic
def split(essay: Essay, at: int) -> Essay:
    """Cut ``essay`` before its paragraph number ``at`` (0-based): it keeps
    its key and the paragraphs before; the new essay right after it holds the
    rest. Returns the new essay."""
    paragraphs = essay.paragraphs
    if not 0 < at < len(paragraphs):
        raise RepairError(_("只能在第 2 段到最后一段之间拆分。"))
    source = essay.source
    title, body, derived = title_of_part(paragraphs[at:])
    key = fresh_key(source, f"split\n{essay.key}")
    reason = split_reason(essay.key, key)
    ordered = _ordered(source)
    top = max(e.position for e in ordered)
    second = Essay(
        source=source,
        position=top + 1,
        key=key,
        title=title[:300],
        title_derived=derived,
        text="\n".join(body),
        author=essay.author,
        section_id=essay.section_id,
        status=essay.status,
    )
    second.imported_text = second.text
    save_with_one_row(second, reason, "+", tags=list(essay.tags.all()))

    essay.text = "\n".join(paragraphs[:at])
    essay.imported_text = essay.text if essay.imported_text else ""
    save_with_one_row(essay, reason)

    index = next(i for i, e in enumerate(ordered) if e.pk == essay.pk)
    ordered.insert(index + 1, second)
    renumber(source, ordered)
    source.remember_curated_cut()
    return second


def next_of(essay: Essay) -> Essay | None:
    return essay.source.essays.filter(position__gt=essay.position).order_by("position").first()


@transaction.atomic
def merge_with_next(essay: Essay) -> Essay:
    """Append the next essay of the collection to ``essay``; the next one is
    deleted and its link answers 301 to ``essay``. Returns the gone essay."""
    following = next_of(essay)
    if following is None:
        raise RepairError(_("这是合集的最后一篇，后面没有可合并的文章。"))
    reason = merge_reason(following.key, essay.key)
    joined = essay.paragraphs
    if not following.title_derived and following.title:
        joined.append(following.title)  # the heading stays in the text: a split can bring it back
    joined.extend(following.paragraphs)
    essay.text = "\n".join(joined)
    if essay.imported_text:
        essay.imported_text = essay.text
    tags = {t.pk: t for t in [*essay.tags.all(), *following.tags.all()]}
    save_with_one_row(essay, reason, tags=list(tags.values()))

    EssayRedirect.objects.filter(essay=following).update(essay=essay)
    EssayRedirect.objects.update_or_create(old_key=following.key, defaults={"essay": essay, "reason": reason})
    following._change_reason = reason
    following.delete()
    renumber(essay.source, _ordered(essay.source))
    essay.source.remember_curated_cut()
    return following


def _restore_deleted(record) -> Essay:
    """Bring back an essay deleted by a merge, as it was when deleted."""
    essay = record.instance
    essay.imported = {}
    essay.imported_text = essay.text
    if essay.duplicate_of_id and not Essay.objects.filter(pk=essay.duplicate_of_id).exists():
        essay.duplicate_of_id = None
    if essay.near_duplicate_of_id and not Essay.objects.filter(pk=essay.near_duplicate_of_id).exists():
        essay.near_duplicate_of_id, essay.similarity = None, None
    top = essay.source.essays.aggregate(top=Max("position"))["top"] or 0
    essay.position = top + 1
    # The deletion's own row has no tags (they go before the essay does).
    tags = history_tag_ids(record.prev_record or record)
    EssayRedirect.objects.filter(old_key=essay.key).delete()
    save_with_one_row(essay, _("撤销合并"), "+", tags=tags)
    return essay


@transaction.atomic
def restore(essay: Essay, record) -> dict:
    """Make ``essay`` what it was in history ``record``. Splits of it and
    merges into it made after that version are undone too: the parts split
    off are removed (their links answer 301 here), the essays merged in come
    back under their old keys. Returns what was undone."""
    later = Essay.history.filter(history_date__gt=record.history_date)
    source = essay.source
    ordered = _ordered(source)
    undone = {"split": [], "merged": []}

    for row in later.filter(history_type="+", history_change_reason__startswith=split_reason(essay.key, "")):
        part = Essay.objects.filter(pk=row.id).first()
        if part is None or part.source_id != source.pk:
            continue
        EssayRedirect.objects.filter(essay=part).update(essay=essay)
        EssayRedirect.objects.update_or_create(old_key=part.key, defaults={"essay": essay, "reason": _("撤销拆分")})
        part._change_reason = _("撤销拆分")
        gone_pk = part.pk
        part.delete()
        ordered = [e for e in ordered if e.pk != gone_pk]
        undone["split"].append(part.key)

    merged = later.filter(history_type="-", history_change_reason__startswith=f"{MERGE}：").filter(
        history_change_reason__endswith=f" → {essay.key}"
    )
    insert_at = next(i for i, e in enumerate(ordered) if e.pk == essay.pk) + 1
    for row in merged.order_by("history_date"):
        if Essay.objects.filter(pk=row.id).exists():
            continue
        back = _restore_deleted(row)
        ordered.insert(insert_at, back)
        insert_at += 1
        undone["merged"].append(back.key)

    essay.title = record.title
    essay.title_derived = record.title_derived
    essay.text = record.text
    essay.author = record.author
    essay.section_id = record.section_id
    essay.status = record.status
    essay.featured = record.featured
    if record.duplicate_of_id is None or Essay.objects.filter(pk=record.duplicate_of_id).exists():
        essay.duplicate_of_id = record.duplicate_of_id
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S")
    reason = _("恢复到 %(when)s 的版本") % {"when": when}
    save_with_one_row(essay, reason, tags=history_tag_ids(record))

    if undone["split"] or undone["merged"]:
        renumber(source, ordered)
        source.remember_curated_cut()
    return undone


def redirect_target(key: str) -> Essay | None:
    """The essay an old key now points to. Redirects always name a living
    essay: one whose essay goes away is moved to the essay that took it."""
    found = EssayRedirect.objects.filter(old_key=key).select_related("essay").first()
    return found.essay if found else None


# -- re-cut -------------------------------------------------------------------------

RECUT = "重新切分"


def _sentence_weights(text: str) -> dict[str, int]:
    """Each sentence of ``text`` (whitespace ignored) with its length: what
    two cuts of one file share is measured in the sentences they share."""
    from essays.textutil import compact

    weights: dict[str, int] = {}
    for paragraph in text.splitlines():
        for sentence in re.split(r"(?<=[。！？!?；;…])", compact(paragraph)):
            if sentence:
                weights[sentence] = weights.get(sentence, 0) + len(sentence)
    return weights


def overlap(a: dict[str, int], b: dict[str, int]) -> int:
    return sum(min(weight, b[s]) for s, weight in a.items() if s in b)


@dataclass
class RecutPlan:
    """What applying a new cut does: for each new essay the old one whose
    key it keeps (or None: a new key), and for each old essay left over the
    new essay its link will redirect to."""

    parsed: parsing.ParsedCollection
    keeps: list[Essay | None]
    gone: list[tuple[Essay, int]]  # (old essay, index of the new essay holding most of its text)
    nearest: list[Essay | None]  # for each new essay, the old one it shares most text with


def plan_recut(source: SourceFile, parsed: parsing.ParsedCollection) -> RecutPlan:
    """Match the new essays to the old ones by the text they share: the
    largest overlaps first, each old essay and each new one used once. An
    old essay whose text survives keeps its key."""
    old = _ordered(source)
    old_w = [_sentence_weights(e.text) for e in old]
    new_w = [_sentence_weights(p.text) for p in parsed.essays]
    # The share of an old essay's text that went into a new one counts
    # first (an essay that survives whole keeps its key even when a larger
    # one joined it), then the earlier old essay (as in a merge, the first
    # keeps its key), then the characters shared.
    pairs = []
    for i, ow in enumerate(old_w):
        total = sum(ow.values()) or 1
        for j, nw in enumerate(new_w):
            shared = overlap(ow, nw)
            if shared > 0:
                pairs.append((shared / total, shared, i, j))
    pairs.sort(key=lambda t: (-t[0], t[2], -t[1], t[3]))
    keeps: list[Essay | None] = [None] * len(parsed.essays)
    used: set[int] = set()
    for _share, _shared, i, j in pairs:
        if i in used or keeps[j] is not None:
            continue
        keeps[j] = old[i]
        used.add(i)
    gone = []
    for i, essay in enumerate(old):
        if i in used:
            continue
        scores = [overlap(old_w[i], nw) for nw in new_w]
        gone.append((essay, max(range(len(scores)), key=lambda j: (scores[j], -j))))
    nearest: list[Essay | None] = []
    for nw in new_w:
        scores = [overlap(ow, nw) for ow in old_w]
        best = max(range(len(scores)), key=lambda i: scores[i], default=None)
        nearest.append(old[best] if best is not None and scores[best] > 0 else None)
    return RecutPlan(parsed=parsed, keeps=keeps, gone=gone, nearest=nearest)


@transaction.atomic
def apply_recut(source: SourceFile, parsed: parsing.ParsedCollection, hint: parsing.CutHint | None = None) -> dict:
    """Replace the collection's essays by the cut in ``parsed``: surviving
    essays keep their keys (and tags, section, status), new ones get new
    keys, the others are removed and their links redirect to the essay that
    now holds most of their text. Returns counts for the message."""
    plan = plan_recut(source, parsed)
    snapshot = cut_snapshot(source)
    top = source.essays.aggregate(top=Max("position"))["top"] or 0
    result: list[Essay] = []
    counts = {"kept": 0, "created": 0, "redirected": 0}
    for number, (parsed_essay, old) in enumerate(zip(parsed.essays, plan.keeps, strict=True)):
        text = parsed_essay.text
        if old is not None:
            essay = old
            changed = (essay.title, essay.text) != (parsed_essay.title[:300], text)
            essay.title, essay.title_derived, essay.text = parsed_essay.title[:300], parsed_essay.title_derived, text
            essay.imported_text = text
            if changed:
                save_with_one_row(essay, RECUT)
            counts["kept"] += 1
        else:
            # Tags and section come from the old essay it shares most text with.
            donor = plan.nearest[number]
            essay = Essay(
                source=source,
                position=top + 1 + number,
                key=fresh_key(source, f"recut\n{number}"),
                title=parsed_essay.title[:300],
                title_derived=parsed_essay.title_derived,
                text=text,
                author=(parsed_essay.author or parsed.author)[:100],
                section_id=donor.section_id if donor else None,
                status=donor.status if donor else Essay.Status.PUBLISHED,
            )
            essay.imported_text = text
            save_with_one_row(essay, RECUT, "+", tags=list(donor.tags.all()) if donor else None)
            counts["created"] += 1
        result.append(essay)
    for old, index in plan.gone:
        target = result[index]
        EssayRedirect.objects.filter(essay=old).update(essay=target)
        EssayRedirect.objects.update_or_create(old_key=old.key, defaults={"essay": target, "reason": RECUT})
        old._change_reason = f"{RECUT}：{old.key} → {target.key}"
        old.delete()
        counts["redirected"] += 1
    renumber(source, result)
    if hint is not None and hint.mode in ("family", "separator", "single"):
        source.cut_hint = {"mode": hint.mode, "family": hint.family}
    source.title = parsed.title[:300] or source.title
    source.intro = parsed.intro
    source.previous_cut = snapshot
    source._change_reason = RECUT
    source.save()
    source.remember_curated_cut()
    return counts


UNDO_RECUT = "撤销重新切分"
SNAPSHOT_FIELDS = ("key", "title", "title_derived", "text", "author", "section_id", "status", "featured")


def cut_snapshot(source: SourceFile) -> dict:
    """The collection's cut as it is: its title and intro, and its essays
    in order with what a re-cut may change, so the re-cut can be undone."""
    essays = source.essays.order_by("position").prefetch_related("tags")
    return {
        "title": source.title,
        "intro": source.intro,
        "essays": [
            {**{name: getattr(e, name) for name in SNAPSHOT_FIELDS}, "tags": [t.pk for t in e.tags.all()]}
            for e in essays
        ],
    }


@transaction.atomic
def undo_recut(source: SourceFile) -> dict:
    """Put back the cut the last re-cut replaced: its essays under their old
    keys (those removed come back, their redirects go), essays the re-cut
    created are removed and redirect to the one holding most of their text.
    The replaced cut is kept in turn, so the undo can be undone."""
    wanted = source.previous_cut.get("essays") if source.previous_cut else None
    if not wanted:
        raise RepairError(_("这个合集没有可撤销的重新切分。"))
    snapshot = cut_snapshot(source)
    current = {e.key: e for e in source.essays.all()}
    top = source.essays.aggregate(top=Max("position"))["top"] or 0
    result: list[Essay] = []

    for number, item in enumerate(wanted):
        essay = current.pop(item["key"], None)
        created = essay is None
        if created:
            if Essay.objects.filter(key=item["key"]).exists():
                continue  # the key went to another collection meanwhile: leave it
            essay = Essay(source=source, position=top + 1 + number)
            EssayRedirect.objects.filter(old_key=item["key"]).delete()
        for name in SNAPSHOT_FIELDS:
            setattr(essay, name, item[name])
        essay.imported_text = essay.text
        tags = list(Tag.objects.filter(pk__in=item["tags"]))
        save_with_one_row(essay, UNDO_RECUT, "+" if created else "~", tags=tags)
        result.append(essay)
    weights = [_sentence_weights(e.text) for e in result]
    for extra in current.values():
        mine = _sentence_weights(extra.text)
        target = max(range(len(result)), key=lambda i: (overlap(mine, weights[i]), -i))
        EssayRedirect.objects.filter(essay=extra).update(essay=result[target])
        EssayRedirect.objects.update_or_create(
            old_key=extra.key, defaults={"essay": result[target], "reason": UNDO_RECUT}
        )
        extra._change_reason = UNDO_RECUT
        extra.delete()
    renumber(source, result)
    source.title = source.previous_cut.get("title") or source.title
    source.intro = source.previous_cut.get("intro", source.intro)
    source.previous_cut = snapshot
    source._change_reason = UNDO_RECUT
    source.save()
    source.remember_curated_cut()
    return {"essays": len(result)}
