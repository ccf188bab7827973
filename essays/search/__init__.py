"""Chinese search: a package, one file per concern.

- ``tokens``: normalising, folding Traditional to Simplified, words, bigrams,
  and parsing a reader's query (no database, no engine);
- ``tiers``: the request, the index's fields and the tiers every backend
  builds; ``engine``: ``run_search`` over the configured backend;
- ``tantivy_backend``, ``whoosh_backend``, ``elasticsearch_backend``: one file
  per engine;
- ``sync``: keeping the index in step with the database after each commit;
- ``highlighting``: marking matches in titles and snippets;
- ``views``: the search page and its suggestions.

The haystack ``SearchIndex`` stays in ``essays/search_indexes.py``, where
haystack looks for it.
"""
