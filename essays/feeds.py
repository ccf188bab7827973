"""RSS feeds: the latest essays, and one feed per section."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from essays.models import Essay, Section

FEED_SIZE = 30


class LatestEssaysFeed(Feed):
    title = _("文集 · 最新文章")
    description = _("文集最新收录的文章。")

    def link(self):
        return reverse("essays:home")

    def items(self):
        return Essay.objects.readable().for_feed().sorted_by("new")[:FEED_SIZE]

    def item_title(self, essay):
        return essay.title

    def item_description(self, essay):
        # Plain text: the syndication framework escapes it.
        return Truncator(" ".join(essay.paragraphs[:2])).chars(200)

    def item_author_name(self, essay):
        return essay.author or None

    def item_pubdate(self, essay):
        return essay.created

    def item_updateddate(self, essay):
        return essay.updated

    def item_categories(self, essay):
        return [tag.name for tag in essay.tags.all()]


class SectionFeed(LatestEssaysFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, section):
        return _("文集 · %(section)s") % {"section": section.name}

    def description(self, section):
        return section.description

    def link(self, section):
        return section.get_absolute_url()

    def items(self, section):
        return Essay.objects.readable().filter(section=section).for_feed().sorted_by("new")[:FEED_SIZE]
