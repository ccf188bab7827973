"""Review queues: the one definition of "needs a curator", the filter
that lists a queue, and the page that shows them all."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from essays.admin.recut import cut_review_queue
from essays.models import Essay

# The one definition of "needs a curator".
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


class QueueFilter(admin.SimpleListFilter):
    title = _("待处理")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _q) in REVIEW_QUEUES.items()]

    def queryset(self, request, queryset):
        if self.value() in REVIEW_QUEUES:
            return queryset.filter(pk__in=queue_queryset(self.value()).values("pk"))
        return queryset


class ReviewQueues:
    """The review page: each queue with its count and first items."""

    def get_urls(self):
        own = [path("review/", self.admin_site.admin_view(self.review_view), name="essays_essay_review")]
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
            "cut_review": cut_review_queue(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/essay/review.html", context)
