"""Database functions Django lacks, each written for the two databases
Wenji runs on (SQLite and PostgreSQL): what the queries on the JSON import
snapshot need (``EssayQuerySet.curated``)."""

from __future__ import annotations

import re

from django.db import models


class TextDigest(models.Func):
    """textutil.text_digest in the database: the SHA-256 of the text's UTF-8,
    in hex. On PostgreSQL its built-in sha256() (Django's SHA256 wants the
    pgcrypto extension); on SQLite Django's own function."""

    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra):
        from django.db.models.functions import SHA256

        return compiler.compile(SHA256(*self.source_expressions))

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"encode(sha256(convert_to({sql}, 'UTF8')), 'hex')", params


class JSONText(models.Func):
    """The text at ``key`` of a JSON column; SQL NULL for a JSON null (on
    SQLite, KT() gives the string 'null'). The key is written into the
    statement, not passed as a parameter: a partial index whose condition
    reads the column (the review queues') then serves the same condition
    in a query (SQLite never matches a parameter with an index's literal)."""

    output_field = models.TextField()

    def __init__(self, column, key: str, **extra):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ValueError(f"not a key of the import snapshot: {key!r}")
        self.key = key
        super().__init__(column, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({sql}, '$.{self.key}')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} ->> '{self.key}')", params


class JSONArrayLength(models.Func):
    """How many items the array at ``key`` of a JSON column holds (0: none
    there)."""

    output_field = models.IntegerField()

    def __init__(self, column, key: str):
        super().__init__(column, models.Value(key))

    def as_sqlite(self, compiler, connection, **extra):
        column, key = self.source_expressions
        sql, params = compiler.compile(column)
        key_sql, key_params = compiler.compile(key)
        return f"COALESCE(json_array_length({sql}, '$.' || {key_sql}), 0)", (*params, *key_params)

    def as_postgresql(self, compiler, connection, **extra):
        column, key = self.source_expressions
        sql, params = compiler.compile(column)
        key_sql, key_params = compiler.compile(key)
        return (
            f"COALESCE(jsonb_array_length(CASE WHEN jsonb_typeof({sql} -> {key_sql}) = 'array' "
            f"THEN {sql} -> {key_sql} END), 0)",
            (*params, *key_params, *params, *key_params),
        )


class JSONArrayHolds(models.Func):
    """Whether the array at ``key`` of a JSON column holds the string ``value``."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, column, key: str, value):
        super().__init__(column, models.Value(key), value)

    def as_sqlite(self, compiler, connection, **extra):
        (sql, params), (key_sql, key_params), (value_sql, value_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return (
            f"EXISTS (SELECT 1 FROM json_each({sql}, '$.' || {key_sql}) WHERE json_each.value = {value_sql})",
            (*params, *key_params, *value_params),
        )

    def as_postgresql(self, compiler, connection, **extra):
        (sql, params), (key_sql, key_params), (value_sql, value_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return f"COALESCE(({sql} -> {key_sql}) @> to_jsonb({value_sql}::text), false)", (
            *params,
            *key_params,
            *value_params,
        )


class IsEmptyJSONList(models.Func):
    """Whether a JSON column holds the empty list, the list written into the
    statement (not a parameter): a partial index on the opposite condition
    (the collections whose cut the parser doubted) then serves the query."""

    output_field = models.BooleanField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} = '[]')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} = '[]'::jsonb)", params
