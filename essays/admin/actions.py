"""Bulk actions on essays: publish, hide, set a section, add or remove tags."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from essays.admin.tags import TagNamesForm, split_tag_names, tags_named
from essays.models import Essay, Section, Tag, one_history_row


class SectionChoiceForm(forms.Form):
    # Starts empty and must be chosen: a slip of the Enter key must not take
    # the selected essays out of their sections.
    section = forms.ModelChoiceField(
        Section.objects.all(),
        label=_("栏目"),
        required=True,
        empty_label=_("（请选择栏目）"),
        error_messages={"required": _("请选择一个栏目。")},
    )


class BulkActions:
    """Actions on the selected essays of the changelist; each reports what it
    changed and is logged in the history."""

    def _log(self, request, essays, message: str):
        for essay in essays:
            self.log_change(request, essay, message)

    def _intermediate(self, request, queryset, form, title, action, note=""):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "essays": queryset,
            "form": form,
            "action": action,
            "note": note,
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "tag_names": Tag.objects.values_list("name", flat=True) if isinstance(form, TagNamesForm) else (),
        }
        return TemplateResponse(request, "admin/essays/essay/action_form.html", context)

    @admin.action(description=_("发布所选文章"), permissions=["change"])
    def publish(self, request, queryset):
        essays = list(queryset.exclude(status=Essay.Status.PUBLISHED))
        for essay in essays:
            essay.status = Essay.Status.PUBLISHED
            essay._change_reason = "批量：发布"
            essay.save(update_fields=["status", "updated"])
        self._log(request, essays, "状态：已发布")
        self.message_user(request, ngettext("已发布 %d 篇文章。", "已发布 %d 篇文章。", len(essays)) % len(essays))

    @admin.action(description=_("隐藏所选文章"), permissions=["change"])
    def hide(self, request, queryset):
        essays = list(queryset.exclude(status=Essay.Status.HIDDEN))
        for essay in essays:
            essay.status = Essay.Status.HIDDEN
            essay._change_reason = "批量：隐藏"
            essay.save(update_fields=["status", "updated"])
        self._log(request, essays, "状态：已隐藏")
        self.message_user(request, ngettext("已隐藏 %d 篇文章。", "已隐藏 %d 篇文章。", len(essays)) % len(essays))

    @admin.action(description=_("设置栏目…"), permissions=["change"])
    def set_section(self, request, queryset):
        if "apply" in request.POST:
            form = SectionChoiceForm(request.POST)
            if form.is_valid():
                section = form.cleaned_data["section"]
                essays = [e for e in queryset if e.section_id != section.pk]
                for essay in essays:
                    essay.section = section
                    essay._change_reason = f"批量：栏目 {section or '无'}"[:100]
                    essay.save(update_fields=["section", "updated"])
                self._log(request, essays, f"栏目：{section}")
                self.message_user(
                    request,
                    _("已把 %(count)d 篇文章放入栏目“%(section)s”。") % {"count": len(essays), "section": section},
                )
                return None
        else:
            form = SectionChoiceForm()
        return self._intermediate(request, queryset, form, _("设置栏目"), "set_section")

    def _tag_action(self, request, queryset, adding: bool):
        action = "add_tags" if adding else "remove_tags"
        if "apply" in request.POST:
            form = TagNamesForm(request.POST)
            if form.is_valid():
                names = split_tag_names(form.cleaned_data["names"])
                changed = 0
                with transaction.atomic():
                    tags = tags_named(names) if adding else list(Tag.objects.filter(name__in=names))
                    for essay in queryset.prefetch_related("tags"):
                        have = {t.pk for t in essay.tags.all()}
                        delta = [t for t in tags if (t.pk not in have) == adding]
                        if not delta:
                            continue
                        verb = "加上标签" if adding else "去掉标签"
                        with one_history_row(essay, f"批量：{verb} {'、'.join(t.name for t in delta)}"):
                            (essay.tags.add if adding else essay.tags.remove)(*delta)
                            essay.save(update_fields=["updated"])
                        self.log_change(request, essay, f"{verb}：{'、'.join(t.name for t in delta)}")
                        changed += 1
                template = (
                    _("已给 %(count)d 篇文章加上标签：%(names)s。")
                    if adding
                    else _("已从 %(count)d 篇文章去掉标签：%(names)s。")
                )
                self.message_user(request, template % {"count": changed, "names": "、".join(names)})
                return None
        else:
            form = TagNamesForm()
        title = _("加上标签") if adding else _("去掉标签")
        return self._intermediate(request, queryset, form, title, action)

    @admin.action(description=_("加上标签…"), permissions=["change"])
    def add_tags(self, request, queryset):
        return self._tag_action(request, queryset, adding=True)

    @admin.action(description=_("去掉标签…"), permissions=["change"])
    def remove_tags(self, request, queryset):
        return self._tag_action(request, queryset, adding=False)
