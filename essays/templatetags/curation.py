"""Template helpers for the curators' admin."""

from django import template

register = template.Library()


@register.simple_tag
def review_queue_counts():
    """(key, label, count) for each review queue, for the admin dashboard."""
    from essays.admin.queues import queue_counts

    return queue_counts()
