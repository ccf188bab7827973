"""sitemap.xml: every readable essay, collection, section and tag. Without
django.contrib.sites, Django takes the host from the request, so links carry
the real host."""

from django.contrib.sitemaps import Sitemap

from essays.models import Essay, Section, SourceFile, Tag, readable_count


class EssaySitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Essay.objects.readable().order_by("pk").only("key", "updated")

    def lastmod(self, essay):
        return essay.updated


class CollectionSitemap(Sitemap):
    def items(self):
        return SourceFile.objects.annotate(count=readable_count()).filter(count__gt=0).order_by("name")


class SectionSitemap(Sitemap):
    def items(self):
        return Section.objects.annotate(count=readable_count()).filter(count__gt=0).order_by("order", "name")


class TagSitemap(Sitemap):
    def items(self):
        return Tag.objects.annotate(count=readable_count()).filter(count__gt=0).order_by("name")


SITEMAPS = {
    "essays": EssaySitemap,
    "collections": CollectionSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
}
