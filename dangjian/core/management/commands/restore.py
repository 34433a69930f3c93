from django.core.management.base import BaseCommand, CommandError

from dangjian.core.backups import restore


class Command(BaseCommand):
    help = "从备份文件恢复整个数据库（覆盖当前全部数据）"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据")

    def handle(self, *args, path, yes, **options):
        if not yes:
            raise CommandError("恢复会覆盖当前全部数据：确认请加 --yes")
        try:
            restore(path)
        except FileNotFoundError:
            raise CommandError(f"找不到备份文件：{path}") from None
        except Exception as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        self.stdout.write(f"已从 {path} 恢复")
