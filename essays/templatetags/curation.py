"""Template helpers for the curators' admin."""

from django import template

register = template.Library()


@register.simple_tag
def review_queue_counts():
    """(key, label, count) for each review queue, for the admin dashboard."""
    from essays.admin.queues import queue_counts

    return queue_counts()


@register.simple_tag
def tag_queue_counts():
    """(key, label, count) for the tags' queue: tags used once, merges."""
    from essays.admin.tags import tag_queue_counts

    return tag_queue_counts()
