"""The import snapshot (Essay.imported) keeps the text it wrote as its
SHA-256 under "text_sha256", not the text itself: the text was stored three
times in every row (text, imported_text, imported), and every retag parsed
the whole snapshot to reach the tags beside it. Comparing the digest tells
a curator's text from the importer's exactly as comparing the texts did.

Written without the models' code (a migration must not change when they
do): the digest is textutil.text_digest's, the JSON the column's encoder's."""

import hashlib

from django.db import migrations

KEY = "text_sha256"
BATCH = 1000


def _rewrite(apps, schema_editor, change, texts: tuple[str, ...] = ()) -> None:
    """Each snapshot through ``change(imported, *texts)`` (None: left as it is)."""
    Essay = apps.get_model("essays", "Essay")
    connection = schema_editor.connection
    field = Essay._meta.get_field("imported")
    table, column = (connection.ops.quote_name(name) for name in (Essay._meta.db_table, field.column))
    rows = Essay.objects.using(connection.alias).order_by("pk").values_list("pk", "imported", *texts)
    changed = []

    def flush():
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", changed)
        changed.clear()

    for pk, imported, *row_texts in rows.iterator(chunk_size=BATCH):
        snapshot = change(imported, *row_texts) if isinstance(imported, dict) else None
        if snapshot is not None:
            # As the column's encoder writes it (UnicodeJSONEncoder: no \u escapes).
            value = field.get_db_prep_save(snapshot, connection)
            changed.append((value, pk))
        if len(changed) >= BATCH:
            flush()
    if changed:
        flush()


def to_digest(imported):
    if not isinstance(imported.get("text"), str):
        return None
    snapshot = {name: value for name, value in imported.items() if name != "text"}
    snapshot[KEY] = hashlib.sha256(imported["text"].encode()).hexdigest()
    return snapshot


def to_text(imported, text, imported_text):
    """Back: the text whose digest it is, of the two the row holds (the
    imported text lags when the file changed under a curator's text; the
    snapshot then keeps the imported text, the nearest there is)."""
    digest = imported.get(KEY)
    if not isinstance(digest, str):
        return None
    snapshot = {name: value for name, value in imported.items() if name != KEY}
    same = next((t for t in (text, imported_text) if hashlib.sha256(t.encode()).hexdigest() == digest), None)
    snapshot["text"] = same if same is not None else imported_text
    return snapshot


def forwards(apps, schema_editor):
    _rewrite(apps, schema_editor, to_digest)  # the snapshots alone: no text is read


def backwards(apps, schema_editor):
    _rewrite(apps, schema_editor, to_text, ("text", "imported_text"))


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0020_sentence_hashes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
