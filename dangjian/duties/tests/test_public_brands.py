"""duties.selectors.public_brands: what the portal may list without a login (rated brands only, nothing private)."""
from django.utils import timezone

from dangjian.duties import selectors, services
from dangjian.orgs.models import Org

from .base import DutiesCase


class PublicBrandsTests(DutiesCase):
    def test_only_rated_brands_of_active_orgs_excellent_first(self):
        year = timezone.localdate().year
        plain = services.brand_create(actor=self.li, org=self.branch_one, name="未评定品牌", year=year)
        nominated = services.brand_create(actor=self.li, org=self.branch_one, name="小事不出楼院", year=year)
        excellent = services.brand_create(actor=self.wang, org=self.branch_two, name="夕阳红之家", year=year - 1)
        gone = services.brand_create(actor=self.zhang, org=self.other_branch, name="撤销组织的品牌", year=year)
        services.brand_rate(actor=self.zhang, brand=nominated, rating="nominated")
        services.brand_rate(actor=self.zhang, brand=excellent, rating="excellent")
        services.brand_rate(actor=self.zhang, brand=gone, rating="excellent")
        Org.objects.filter(pk=self.other_branch.pk).update(is_active=False)
        names = [b.name for b in selectors.public_brands()]
        self.assertEqual(names, ["夕阳红之家", "小事不出楼院"])
        self.assertNotIn(plain.name, names)
        self.assertEqual([b.name for b in selectors.public_brands(root=self.branch_two)], ["夕阳红之家"])
        with self.assertNumQueries(1):
            rows = list(selectors.public_brands())
            [(b.org.name, b.get_rating_display()) for b in rows]
        self.assertIn("photo", rows[0].get_deferred_fields())
