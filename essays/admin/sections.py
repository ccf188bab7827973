"""Sections: names, order and counts."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from essays.models import Section


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
