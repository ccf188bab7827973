"""Duplicates: marking copies, keeping either as the main one, and the
side-by-side review with the differences marked."""

from __future__ import annotations

import difflib

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from essays.models import Essay
from essays.textutil import compact, similarity


class DuplicateTargetForm(forms.Form):
    original = forms.ModelChoiceField(
        Essay.objects.filter(duplicate_of__isnull=True), label=_("主本"), widget=forms.TextInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original"].help_text = _("主本的链接键（文章网址中的那一段）。")
        self.fields["original"].to_field_name = "key"


class DuplicateReview:
    """Marking and clearing duplicates, and the page that shows each group
    side by side with its differences."""

    def get_urls(self):
        own = [
            path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name="essays_essay_duplicates"),
            path(
                "duplicates/<int:pk>/keep/",
                self.admin_site.admin_view(self.keep_main_view),
                name="essays_essay_keep_main",
            ),
        ]
        return own + super().get_urls()

    @admin.action(description=_("标记为某篇的重复副本…"), permissions=["change"])
    def mark_duplicate(self, request, queryset):
        if "apply" in request.POST:
            form = DuplicateTargetForm(request.POST)
            if form.is_valid():
                original = form.cleaned_data["original"]
                essays = [e for e in queryset if e.pk != original.pk and e.duplicate_of_id != original.pk]
                for essay in essays:
                    essay.duplicate_of = original
                    essay._change_reason = f"重复于：{original.key}"
                    essay.save(update_fields=["duplicate_of", "updated"])
                    # Copies of this essay now point at the new main copy too.
                    Essay.objects.filter(duplicate_of=essay).update(duplicate_of=original)
                self._log(request, essays, f"重复于：{original.key}")
                self.message_user(
                    request,
                    _("已把 %(count)d 篇文章标记为《%(title)s》的重复副本。")
                    % {"count": len(essays), "title": original.title},
                )
                return None
        else:
            form = DuplicateTargetForm()
        return self._intermediate(request, queryset, form, _("标记为重复副本"), "mark_duplicate")

    @admin.action(description=_("取消重复标记"), permissions=["change"])
    def clear_duplicate(self, request, queryset):
        essays = list(queryset.filter(Q(duplicate_of__isnull=False) | Q(near_duplicate_of__isnull=False)))
        for essay in essays:
            essay.duplicate_of = None
            essay.near_duplicate_of = None
            essay.similarity = None
            essay._change_reason = "取消重复标记"
            essay.save(update_fields=["duplicate_of", "near_duplicate_of", "similarity", "updated"])
        self._log(request, essays, "取消重复标记")
        self.message_user(
            request, ngettext("已取消 %d 篇文章的重复标记。", "已取消 %d 篇文章的重复标记。", len(essays)) % len(essays)
        )

    def duplicates_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = duplicate_groups(request.GET.get("essay"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("重复与疑似重复"),
            "groups": groups,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/essay/duplicates.html", context)

    def keep_main_view(self, request, pk):
        """Make this copy the main one: the group's other copies point here."""
        essay = get_object_or_404(Essay, pk=pk)
        if not self.has_change_permission(request, essay):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:essays_essay_duplicates")
        with transaction.atomic():
            group = duplicate_group_of(essay)
            changed = []
            for other in group:
                if other.pk == essay.pk:
                    continue
                other.duplicate_of = essay
                other.near_duplicate_of = None
                other.similarity = None
                other._change_reason = f"重复于：{essay.key}"
                other.save(update_fields=["duplicate_of", "near_duplicate_of", "similarity", "updated"])
                changed.append(other)
            essay.duplicate_of = None
            essay.near_duplicate_of = None
            essay.similarity = None
            essay._change_reason = "设为主本"
            essay.save(update_fields=["duplicate_of", "near_duplicate_of", "similarity", "updated"])
        self._log(request, changed, f"重复于：{essay.key}")
        self.log_change(request, essay, "设为主本")
        self.message_user(
            request,
            _("《%(title)s》现在是主本；%(count)d 篇副本指向它。") % {"title": essay.title, "count": len(changed)},
        )
        return redirect("admin:essays_essay_duplicates")


def duplicate_group_of(essay: Essay) -> list[Essay]:
    main = essay.duplicate_of or essay
    members = {main.pk: main}
    for copy in Essay.objects.filter(
        Q(duplicate_of=main) | Q(near_duplicate_of=main) | Q(pk=essay.near_duplicate_of_id)
    ):
        members.setdefault(copy.pk, copy)
    return list(members.values())


def marked_diff(a: str, b: str) -> tuple[str, str]:
    """Two texts as HTML with the differing runs wrapped in <del>/<ins>; every
    piece of text is escaped."""
    # Paragraph breaks stay (the page shows them); other whitespace does not count.
    a, b = ("\n".join(compact(line) for line in text.splitlines()) for text in (a, b))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(format_html("{}", a[i1:i2]))
            right.append(format_html("{}", b[j1:j2]))
        else:
            # A side with nothing here gets an empty mark (a thin bar): the
            # reader sees where the other side's text went or came, and the
            # page can open both sides at their first difference.
            left.append(format_html("<del>{}</del>", a[i1:i2]) if i2 > i1 else mark_safe('<del class="gap"></del>'))
            right.append(format_html("<ins>{}</ins>", b[j1:j2]) if j2 > j1 else mark_safe('<ins class="gap"></ins>'))
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 (pieces escaped)


def duplicate_groups(focus: str | None = None) -> list[dict]:
    """Exact and near duplicates, grouped around their main copy, each copy
    shown beside the main one with the differences marked."""
    copies = Essay.objects.filter(Q(duplicate_of__isnull=False) | Q(near_duplicate_of__isnull=False)).select_related(
        "source", "duplicate_of__source", "near_duplicate_of__source"
    )
    if focus and focus.isdigit():
        copies = copies.filter(pk=int(focus))
    groups: dict[int, dict] = {}
    for copy in copies.order_by("pk"):
        main = copy.duplicate_of or copy.near_duplicate_of
        group = groups.setdefault(main.pk, {"main": main, "pairs": []})
        kind = _("完全相同") if copy.duplicate_of_id else _("疑似重复")
        ratio = 1.0 if copy.duplicate_of_id else (copy.similarity or similarity(main.text, copy.text))
        left, right = marked_diff(main.text, copy.text)
        group["pairs"].append({"copy": copy, "kind": kind, "percent": round(ratio * 100), "left": left, "right": right})
    return list(groups.values())
