"""History and undo for essays: every version with who, when and why; the
text of any two versions side by side with the differences marked; restore
any version in one step; revert to the imported text after a confirmation.

The rows come from django-simple-history (``Essay.history``). Saves from the
change form write one row (the essay with its tags), not one per save and
tag change.
"""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from essays import repair
from essays.admin.duplicates import marked_diff
from essays.models import IMPORT_REASON, Essay, Tag, history_tag_ids, record_history
from essays.textutil import compact

# The fields a version shows and a restore brings back.
VERSION_FIELDS = ("title", "text", "author", "section", "status", "featured", "duplicate_of")


def describe(record) -> str:
    """What a history row was: its reason, or a plain word for its kind."""
    if record.history_change_reason:
        return record.history_change_reason
    return {"+": _("创建"), "~": _("编辑"), "-": _("删除")}.get(record.history_type, "")


def who(record) -> str:
    if record.history_user_id:
        return record.history_user.get_username()
    if record.history_change_reason == IMPORT_REASON:
        return _("导入程序")
    return _("系统")


def changed_fields(record) -> list[str]:
    previous = record.prev_record
    if previous is None:
        return []
    names = {f.name: str(f.verbose_name) for f in Essay._meta.get_fields() if hasattr(f, "verbose_name")}
    delta = record.diff_against(previous, included_fields=[*VERSION_FIELDS, "tags"])
    return [names.get(change.field, change.field) for change in delta.changes]


def changed_chars(old: str, new: str) -> tuple[int, int]:
    """How many characters (whitespace aside) went and came between two texts."""
    a, b = compact(old), compact(new)
    removed = added = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            removed += i2 - i1
            added += j2 - j1
    return removed, added


def version_tags(record) -> str:
    return "、".join(sorted(Tag.objects.filter(pk__in=history_tag_ids(record)).values_list("name", flat=True)))


class EssayHistory:
    """The versions page, restore, and revert-to-imported with a confirm page."""

    def get_urls(self):
        own = [
            path("<int:pk>/versions/", self.admin_site.admin_view(self.versions_view), name="essays_essay_versions"),
            path(
                "<int:pk>/versions/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="essays_essay_restore",
            ),
        ]
        return own + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        """Django's history page lists admin log entries only (an essay's
        import, edits and restores are in its versions): its address leads
        to the versions page (an address that names no essay gets Django's
        own answer: a message on the admin's index)."""
        if not str(object_id).isascii() or not str(object_id).isdigit():
            return super().history_view(request, object_id, extra_context)
        return redirect("admin:essays_essay_versions", int(object_id))

    # -- one history row per save from the change form --

    def save_model(self, request, obj, form, change):
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def _record_form_save(self, obj, message):
        if getattr(obj, "skip_history_when_saving", False):
            del obj.skip_history_when_saving
            fields = []
            for part in message if isinstance(message, list) else []:
                fields.extend(part.get("changed", {}).get("fields", []))
            obj._change_reason = (_("编辑：%(fields)s") % {"fields": "、".join(fields)})[:100] if fields else None
            record_history(obj, "~")

    def log_change(self, request, obj, message):
        if isinstance(obj, Essay):
            self._record_form_save(obj, message)
        return super().log_change(request, obj, message)

    def log_addition(self, request, obj, message):
        if isinstance(obj, Essay) and getattr(obj, "skip_history_when_saving", False):
            del obj.skip_history_when_saving
            record_history(obj, "+")
        return super().log_addition(request, obj, message)

    # -- pages --

    def _essay(self, request, pk, change=False):
        essay = get_object_or_404(Essay.objects.select_related("source"), pk=pk)
        allowed = self.has_change_permission(request, essay) if change else self.has_view_permission(request, essay)
        if not allowed:
            raise PermissionDenied
        return essay

    def versions_view(self, request, pk):
        essay = self._essay(request, pk)
        records = list(essay.history.select_related("history_user").order_by("-history_date", "-history_id"))
        by_id = {r.history_id: r for r in records}
        rows = [
            {"record": r, "what": describe(r), "who": who(r), "fields": changed_fields(r), "tags": version_tags(r)}
            for r in records
        ]
        compare = None
        a, b = request.GET.get("a", ""), request.GET.get("b", "")
        if a or b:
            older = by_id.get(int(a)) if a.isdigit() else None
            newer = by_id.get(int(b)) if b.isdigit() else None
            if older is None or newer is None:
                messages.error(request, _("请选择这篇文章的两个版本来比较。"))
            else:
                if older.history_date > newer.history_date:
                    older, newer = newer, older
                left, right = marked_diff(older.text, newer.text)
                removed, added = changed_chars(older.text, newer.text)
                compare = {
                    "removed": removed,
                    "added": added,
                    "older": older,
                    "newer": newer,
                    "left": left,
                    "right": right,
                    "title_changed": older.title != newer.title,
                }
        context = {
            **self.admin_site.each_context(request),
            "title": _("《%(title)s》的历史") % {"title": essay.title},
            "essay": essay,
            "rows": rows,
            "compare": compare,
            "default_a": records[1].history_id if len(records) > 1 else "",
            "default_b": records[0].history_id if records else "",
            "opts": self.model._meta,
            "can_change": self.has_change_permission(request, essay),
        }
        return TemplateResponse(request, "admin/essays/essay/versions.html", context)

    def restore_view(self, request, pk, history_id):
        essay = self._essay(request, pk, change=True)
        record = get_object_or_404(essay.history, history_id=history_id)
        versions_url = reverse("admin:essays_essay_versions", args=[pk])
        if request.method != "POST":
            return redirect(versions_url)
        undone = repair.restore(essay, record)
        self.log_change(request, essay, describe(essay.history.first()))
        text = _("已恢复到 %(when)s 的版本。") % {
            "when": timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S")
        }
        if undone["split"]:
            text += " " + _("撤销了拆分：拆出的 %(count)d 篇已去掉，旧链接跳转到此文。") % {
                "count": len(undone["split"])
            }
        if undone["merged"]:
            text += " " + _("撤销了合并：%(count)d 篇文章已恢复原链接。") % {"count": len(undone["merged"])}
        self.message_user(request, text)
        return redirect(reverse("admin:essays_essay_change", args=[pk]))

    def revert_view(self, request, pk):
        """Revert the text to what the importer wrote: a confirm page showing
        what will change, then a POST. The revert is one history row, so it
        can be undone from the history like any edit."""
        essay = self._essay(request, pk, change=True)
        change_url = reverse("admin:essays_essay_change", args=[pk])
        if not essay.imported_text or essay.text == essay.imported_text:
            self.message_user(request, _("正文与导入时相同，无需恢复。"), level=messages.INFO)
            return redirect(change_url)
        if request.method == "POST":
            essay.text = essay.imported_text
            repair.save_with_one_row(essay, _("恢复为导入时的正文"))
            self.log_change(request, essay, [{"changed": {"fields": [str(_("正文"))]}}])
            self.message_user(request, _("正文已恢复为导入时的文本。"))
            return redirect(change_url)
        left, right = marked_diff(essay.text, essay.imported_text)
        context = {
            **self.admin_site.each_context(request),
            "title": _("恢复为导入时的正文"),
            "essay": essay,
            "left": left,
            "right": right,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/essay/revert_confirm.html", context)
