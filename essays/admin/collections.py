"""Collections (source files): their essays, raw text and statistics."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from essays.admin.recut import Recut
from essays.admin.uploads import Uploads
from essays.models import Essay, SourceFile


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
class SourceFileAdmin(Recut, Uploads, admin.ModelAdmin):
    list_display = ["title", "name", "essay_count", "encoding", "size", "imported_at"]
    search_fields = ["name", "title", "intro"]
    readonly_fields = ["name", "key", "sha256", "encoding", "size", "imported_at", "statistics", "raw_text_view"]
    fields = ["title", "intro", "author", *readonly_fields]
    inlines = [EssayInline]
    change_list_template = "admin/essays/sourcefile/change_list.html"
    change_form_template = "admin/essays/sourcefile/change_form.html"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}

    def get_queryset(self, request):
        # Each collection's essays counted through the essays' index on
        # their collection, one look per collection shown (a join grouped
        # by every column, the raw text included, read all of them).
        essays = Essay.objects.filter(source=OuterRef("pk")).order_by().values("source")
        counted = (
            super()
            .get_queryset(request)
            .annotate(essay_count=Coalesce(Subquery(essays.annotate(n=Count("pk")).values("n")), 0))
        )
        if request.resolver_match and request.resolver_match.url_name == "essays_sourcefile_changelist":
            # The list shows no file's text: a page of rows, not a page of files.
            counted = counted.defer("raw_text", "previous_cut", "curated_cut")
        return counted

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
