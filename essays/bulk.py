"""Rows inserted as ``QuerySet.bulk_create`` inserts them, for the importer's
hot path: the same statements (one multi-row INSERT per batch of the size
Django would choose, RETURNING the keys where asked), the same values in the
database, without Django's compiler asking every field of every row what to
send.

An import of 20,000 essays writes 20,000 essays and 20,000 history rows of
about 25 columns each. For them bulk_create ran a dozen Python calls per
value (pre_save, get_db_prep_save, get_prep_value, field_as_sql...) and a
model instance per history row: a fifth of the importing process's time
(docs/import-profile.md). Here each column has one converter, chosen once
per model: values a plain column stores as they are (text, numbers, booleans,
keys) go through untouched, anything else (JSON, dates, bytes, a value of an
unusual type) through the field's own ``get_db_prep_save``, as bulk_create
would have sent it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import connections, models, router

# Field types whose get_db_prep_save hands a plain value (exactly str, int,
# float, bool or None) to the driver unchanged, on SQLite and PostgreSQL.
# Subclasses are not assumed to behave alike: they take the general path.
_PASS_THROUGH_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.FloatField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
)
_PLAIN_VALUES = (str, int, float, bool, type(None))


class JSONText(str):
    """A JSON column's value already encoded, exactly as its field would
    encode it (``json.dumps(value, cls=field.encoder)``): written as it is.
    An import's pool encodes each essay's candidate terms where it made them,
    so that the process writing them neither unpickles the dict nor encodes
    it (60 of its 1,050 microseconds an essay). Only insert_values knows
    it: an instance saved through the ORM must hold the decoded value."""


def _converter(field: models.Field, connection) -> Callable:
    def general(value):
        return field.get_db_prep_save(value, connection)

    if isinstance(field, models.JSONField):

        def json_column(value):
            return str(value) if type(value) is JSONText else general(value)

        return json_column
    if type(field) not in _PASS_THROUGH_FIELDS:
        return general
    plain = _PLAIN_VALUES

    def pass_through(value):
        return value if type(value) in plain else general(value)

    return pass_through


def insert_values(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence],
    returning: bool = False,
    using: str | None = None,
) -> list | None:
    """Insert ``rows`` (each the values of the fields ``names``, by
    attribute name: ``source_id``, not ``source``) into ``model``'s table,
    in batches of the size bulk_create would use; with ``returning``, the
    new rows' primary keys in row order."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    opts = model._meta
    by_attname = {field.attname: field for field in opts.concrete_fields}
    fields = [by_attname[name] for name in names]
    convert = [_converter(field, connection) for field in fields]
    rows = [[to_db(value) for to_db, value in zip(convert, row, strict=True)] for row in rows]
    if not rows:
        return [] if returning else None
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {quote(opts.pk.column)}" if returning else ""
    batch = max(1, connection.ops.bulk_batch_size(fields, rows))
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES {', '.join([one_row] * len(chunk))}{tail}"
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                keys += [row[0] for row in cursor.fetchall()]
    return keys if returning else None


def insert_objects(objs: Sequence[models.Model], using: str | None = None) -> None:
    """``bulk_create(objs)`` for new instances of one model whose primary
    key the database gives: each field's ``pre_save`` (auto_now times) as
    bulk_create calls it, one INSERT per batch, and each instance given its
    key and marked saved. No signals are sent (bulk_create sends none)."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    using = using or router.db_for_write(model)
    fields = [field for field in opts.concrete_fields if field is not opts.pk]
    # Only the fields whose pre_save does more than read the attribute
    # (auto_now, auto_now_add) are asked; the rest are read directly.
    stamped = {
        field.attname
        for field in fields
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)
    }
    names = [field.attname for field in fields]
    rows = [
        [field.pre_save(obj, True) if field.attname in stamped else getattr(obj, field.attname) for field in fields]
        for obj in objs
    ]
    keys = insert_values(model, names, rows, returning=True, using=using)
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = using


class Statements:
    """Queries compiled by the ORM once and run again with other values. An
    import asks the same few questions for each of its files (is this file
    known, which essays have these fingerprints): building the query took
    300-500 microseconds a time, running it 20-30 (a file is about ten
    essays in the benchmark's corpus).

    ``build(size)`` gives the query with ``size`` placeholder values, distinct
    (an ``__in`` list drops repeated ones), in the order ``rows`` gets its
    values; plain values only (strings, numbers: no field converts them)."""

    def __init__(self, using: str = "default"):
        self.using = using
        self._sql: dict[tuple, str] = {}

    def rows(self, name: str, build: Callable[[int], models.QuerySet], values: Sequence) -> list[tuple]:
        key = (name, len(values))
        sql = self._sql.get(key)
        connection = connections[self.using]
        if sql is None:
            sql, params = build(len(values)).query.get_compiler(self.using).as_sql()
            if len(params) != len(values):  # a query this class cannot reuse: say so at once
                raise ValueError(f"{name}: the query takes {len(params)} values, not {len(values)}")
            self._sql[key] = sql
        with connection.cursor() as cursor:
            cursor.execute(sql, list(values))
            return cursor.fetchall()
