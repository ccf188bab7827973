"""The curators' workplace: essays, sections, tags and collections, with
review queues, bulk actions, duplicate review and uploads."""

from __future__ import annotations

import difflib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from archive.cleaning import clean_text
from essays.importer import FileReport, Importer, ImportReport
from essays.models import Essay, Section, SourceFile, Tag, TagAlias
from essays.textutil import compact, similarity, suggest_tags

admin.site.site_header = _("文集 · 策展")
admin.site.site_title = _("文集策展")
admin.site.index_title = _("策展工作台")


def split_tag_names(raw: str) -> list[str]:
    """Tag names typed by a curator: separated by commas (either width),
    顿号 or spaces; control characters (a NUL PostgreSQL would refuse) are
    dropped."""
    raw = clean_text(raw, None)
    for sep in ("，", "、", ";", "；", "\n"):
        raw = raw.replace(sep, ",")
    names = []
    for chunk in raw.split(","):
        names.extend(chunk.split())
    return [n.strip()[:50] for n in dict.fromkeys(names) if n.strip()]


def tags_named(names: list[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in names]


# -- queues: the one definition of "needs a curator" ---------------------------------

REVIEW_QUEUES = {
    "placeholders": (_("含匿名占位符"), Q(has_placeholders=True)),
    "near_duplicates": (_("疑似重复"), Q(near_duplicate_of__isnull=False, duplicate_of__isnull=True)),
    "untagged": (_("没有标签"), Q(tags__isnull=True)),
    "no_section": (_("没有栏目"), Q(section__isnull=True)),
    "derived_titles": (_("标题由正文生成"), Q(title_derived=True)),
}


def queue_queryset(key: str):
    return Essay.objects.filter(REVIEW_QUEUES[key][1]).exclude(status=Essay.Status.HIDDEN).distinct()


def queue_counts() -> list[tuple[str, str, int]]:
    return [(key, label, queue_queryset(key).count()) for key, (label, _q) in REVIEW_QUEUES.items()]


# -- filters ------------------------------------------------------------------------------


class DuplicateFilter(admin.SimpleListFilter):
    title = _("重复")
    parameter_name = "dup"

    def lookups(self, request, model_admin):
        return [
            ("copy", _("是重复副本")),
            ("has", _("有重复副本")),
            ("near", _("疑似重复")),
            ("none", _("不重复")),
        ]

    def queryset(self, request, queryset):
        has_copies = Exists(Essay.objects.filter(duplicate_of=OuterRef("pk")))
        match self.value():
            case "copy":
                return queryset.filter(duplicate_of__isnull=False)
            case "has":
                return queryset.filter(has_copies)
            case "near":
                return queryset.filter(near_duplicate_of__isnull=False)
            case "none":
                return queryset.filter(duplicate_of__isnull=True, near_duplicate_of__isnull=True).exclude(has_copies)
        return queryset


class TagPresenceFilter(admin.SimpleListFilter):
    title = _("标签情况")
    parameter_name = "tagged"

    def lookups(self, request, model_admin):
        return [("no", _("没有标签")), ("yes", _("有标签"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(tags__isnull=True)
        if self.value() == "yes":
            return queryset.filter(tags__isnull=False).distinct()
        return queryset


class CuratedFilter(admin.SimpleListFilter):
    """Essays where a curator changed something the importer wrote."""

    title = _("策展人改动")
    parameter_name = "curated"

    def lookups(self, request, model_admin):
        return [("yes", _("已改动")), ("no", _("未改动"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        # Compared in Python: the snapshot is JSON and tags are a relation.
        pks = [
            e.pk
            for e in queryset.prefetch_related("tags").select_related("section", "duplicate_of")
            if e.curated_fields()
        ]
        return queryset.filter(pk__in=pks) if self.value() == "yes" else queryset.exclude(pk__in=pks)


class QueueFilter(admin.SimpleListFilter):
    title = _("待处理")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _q) in REVIEW_QUEUES.items()]

    def queryset(self, request, queryset):
        if self.value() in REVIEW_QUEUES:
            return queryset.filter(pk__in=queue_queryset(self.value()).values("pk"))
        return queryset


# -- forms ----------------------------------------------------------------------------------


class EssayForm(forms.ModelForm):
    text = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField", "lang": "zh"}),
        help_text=_("段与段之间空一行。"),
    )
    new_tags = forms.CharField(
        label=_("新增标签"),
        required=False,
        help_text=_("输入新标签名，用逗号或空格分隔；保存时创建并加上。"),
    )

    class Meta:
        model = Essay
        fields = ["title", "author", "section", "tags", "status", "featured", "duplicate_of", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["text"] = "\n\n".join(self.instance.paragraphs)

    def clean_text(self):
        paragraphs = [line.strip() for line in self.cleaned_data["text"].splitlines() if line.strip()]
        if not paragraphs:
            raise forms.ValidationError(_("正文不能为空。"))
        return "\n".join(paragraphs)

    def clean_duplicate_of(self):
        original = self.cleaned_data.get("duplicate_of")
        if original and self.instance.pk and original.pk == self.instance.pk:
            raise forms.ValidationError(_("文章不能是自己的重复副本。"))
        if original and original.duplicate_of_id:
            original = original.duplicate_of  # point at the main copy, never a chain
        return original


class SectionChoiceForm(forms.Form):
    section = forms.ModelChoiceField(
        Section.objects.all(), label=_("栏目"), required=False, empty_label=_("（无栏目）")
    )


class TagNamesForm(forms.Form):
    # The browser completes names from the <datalist> of existing tags that
    # the action page renders.
    names = forms.CharField(
        label=_("标签"),
        help_text=_("用逗号或空格分隔多个标签。"),
        widget=forms.TextInput(attrs={"list": "tag-names", "autocomplete": "off", "size": 40}),
    )


class DuplicateTargetForm(forms.Form):
    original = forms.ModelChoiceField(
        Essay.objects.filter(duplicate_of__isnull=True), label=_("主本"), widget=forms.TextInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original"].help_text = _("主本的链接键（文章网址中的那一段）。")
        self.fields["original"].to_field_name = "key"


class MergeTargetForm(forms.Form):
    target = forms.ModelChoiceField(Tag.objects.all(), label=_("合并到"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        # Empty files go through: the importer refuses them with its reason.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("文本文件"),
        help_text=_("可一次选择多个 .txt 文件；与 import_seeds 使用同一个导入程序。"),
    )


# -- essays -----------------------------------------------------------------------------------


@admin.register(Essay)
class EssayAdmin(admin.ModelAdmin):
    form = EssayForm
    list_display = [
        "title",
        "collection",
        "position",
        "section",
        "status",
        "tag_list",
        "is_duplicate",
        "has_placeholders",
        "char_count",
        "updated",
    ]
    list_display_links = ["title"]
    list_filter = [
        QueueFilter,
        "status",
        "section",
        ("tags", admin.RelatedOnlyFieldListFilter),
        "source",
        DuplicateFilter,
        "has_placeholders",
        TagPresenceFilter,
        CuratedFilter,
        "featured",
    ]
    list_select_related = ["source", "section", "duplicate_of"]
    list_per_page = 100
    search_fields = ["title", "text", "author", "key", "tags__name"]
    autocomplete_fields = ["tags", "duplicate_of", "section"]
    readonly_fields = [
        "public_link",
        "curated",
        "near_duplicate_link",
        "suggested_tags",
        "source_file",
        "position",
        "imported_at",
        "imported_text_view",
    ]
    fieldsets = [
        (None, {"fields": ["public_link", "title", "author", "section", "tags", "new_tags", "suggested_tags"]}),
        (_("发布"), {"fields": ["status", "featured", "duplicate_of", "near_duplicate_link", "curated"]}),
        (_("正文"), {"fields": ["text"]}),
        (
            _("来源"),
            {"classes": ["collapse"], "fields": ["source_file", "position", "imported_at", "imported_text_view"]},
        ),
    ]
    actions = ["publish", "hide", "set_section", "add_tags", "remove_tags", "mark_duplicate", "clear_duplicate"]
    change_form_template = "admin/essays/essay/change_form.html"
    change_list_template = "admin/essays/essay/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    # -- columns --

    @admin.display(description=_("合集"), ordering="source__name")
    def collection(self, essay):
        return essay.source.title

    @admin.display(description=_("标签"))
    def tag_list(self, essay):
        return "、".join(tag.name for tag in essay.tags.all())

    @admin.display(description=_("重复"), boolean=True, ordering="duplicate_of")
    def is_duplicate(self, essay):
        return essay.duplicate_of_id is not None

    @admin.display(description=_("公开链接"))
    def public_link(self, essay):
        if not essay.pk:
            return "-"
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', essay.get_absolute_url())

    @admin.display(description=_("策展人接管的字段"))
    def curated(self, essay):
        fields = essay.curated_fields()
        if not fields:
            return _("无：重新导入会按源文件更新此文。")
        names = {f.name: f.verbose_name for f in Essay._meta.get_fields() if hasattr(f, "verbose_name")}
        return format_html(
            "{}<br><small>{}</small>",
            "、".join(str(names.get(f, f)) for f in fields),
            _("重新导入时这些字段保持不变。"),
        )

    @admin.display(description=_("疑似重复于"))
    def near_duplicate_link(self, essay):
        if not essay.near_duplicate_of_id:
            return "-"
        url = reverse("admin:essays_essay_duplicates") + f"?essay={essay.pk}"
        return format_html(
            '<a href="{}">{}</a>（{}%）',
            url,
            essay.near_duplicate_of.title,
            round((essay.similarity or 0) * 100),
        )

    @admin.display(description=_("建议标签"))
    def suggested_tags(self, essay):
        if not essay.pk:
            return "-"
        have = {tag.name for tag in essay.tags.all()}
        names = [n for n in suggest_tags(essay.title, essay.text, limit=8) if n not in have]
        if not names:
            return _("暂无新的建议。")
        url = reverse("admin:essays_essay_add_tag", args=[essay.pk])
        return format_html_join(
            " ",
            '<button type="submit" class="button suggested-tag" form="add-tag-form" formaction="{}" name="tag" value="{}">+ {}</button>',
            ((url, name, name) for name in names),
        )

    @admin.display(description=_("源文件"))
    def source_file(self, essay):
        url = reverse("admin:essays_sourcefile_change", args=[essay.source_id])
        return format_html('<a href="{}">{}</a>（{}）', url, essay.source.name, essay.source.title)

    @admin.display(description=_("导入时间"))
    def imported_at(self, essay):
        return essay.source.imported_at

    @admin.display(description=_("导入的正文"))
    def imported_text_view(self, essay):
        return format_html('<div class="imported-text" lang="zh">{}</div>', essay.imported_text or "-")

    # -- saving --

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        names = split_tag_names(form.cleaned_data.get("new_tags", ""))
        if names:
            form.instance.tags.add(*tags_named(names))

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if form.cleaned_data.get("new_tags"):
            message.append({"changed": {"fields": [str(_("标签"))]}})
        return message

    # -- actions --

    def _log(self, request, essays, message: str):
        for essay in essays:
            self.log_change(request, essay, message)

    @admin.action(description=_("发布所选文章"), permissions=["change"])
    def publish(self, request, queryset):
        essays = list(queryset.exclude(status=Essay.Status.PUBLISHED))
        for essay in essays:
            essay.status = Essay.Status.PUBLISHED
            essay.save(update_fields=["status", "updated"])
        self._log(request, essays, "状态：已发布")
        self.message_user(request, ngettext("已发布 %d 篇文章。", "已发布 %d 篇文章。", len(essays)) % len(essays))

    @admin.action(description=_("隐藏所选文章"), permissions=["change"])
    def hide(self, request, queryset):
        essays = list(queryset.exclude(status=Essay.Status.HIDDEN))
        for essay in essays:
            essay.status = Essay.Status.HIDDEN
            essay.save(update_fields=["status", "updated"])
        self._log(request, essays, "状态：已隐藏")
        self.message_user(request, ngettext("已隐藏 %d 篇文章。", "已隐藏 %d 篇文章。", len(essays)) % len(essays))

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

    @admin.action(description=_("设置栏目…"), permissions=["change"])
    def set_section(self, request, queryset):
        if "apply" in request.POST:
            form = SectionChoiceForm(request.POST)
            if form.is_valid():
                section = form.cleaned_data["section"]
                essays = [e for e in queryset if e.section_id != (section.pk if section else None)]
                for essay in essays:
                    essay.section = section
                    essay.save(update_fields=["section", "updated"])
                self._log(request, essays, f"栏目：{section or '无'}")
                self.message_user(
                    request,
                    _("已把 %(count)d 篇文章放入栏目“%(section)s”。")
                    % {"count": len(essays), "section": section or _("无栏目")},
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
                        (essay.tags.add if adding else essay.tags.remove)(*delta)
                        essay.save(update_fields=["updated"])
                        verb = "加上标签" if adding else "去掉标签"
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

    @admin.action(description=_("标记为某篇的重复副本…"), permissions=["change"])
    def mark_duplicate(self, request, queryset):
        if "apply" in request.POST:
            form = DuplicateTargetForm(request.POST)
            if form.is_valid():
                original = form.cleaned_data["original"]
                essays = [e for e in queryset if e.pk != original.pk and e.duplicate_of_id != original.pk]
                for essay in essays:
                    essay.duplicate_of = original
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
            essay.save(update_fields=["duplicate_of", "near_duplicate_of", "similarity", "updated"])
        self._log(request, essays, "取消重复标记")
        self.message_user(
            request, ngettext("已取消 %d 篇文章的重复标记。", "已取消 %d 篇文章的重复标记。", len(essays)) % len(essays)
        )

    # -- extra pages --

    def get_urls(self):
        own = [
            path("review/", self.admin_site.admin_view(self.review_view), name="essays_essay_review"),
            path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name="essays_essay_duplicates"),
            path(
                "duplicates/<int:pk>/keep/",
                self.admin_site.admin_view(self.keep_main_view),
                name="essays_essay_keep_main",
            ),
            path("<int:pk>/add-tag/", self.admin_site.admin_view(self.add_tag_view), name="essays_essay_add_tag"),
            path("<int:pk>/revert/", self.admin_site.admin_view(self.revert_view), name="essays_essay_revert"),
        ]
        return own + super().get_urls()

    def review_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        queues = []
        for key, label, count in queue_counts():
            url = reverse("admin:essays_essay_changelist") + f"?queue={key}"
            queues.append({"key": key, "label": label, "count": count, "url": url, "items": queue_queryset(key)[:10]})
        context = {
            **self.admin_site.each_context(request),
            "title": _("待处理队列"),
            "queues": queues,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/essay/review.html", context)

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
                other.save(update_fields=["duplicate_of", "near_duplicate_of", "similarity", "updated"])
                changed.append(other)
            essay.duplicate_of = None
            essay.near_duplicate_of = None
            essay.similarity = None
            essay.save(update_fields=["duplicate_of", "near_duplicate_of", "similarity", "updated"])
        self._log(request, changed, f"重复于：{essay.key}")
        self.log_change(request, essay, "设为主本")
        self.message_user(
            request,
            _("《%(title)s》现在是主本；%(count)d 篇副本指向它。") % {"title": essay.title, "count": len(changed)},
        )
        return redirect("admin:essays_essay_duplicates")

    def add_tag_view(self, request, pk):
        essay = get_object_or_404(Essay, pk=pk)
        change_url = reverse("admin:essays_essay_change", args=[pk])
        if not self.has_change_permission(request, essay):
            raise PermissionDenied
        if request.method != "POST":
            return redirect(change_url)
        names = split_tag_names(request.POST.get("tag", ""))
        if names:
            essay.tags.add(*tags_named(names))
            essay.save(update_fields=["updated"])
            self.log_change(request, essay, f"加上标签：{'、'.join(names)}")
            self.message_user(request, _("已加上标签：%(names)s。") % {"names": "、".join(names)})
        return redirect(change_url)

    def revert_view(self, request, pk):
        essay = get_object_or_404(Essay, pk=pk)
        change_url = reverse("admin:essays_essay_change", args=[pk])
        if not self.has_change_permission(request, essay):
            raise PermissionDenied
        if request.method != "POST":
            return redirect(change_url)
        if essay.imported_text and essay.text != essay.imported_text:
            essay.text = essay.imported_text
            essay.save(update_fields=["text", "updated"])
            self.log_change(request, essay, [{"changed": {"fields": [str(_("正文"))]}}])
            self.message_user(request, _("正文已恢复为导入时的文本。"))
        else:
            self.message_user(request, _("正文与导入时相同，无需恢复。"), level=messages.INFO)
        return redirect(change_url)


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
            if i2 > i1:
                left.append(format_html("<del>{}</del>", a[i1:i2]))
            if j2 > j1:
                right.append(format_html("<ins>{}</ins>", b[j1:j2]))
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


# -- sections, tags, collections --------------------------------------------------------------


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "essay_count", "description"]
    list_editable = ["order"]
    prepopulated_fields = {}
    search_fields = ["name", "keywords"]
    fields = ["name", "slug", "order", "description", "keywords"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(essay_count=Count("essays", distinct=True))

    @admin.display(description=_("文章数"), ordering="essay_count")
    def essay_count(self, section):
        return section.essay_count


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


class EssayInline(admin.TabularInline):
    model = Essay
    fields = ["position", "title", "status", "section", "char_count"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SourceFile)
class SourceFileAdmin(admin.ModelAdmin):
    list_display = ["title", "name", "essay_count", "encoding", "size", "imported_at"]
    search_fields = ["name", "title", "intro"]
    readonly_fields = ["name", "key", "sha256", "encoding", "size", "imported_at", "statistics", "raw_text_view"]
    fields = ["title", "intro", "author", *readonly_fields]
    inlines = [EssayInline]
    change_list_template = "admin/essays/sourcefile/change_list.html"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(essay_count=Count("essays", distinct=True))

    @admin.display(description=_("文章数"), ordering="essay_count")
    def essay_count(self, source):
        return source.essay_count

    @admin.display(description=_("统计"))
    def statistics(self, source):
        stats = source.essays.aggregate(
            total=Count("pk"),
            published=Count("pk", filter=Q(status=Essay.Status.PUBLISHED)),
            duplicates=Count("pk", filter=Q(duplicate_of__isnull=False)),
            placeholders=Count("pk", filter=Q(has_placeholders=True)),
            chars=models.Sum("char_count"),
        )
        return _(
            "%(total)d 篇，已发布 %(published)d 篇，重复 %(duplicates)d 篇，含占位符 %(placeholders)d 篇，共 %(chars)s 字"
        ) % {
            **stats,
            "chars": stats["chars"] or 0,
        }

    @admin.display(description=_("原始文本"))
    def raw_text_view(self, source):
        return format_html('<pre class="raw-text" lang="zh">{}</pre>', source.raw_text)

    def has_add_permission(self, request):
        # Collections come from files: the upload page, not an empty form.
        return False

    def get_urls(self):
        own = [path("upload/", self.admin_site.admin_view(self.upload_view), name="essays_sourcefile_upload")]
        return own + super().get_urls()

    def upload_view(self, request):
        if not request.user.has_perm("essays.add_sourcefile"):
            messages.error(request, _("你没有上传文件的权限。"))
            return HttpResponseRedirect(reverse("admin:essays_sourcefile_changelist"))
        report = None
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                importer = Importer()
                report = ImportReport()
                for upload in form.cleaned_data["files"]:
                    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
                    if not name.lower().endswith(".txt"):
                        report.files.append(FileReport(name=name, reason=_("不是 .txt 文件")))
                        continue
                    data = upload.read(importer.max_bytes + 1)
                    report.files.append(importer.import_bytes(name, data))
                importer.finish(report)
                for file_report in report.files:
                    if file_report.status != "failed":
                        source = SourceFile.objects.filter(name=file_report.name).first()
                        if source:
                            self.log_addition(request, source, [{"added": {}}])
                form = UploadForm()
        else:
            form = UploadForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("上传文本文件"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/sourcefile/upload.html", context)


@admin.register(TagAlias)
class TagAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "tag"]
    search_fields = ["name", "tag__name"]
    autocomplete_fields = ["tag"]
