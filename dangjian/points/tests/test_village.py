"""Seed 001: the quarterly ranking of a committee's village branches (level=village), with its 公示."""
from datetime import date

from dangjian.orgs.models import Org, Unit
from dangjian.points import services
from dangjian.points.demo import add_child

from .helpers import PointsTestCase, make_member


class VillageRankingTests(PointsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        root = Org.objects.get(pk=cls.root.pk)
        cls.villages = []
        for name in ("大孟村党支部", "刘集村党支部"):
            unit = Unit.objects.create(name=name[:-3], kind=Unit.Kind.VILLAGE)
            root = Org.objects.get(pk=root.pk)
            org = add_child(root, name=name, kind=Org.Kind.BRANCH, unit=unit, region_id=root.region_id)
            cls.villages.append(org)
            make_member(org, f"{name[:2]}党员")

    def test_ranking_of_village_branches_only(self):
        big, small = self.villages
        services.entry_create(actor=self.zhang, org=small, rule_code="BRMISS", occurred_on=date(2026, 8, 1))
        r = self.api_as(self.zhang).get("/points/ranking", {"org": self.root.id, "period": "2026Q3",
                                                            "level": "village"})
        self.assertEqual(r.status_code, 200, r.content)
        rows = [(i["rank"], i["name"], i["score"]) for i in r.json()["items"]]
        self.assertEqual(rows, [(1, "大孟村党支部", "100.00"), (2, "刘集村党支部", "97.00")])
        page = self.web_as(self.zhang).get("/points/ranking/", {"org": self.root.id, "period": "2026Q3",
                                                                "level": "village"})
        self.assertContains(page, "村党支部")
        self.assertEqual([row["name"] for row in page.context["rows"]], ["大孟村党支部", "刘集村党支部"])
        pub = services.publication_create(actor=self.zhang, org=self.root, period="2026Q3", level="village")
        self.assertEqual([row["name"] for row in pub.rows], ["大孟村党支部", "刘集村党支部"])
        self.assertIn("平均值", pub.formula)
        self.assertEqual(self.api_as(self.wang).get("/points/ranking", {
            "org": self.root.id, "period": "2026Q3", "level": "village"}).status_code, 404)
