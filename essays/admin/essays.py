"""The essay: its changelist columns, its change form, and the
per-essay pages (add a suggested tag, revert to the imported text)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from essays.admin.actions import BulkActions
from essays.admin.duplicates import DuplicateReview
from essays.admin.filters import CuratedFilter, DuplicateFilter, TagPresenceFilter
from essays.admin.history import EssayHistory
from essays.admin.queues import QueueFilter, ReviewQueues
from essays.admin.repair import EssayRepair
from essays.admin.tags import split_tag_names, tags_named
from essays.models import Essay, one_history_row
from essays.textutil import suggest_tags


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


@admin.register(Essay)
class EssayAdmin(EssayHistory, EssayRepair, ReviewQueues, DuplicateReview, BulkActions, admin.ModelAdmin):
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

    # -- extra pages --

    def get_urls(self):
        own = [
            path("<int:pk>/add-tag/", self.admin_site.admin_view(self.add_tag_view), name="essays_essay_add_tag"),
            path("<int:pk>/revert/", self.admin_site.admin_view(self.revert_view), name="essays_essay_revert"),
        ]
        return own + super().get_urls()

    def add_tag_view(self, request, pk):
        essay = get_object_or_404(Essay, pk=pk)
        change_url = reverse("admin:essays_essay_change", args=[pk])
        if not self.has_change_permission(request, essay):
            raise PermissionDenied
        if request.method != "POST":
            return redirect(change_url)
        names = split_tag_names(request.POST.get("tag", ""))
        if names:
            with one_history_row(essay, f"加上标签：{'、'.join(names)}"):
                essay.tags.add(*tags_named(names))
                essay.save(update_fields=["updated"])
            self.log_change(request, essay, f"加上标签：{'、'.join(names)}")
            self.message_user(request, _("已加上标签：%(names)s。") % {"names": "、".join(names)})
        return redirect(change_url)
