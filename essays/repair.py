"""Repairing a collection's cut: split an essay, merge it with the next one,
restore an earlier version (which also undoes the splits and merges made
after it). Every step writes one history row per essay it changes, with a
reason that says what happened; links never break (a key that loses its
essay gets an ``EssayRedirect``).

The admin pages (``essays.admin.repair``, ``essays.admin.history``) and the
tests call these functions; nothing here knows about requests.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from essays import parsing
from essays.models import Essay, EssayRedirect, SourceFile, essay_key, history_tag_ids, record_history
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
