"""sitemap.xml: an index of the sitemaps of every readable essay,
collection, section and tag. Without django.contrib.sites, Django takes the
host from the request, so links carry the real host."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from essays.models import Essay, Section, SourceFile, Tag

# URLs per sitemap file: every file costs about the same to render (15 ms),
# however large the archive; crawlers follow the index to the next.
SITEMAP_LIMIT = 500


def holding_readable(objects, field: str):
    """Those of ``objects`` holding a readable essay: an EXISTS per row
    through an index, not a count of every essay of each."""
    return objects.filter(Exists(Essay.objects.readable().filter(**{field: OuterRef("pk")})))


class EssaySitemap(Sitemap):
    changefreq = "monthly"
    limit = SITEMAP_LIMIT

    def items(self):
        return Essay.objects.readable().order_by("pk").only("key", "updated")

    def lastmod(self, essay):
        return essay.updated

    def get_latest_lastmod(self):
        # Django's default reads every essay to find the latest for the
        # index; each file's URLs still carry their own lastmod.
        return None


class CollectionSitemap(Sitemap):
    limit = SITEMAP_LIMIT

    def items(self):
        return holding_readable(SourceFile.objects.only("key"), "source").order_by("name")


class SectionSitemap(Sitemap):
    def items(self):
        return holding_readable(Section.objects.only("slug"), "section").order_by("order", "name")


class TagSitemap(Sitemap):
    limit = SITEMAP_LIMIT

    def items(self):
        return holding_readable(Tag.objects.only("name"), "tags").order_by("name")


SITEMAPS = {
    "essays": EssaySitemap,
    "collections": CollectionSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
}
