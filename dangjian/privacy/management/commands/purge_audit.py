from django.core.management.base import BaseCommand

from dangjian.privacy.services import audit_purge


class Command(BaseCommand):
    help = "删除超过保存期限的审计记录（AUDIT_RETENTION_DAYS，不少于 6 个月）"

    def handle(self, *args, **options):
        result = audit_purge()
        self.stdout.write(f"已删除 {result['deleted']} 条 {result['before']} 之前的审计记录")
