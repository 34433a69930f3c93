"""python manage.py generate_scale --members 1000000 [--root 合成数据省委] [--year 2026] [--seed 1]

A province-shaped tree with members and one year of meetings, points, dues and visits (issue 13);
see dangjian/core/scale.py for the figures and how it stays fast (COPY / set-based SQL).
"""
from django.core.management.base import BaseCommand, CommandError

from dangjian.core.scale import generate


class Command(BaseCommand):
    help = "生成省级规模的合成数据：组织树、党员及一年的组织生活、积分、党费和走访记录（性能测试用）"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="党员数量")
        parser.add_argument("--root", default="合成数据省委", help="顶级组织名称（须不存在）")
        parser.add_argument("--year", type=int, default=None, help="活动年度（默认今年，截至昨天）")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, members: int, root: str, year: int | None, seed: int, **options):
        if members < 1:
            raise CommandError("--members 至少为 1")
        try:
            result = generate(members=members, root_name=root, year=year, seed=seed,
                              log=lambda s: self.stdout.write(s))
        except ValueError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"root_id={result['root_id']} total={result['timings']['total']:.1f}s")
