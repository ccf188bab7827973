"""sitemap.xml: an index of the sitemaps of every readable essay,
collection, section and tag. Without django.contrib.sites, Django takes the
host from the request, so links carry the real host."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from essays.models import Essay, Section, SourceFile, Tag
from essays.paging import VersionedCountPaginator

# URLs per sitemap file: every file costs about the same to render, however
# large the archive (250: about 10 ms; 500 took 20 ms at 100,000 essays);
# crawlers follow the index to the next. The index lists 400 files then.
SITEMAP_LIMIT = 250


def holding_readable(objects, field: str):
    """Those of ``objects`` holding a readable essay: an EXISTS per row
    through an index, not a count of every essay of each."""
    return objects.filter(Exists(Essay.objects.readable().filter(**{field: OuterRef("pk")})))


class CountedSitemap(Sitemap):
    """A sitemap whose number of files is counted once per content version
    (the index page and every file ask for it)."""

    @property
    def paginator(self):
        return VersionedCountPaginator(self._items(), self.limit)


class EssaySitemap(CountedSitemap):
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


class CollectionSitemap(CountedSitemap):
    limit = SITEMAP_LIMIT

    def items(self):
        return holding_readable(SourceFile.objects.only("key"), "source").order_by("name")


class SectionSitemap(Sitemap):
    def items(self):
        return holding_readable(Section.objects.only("slug"), "section").order_by("order", "name")


class TagSitemap(CountedSitemap):
    limit = SITEMAP_LIMIT

    def items(self):
        return holding_readable(Tag.objects.only("name"), "tags").order_by("name")


SITEMAPS = {
    "essays": EssaySitemap,
    "collections": CollectionSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
}
