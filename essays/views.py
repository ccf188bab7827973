"""Reader-facing pages. Views choose a queryset and a template; the queries
live on EssayQuerySet."""

from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.views.generic import ListView

from essays.models import Essay, Section, SourceFile, Tag, readable_count


def home(request):
    context = {
        "sections": Section.objects.annotate(count=readable_count()).filter(count__gt=0),
        "collections": SourceFile.objects.annotate(count=readable_count()).filter(count__gt=0),
        "recent": Essay.objects.readable().select_related("source").order_by("-created", "position")[:10],
        "tags": Tag.objects.annotate(count=readable_count()).filter(count__gt=0).order_by("-count", "name")[:30],
    }
    return render(request, "essays/home.html", context)


class EssayList(ListView):
    template_name = "essays/essay_list.html"
    context_object_name = "essays"
    paginate_by = 20

    def get_queryset(self):
        return Essay.objects.readable().with_related().in_collection_order()


def essay_detail(request, key):
    essay = get_object_or_404(Essay.objects.reachable().with_related(), key=key)
    main = essay.duplicate_of or essay
    if main.status != Essay.Status.PUBLISHED:
        # A duplicate of a hidden essay must not show the hidden text.
        raise Http404
    siblings = Essay.objects.readable().filter(source=main.source)
    context = {
        "essay": essay,
        "main": main,
        "previous": siblings.filter(position__lt=main.position).order_by("-position").first(),
        "next": siblings.filter(position__gt=main.position).order_by("position").first(),
    }
    return render(request, "essays/essay_detail.html", context)


def collection_detail(request, key):
    collection = get_object_or_404(SourceFile, key=key)
    essays = Essay.objects.readable().filter(source=collection).order_by("position")
    return render(request, "essays/collection_detail.html", {"collection": collection, "essays": essays})


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    essays = Essay.objects.readable().filter(section=section).select_related("source").in_collection_order()
    return render(request, "essays/section_detail.html", {"section": section, "essays": essays})


def tag_list(request):
    tags = Tag.objects.annotate(count=readable_count()).filter(count__gt=0).order_by("-count", "name")
    return render(request, "essays/tag_list.html", {"tags": tags})


def tag_detail(request, name):
    tag = get_object_or_404(Tag, name=name)
    essays = Essay.objects.readable().filter(tags=tag).select_related("source").in_collection_order()
    return render(request, "essays/tag_detail.html", {"tag": tag, "essays": essays})


def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("essays:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the database (sessions, auth) may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
