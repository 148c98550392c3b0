"""The PostgreSQL backend's table (only on PostgreSQL; the embedded backend needs none)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE TABLE IF NOT EXISTS suche_eintrag (
    dokument_id bigint PRIMARY KEY,
    mandant_id bigint NOT NULL,
    akte_id bigint NOT NULL,
    unit_id bigint NOT NULL,
    positions text[] NOT NULL,
    datum date NOT NULL,
    jahr integer NOT NULL,
    dokumenttyp text NOT NULL,
    akte_status text NOT NULL,
    reader_keys text[] NOT NULL,
    vektor tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS suche_eintrag_vektor ON suche_eintrag USING gin (vektor);
CREATE INDEX IF NOT EXISTS suche_eintrag_keys ON suche_eintrag USING gin (reader_keys);
CREATE INDEX IF NOT EXISTS suche_eintrag_akte ON suche_eintrag (mandant_id, akte_id);
CREATE INDEX IF NOT EXISTS suche_eintrag_datum ON suche_eintrag (mandant_id, datum DESC);
"""
DROP = "DROP TABLE IF EXISTS suche_eintrag"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("suche", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
