"""Re-encrypt every encrypted field and recompute the blind indexes under a new field key.

Procedure (the old key is never typed on a command line):
  1. export DANGJIAN_OLD_FIELD_KEY=<current key>; export DANGJIAN_FIELD_KEY=<new key, ≥ 32 characters>
  2. python manage.py rotate_id_key            (one transaction: all rows or none)
  3. restart the application with the new DANGJIAN_FIELD_KEY; unset DANGJIAN_OLD_FIELD_KEY.
Rows already under the new key are left as they are, so an interrupted run can be repeated.
"""
import os

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from dangjian.core.crypto import blind_index, decrypt_text, encrypt_text
from dangjian.core.fields import EncryptedCharField


def encrypted_columns():
    """(model, encrypted field, blind-index field or None) for every EncryptedCharField in the project.
    The index of `<x>_number` is `<x>_index` (members.Member.id_number → id_index), of `<x>` `<x>_index`."""
    for model in apps.get_models():
        names = {f.name: f for f in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                stem = field.name[: -len("_number")] if field.name.endswith("_number") else field.name
                yield model, field, names.get(f"{stem}_index")


def rotate(old_key: str, new_key: str, *, dry_run: bool = False) -> dict:
    counts = {}
    qn = connection.ops.quote_name
    with transaction.atomic():
        for model, field, index in encrypted_columns():
            table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
            with connection.cursor() as cur:
                cur.execute(f"SELECT {pk}, {qn(field.column)} FROM {table} WHERE {qn(field.column)} IS NOT NULL "
                            f"AND {qn(field.column)} <> ''")
                rows = cur.fetchall()
            done = 0
            for row_pk, token in rows:
                try:
                    plain = decrypt_text(token, key=old_key)
                except ValueError:
                    try:
                        decrypt_text(token, key=new_key)
                        continue  # already rotated
                    except ValueError:
                        raise CommandError(f"{model._meta.label}#{row_pk} 无法用旧密钥或新密钥解密，已全部回滚") from None
                sets, params = [f"{qn(field.column)} = %s"], [encrypt_text(plain, key=new_key)]
                if index is not None:
                    sets.append(f"{qn(index.column)} = %s")
                    params.append(blind_index(plain, key=new_key) or None)
                if not dry_run:
                    with connection.cursor() as cur:
                        cur.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s", [*params, row_pk])
                done += 1
            counts[f"{model._meta.label}.{field.name}"] = done
        if dry_run:
            transaction.set_rollback(True)
    return counts


class Command(BaseCommand):
    help = "用新密钥重新加密身份证号等加密字段并重建盲索引（旧密钥取自环境变量 DANGJIAN_OLD_FIELD_KEY）"

    def add_arguments(self, parser):
        parser.add_argument("--old-key-env", default="DANGJIAN_OLD_FIELD_KEY")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args, old_key_env, dry_run, **options):
        old_key, new_key = os.environ.get(old_key_env, ""), settings.DANGJIAN_FIELD_KEY
        if not old_key:
            raise CommandError(f"请在环境变量 {old_key_env} 中提供旧密钥")
        if old_key == new_key:
            raise CommandError("新旧密钥相同：请先把 DANGJIAN_FIELD_KEY 设为新密钥")
        if settings.PRODUCTION and len(new_key) < 32:
            raise CommandError("新密钥至少 32 个字符")
        counts = rotate(old_key, new_key, dry_run=dry_run)
        for name, n in counts.items():
            self.stdout.write(f"{name}: {'将' if dry_run else '已'}重新加密 {n} 条")
