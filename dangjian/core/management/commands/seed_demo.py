from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangjian.core.demo import PERSONAS, seed_orgs
from dangjian.core.checks import DEMO_PASSWORD


class Command(BaseCommand):
    help = "载入演示数据（刘集镇组织架构与演示账号），可重复执行"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境不能载入演示数据")
        ctx = seed_orgs()
        for config in apps.get_app_configs():
            if not config.name.startswith("dangjian.") or config.label == "core":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.seed(ctx)
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪：{ctx.root.name}，共 {ctx.root.get_descendant_count() + 1} 个党组织"))
        for line in ctx.log:
            self.stdout.write(line)
        self.stdout.write("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, org_name, role, full_name in PERSONAS:
            self.stdout.write(f"  {username:6s} {full_name} — {org_name} {role}")
