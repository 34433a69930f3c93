"""Synthetic data at any scale: python manage.py generate_members --orgs N --members M

Builds a tree under a synthetic root (county → towns → N branches) and M members spread over the
branches, with valid ID numbers and dates consistent with RULES.md. Used by the benchmarks.
"""
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.members.synthetic import member_rows
from dangjian.orgs.models import Org

BRANCHES_PER_TOWN = 50
# Province codes (GB/T 2260). Each synthetic root gets its own 4-digit area prefix, so that runs for
# different roots cannot draw the same ID number (uniqueness inside one run is checked directly).
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "42", "43",
             "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]


class Command(BaseCommand):
    help = "生成任意规模的合成党组织和党员数据（用于性能测试）"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, required=True, help="党支部数量")
        parser.add_argument("--members", type=int, required=True, help="党员数量")
        parser.add_argument("--root", default="合成数据县委", help="合成数据的顶级组织名称")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, orgs: int, members: int, root: str, seed: int, **options):
        if orgs < 1 or members < 0:
            raise CommandError("--orgs 至少为 1，--members 不能为负数")
        started = time.perf_counter()
        branches = self._tree(root, orgs)
        root_pk = branches[0].get_root().pk
        prefix = f"{PROVINCES[root_pk % len(PROVINCES)]}{(root_pk // len(PROVINCES)) % 100:02d}"
        rng = random.Random(seed)
        today = timezone.localdate()
        used: set[str] = set()
        per, extra = divmod(members, len(branches))
        batch: list[Member] = []
        created = 0
        for i, branch in enumerate(branches):
            batch += member_rows(org=branch, count=per + (1 if i < extra else 0), rng=rng, today=today, used_ids=used,
                                 area_code=f"{prefix}{rng.randint(1, 99):02d}")
            if len(batch) >= 5000:
                Member.objects.bulk_create(batch, batch_size=5000)
                created += len(batch)
                batch = []
        Member.objects.bulk_create(batch, batch_size=5000)
        created += len(batch)
        self.stdout.write(f"生成 {len(branches)} 个党支部、{created} 名党员，用时 {time.perf_counter() - started:.1f} 秒")

    @transaction.atomic
    def _tree(self, root_name: str, n: int) -> list[Org]:
        root = Org.get_root_nodes().filter(name=root_name).first()
        if root is None:
            root = Org.objects.add_root(dict(name=root_name, kind=Org.Kind.COMMITTEE, is_region=True))
            Org.objects.filter(pk=root.pk).update(region_id=root.pk)
        root = Org.objects.get(pk=root.pk)
        have = list(Org.objects.in_subtree(root).filter(kind=Org.Kind.BRANCH).order_by("path"))
        towns = list(root.get_children().order_by("path"))
        while len(have) < n:
            town = towns[-1] if towns and Org.objects.get(pk=towns[-1].pk).numchild < BRANCHES_PER_TOWN else None
            if town is None:
                town = Org.objects.add_child(Org.objects.get(pk=root.pk), dict(
                    name=f"合成镇党委{len(towns) + 1}", kind=Org.Kind.COMMITTEE, region_id=root.pk))
                towns.append(town)
            town = Org.objects.get(pk=town.pk)
            have.append(Org.objects.add_child(town, dict(name=f"合成党支部{len(have) + 1}", kind=Org.Kind.BRANCH,
                                                         region_id=root.pk)))
        return have[:n]
