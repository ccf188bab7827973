"""Re-cutting a collection: its raw text with line numbers beside the
current cut; a layout hint (a heading family, separators, one essay) or
heading lines marked by hand; a preview of the essays that would result and
of which keep their links; then apply (``essays.repair.apply_recut``)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from essays import parsing, repair
from essays.admin.uploads import doubt_text, hint_choices, hint_from, parse_error_text
from essays.cutreview import QUEUE_NAME, doubt_messages
from essays.models import SourceFile

LINES = "lines"


def chosen_hint(mode: str, picked: list[str], lines: list[str]) -> parsing.CutHint | None:
    """The hint the form asks for; marked lines that are not lines of the
    file (or are blank) are ignored."""
    if mode == LINES:
        numbers = {int(n) for n in picked if n.isdigit()}
        valid = sorted(n for n in numbers if n < len(lines) and lines[n].strip())
        return parsing.CutHint(mode=LINES, heading_lines=tuple(valid))
    return hint_from(mode)


class Recut:
    def get_urls(self):
        own = [path("<int:pk>/recut/", self.admin_site.admin_view(self.recut_view), name="essays_sourcefile_recut")]
        return own + super().get_urls()

    def recut_view(self, request, pk):
        source = get_object_or_404(SourceFile, pk=pk)
        if not request.user.has_perm("essays.change_essay"):  # a re-cut changes essays, not the file
            raise PermissionDenied
        lines = parsing.normalised_lines(source.raw_text)
        if request.method == "POST" and "undo" in request.POST:
            try:
                repair.undo_recut(source)
            except repair.RepairError as exc:
                messages.error(request, str(exc))
            else:
                self.log_change(request, source, repair.UNDO_RECUT)
                self.message_user(request, _("已撤销上次重新切分：文章恢复原来的切分和链接。"))
            return redirect(reverse("admin:essays_sourcefile_recut", args=[source.pk]))
        data = request.POST if request.method == "POST" else request.GET
        choices = [*hint_choices(), (LINES, _("按勾选的行切分（每行是一篇的标题）"))]
        allowed = {value for value, _label in choices}
        mode = data.get("mode", "auto") if data.get("mode", "auto") in allowed else "auto"
        picked = data.getlist("line")
        hint = chosen_hint(mode, picked, lines)
        preview = None
        error = ""
        wants = "preview" in data or "apply" in data
        if wants and mode == LINES and not hint.heading_lines:
            error = _("请勾选至少一行作为文章的标题行。")
        elif wants:
            try:
                parsed = parsing.parse(source.raw_text, fallback_title=Path(source.name).stem, hint=hint)
            except parsing.ParseError as exc:
                error = _("这样切分不行：%(reason)s。") % {"reason": parse_error_text(str(exc))}
            else:
                if "apply" in data and request.method == "POST":
                    counts = repair.apply_recut(source, parsed, hint)
                    self.log_change(request, source, repair.RECUT)
                    self.message_user(
                        request,
                        _(
                            "已重新切分：%(kept)d 篇保留原链接，新增 %(created)d 篇，%(redirected)d 个旧链接跳转到新位置。"
                        )
                        % counts,
                    )
                    return redirect(reverse("admin:essays_sourcefile_change", args=[source.pk]))
                preview = self._recut_preview(source, parsed)
        if error:
            messages.error(request, error)
        checked = set(picked) if picked else self._current_heading_lines(source)
        context = {
            **self.admin_site.each_context(request),
            "title": _("重新切分《%(title)s》") % {"title": source.title},
            "source": source,
            "lines": [(n, line, str(n) in checked) for n, line in enumerate(lines)],
            "current": list(source.essays.order_by("position")),
            "choices": choices,
            "mode": mode,
            "preview": preview,
            "can_undo": bool(source.previous_cut.get("essays")) if source.previous_cut else False,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/sourcefile/recut.html", context)

    def _current_heading_lines(self, source) -> set[str]:
        """Start the hand-marking from the automatic cut's heading lines."""
        try:
            parsed = parsing.parse(source.raw_text, fallback_title=Path(source.name).stem)
        except parsing.ParseError:
            return set()
        return {str(e.start_line) for e in parsed.essays if e.heading}

    def _recut_preview(self, source, parsed) -> dict:
        plan = repair.plan_recut(source, parsed)
        doubts: dict = {}
        for doubt in parsed.doubts:
            doubts.setdefault(doubt.essay, []).append(doubt_text(doubt))
        rows = [
            {
                "title": essay.title,
                "paragraphs": len(essay.paragraphs),
                "chars": sum(len("".join(p.split())) for p in essay.paragraphs),
                "first": essay.paragraphs[0],
                "last": essay.paragraphs[-1],
                "keeps": kept,
                "doubts": doubts.get(number, []),
            }
            for number, (essay, kept) in enumerate(zip(parsed.essays, plan.keeps, strict=True))
        ]
        gone = [(old, parsed.essays[index].title) for old, index in plan.gone]
        return {"title": parsed.title, "rows": rows, "gone": gone, "file_doubts": doubts.get(None, [])}


CUT_REVIEW_SHOWN = 20


def cut_review_queue() -> dict:
    """The review queue 切分待复核 for the review page: files whose cut the
    parser doubted, each with its reasons and a link to its re-cut page. A
    re-cut, split or merge takes the file off the queue."""
    queue = SourceFile.objects.needs_cut_review()
    items = [{"source": source, "reasons": doubt_messages(source.cut_doubts)} for source in queue[:CUT_REVIEW_SHOWN]]
    return {"label": QUEUE_NAME, "count": queue.count(), "items": items}
