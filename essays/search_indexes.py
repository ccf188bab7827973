"""The search index: readable essays only, from the same QuerySet method the
pages use, so search and pages always agree on what is visible.

Every text field holds tokens made by ``essays.search.tokens`` (normalised, then
jieba words, character bigrams or single characters, joined by spaces); the
backends index them with a whitespace analyzer."""

from contextlib import contextmanager
from types import SimpleNamespace

from haystack import indexes

from essays.models import Essay
from essays.search import tokens


class _Tags(tuple):
    def all(self):
        return self


class IndexedEssay:
    """What the index reads of an essay, as plain values read in two queries
    (``EssayIndex.rows``), where model instances with their prefetched tags,
    section and collection took a third of an import's indexing time to
    build. EssayIndex.prepare takes it for the essay, in this process or in
    a pool's worker it is pickled to; haystack knows it as an Essay by its
    ``_meta``."""

    _meta = Essay._meta
    # What rows() reads, in the order __init__ takes it.
    columns = (
        "pk",
        "key",
        "title",
        "text",
        "author",
        "section_id",
        "section__name",
        "source_id",
        "source__title",
        "created",
        "updated",
    )
    # ... held as the names an essay has: section__name as section.name.
    __slots__ = (*(column.partition("__")[0] for column in columns), "tags")

    def __init__(
        self, pk, key, title, text, author, section_id, section_name, source_id, source_title, created, updated, tags=()
    ):
        self.pk, self.key, self.title, self.text, self.author = pk, key, title, text, author
        self.section_id, self.source_id, self.created, self.updated = section_id, source_id, created, updated
        self.section = SimpleNamespace(name=section_name) if section_id else None
        self.source = SimpleNamespace(title=source_title)
        self.tags = _Tags(tags)

    def _get_pk_val(self):
        return self.pk


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
    def rows(pks) -> list[IndexedEssay]:
        """The readable essays among ``pks``, in pk order, as the index reads
        them (what ``index_queryset`` gives, in two queries)."""
        pks = list(pks)
        tags: dict[int, list] = {}
        through = Essay.tags.through.objects.filter(essay_id__in=pks).order_by("tag__name")  # Tag's ordering
        for essay_id, tag_id, name in through.values_list("essay_id", "tag_id", "tag__name"):
            tags.setdefault(essay_id, []).append(SimpleNamespace(pk=tag_id, name=name))
        rows = Essay.objects.readable().filter(pk__in=pks).order_by("pk").values_list(*IndexedEssay.columns)
        return [IndexedEssay(*row, tags=tags.get(row[0], ())) for row in rows]

    @contextmanager
    def prepared(self, documents: dict):
        """Within it, ``full_prepare`` of an essay whose pk is in
        ``documents`` gives that document (made in a pool's worker), whatever
        the backend writing it."""
        self._prepared = documents
        try:
            yield
        finally:
            self._prepared = {}

    @contextmanager
    def tokens_made(self, made: dict):
        """Within it, ``prepare`` of an essay whose pk is in ``made`` takes
        its title's and text's tokens from there ((title, text) Tokens, made
        ahead by essays.search.pooled) instead of making them."""
        self._tokens_made = made
        try:
            yield
        finally:
            self._tokens_made = {}

    def full_prepare(self, obj, with_string_facet=True):
        made = getattr(self, "_prepared", {}).get(obj.pk)
        if made is not None:
            return made
        return super().full_prepare(obj, with_string_facet)

    @staticmethod
    def token_parts(essay) -> tuple[tuple[str, ...], ...]:
        """What the document's tokens are made of beside the title and the
        text (``title_and_text_tokens``), each a tuple of parts (bigrams
        never span two parts): the tags and section, the collection's title
        and the author. An import makes their documents in a pool
        (essays.search.pooled)."""
        section = essay.section.name if essay.section_id else ""
        return (
            (*(tag.name for tag in essay.tags.all()), section),
            (essay.source.title, essay.author),
        )

    @staticmethod
    def title_and_text_tokens(title: str, text: str) -> tuple[tokens.Tokens, tokens.Tokens]:
        """The tokens of the title and of the text: most of a document's
        work, and independent of its tags (an import makes them ahead)."""
        return tokens.index_tokens(title), tokens.index_tokens(text)

    def prepare(self, essay):
        data = super().prepare(essay)
        made = getattr(self, "_tokens_made", {}).get(essay.pk)
        title, body = made or self.title_and_text_tokens(essay.title, essay.text)
        meta, about = (tokens.index_tokens(*part) for part in self.token_parts(essay))
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
