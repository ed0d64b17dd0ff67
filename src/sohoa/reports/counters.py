"""Maintained progress counters: (unit, series, year) → register entries, digitized entries.

Why triggers rather than calls in the services: an entry is counted by four tables' worth of writes —
register import (bulk_create), the register form, linking a scan, the pipeline creating a digital copy,
deleting a document (Django cascades and SET_NULL), the admin. A trigger sees every one of them in the
same transaction; a forgotten service call would drift silently. `rebuild()` recomputes everything and
`differences()` proves the counters equal the live count (tests, `sohoa progress-rebuild --check`).

An entry is digitized when its document has a digital copy — the rule of reports.selectors.progress.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

ENTRY = "archive_registerentry"
COPY = "digitization_digitalcopy"
COUNTER = "reports_progresscounter"

# ---- SQLite -----------------------------------------------------------------------------------------

_SQLITE_TRIGGERS = ("entry_ins", "entry_del", "entry_upd", "copy_ins", "copy_del", "copy_upd")

_SQLITE_DIGITIZED = (
    "({ref}.document_id IS NOT NULL AND EXISTS (SELECT 1 FROM " + COPY + " c WHERE c.document_id = {ref}.document_id))"
)


def _sqlite_add(ref: str, sign: str) -> str:
    ensure = (
        f"INSERT OR IGNORE INTO {COUNTER} (unit_id, series, year, total, digitized) "
        f"VALUES ({ref}.unit_id, {ref}.direction, {ref}.year, 0, 0);"
    )
    update = (
        f"UPDATE {COUNTER} SET total = total {sign} 1, digitized = digitized {sign} "
        f"{_SQLITE_DIGITIZED.format(ref=ref)} "
        f"WHERE unit_id = {ref}.unit_id AND series = {ref}.direction AND year = {ref}.year;"
    )
    return (ensure if sign == "+" else "") + update


def _sqlite_copy(ref: str, sign: str) -> str:
    return (
        f"UPDATE {COUNTER} SET digitized = digitized {sign} (SELECT COUNT(*) FROM {ENTRY} e "
        f"WHERE e.document_id = {ref}.document_id AND e.unit_id = {COUNTER}.unit_id "
        f"AND e.direction = {COUNTER}.series AND e.year = {COUNTER}.year) "
        f"WHERE (unit_id, series, year) IN (SELECT unit_id, direction, year FROM {ENTRY} "
        f"WHERE document_id = {ref}.document_id);"
    )


SQLITE_INSTALL = [
    f"CREATE TRIGGER sohoa_progress_entry_ins AFTER INSERT ON {ENTRY} BEGIN {_sqlite_add('NEW', '+')} END",
    f"CREATE TRIGGER sohoa_progress_entry_del AFTER DELETE ON {ENTRY} BEGIN {_sqlite_add('OLD', '-')} END",
    f"CREATE TRIGGER sohoa_progress_entry_upd AFTER UPDATE OF unit_id, direction, year, document_id ON {ENTRY} "
    f"BEGIN {_sqlite_add('OLD', '-')} {_sqlite_add('NEW', '+')} END",
    f"CREATE TRIGGER sohoa_progress_copy_ins AFTER INSERT ON {COPY} BEGIN {_sqlite_copy('NEW', '+')} END",
    f"CREATE TRIGGER sohoa_progress_copy_del AFTER DELETE ON {COPY} BEGIN {_sqlite_copy('OLD', '-')} END",
    f"CREATE TRIGGER sohoa_progress_copy_upd AFTER UPDATE OF document_id ON {COPY} "
    f"BEGIN {_sqlite_copy('OLD', '-')} {_sqlite_copy('NEW', '+')} END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS sohoa_progress_{name}" for name in _SQLITE_TRIGGERS]

# ---- PostgreSQL -------------------------------------------------------------------------------------

POSTGRES_INSTALL = [
    f"""
CREATE OR REPLACE FUNCTION sohoa_progress_add(p_unit bigint, p_series text, p_year integer, p_total integer,
                                              p_digitized integer) RETURNS void AS $$
BEGIN
  INSERT INTO {COUNTER} (unit_id, series, year, total, digitized)
  VALUES (p_unit, p_series, p_year, p_total, p_digitized)
  ON CONFLICT (unit_id, series, year) DO UPDATE
    SET total = {COUNTER}.total + EXCLUDED.total, digitized = {COUNTER}.digitized + EXCLUDED.digitized;
END $$ LANGUAGE plpgsql""",
    f"""
CREATE OR REPLACE FUNCTION sohoa_progress_digitized(p_document bigint) RETURNS integer AS $$
  SELECT CASE WHEN p_document IS NOT NULL AND EXISTS (SELECT 1 FROM {COPY} WHERE document_id = p_document)
              THEN 1 ELSE 0 END
$$ LANGUAGE sql STABLE""",
    """
CREATE OR REPLACE FUNCTION sohoa_progress_entry() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM sohoa_progress_add(OLD.unit_id, OLD.direction, OLD.year, -1, -sohoa_progress_digitized(OLD.document_id));
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM sohoa_progress_add(NEW.unit_id, NEW.direction, NEW.year, 1, sohoa_progress_digitized(NEW.document_id));
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    f"""
CREATE OR REPLACE FUNCTION sohoa_progress_copy() RETURNS trigger AS $$
DECLARE r record;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    FOR r IN SELECT unit_id, direction, year, count(*)::integer AS n FROM {ENTRY}
             WHERE document_id = OLD.document_id GROUP BY unit_id, direction, year LOOP
      PERFORM sohoa_progress_add(r.unit_id, r.direction, r.year, 0, -r.n);
    END LOOP;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    FOR r IN SELECT unit_id, direction, year, count(*)::integer AS n FROM {ENTRY}
             WHERE document_id = NEW.document_id GROUP BY unit_id, direction, year LOOP
      PERFORM sohoa_progress_add(r.unit_id, r.direction, r.year, 0, r.n);
    END LOOP;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    f"CREATE TRIGGER sohoa_progress_entry AFTER INSERT OR DELETE OR UPDATE OF unit_id, direction, year, document_id "
    f"ON {ENTRY} FOR EACH ROW EXECUTE FUNCTION sohoa_progress_entry()",
    f"CREATE TRIGGER sohoa_progress_copy AFTER INSERT OR DELETE OR UPDATE OF document_id "
    f"ON {COPY} FOR EACH ROW EXECUTE FUNCTION sohoa_progress_copy()",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS sohoa_progress_entry ON {ENTRY}",
    f"DROP TRIGGER IF EXISTS sohoa_progress_copy ON {COPY}",
    "DROP FUNCTION IF EXISTS sohoa_progress_entry()",
    "DROP FUNCTION IF EXISTS sohoa_progress_copy()",
    "DROP FUNCTION IF EXISTS sohoa_progress_digitized(bigint)",
    "DROP FUNCTION IF EXISTS sohoa_progress_add(bigint, text, integer, integer, integer)",
]

#: The live count, grouped as the counters are: what `rebuild` stores and `differences` compares with.
LIVE_SQL = (
    f"SELECT e.unit_id, e.direction, e.year, COUNT(*), "
    f"SUM(CASE WHEN c.id IS NULL THEN 0 ELSE 1 END) "
    f"FROM {ENTRY} e LEFT JOIN {COPY} c ON c.document_id = e.document_id "
    f"GROUP BY e.unit_id, e.direction, e.year"
)


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_DROP
    raise NotImplementedError(f"progress counters have triggers for SQLite and PostgreSQL, not {vendor}")


def install_triggers(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in _statements(vendor, install=False) + _statements(vendor, install=True):
        schema_editor.execute(sql)


def drop_triggers(schema_editor: Any) -> None:
    for sql in _statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(sql)


TRIGGER_NAMES = {
    "sqlite": {f"sohoa_progress_{n}" for n in _SQLITE_TRIGGERS},
    "postgresql": {"sohoa_progress_entry", "sohoa_progress_copy"},
}


def triggers_present(conn: Any = connection) -> bool:
    """Whether every counter trigger exists. SQLite drops a table's triggers when Django rebuilds the
    table (AlterField and friends), so a later migration of the two counted tables can remove them."""
    names = TRIGGER_NAMES.get(conn.vendor, set())
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        found = {row[0] for row in cursor.fetchall()}
    return names <= found


def ensure_triggers(conn: Any = connection) -> bool:
    """After every `migrate`: put missing triggers back and recompute the counters they missed.
    Returns True when something had to be repaired."""
    if conn.vendor not in TRIGGER_NAMES or COUNTER not in conn.introspection.table_names():
        return False  # other databases are refused by the migration; before it, nothing to keep
    if triggers_present(conn):
        return False
    # Plain statements, not a schema editor: SQLite refuses one inside a transaction.
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        for sql in _statements(conn.vendor, install=False) + _statements(conn.vendor, install=True):
            cursor.execute(sql)
    rebuild(conn)
    return True


def rebuild(conn: Any = connection) -> int:
    """Recompute every counter from the registers in one transaction; returns the number of groups.

    On PostgreSQL the two counted tables are locked against writers meanwhile (readers go on), so no
    trigger updates a counter between the delete and the insert. SQLite serializes writers anyway.
    """
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {ENTRY}, {COPY} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {COUNTER}")
        cursor.execute(f"INSERT INTO {COUNTER} (unit_id, series, year, total, digitized) {LIVE_SQL}")
        cursor.execute(f"SELECT COUNT(*) FROM {COUNTER}")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def differences() -> list[dict[str, Any]]:
    """Groups whose counter differs from the live count (empty = the counters are right)."""
    with connection.cursor() as cursor:
        cursor.execute(LIVE_SQL)
        live = {(u, s, y): (t, d) for u, s, y, t, d in cursor.fetchall()}
        cursor.execute(f"SELECT unit_id, series, year, total, digitized FROM {COUNTER}")
        stored = {(u, s, y): (t, d) for u, s, y, t, d in cursor.fetchall() if t or d}
    result = []
    for key in sorted(live.keys() | stored.keys(), key=str):
        if live.get(key, (0, 0)) != stored.get(key, (0, 0)):
            unit_id, series, year = key
            result.append(
                {"unit_id": unit_id, "series": series, "year": year, "live": live.get(key), "counter": stored.get(key)}
            )
    return result
