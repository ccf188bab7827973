"""The search index: readable essays only, from the same QuerySet method the
pages use, so search and pages always agree on what is visible.

Every text field holds tokens made by ``essays.search.tokens`` (normalised, then
jieba words, character bigrams or single characters, joined by spaces); the
backends index them with a whitespace analyzer."""

from haystack import indexes

from essays.models import Essay
from essays.search import tokens


class EssayIndex(indexes.SearchIndex, indexes.Indexable):
    # jieba words of the whole document (title, collection, author, section,
    # tags, text): the document field, for BM25 ranking.
    text = indexes.CharField(document=True)
    title_words = indexes.CharField()
    meta_words = indexes.CharField()  # tags and section: weighed over the body
    grams = indexes.CharField()  # character bigrams of title and text, for verbatim recall
    meta_grams = indexes.CharField()  # ... of tags, section, collection, author
    title_grams = indexes.CharField()
    chars = indexes.CharField()  # distinct characters of title and text, for one-character queries
    # Filters, as tokens: tag, section and collection primary keys.
    tag_ids = indexes.CharField()
    section_key = indexes.CharField()
    collection_key = indexes.CharField()
    created = indexes.DateTimeField(model_attr="created")
    # When the essay last changed, as indexed: ``essays.search.sync.repair``
    # compares it with the database to find what a crash left behind.
    updated = indexes.DateTimeField(model_attr="updated", indexed=False)
    key = indexes.CharField(model_attr="key", indexed=False)  # stored, for SearchQuerySet users

    def get_model(self):
        return Essay

    def index_queryset(self, using=None):
        return Essay.objects.readable().with_related()

    def read_queryset(self, using=None):
        return Essay.objects.with_related()

    @staticmethod
    def token_parts(essay) -> tuple[tuple[str, ...], ...]:
        """What the document's tokens are made of, each a tuple of parts
        (bigrams never span two parts): the title, the text, the tags and
        section, the collection's title and the author. An import makes
        their tokens in a pool (essays.search.sync) and primes them."""
        section = essay.section.name if essay.section_id else ""
        return (
            (essay.title,),
            (essay.text,),
            (*(tag.name for tag in essay.tags.all()), section),
            (essay.source.title, essay.author),
        )

    def prepare(self, essay):
        data = super().prepare(essay)
        title, body, meta, about = (tokens.index_tokens(*parts) for parts in self.token_parts(essay))
        data.update(
            text=" ".join(p for p in (title.words, meta.words, about.words, body.words) if p),
            title_words=title.words,
            meta_words=meta.words,
            grams=f" {tokens.BREAK} ".join(p for p in (title.grams, body.grams) if p),
            meta_grams=f" {tokens.BREAK} ".join(p for p in (meta.grams, about.grams) if p),
            title_grams=title.grams,
            chars=" ".join(dict.fromkeys(f"{title.chars} {body.chars}".split())),
            tag_ids=" ".join(str(tag.pk) for tag in essay.tags.all()),
            section_key=str(essay.section_id or ""),
            collection_key=str(essay.source_id),
        )
        return data

    # The fields are filled by prepare() in one pass.
    def prepare_text(self, essay):
        return ""
