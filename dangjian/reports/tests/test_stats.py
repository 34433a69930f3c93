"""The year-end statistical tables (党内统计), exact numbers on the fixture."""
from datetime import date

from django.http import Http404

from dangjian.reports import stats

from .helpers import ON, ReportsFixture


def table(data, key):
    return next(t for t in data["tables"] if t["key"] == key)


def as_dict(t):
    return {r[0]: r[1] for r in t["rows"]}


class YearEndTests(ReportsFixture):
    def test_rolls_at_year_end_include_the_member_who_died_later(self):
        data = stats.year_end_tables(actor=self.zhang, org=self.root, year=2024, today=ON)
        self.assertEqual(data["as_of"], date(2024, 12, 31))
        # A, B, E (deceased in 2025), F, H full; I probationary (joined 2024-09); C joined in 2025: not yet.
        self.assertEqual(data["summary"], {"total": 6, "full": 5, "probationary": 1, "female": 3, "minority": 1,
                                           "under35": 3, "college": 4, "retired": 2, "admitted": 1})
        self.assertEqual(table(data, "summary")["rows"][1], ["正式党员", 5, 83.3])
        self.assertEqual(as_dict(table(data, "gender")), {"男": 3, "女": 3})
        self.assertEqual(as_dict(table(data, "ethnicity")), {"汉族": 5, "少数民族": 1, "　其中：回族": 1})
        ages = as_dict(table(data, "age"))
        self.assertEqual({k: v for k, v in ages.items() if v}, {"30岁及以下": 1, "31-35岁": 2, "61-70岁": 2,
                                                                "81岁及以上": 1})
        edu = as_dict(table(data, "education"))
        self.assertEqual(edu, {"研究生": 1, "大学本科": 2, "大学专科": 1, "中专": 0, "高中": 1, "初中及以下": 1})
        self.assertEqual(as_dict(table(data, "occupation")), {"教师": 2, "退休": 2, "医生": 1, "未填写": 1})
        self.assertEqual(as_dict(table(data, "party_years")), {"不满10年": 1, "10-29年": 2, "30-49年": 0,
                                                               "50年及以上": 2})

    def test_current_year_is_counted_today_and_shows_the_losses(self):
        data = stats.year_end_tables(actor=self.zhang, org=self.root, year=2025, today=ON)
        self.assertEqual(data["as_of"], ON)
        self.assertEqual((data["summary"]["total"], data["summary"]["probationary"], data["summary"]["admitted"]),
                         (6, 2, 1))
        changes = as_dict(table(data, "changes"))
        self.assertEqual(changes["发展党员（接收预备党员）"], 1)
        self.assertEqual(changes["减少：去世"], 1)
        self.assertEqual(changes["减少：除名/开除"], 0)

    def test_transfers_across_the_subtree_edge(self):
        from dangjian.members.models import Transfer

        kw = {"issued_on": date(2025, 2, 1), "report_by": date(2025, 5, 1), "state": Transfer.State.ACCEPTED}
        Transfer.objects.create(member=self.A, direction="internal", from_org=self.branch_one, to_org=self.branch_two,
                                **kw)
        Transfer.objects.create(member=self.H, direction="internal", from_org=self.other_branch,
                                to_org=self.branch_one, **kw)
        Transfer.objects.create(member=self.F, direction="out", from_org=self.branch_two, **kw)
        Transfer.objects.create(member=self.I, direction="in", to_org=self.branch_two, **kw)
        changes = as_dict(table(stats.year_end_tables(actor=self.zhang, org=self.community, year=2025, today=ON),
                                "changes"))
        # Inside the community A's move is neither in nor out; H came in, I came in from outside, F went out.
        self.assertEqual((changes["组织关系转入"], changes["组织关系转出"]), (2, 1))

    def test_by_child_rows_add_up(self):
        data = stats.year_end_tables(actor=self.zhang, org=self.root, year=2024, today=ON)
        rows = table(data, "by_child")["rows"]
        self.assertEqual([r[:3] for r in rows], [["测试社区党委", 5, 4], ["机关党支部", 1, 1], ["合计", 6, 5]])

    def test_outsider_gets_404_and_the_workbook_has_every_table(self):
        with self.assertRaises(Http404):
            stats.year_end_tables(actor=self.wang, org=self.branch_one, year=2024)
        data = stats.year_end_tables(actor=self.zhang, org=self.root, year=2024, today=ON)
        ws = stats.tables_workbook(data).active
        texts = [c.value for c in ws["A"] if c.value]
        for t in data["tables"]:
            self.assertIn(t["title"], texts)
