"""Tags: naming them from what a curator types, renaming (old links
redirect) and merging."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from essays.models import Tag, TagAlias


def split_tag_names(raw: str) -> list[str]:
    """Tag names typed by a curator: separated by commas (either width),
    顿号 or spaces."""
    for sep in ("，", "、", ";", "；", "\n"):
        raw = raw.replace(sep, ",")
    names = []
    for chunk in raw.split(","):
        names.extend(chunk.split())
    return [n.strip()[:50] for n in dict.fromkeys(names) if n.strip()]


def tags_named(names: list[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in names]


class TagNamesForm(forms.Form):
    # The browser completes names from the <datalist> of existing tags that
    # the action page renders.
    names = forms.CharField(
        label=_("标签"),
        help_text=_("用逗号或空格分隔多个标签。"),
        widget=forms.TextInput(attrs={"list": "tag-names", "autocomplete": "off", "size": 40}),
    )


class MergeTargetForm(forms.Form):
    target = forms.ModelChoiceField(Tag.objects.all(), label=_("合并到"))


class AliasInline(admin.TabularInline):
    model = TagAlias
    extra = 0
    fields = ["name"]
    verbose_name = _("旧名称（旧链接会跳转到此标签）")
    verbose_name_plural = verbose_name


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "essay_count", "aliases_list"]
    search_fields = ["name", "aliases__name"]
    actions = ["merge_tags"]
    inlines = [AliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(essay_count=Count("essays", distinct=True))
            .prefetch_related("aliases")
        )

    @admin.display(description=_("文章数"), ordering="essay_count")
    def essay_count(self, tag):
        return tag.essay_count

    @admin.display(description=_("旧名称"))
    def aliases_list(self, tag):
        return "、".join(alias.name for alias in tag.aliases.all())

    @admin.action(description=_("合并所选标签…"), permissions=["change"])
    def merge_tags(self, request, queryset):
        if "apply" in request.POST:
            form = MergeTargetForm(request.POST)
            if form.is_valid():
                target = form.cleaned_data["target"]
                others = [t for t in queryset if t.pk != target.pk]
                names = "、".join(t.name for t in others)
                with transaction.atomic():
                    moved = target.merge(others)
                self.log_change(request, target, f"合并了标签：{names}")
                self.message_user(
                    request,
                    _("已把 %(names)s 合并到“%(target)s”（涉及 %(count)d 篇文章）。")
                    % {"names": names, "target": target.name, "count": moved},
                )
                return None
        else:
            form = MergeTargetForm(initial={"target": queryset.first()})
        form.fields["target"].queryset = queryset
        context = {
            **self.admin_site.each_context(request),
            "title": _("合并标签"),
            "essays": queryset,
            "form": form,
            "action": "merge_tags",
            "note": _("所选标签的文章都会加上目标标签，其余标签删除，旧链接跳转到目标标签。"),
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/essays/essay/action_form.html", context)


@admin.register(TagAlias)
class TagAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "tag"]
    search_fields = ["name", "tag__name"]
    autocomplete_fields = ["tag"]
