from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangjian.core.backups import backup


class Command(BaseCommand):
    help = "备份整个数据库（SQLite 在线备份 / PostgreSQL pg_dump），身份证号保持加密"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="备份文件路径（默认 data/backups/时间戳）")

    def handle(self, *args, path=None, **options):
        if not path:
            path = Path(settings.BASE_DIR) / "data" / "backups" / f"dangjian-{datetime.now():%Y%m%d-%H%M%S}.backup"
        try:
            done = backup(path)
        except Exception as exc:  # pg_dump missing, disk full, …
            raise CommandError(f"备份失败：{exc}") from exc
        self.stdout.write(f"已备份到 {done}（{done.stat().st_size} 字节）")
