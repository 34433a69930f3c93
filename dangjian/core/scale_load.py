"""Loading plumbing of generate_scale (dangjian/core/scale.py): COPY writers, the members' COPY text made in
worker processes, helper tables, and dropping / re-creating secondary indexes around a bulk load."""
import random

from django.db import connection


def pg() -> bool:
    return connection.vendor == "postgresql"


# Field classes whose Python value psycopg's COPY takes as it is: no per-value get_db_prep_save (a third of the
# members step's Python time went there). Subclasses (encrypted fields…) and auto_now fields take the slow path.
_PLAIN_FIELDS = {"CharField", "TextField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                 "PositiveIntegerField", "PositiveSmallIntegerField", "BooleanField", "DateField", "DecimalField",
                 "ForeignKey"}


def _plain(field) -> bool:
    return (type(field).__name__ in _PLAIN_FIELDS and type(field).__module__.startswith("django.")
            and not getattr(field, "auto_now", False) and not getattr(field, "auto_now_add", False))


def write_objects(model, objs) -> None:
    """COPY on PostgreSQL (values prepared by the model's own fields), bulk_create elsewhere."""
    if not objs:
        return
    if not pg():
        model.objects.bulk_create(objs, batch_size=500)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    prep = [(f.attname, None) if _plain(f) else (None, f) for f in fields]
    with connection.cursor() as c, c.cursor.copy(f"COPY {model._meta.db_table} ({cols}) FROM STDIN") as copy:
        for o in objs:
            d = o.__dict__
            copy.write_row([d[a] if a else f.get_db_prep_save(f.pre_save(o, True), connection) for a, f in prep])


def copy_value(v) -> str:
    """One value in COPY's text format."""
    if v is None:
        return "\\N"
    if v is True or v is False:
        return "t" if v else "f"
    if isinstance(v, str):
        return v.translate(_COPY_ESCAPES) if ("\\" in v or "\t" in v or "\n" in v or "\r" in v) else v
    return str(v)  # int, Decimal, date (ISO), aware datetime (ISO with offset)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def member_job_rows(job) -> list[tuple]:
    """(org_id, region_id, values in synthetic.FIELDS order) for one task: the branches of one county code.
    ID numbers can only collide within an area code, so each task checks uniqueness on its own and the tasks
    may run in separate processes; each has its own random stream, so the result does not depend on that."""
    from dangjian.members.synthetic import member_values

    seed, code, today, branches, _suffix = job
    rng, used, out = random.Random(seed), set(), []
    for org_id, region_id, size in branches:
        for values in member_values(count=size, rng=rng, today=today, used_ids=used,
                                    area_code=f"{code}{rng.randint(1, 99):02d}"):
            out.append((org_id, region_id, values))
    return out


def member_job_copy(job) -> bytes:
    """The same rows as COPY text (ID numbers SM4-encrypted here, in the worker: a fifth of the Python time)."""
    from dangjian.core.crypto import encrypt_text
    from dangjian.members.synthetic import FIELDS

    secret = FIELDS.index("id_number")
    suffix = job[4]
    lines = []
    for org_id, region_id, values in member_job_rows(job):
        values = list(values)
        values[secret] = encrypt_text(values[secret])
        lines.append(f"{org_id}\t{region_id}\t" + "\t".join(map(copy_value, values)) + suffix)
    return "".join(lines).encode()


def temp_table(cursor, name: str, columns: str, rows: list[tuple]) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
    if rows:
        marks = ", ".join(["%s"] * len(rows[0]))
        cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
    if pg():
        cursor.execute(f"ANALYZE {name}")


# Below this many rows already in a table, its secondary indexes are dropped for the load and rebuilt after it
# (one sort per index instead of a B-tree insert per row: the members' roster indexes made the members step
# 10× its Python time). A table already holding a province keeps them: rebuilding would cost more.
REBUILD_BELOW_ROWS = 200_000
# From this many members generate_scale uses worker processes and two sessions (below, the start-up costs more).
PARALLEL_FROM_MEMBERS = 20_000


def drop_secondary_indexes(cursor, tables) -> list[str]:
    """Drop the indexes of `tables` that back no constraint (not the primary key), and the unique constraints
    no foreign key depends on (attendance_unique: 20 M rows at 1 M members); returns the statements that
    re-create them after the load, in the same transaction, each by one sort (a unique index is built first
    and then attached as the same constraint, so the schema ends exactly as migrations left it)."""
    ddl = []
    for table in tables:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        if cursor.fetchone()[0] >= REBUILD_BELOW_ROWS:
            continue
        cursor.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                          WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
                       [table])
        for name, definition in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
            ddl.append(definition)
        cursor.execute("""SELECT k.conname, k.conindid::regclass::text, pg_get_indexdef(k.conindid)
                          FROM pg_constraint k WHERE k.conrelid = %s::regclass AND k.contype = 'u'
                            AND NOT k.condeferrable
                            AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                                            WHERE f.contype = 'f' AND f.conindid = k.conindid)""", [table])
        for constraint, index, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            ddl += [definition, f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" UNIQUE USING INDEX {index}']
    return ddl
