"""Search pages: /search/?q= and the autocomplete endpoint /search/suggest/.

Whatever a reader sends (syntax characters, control characters, 10,000
characters, broken UTF-8, any page number) gives a page, never an error: the
query is cleaned and capped by ``essays.search.tokens.parse_query`` and then only
ever used as text."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from archive.ratelimit import limited
from essays.models import Essay, Section, SourceFile, Tag, readable_count, readable_tag_counts
from essays.search import healing, highlighting
from essays.search.engine import SearchUnavailable, run_search
from essays.search.tiers import SearchRequest
from essays.search.tokens import MAX_QUERY_CHARS, clean_query, normalize, parse_query
from essays.views import tag_shelf

PER_PAGE = 20
MAX_PAGE = 500  # deeper pages are not useful and cost the engine
MAX_TAG_FILTERS = 10
SORTS = {"relevance": _("相关度"), "new": _("最新")}
SUGGEST_CHARS = 30
SUGGEST_TITLES = 6
SUGGEST_TAGS = 4


def _page_number(raw) -> int:
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


@dataclass
class Filters:
    tags: list[Tag]
    missing_tags: list[str]
    section: Section | None
    collection: SourceFile | None

    @classmethod
    def from_params(cls, params) -> Filters:
        names = [clean_query(n, 50)[0] for n in params.getlist("tag")]
        names = [n for n in dict.fromkeys(names) if n][:MAX_TAG_FILTERS]
        found = {t.name: t for t in Tag.objects.filter(name__in=names)} if names else {}
        section_slug = clean_query(params.get("section", ""), 50)[0]
        collection_key = clean_query(params.get("collection", ""), 16)[0]
        return cls(
            tags=[found[n] for n in names if n in found],
            missing_tags=[n for n in names if n not in found],
            section=Section.objects.filter(slug=section_slug).first() if section_slug else None,
            collection=SourceFile.objects.filter(key=collection_key).first() if collection_key else None,
        )

    def __bool__(self) -> bool:
        return bool(self.tags or self.missing_tags or self.section or self.collection)

    def request(self, query, **kwargs) -> SearchRequest:
        return SearchRequest(
            query=query,
            tag_ids=[t.pk for t in self.tags],
            section_id=self.section.pk if self.section else None,
            collection_id=self.collection.pk if self.collection else None,
            **kwargs,
        )


def _url(params, drop=None, **changes) -> str:
    """The search URL with the current parameters, less ``drop`` (key,
    value), with ``changes``; the page number is always left out."""
    params = params.copy()
    params.pop("page", None)
    if drop:
        key, value = drop
        params.setlist(key, [v for v in params.getlist(key) if v != value])
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _chips(params, filters: Filters) -> list[tuple[str, str]]:
    chips = [(_("标签：%(name)s") % {"name": t.name}, _url(params, drop=("tag", t.name))) for t in filters.tags]
    chips += [(_("标签：%(name)s") % {"name": n}, _url(params, drop=("tag", n))) for n in filters.missing_tags]
    if filters.section:
        chips.append((_("栏目：%(name)s") % {"name": filters.section.name}, _url(params, section=None)))
    if filters.collection:
        chips.append((_("合集：%(name)s") % {"name": filters.collection.title}, _url(params, collection=None)))
    return chips


def _popular_tags(limit=12):
    return tag_shelf()[:limit]


def _near_terms(query, filters: Filters) -> list[tuple[str, int]]:
    """Parts of a query that finds nothing which do find something alone."""
    candidates: list[str] = []
    for term in query.terms:
        for text in [term.text, *term.words]:
            if text not in candidates:
                candidates.append(text)
    if len(candidates) < 2:
        return []
    near = []
    for text in candidates[:6]:
        hits = run_search(filters.request(parse_query(text), limit=1))
        if hits.total:
            near.append((text, hits.total))
    return near


def _related_tags(query, limit=8):
    needles = [w for w in query.word_list() if len(w) >= 2][:8]
    if not needles:
        return []
    match = Q()
    for needle in needles:
        match |= Q(name__contains=needle)
    return Tag.objects.filter(match).annotate(count=readable_count()).filter(count__gt=0).order_by("-count")[:limit]


@limited("search")
def search(request):
    try:
        response = _search(request)
    except SearchUnavailable:
        # The page still answers, with the box, the help and a 503 that
        # tells crawlers and monitors to come back later; a missing or
        # unreadable index starts being rebuilt at once.
        healing.heal_soon(now=True)
        query = parse_query(request.GET.get("q", ""), MAX_QUERY_CHARS)
        context = {
            "search_query": query.raw,
            "query": query,
            "unavailable": True,
            "filters": Filters.from_params(request.GET),
            "max_query_chars": MAX_QUERY_CHARS,
        }
        response = render(request, "search/search.html", context, status=503)
        response["Retry-After"] = "60"
        return response
    healing.heal_soon()  # now and then: do the index and the database agree?
    return response


def _search(request):
    params = request.GET
    raw = params.get("q", "")
    query = parse_query(raw, MAX_QUERY_CHARS)
    filters = Filters.from_params(params)
    sort = params.get("sort") if params.get("sort") in SORTS else "relevance"
    context = {
        "search_query": query.raw,
        "query": query,
        "filters": filters,
        "chips": _chips(params, filters),
        "sort": sort,
        "sorts": [(key, label, _url(params, sort=key), key == sort) for key, label in SORTS.items()],
        "max_query_chars": MAX_QUERY_CHARS,
        "tag_params": [t.name for t in filters.tags] + filters.missing_tags,
    }
    if not query:
        context["popular_tags"] = _popular_tags()
        context["typed_nothing_searchable"] = bool(query.raw)
        return render(request, "search/search.html", context)

    number = _page_number(params.get("page"))
    if filters.missing_tags:  # a tag that does not exist: nothing can carry it
        hits = None
        total = 0
    else:
        hits = run_search(filters.request(query, sort=sort, offset=(number - 1) * PER_PAGE, limit=PER_PAGE))
        total = hits.total
    paginator = Paginator(range(min(total, MAX_PAGE * PER_PAGE)), PER_PAGE)
    page = paginator.get_page(number)
    if hits is not None and page.number != number:  # past the end: show the last page
        hits = run_search(filters.request(query, sort=sort, offset=(page.number - 1) * PER_PAGE, limit=PER_PAGE))

    essays = []
    if hits is not None and hits.pks:
        # Those the index found that are no longer readable are left out:
        # the index is a moment behind the database.
        found = Essay.objects.results(hits.pks)
        tags = Tag.objects.of_essays([essay.pk for essay in found])
        for essay in found:
            essay.tag_list = tags.get(essay.pk, [])
            essay.title_html = highlighting.highlight(essay.title, query)
            essay.snippet = highlighting.snippet(essay.text, query)
            essays.append(essay)
    context.update(
        total=total,
        exact=hits.exact if hits else 0,
        essays=essays,
        page_obj=page,
        paginator=paginator,
        is_paginated=page.has_other_pages(),
        page_query=_url(params)[1:],
    )
    if not total:
        if filters:
            unfiltered = run_search(SearchRequest(query, limit=1))
            context["without_filters"] = (unfiltered.total, _url(params, tag=None, section=None, collection=None))
        context["near_terms"] = [(text, count, _url(params, q=text)) for text, count in _near_terms(query, filters)]
        context["related_tags"] = _related_tags(query)
        context["popular_tags"] = _popular_tags()
    return render(request, "search/search.html", context)


@require_GET
@limited("suggest", as_json=True)
def suggest(request):
    """Titles and tags for the search box: {"suggestions": [{"kind",
    "label", "url"}]}. Matches raw and Simplified forms of what was typed."""
    text, _ = clean_query(request.GET.get("q", ""), SUGGEST_CHARS)
    suggestions = []
    if text:
        forms = list(dict.fromkeys([text, normalize(text)]))
        names = Q()
        for form in forms:
            names |= Q(name__icontains=form)
        for essay in Essay.objects.readable().titled_with(forms, SUGGEST_TITLES):
            suggestions.append({"kind": "title", "label": essay.title, "url": essay.get_absolute_url()})
        # Counted from the tag-essay index: joined to their essays, the
        # links of a popular tag were each looked up (about 50 ms a
        # keystroke at 100,000 essays).
        tags = dict(Tag.objects.filter(names).values_list("pk", "name"))
        # The tags' ids as values when few (PostgreSQL then counts each one's
        # links through the index instead of reading every link).
        ids = list(tags) if len(tags) <= 500 else Tag.objects.filter(names).values("pk")
        counts = readable_tag_counts(ids) if tags else {}
        for pk in sorted((pk for pk in tags if counts.get(pk)), key=lambda pk: (-counts[pk], tags[pk]))[:SUGGEST_TAGS]:
            tag = Tag(pk=pk, name=tags[pk])
            suggestions.append({"kind": "tag", "label": tag.name, "url": tag.get_absolute_url(), "count": counts[pk]})
    response = JsonResponse({"query": text, "suggestions": suggestions}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "max-age=60"
    return response
