"""List filters of the essay changelist."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from essays import freshness
from essays.models import Essay, SourceFile, Tag, readable_tag_counts, tagged


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
            return queryset.filter(~tagged())
        if self.value() == "yes":
            return queryset.filter(tagged())
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
        # Asking it reads every row and digests every text (1.7 s at 100,000
        # essays): once per content version and process, not once for the
        # count and again for the page on every view; in no order (sorted by
        # collection it took 0.8 s more).
        curated = freshness.latest(
            "curated-essays", lambda: list(Essay.objects.curated().order_by().values_list("pk", flat=True))
        )
        if self.value() == "yes":
            return queryset.among(curated)
        return queryset.exclude(pk__in=Essay.objects.among(curated).values("pk"))


class SearchBoxFilter(admin.SimpleListFilter):
    """A few values as links and a search box for the rest: never hundreds
    of links, nor a query reading every row to list them."""

    template = "admin/essays/essay/search_filter.html"
    shown = 15
    completes = False  # a datalist of every value (all_names) under the box

    def __init__(self, request, params, model, model_admin):
        self.request = request
        super().__init__(request, params, model, model_admin)

    def kept_params(self):
        """The list's other parameters, kept by the search box's form."""
        return [
            (key, value)
            for key, values in self.request.GET.lists()
            if key not in (self.parameter_name, "p")
            for value in values
        ]


class TagFilter(SearchBoxFilter):
    """The most used tags as links, and a search box (completed from every
    tag's name) for the rest."""

    title = _("标签")
    parameter_name = "tag"
    input_id = "tag-filter-input"
    search_label = _("找标签")
    completes = True

    def lookups(self, request, model_admin):
        # Counted over every essay the list shows: once per content version
        # (183 ms of the list's 450 at 100,000 essays), not on every view.
        top = freshness.cached(f"admin-top-tags:{self.shown}", self.most_used)
        choices = [(name, f"{name}（{count}）") for name, count in top]
        if self.value() and self.value() not in {name for name, _label in choices}:
            choices.append((self.value(), self.value()))
        return choices

    def most_used(self) -> list[tuple[str, int]]:
        """The ``shown`` tags on most essays that are not hidden, with their counts."""
        # From the tag-essay index, less the hidden essays' links: joined to
        # every essay, the count took 172 ms at 100,000 essays.
        counts = {pk: n for pk, n in readable_tag_counts(unseen=Q(status=Essay.Status.HIDDEN)).items() if n}
        names = dict(Tag.objects.filter(pk__in=counts).values_list("pk", "name"))
        top = sorted(counts, key=lambda pk: (-counts[pk], names.get(pk, "")))[: self.shown]
        return [(names[pk], counts[pk]) for pk in top if pk in names]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__name=self.value())
        return queryset

    def all_names(self):
        return Tag.objects.order_by("name").values_list("name", flat=True)


class CollectionFilter(SearchBoxFilter):
    """The latest collections as links (what a curator just imported), and a
    search box for any other by a part of its title or file name. Django's
    own filter for the field listed every collection, each read whole (its
    raw text too): 2,000 collections cost the list 350 ms."""

    title = _("合集")
    parameter_name = "collection"
    input_id = "collection-filter-input"
    search_label = _("找合集（标题或文件名）")

    def lookups(self, request, model_admin):
        latest = list(
            SourceFile.objects.order_by("-imported_at", "name").values_list("pk", "key", "title")[: self.shown]
        )
        counts = Essay.objects.filter(source__in=[pk for pk, _key, _title in latest]).counts_by("source")
        choices = [(key, f"{title}（{counts.get(pk, 0)}）") for pk, key, title in latest]
        value = self.value()
        if value and value not in {key for key, _label in choices}:
            title = SourceFile.objects.filter(key=value).values_list("title", flat=True).first()
            choices.append((value, title or value))
        return choices

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        if SourceFile.objects.filter(key=value).exists():
            return queryset.filter(source__key=value)
        return queryset.filter(Q(source__title__icontains=value) | Q(source__name__icontains=value))
