"""Review queues: the one definition of "needs a curator", the filter
that lists a queue, the page that shows them all, and "reviewed: fine as it
is".

An essay leaves a queue when it is fixed (retitled by hand, tagged, given a
section, its placeholders or near-duplicate resolved) or when a curator marks
it reviewed in that queue (``QueueReview``, with who and when)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from essays.admin.recut import cut_review_queue
from essays.models import (
    DERIVED_TITLES_QUEUE,
    NEAR_DUPLICATES_QUEUE,
    PLACEHOLDERS_QUEUE,
    Essay,
    QueueReview,
    tagged,
)

Queue = QueueReview.Queue

# The one definition of "needs a curator": what puts an essay in each queue.
REVIEW_QUEUES = {
    Queue.PLACEHOLDERS: PLACEHOLDERS_QUEUE,
    Queue.NEAR_DUPLICATES: NEAR_DUPLICATES_QUEUE,
    Queue.UNTAGGED: ~tagged(),
    Queue.NO_SECTION: Q(section__isnull=True),
    Queue.DERIVED_TITLES: DERIVED_TITLES_QUEUE,
}


def queue_label(key: str) -> str:
    return Queue(key).label


def queue_queryset(key: str):
    reviewed = QueueReview.objects.filter(essay=OuterRef("pk"), queue=key)
    return Essay.objects.filter(REVIEW_QUEUES[key]).exclude(status=Essay.Status.HIDDEN).exclude(Exists(reviewed))


def queue_counts() -> list[tuple[str, str, int]]:
    return [(key, queue_label(key), queue_queryset(key).count()) for key in REVIEW_QUEUES]


def latest_reviews(count: int):
    """The latest ``count`` reviews, with their essays and curators. Picked
    first by themselves (queue_review_latest): joined at once, SQLite read
    every essay to find them (163 ms at 100,000 essays, before any review)."""
    latest = list(QueueReview.objects.order_by("-at").values_list("pk", flat=True)[:count])
    return QueueReview.objects.filter(pk__in=latest).select_related("essay", "user").order_by("-at")


def queues_of(essay: Essay) -> list[str]:
    """The queues ``essay`` is in now."""
    return [key for key in REVIEW_QUEUES if queue_queryset(key).filter(pk=essay.pk).exists()]


def mark_reviewed(essays, key: str, user) -> int:
    """Mark ``essays`` reviewed in queue ``key``; returns how many were in it."""
    pks = list(queue_queryset(key).filter(pk__in=[e.pk for e in essays]).values_list("pk", flat=True))
    QueueReview.objects.bulk_create(
        [QueueReview(essay_id=pk, queue=key, user=user) for pk in pks], ignore_conflicts=True
    )
    return len(pks)


class QueueFilter(admin.SimpleListFilter):
    title = _("待处理")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(key, queue_label(key)) for key in REVIEW_QUEUES]

    def queryset(self, request, queryset):
        if self.value() in REVIEW_QUEUES:
            return queryset.filter(pk__in=queue_queryset(self.value()).values("pk"))
        return queryset


class ReviewQueues:
    """The review page (each queue with its count and first items), and
    marking items reviewed: one from that page, or the selected ones of a
    queue's list with the bulk action."""

    def get_urls(self):
        own = [
            path("review/", self.admin_site.admin_view(self.review_view), name="essays_essay_review"),
            path(
                "review/mark/", self.admin_site.admin_view(self.mark_reviewed_view), name="essays_essay_mark_reviewed"
            ),
        ]
        return own + super().get_urls()

    def review_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        queues = []
        for key, label, count in queue_counts():
            url = reverse("admin:essays_essay_changelist") + f"?queue={key}"
            # An empty queue's first ten are not looked for: a scan of the
            # archive that finds nothing (at 10,000 essays, 16-46 ms each).
            items = queue_queryset(key)[:10] if count else []
            queues.append({"key": key, "label": label, "count": count, "url": url, "items": items})
        context = {
            **self.admin_site.each_context(request),
            "title": _("待处理队列"),
            "queues": queues,
            "cut_review": cut_review_queue(),
            "opts": self.model._meta,
            "can_review": self.has_change_permission(request),
            "reviewed": latest_reviews(10),
        }
        return TemplateResponse(request, "admin/essays/essay/review.html", context)

    def mark_reviewed_view(self, request):
        if request.method != "POST":
            return redirect("admin:essays_essay_review")
        essay = get_object_or_404(Essay, pk=request.POST.get("essay"))
        key = request.POST.get("queue")
        if not self.has_change_permission(request, essay) or key not in REVIEW_QUEUES:
            raise PermissionDenied
        if mark_reviewed([essay], key, request.user):
            self.log_change(request, essay, f"已看过（{queue_label(key)}）：保持原样")
            self.message_user(
                request,
                _("“%(title)s”已标记为看过，离开队列“%(queue)s”。") % {"title": essay.title, "queue": queue_label(key)},
            )
        return redirect(request.POST.get("next") or reverse("admin:essays_essay_review"))

    @admin.action(description=_("标记为看过，保持原样（当前队列）"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        key = request.GET.get("queue")
        if key not in REVIEW_QUEUES:
            self.message_user(request, _("请先在右侧“待处理”里选一个队列，再标记为看过。"), messages.WARNING)
            return
        essays = list(queryset)
        count = mark_reviewed(essays, key, request.user)
        for essay in essays:
            self.log_change(request, essay, f"已看过（{queue_label(key)}）：保持原样")
        self.message_user(
            request,
            ngettext(
                "已把 %(count)d 篇文章标记为看过，离开队列“%(queue)s”。",
                "已把 %(count)d 篇文章标记为看过，离开队列“%(queue)s”。",
                count,
            )
            % {"count": count, "queue": queue_label(key)},
        )
