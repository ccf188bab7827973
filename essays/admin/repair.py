"""Repairing cuts from the admin: split an essay at a paragraph, merge it
with the next one in its collection (and, in ``essays.admin.recut``, re-cut
a whole collection). The work itself is in ``essays.repair``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from essays import repair
from essays.models import Essay


class EssayRepair:
    def get_urls(self):
        own = [
            path("<int:pk>/split/", self.admin_site.admin_view(self.split_view), name="essays_essay_split"),
            path("<int:pk>/merge/", self.admin_site.admin_view(self.merge_view), name="essays_essay_merge"),
        ]
        return own + super().get_urls()

    def _repairable(self, request, pk):
        essay = get_object_or_404(Essay.objects.select_related("source"), pk=pk)
        if not self.has_change_permission(request, essay):
            raise PermissionDenied
        return essay

    def _page(self, request, template, essay, **extra):
        context = {**self.admin_site.each_context(request), "essay": essay, "opts": self.model._meta, **extra}
        return TemplateResponse(request, f"admin/essays/essay/{template}", context)

    def split_view(self, request, pk):
        essay = self._repairable(request, pk)
        paragraphs = essay.paragraphs
        if request.method == "POST":
            raw = request.POST.get("at", "")
            try:
                second = repair.split(essay, int(raw) if raw.isdigit() else -1)
            except repair.RepairError as exc:
                messages.error(request, str(exc))
            else:
                self.log_change(request, essay, repair.split_reason(essay.key, second.key))
                self.log_addition(request, second, repair.split_reason(essay.key, second.key))
                self.message_user(
                    request,
                    _("已拆分：后半部分成为新文章《%(title)s》，可在此修改标题。前半部分保留原链接。")
                    % {"title": second.title},
                )
                return redirect(reverse("admin:essays_essay_change", args=[second.pk]))
        if len(paragraphs) < 2:
            messages.info(request, _("这篇文章只有一段，无法拆分。"))
        items = [
            {"index": i, "text": p, "title": repair.title_of_part(paragraphs[i:])[0] if i else ""}
            for i, p in enumerate(paragraphs)
        ]
        return self._page(
            request, "split.html", essay, title=_("拆分《%(title)s》") % {"title": essay.title}, items=items
        )

    def merge_view(self, request, pk):
        essay = self._repairable(request, pk)
        following = repair.next_of(essay)
        if request.method == "POST":
            try:
                gone = repair.merge_with_next(essay)
            except repair.RepairError as exc:
                messages.error(request, str(exc))
                return redirect(reverse("admin:essays_essay_change", args=[pk]))
            self.log_change(request, essay, repair.merge_reason(gone.key, essay.key))
            self.message_user(
                request,
                _("已把《%(gone)s》并入此文；它的旧链接跳转到这里。可在“历史版本”中撤销。") % {"gone": gone.title},
            )
            return redirect(reverse("admin:essays_essay_change", args=[pk]))
        if following is None:
            messages.error(request, _("这是合集的最后一篇，后面没有可合并的文章。"))
            return redirect(reverse("admin:essays_essay_change", args=[pk]))
        return self._page(
            request,
            "merge_confirm.html",
            essay,
            title=_("与下一篇合并"),
            following=following,
        )
