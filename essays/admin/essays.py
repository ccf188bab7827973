"""The essay: its changelist columns, its change form, and the
per-essay pages (add a suggested tag, revert to the imported text)."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from essays import retagging
from essays.admin.actions import BulkActions
from essays.admin.duplicates import DuplicateReview
from essays.admin.filters import CollectionFilter, CuratedFilter, DuplicateFilter, TagFilter, TagPresenceFilter
from essays.admin.history import EssayHistory
from essays.admin.queues import QueueFilter, ReviewQueues, queue_label, queues_of
from essays.admin.repair import EssayRepair
from essays.admin.tags import split_tag_names, tags_named
from essays.models import Essay, QueueReview, Tag, one_history_row, readable_q
from essays.paging import KeysFirstPaginator
from essays.search.engine import SearchUnavailable, holds_every_readable_essay, run_search
from essays.search.tiers import SearchRequest
from essays.search.tokens import fold, parse_query, project

# At most this many of the public search's hits are taken into the admin's
# (20,000 hits: 9 ms from the engine); a word found in more is searched for
# in every text.
ADMIN_SEARCH_LIMIT = 100_000

# Tags shown in a changelist row; the rest are counted (+N).
TAGS_SHOWN = 3


def substring_matches(essays, term: str) -> set[int]:
    """The primary keys of ``essays`` holding each word of ``term`` (split
    as the admin splits it: spaces, or quotes around a phrase) in the title,
    text, author, key or a tag's name, in one statement. The tags are asked
    for through a subquery: joined, every text was read once per tag."""
    tags = Essay.tags.through.objects
    every_word = Q()
    for word in smart_split(term):
        if word[:1] in ("'", '"') and word[0] == word[-1]:
            word = unescape_string_literal(word)
        if not word:
            continue
        in_tags = tags.filter(tag__name__icontains=word).values("essay_id")
        every_word &= (
            Q(title__icontains=word)
            | Q(text__icontains=word)
            | Q(author__icontains=word)
            | Q(key__icontains=word)
            | Q(pk__in=in_tags)
        )
    return set(essays.filter(every_word).order_by().values_list("pk", flat=True))


def single_characters(query, typed: str) -> set[str]:
    """The query's one-character words, normalised as the engine reads them
    and as typed (a Traditional character, a full-width letter)."""
    singles = {term.text for term in query.terms if len(term.text) == 1}
    return singles | {ch for ch in typed if ch not in singles and project(ch)[0] in singles} if singles else set()


def holding_in_short_fields(characters: set[str]) -> Q:
    """Essays holding any of ``characters`` in their author, key or a tag's
    name, each asked of an index (the partial index of authors, the keys',
    the tags'), never of the table, whose rows carry the texts."""
    essays, tags = Essay.objects.order_by(), Essay.tags.through.objects
    held = Q()
    for ch in sorted(characters):
        held |= (
            Q(pk__in=essays.exclude(author="").filter(author__icontains=ch).values("pk"))
            | Q(pk__in=essays.filter(key__icontains=ch).values("pk"))
            | Q(pk__in=tags.filter(tag__name__icontains=ch).values("essay_id"))
        )
    return held


class EssayListForm(forms.ModelForm):
    """A changelist row's form: the title, edited in place, whole on hover."""

    class Meta:
        model = Essay
        fields = ["title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["title"].widget
        widget.attrs.update({"class": "title-input", "title": self.instance.title, "aria-label": _("标题")})


# The name of a suggested tag's button: the form is saved and the tag added.
SUGGESTED_TAG_FIELD = "_suggested_tag"


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
    # One line per essay at 1366 px: short cells, the full text on hover
    # (title attributes), the title editable in place for fast retitling.
    list_display = ["ref", "title", "section", "status", "tag_cell", "warnings", "char_count", "updated_on"]
    list_display_links = ["ref"]
    list_editable = ["title"]
    list_filter = [
        QueueFilter,
        "status",
        "section",
        TagFilter,
        CollectionFilter,
        DuplicateFilter,
        "has_placeholders",
        TagPresenceFilter,
        CuratedFilter,
        "featured",
    ]
    list_select_related = ["source", "section", "duplicate_of"]
    list_per_page = 100
    paginator = KeysFirstPaginator
    # What the search box reaches (substring_matches searches them; Django shows the box).
    search_fields = ["title", "text", "author", "key", "tags__name"]
    autocomplete_fields = ["tags", "duplicate_of", "section"]
    readonly_fields = [
        "public_link",
        "curated",
        "near_duplicate_link",
        "suggested_tags",
        "queue_reviews",
        "source_file",
        "position",
        "imported_at",
        "imported_text_view",
    ]
    fieldsets = [
        (None, {"fields": ["public_link", "title", "author", "section", "tags", "new_tags", "suggested_tags"]}),
        (
            _("发布"),
            {"fields": ["status", "featured", "duplicate_of", "near_duplicate_link", "curated", "queue_reviews"]},
        ),
        (_("正文"), {"fields": ["text"]}),
        (
            _("来源"),
            {"classes": ["collapse"], "fields": ["source_file", "position", "imported_at", "imported_text_view"]},
        ),
    ]
    actions = [
        "publish",
        "hide",
        "set_section",
        "add_tags",
        "remove_tags",
        "mark_duplicate",
        "clear_duplicate",
        "mark_reviewed",
    ]
    change_form_template = "admin/essays/essay/change_form.html"
    change_list_template = "admin/essays/essay/change_list.html"
    # The save buttons come first in the form, so Enter in a field saves
    # (never a suggested tag's button, which also submits without JavaScript).
    save_on_top = True

    class Media:  # admin.css comes with every admin page (admin/base_site.html)
        js = ["js/admin-essay.js"]

    def get_queryset(self, request):
        reviewed = QueueReview.objects.filter(essay=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .prefetch_related("tags")
            .annotate(
                placeholders_reviewed=Exists(reviewed.filter(queue=QueueReview.Queue.PLACEHOLDERS)),
                near_duplicate_reviewed=Exists(reviewed.filter(queue=QueueReview.Queue.NEAR_DUPLICATES)),
            )
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The page's rows are read by their keys from the list's unfiltered
        # queryset, with the same related rows (KeysFirstPaginator).
        rows_from = self.get_queryset(request).select_related(*self.list_select_related)
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, rows_from=rows_from)

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", EssayListForm)
        return super().get_changelist_form(request, **kwargs)

    # -- columns --

    @admin.display(description=_("编号"), ordering="source__name")
    def ref(self, essay):
        """The collection's file number and the essay's place in it (004·1);
        the collection's title on hover."""
        stem = essay.source.name.split("_", 1)[0].removesuffix(".txt")[:8]
        return format_html('<span title="{}">{}·{}</span>', essay.source.title, stem, essay.position)

    @admin.display(description=_("标签"))
    def tag_cell(self, essay):
        names = [tag.name for tag in essay.tags.all()]
        if not names:
            return format_html('<span class="warning-text">{}</span>', _("没有标签"))
        shown, rest = names[:TAGS_SHOWN], len(names) - TAGS_SHOWN
        more = format_html(' <span class="tag-more">+{}</span>', rest) if rest > 0 else ""
        return format_html('<span class="tag-cell" title="{}">{}{}</span>', "、".join(names), "、".join(shown), more)

    @admin.display(description=_("提醒"), empty_value="")
    def warnings(self, essay):
        """Problems as warnings (⚠ and words), never a green tick."""
        items = []
        if essay.duplicate_of_id:
            items.append(("dup-copy", "", _("重复副本"), essay.duplicate_of.title))
        if essay.has_placeholders:
            if getattr(essay, "placeholders_reviewed", False):
                items.append(("reviewed", "", _("占位符（已看过）"), ""))
            else:
                items.append(("warning-text", "⚠ ", _("占位符"), _("正文含匿名占位符，如 20__年")))
        if essay.near_duplicate_of_id and not essay.duplicate_of_id:
            if getattr(essay, "near_duplicate_reviewed", False):
                items.append(("reviewed", "", _("疑似重复（已看过）"), ""))
            else:
                items.append(("warning-text", "⚠ ", _("疑似重复"), _("与另一篇高度相似")))
        if not items:
            return ""
        return format_html_join(
            " ",
            '<span class="{}" title="{}">{}{}</span>',
            ((cls, hint, icon, text) for cls, icon, text, hint in items),
        )

    @admin.display(description=_("更新"), ordering="updated")
    def updated_on(self, essay):
        when = localtime(essay.updated)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            when.isoformat(),
            date_format(when, "Y-m-d H:i"),
            date_format(when, "m-d"),
        )

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

    @admin.display(description=_("待处理队列"))
    def queue_reviews(self, essay):
        """The queues the essay is in, and who found it fine in which."""
        if not essay.pk:
            return "-"
        waiting = [str(queue_label(key)) for key in queues_of(essay)]
        reviews = essay.reviews.select_related("user")
        done = format_html_join(
            "",
            "<li>{}</li>",
            (
                (
                    _("“%(queue)s”：%(user)s 于 %(at)s 看过，保持原样")
                    % {
                        "queue": r.get_queue_display(),
                        "user": r.user or "-",
                        "at": date_format(localtime(r.at), "Y-m-d H:i"),
                    },
                )
                for r in reviews
            ),
        )
        return format_html(
            "{}{}",
            _("在队列中：%(queues)s") % {"queues": "、".join(waiting)} if waiting else _("不在任何队列中。"),
            format_html("<ul>{}</ul>", done) if done else "",
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
        # The archive's vocabulary first (tags that group essays), then the
        # essay's own terms; never filler or fragments.
        names = retagging.suggestions(essay)
        if not names:
            return _("暂无新的建议。")
        ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        # Buttons of the change form itself: with JavaScript (admin-essay.js)
        # a click puts the tag in the tag fields; without it the click saves
        # the whole form, and the save adds the tag (save_related).
        buttons = format_html_join(
            " ",
            '<button type="submit" class="button suggested-tag" name="{}" value="{}" data-tag-id="{}">+ {}</button>',
            ((SUGGESTED_TAG_FIELD, name, ids.get(name, ""), name) for name in names),
        )
        return format_html(
            '{}<div class="help" id="suggested-tag-status" role="status" data-added="{}"></div>',
            buttons,
            _("已放入标签栏，保存后生效："),
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

    # -- search --

    def get_search_results(self, request, queryset, search_term):
        """What the public search finds for the same words (its engine, so
        Traditional folds to Simplified and words match as they do there),
        plus the substring matches of the words as typed and folded to
        Simplified: hidden and draft essays are not in the public index.

        When the index holds every readable essay, the engine's answer
        stands for them (it finds every one holding the words verbatim, in
        the title, text, author or tags) and only the essays readers do not
        see have their texts read, with every essay's key: a search costs
        about what they cost, not what the archive's texts do. Else, or for
        words the engine reads differently (a single character, punctuation
        alone) or finds in too many essays to list, every text is read."""
        term = search_term.strip()
        if not term:
            return super().get_search_results(request, queryset, search_term)
        query = parse_query(term)
        try:
            hits = run_search(SearchRequest(query, limit=ADMIN_SEARCH_LIMIT))
        except SearchUnavailable:
            hits = None  # logged by run_search; the substring matches still answer
        found = set(hits.pks) if hits is not None else set()
        engine_answers = hits is not None and self._engine_answers_for_readers(query, hits)
        searched = queryset.exclude(readable_q()) if engine_answers else queryset
        variants = list(dict.fromkeys([term, fold(unicodedata.normalize("NFKC", term))]))
        # The engine finds a single character in titles and texts only: the
        # readable essays holding one in their author, key or a tag are
        # searched too (found through indexes; only their texts are read).
        singles = single_characters(query, term) if engine_answers else set()
        holders = queryset.filter(readable_q()).filter(holding_in_short_fields(singles)) if singles else None
        for variant in variants:
            found |= substring_matches(searched, variant)
            if engine_answers:
                found.update(queryset.order_by().filter(key__icontains=variant).values_list("pk", flat=True))
            if holders is not None:
                found |= substring_matches(holders, variant)
        return queryset.among(found), False

    @staticmethod
    def _engine_answers_for_readers(query, hits) -> bool:
        """Whether the engine's hits, with the readable essays holding a
        one-character word in a field the engine does not read it in
        (``holding_in_short_fields``), are every readable essay the
        substring search would find: the engine's verbatim tier (every word
        of two or more letters or digits, in the title, text, author or
        tags; a single character in the title or text), all of its hits
        listed, and an index holding every readable essay."""
        return bool(query.terms) and hits.total <= ADMIN_SEARCH_LIMIT and holds_every_readable_essay()

    # -- saving --

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        names = split_tag_names(form.cleaned_data.get("new_tags", ""))
        names += split_tag_names(request.POST.get(SUGGESTED_TAG_FIELD, ""))
        if names:
            form.instance.tags.add(*tags_named(names))

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if form.cleaned_data.get("new_tags") or request.POST.get(SUGGESTED_TAG_FIELD):
            message.append({"changed": {"fields": [str(_("标签"))]}})
        return message

    def response_change(self, request, obj):
        names = split_tag_names(request.POST.get(SUGGESTED_TAG_FIELD, ""))
        if names:
            # Saved with a suggested tag (no JavaScript): back to the form.
            self.message_user(
                request, _("已保存，并加上标签：%(names)s。") % {"names": "、".join(names)}, messages.SUCCESS
            )
            return redirect(request.path)
        return super().response_change(request, obj)

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
