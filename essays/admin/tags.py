"""Tags: naming them from what a curator types, renaming (old links
redirect) and merging."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from archive.cleaning import clean_text
from essays import freshness, tagging
from essays.models import Essay, Tag, TagAlias, TagReview, readable_q, readable_tag_counts


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


def tag_uses() -> dict[str, int]:
    """Each tag's name and how many readable essays carry it (tags on none
    left out), counted once per content version and process from the
    tag-essay index (``readable_tag_counts``: 23 ms at 100,000 essays, where
    reading every readable essay's tags took 0.4 s): callers must not
    change it."""
    return freshness.latest("tag-uses", _count_tag_uses)


def _count_tag_uses() -> dict[str, int]:
    counts = {pk: n for pk, n in readable_tag_counts().items() if n}
    names = Tag.objects.filter(pk__in=list(counts)).values_list("pk", "name") if counts else []
    return {name: counts[pk] for pk, name in names}


def _tag_queues() -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """The tags on one readable essay (name: that essay), and the pairs of
    tags whose names overlap (keep, fold, shared essays): once per content
    version and process, the essays read of those tags only."""
    return freshness.latest("tag-queues", _read_tag_queues)


def _read_tag_queues():
    uses = tag_uses()
    once = [name for name, n in uses.items() if n == 1]
    paired = {name for pair in tagging.merge_pairs(uses) for name in pair}
    essays = readable_essays_of(set(once) | paired)
    used_once = {name: next(iter(essays[name])) for name in once if essays.get(name)}
    return used_once, tagging.merge_suggestions({name: essays.get(name, set()) for name in paired})


# Tags asked for in one statement (SQLite takes 32,766 parameters at most).
TAGS_PER_STATEMENT = 500


def readable_essays_of(names: set[str]) -> dict[str, set[int]]:
    """The readable essays of the tags ``names``: their links, less those of
    the few essays readers do not see (as ``readable_tag_counts``)."""
    found: dict[str, set[int]] = {}
    names = sorted(names)
    unseen = Essay.objects.exclude(readable_q()).values("pk")
    links = Essay.tags.through.objects.exclude(essay__in=unseen)
    for start in range(0, len(names), TAGS_PER_STATEMENT):
        chunk = names[start : start + TAGS_PER_STATEMENT]
        for name, pk in links.filter(tag__name__in=chunk).values_list("tag__name", "essay_id"):
            found.setdefault(name, set()).add(pk)
    return found


def tags_used_once() -> list[tuple[Tag, Essay]]:
    """Tags that group a single readable essay, with that essay; not those
    a curator kept as they are."""
    kept = set(TagReview.objects.filter(other__isnull=True).values_list("tag__name", flat=True))
    once = {name: pk for name, pk in _tag_queues()[0].items() if name not in kept}
    tags = Tag.objects.in_bulk(list(once), field_name="name")
    found = Essay.objects.only("pk", "title").in_bulk(list(once.values()))
    return [(tags[name], found[pk]) for name, pk in sorted(once.items()) if name in tags and pk in found]


def merge_suggestions() -> list[dict]:
    """Pairs of tags whose names overlap (北京/北京市), for the curators."""
    pairs = _tag_queues()[1]
    uses = tag_uses()
    tags = Tag.objects.in_bulk(
        list({name for keep, fold, _shared in pairs for name in (keep, fold)}), field_name="name"
    )
    apart = {
        frozenset(pair) for pair in TagReview.objects.filter(other__isnull=False).values_list("tag_id", "other_id")
    }
    return [
        {"keep": tags[keep], "fold": tags[fold], "shared": shared, "keep_count": uses[keep], "fold_count": uses[fold]}
        for keep, fold, shared in pairs
        if keep in tags and fold in tags and frozenset((tags[keep].pk, tags[fold].pk)) not in apart
    ]


def tag_queue_counts() -> list[tuple[str, str, int]]:
    """The tag queues' sizes for the admin's index."""
    return [
        ("used_once", _("只用在一篇文章上的标签"), len(tags_used_once())),
        ("merge", _("可合并的标签"), len(merge_suggestions())),
    ]


class TagUseFilter(admin.SimpleListFilter):
    title = _("使用情况")
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return [("once", _("只用在一篇文章上")), ("none", _("不在任何可读文章上"))]

    def queryset(self, request, queryset):
        if self.value() == "once":
            return queryset.filter(pk__in=[tag.pk for tag, _essay in tags_used_once()])
        if self.value() == "none":
            unseen = Essay.objects.exclude(readable_q()).values("pk")
            return queryset.exclude(pk__in=Essay.tags.through.objects.exclude(essay__in=unseen).values("tag_id"))
        return queryset


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "essay_count", "aliases_list"]
    list_filter = [TagUseFilter]
    search_fields = ["name", "aliases__name"]
    actions = ["merge_tags"]
    inlines = [AliasInline]
    change_list_template = "admin/essays/tag/change_list.html"

    def get_urls(self):
        own = [
            path("review/", self.admin_site.admin_view(self.review_view), name="essays_tag_review"),
            path("review/merge/", self.admin_site.admin_view(self.merge_view), name="essays_tag_merge_pair"),
            path("review/keep/", self.admin_site.admin_view(self.keep_view), name="essays_tag_keep"),
        ]
        return own + super().get_urls()

    def review_view(self, request):
        """The tags' queue: tags that group one essay, and names that overlap."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("标签待处理"),
            "used_once": tags_used_once(),
            "suggestions": merge_suggestions(),
            "can_change": self.has_change_permission(request),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/tag/review.html", context)

    def keep_view(self, request):
        """Keep a tag used once, or two overlapping tags apart: they leave
        the tags' queue."""
        if request.method != "POST":
            return redirect("admin:essays_tag_review")
        if not self.has_change_permission(request):
            raise PermissionDenied
        tag = get_object_or_404(Tag, pk=request.POST.get("tag"))
        other = get_object_or_404(Tag, pk=request.POST["other"]) if request.POST.get("other") else None
        TagReview.objects.get_or_create(tag=tag, other=other, defaults={"user": request.user})
        if other:
            self.log_change(request, tag, f"与“{other.name}”保持分开")
            message = _("“%(tag)s”和“%(other)s”保持分开。") % {"tag": tag.name, "other": other.name}
        else:
            self.log_change(request, tag, "只用在一篇文章上：保留")
            message = _("保留标签“%(tag)s”。") % {"tag": tag.name}
        self.message_user(request, message)
        return redirect("admin:essays_tag_review")

    def merge_view(self, request):
        if request.method != "POST":
            return redirect("admin:essays_tag_review")
        if not self.has_change_permission(request):
            raise PermissionDenied
        keep = get_object_or_404(Tag, pk=request.POST.get("keep"))
        fold = get_object_or_404(Tag, pk=request.POST.get("fold"))
        if keep.pk != fold.pk:
            with transaction.atomic():
                moved = keep.merge([fold])
            self.log_change(request, keep, f"合并了标签：{fold.name}")
            self.message_user(
                request,
                _("已把 %(names)s 合并到“%(target)s”（涉及 %(count)d 篇文章）。")
                % {"names": fold.name, "target": keep.name, "count": moved},
            )
        return redirect("admin:essays_tag_review")

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
