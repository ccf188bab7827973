"""The search index: readable essays only, from the same QuerySet method the
pages use, so search and pages always agree on what is visible."""

from haystack import indexes

from essays.models import Essay


class EssayIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    title = indexes.CharField(model_attr="title", boost=2.0)
    collection = indexes.CharField()
    author = indexes.CharField(model_attr="author", default="")
    section = indexes.CharField(null=True)
    tags = indexes.MultiValueField()
    key = indexes.CharField(model_attr="key", indexed=False)
    updated = indexes.DateTimeField(model_attr="updated")

    def get_model(self):
        return Essay

    def index_queryset(self, using=None):
        return Essay.objects.readable().with_related()

    def read_queryset(self, using=None):
        return Essay.objects.with_related()

    def prepare_collection(self, essay):
        return essay.source.title

    def prepare_section(self, essay):
        return essay.section.name if essay.section_id else None

    def prepare_tags(self, essay):
        return [tag.name for tag in essay.tags.all()]

    def prepare_text(self, essay):
        parts = [essay.title, essay.source.title, essay.author, self.prepare_section(essay) or ""]
        parts += self.prepare_tags(essay)
        parts.append(essay.text)
        return "\n".join(p for p in parts if p)
