"""Reader-facing pages. Views choose a queryset and a template; the queries
live on EssayQuerySet."""

import sys
from dataclasses import dataclass

from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from essays import freshness
from essays.models import Essay, EssayRedirect, Section, SourceFile, Tag, TagAlias, with_counts
from essays.paging import VersionedCountPaginator
from essays.textutil import to_traditional

HOME_COLLECTIONS = 12


def tag_shelf() -> list[Tag]:
    """Every tag in use with its count, most used first: a scan of the whole
    archive, so computed once per content version."""
    return freshness.cached("tag-shelf", Tag.objects.in_use)


def _home_shelves() -> dict:
    collections = SourceFile.objects.shelf()
    return {
        "sections": with_counts(Section.objects.all(), "section"),
        "collections": with_counts(collections[:HOME_COLLECTIONS], "source"),
        "collection_total": collections.count(),
        "featured": Essay.objects.featured(),
    }


def home(request):
    # The template renders its content once per content version (and
    # language): two thirds of the page's time under gunicorn.
    context = {
        **freshness.cached("home-shelves", _home_shelves),
        "recent": Essay.objects.readable().listed().sorted_by("new")[:10],
        "tags": tag_shelf()[:30],
        "content_version": freshness.version(),
    }
    return render(request, "essays/home.html", context)


def nearest_page(paginator, request):
    """The page asked for by ?page=; a number past the end, or not a number,
    shows the nearest page rather than an error."""
    return paginator.get_page(request.GET.get("page"))


LIST_PAGE_SIZE = 50


def paged(request, essays, per_page: int | None = None) -> dict:
    """Template context for one page of ``essays`` (the pagination include's
    names), for the section, tag and collection-list pages."""
    page = nearest_page(VersionedCountPaginator(essays, per_page or LIST_PAGE_SIZE), request)
    return {
        "essays": page.object_list,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "page_query": "",
    }


SORTS = {"order": _("合集顺序"), "new": _("最新"), "length": _("篇幅")}


class EssayList(ListView):
    """All readable essays; ?tag= (repeatable, AND), ?section=, ?collection=,
    ?sort=order|new|length."""

    template_name = "essays/essay_list.html"
    context_object_name = "essays"
    paginate_by = 20
    paginator_class = VersionedCountPaginator

    def get(self, request, *args, **kwargs):
        params = request.GET
        self.tag_names = [name for name in dict.fromkeys(params.getlist("tag")) if name][:10]
        # Looked up only when asked for: two queries of every list page.
        section, collection = params.get("section"), params.get("collection")
        self.section = Section.objects.filter(slug=section).first() if section else None
        self.collection = SourceFile.objects.filter(key=collection).first() if collection else None
        self.sort = params.get("sort") if params.get("sort") in SORTS else "order"
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        in_use = tags_by_name() if self.tag_names else None
        readable = readable_essays() if in_use else 0
        # How far into the list the page reaches (not a number: the first page).
        number = self.request.GET.get("page", "")
        reach = min(int(number), readable + 1) * self.paginate_by if number.isdecimal() else self.paginate_by
        essays = Essay.objects.readable().with_all_tags(self.tag_names, in_use, readable=readable, reach=reach)
        if self.section:
            essays = essays.filter(section=self.section)
        if self.collection:
            essays = essays.filter(source=self.collection)
        filters = (tuple(self.tag_names), getattr(self.section, "pk", None), getattr(self.collection, "pk", None))
        return essays.sorted_by(self.sort).paged(count_key=("essay list", *filters))

    def paginate_queryset(self, queryset, page_size):
        page = nearest_page(self.get_paginator(queryset, page_size), self.request)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def _encoded(self, drop=None, **changes) -> str:
        """The current filters as a query string, less ``drop`` (key, value),
        with ``changes`` applied; the page number is always left out."""
        params = self.request.GET.copy()
        params.pop("page", None)
        if drop:
            key, value = drop
            params.setlist(key, [v for v in params.getlist(key) if v != value])
        for key, value in changes.items():
            params[key] = value
        return params.urlencode()

    def _query(self, drop=None, **changes) -> str:
        encoded = self._encoded(drop, **changes)
        return f"?{encoded}" if encoded else self.request.path

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chips = [(_("标签：%(name)s") % {"name": name}, self._query(drop=("tag", name))) for name in self.tag_names]
        if self.section:
            chips.append(
                (_("栏目：%(name)s") % {"name": self.section.name}, self._query(drop=("section", self.section.slug)))
            )
        if self.collection:
            chips.append(
                (
                    _("合集：%(name)s") % {"name": self.collection.title},
                    self._query(drop=("collection", self.collection.key)),
                )
            )
        context.update(
            chips=chips,
            sorts=[(key, label, self._query(sort=key), key == self.sort) for key, label in SORTS.items()],
            page_query=self._encoded(),
        )
        return context


@dataclass
class ShownText:
    """What the essay page prints, in the script the reader chose."""

    title: str
    collection_title: str
    author: str
    paragraphs: list[str]
    lead: str  # the first paragraph as written, for the page's description

    @classmethod
    def of(cls, essay: Essay, script: str) -> "ShownText":
        convert = to_traditional if script == "hant" else str
        paragraphs = essay.paragraphs
        return cls(
            title=convert(essay.title),
            collection_title=convert(essay.source.title),
            author=convert(essay.author),
            paragraphs=[convert(p) for p in paragraphs],
            lead=paragraphs[0] if paragraphs else "",
        )


def _around(main: Essay) -> dict:
    """What the essay page shows beside the text: its tags, its neighbours
    in the collection and the related essays. Computed once per content
    version (four small queries; the first view's largest cost)."""
    tags = Tag.objects.of_essay(main)
    previous, following = Essay.objects.neighbours(main)
    return {
        "tags": tags,
        "previous": previous,
        "next": following,
        "related": Essay.objects.related_to(main, tag_ids=[tag.pk for tag in tags]),
    }


def essay_detail(request, key):
    essay = Essay.objects.to_read(key=key)
    if essay is None:
        # An essay merged into another, or cut differently: its old link
        # answers 301 with the essay that holds its text now.
        moved = EssayRedirect.objects.filter(old_key=key).select_related("essay").first()
        if moved is not None:
            return redirect(moved.essay, permanent=True)
        raise Http404
    main = essay
    if essay.duplicate_of_id is not None:
        # A published duplicate's link shows the main copy.
        main = Essay.objects.to_read(pk=essay.duplicate_of_id)
    if main is None:
        # A duplicate of a hidden essay must not show the hidden text.
        raise Http404
    # ?script=hant shows the essay in Traditional characters, converted on the
    # server; the canonical link stays the plain one.
    script = "hant" if request.GET.get("script") == "hant" else "hans"
    context = {
        "essay": essay,
        "main": main,
        "shown": ShownText.of(main, script),
        "script": script,
        **freshness.cached(f"essay-around:{main.pk}", lambda: _around(main)),
    }
    return render(request, "essays/essay_detail.html", context)


def collection_list(request):
    collections = paged(request, SourceFile.objects.shelf(), per_page=48)
    collections["collections"] = with_counts(collections.pop("essays"), "source")
    return render(request, "essays/collection_list.html", collections)


def collection_detail(request, key):
    collection = get_object_or_404(SourceFile, key=key)
    # What the table of contents shows, not the texts (a collection may hold
    # hundreds of essays).
    essays = Essay.objects.readable().filter(source=collection).order_by("position").only("key", "title", "char_count")
    return render(request, "essays/collection_detail.html", {"collection": collection, "essays": essays})


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    essays = Essay.objects.readable().filter(section=section).in_collection_order().paged(("section", section.pk))
    return render(request, "essays/section_detail.html", {"section": section, **paged(request, essays)})


def tag_list(request):
    # The cloud of every tag is rendered once per content version: 1,100
    # links took 100 ms at 20,000 essays.
    return render(request, "essays/tag_list.html", {"tags": tag_shelf(), "content_version": freshness.version()})


def readable_essays() -> int:
    """How many essays readers see: once per content version."""
    return freshness.cached("readable-essays", lambda: Essay.objects.readable().count())


def tags_by_name() -> dict[str, Tag]:
    """The tags in use by name, each with its count: once per content
    version (a tag page looked its tag up and counted the shelf each time)."""
    return freshness.cached("tags-by-name", lambda: {tag.name: tag for tag in tag_shelf()})


def tag_detail(request, name):
    tag = tags_by_name().get(name)
    if tag is None:  # a tag on no readable essay, or an old name
        tag = Tag.objects.filter(name=name).first()
    if tag is None:
        # A renamed or merged tag's old address still works.
        alias = get_object_or_404(TagAlias.objects.select_related("tag"), name=name)
        return redirect(alias.tag, permanent=True)
    essays = Essay.objects.tag_page(tag, getattr(tag, "count", 0))
    return render(request, "essays/tag_detail.html", {"tag": tag, **paged(request, essays)})


def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("essays:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def bad_request(request, exception=None):
    """A request Django refused before any view ran. Too many files in one
    upload is the one a curator meets: say what the cap is, in their language."""
    from django.core.exceptions import TooManyFilesSent

    context = {"message": _("请求的格式不正确，服务器无法处理。"), "back": ""}
    if isinstance(exception, TooManyFilesSent):
        from essays.admin.uploads import cap_message

        context = {"message": cap_message(), "back": reverse("admin:essays_sourcefile_upload")}
    return render(request, "400.html", context, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the database (sessions, auth) may be what failed.
    # An unreachable database, met outside a view (a middleware), is a 503.
    from archive.health import UNREACHABLE, database_unavailable

    if isinstance(sys.exc_info()[1], UNREACHABLE):
        return database_unavailable()
    return HttpResponseServerError(loader.get_template("500.html").render())
