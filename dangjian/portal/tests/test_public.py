"""公开信息 (no login): only what each app marks public, nothing personal, junk input → 400, nothing written."""
from datetime import date, timedelta
from unittest import skipUnless

from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.core.testing import PersonaTestCase
from dangjian.members.models import Member


def installed(label: str) -> bool:
    return apps.is_installed(f"dangjian.{label}")


PHONE = "13912345678"
ID_NUMBER = "110101199003071234"


class PublicFixture(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        cls.member = Member.objects.create(org=cls.branch_one, region_id=cls.branch_one.region_id, name="张秘密",
                                           name_pinyin="zhangmimi", gender="F", birth_date=date(1980, 1, 1),
                                           stage="full", joined_on=date(2000, 7, 1), phone=PHONE)
        if installed("standards"):
            from dangjian.standards.models import ModelDesignation, Venue

            Venue.objects.create(org=cls.branch_one, kind="party_home", name="一支部党员之家", address="幸福路1号",
                                 opening_hours="周一至周五 9:00-17:00", facilities="会议桌、投影")
            Venue.objects.create(org=cls.branch_two, kind="activity_room", name="二支部活动室", address="和平路2号")
            Venue.objects.create(org=cls.branch_one, kind="other", name="内部档案室", address="保密", is_public=False)

            def designation(title, **kw):
                data = dict(org=cls.branch_one, kind="post", title=title, public_name="张同志", criteria="三亮",
                            story="热心服务群众", starts_on=today - timedelta(days=30),
                            ends_on=today + timedelta(days=300), state="approved", is_public=True)
                data.update(kw)
                return ModelDesignation.objects.create(**data)

            designation("为民服务示范岗", member=cls.member)
            designation("示范党支部", kind="branch", public_name="第一党支部")
            designation("未公开的岗", is_public=False)
            designation("待审核的岗", state="proposed")
            designation("已过期的岗", ends_on=today - timedelta(days=1))
        if installed("duties"):
            from dangjian.duties.models import ServiceBrand

            ServiceBrand.objects.create(org=cls.branch_one, name="红色管家", year=2024, rating="excellent",
                                        idea="有事找管家", practices="网格走访", results="办结 120 件")
            ServiceBrand.objects.create(org=cls.branch_two, name="邻里守望", year=2025, rating="nominated")
            ServiceBrand.objects.create(org=cls.branch_one, name="未评定品牌", year=2025)
        if installed("petitions"):
            from dangjian.petitions.models import Petition

            def petition(code, **kw):
                d = today - timedelta(days=10)
                data = dict(org=cls.branch_one, channel="phone", title="幸福路3号楼漏水", content="张秘密家漏水",
                            submitter_name="张秘密", submitter_phone=PHONE, tracking_code=code, state="closed",
                            received_on=d, closed_on=today, resolved=True, contact_due=d, accept_due=d,
                            handle_due=d, feedback_due=d, allow_public=True, public_reply="已协调物业完成维修。")
                data.update(kw)
                return Petition.objects.create(**data)

            petition("PUB0000000001")
            petition("PUB0000000002", allow_public=False, public_reply="不应公开的答复")
            petition("PUB0000000003", state="handled", public_reply="办理中的答复")
            petition("PUB0000000004", org=cls.branch_two, public_reply="二支部的公开答复")
        if installed("points"):
            from dangjian.points.models import Publication

            cls.pub = Publication.objects.create(
                org=cls.branch_one, period="2025Q1", period_start=date(2025, 1, 1), period_end=date(2025, 3, 31),
                published_on=date(2025, 4, 2), objection_until=date(2025, 4, 9),
                rows=[{"rank": 1, "id": cls.member.id, "name": "张秘密", "org_name": "第一党支部", "score": 90}])


PAGES = ["portal:public_index", "portal:public_disclosures", "portal:public_brands", "portal:public_models",
         "portal:public_venues"]


class PublicPagesTests(PublicFixture):
    def get(self, name, client=None, **params):
        return (client or Client()).get(reverse(name), params)

    def test_every_public_page_opens_without_login_and_leaks_nothing_personal(self):
        for name in PAGES:
            with self.subTest(name):
                r = self.get(name)
                self.assertEqual(r.status_code, 200)
                html = r.content.decode()
                for secret in (PHONE, ID_NUMBER, "张秘密", "幸福路3号楼漏水", "PUB0000000001"):
                    self.assertNotIn(secret, html)

    def test_phone_layout(self):
        r = self.get("portal:public_index")
        self.assertContains(r, 'name="viewport"')
        self.assertContains(r, "公开信息")
        self.assertNotContains(r, "navbar-vertical")  # no staff sidebar

    @skipUnless(installed("standards"), "standards not installed")
    def test_venues_only_public_ones_with_kind_and_org_filters(self):
        r = self.get("portal:public_venues")
        self.assertContains(r, "一支部党员之家")
        self.assertContains(r, "周一至周五 9:00-17:00")
        self.assertContains(r, "二支部活动室")
        self.assertNotContains(r, "内部档案室")
        r = self.get("portal:public_venues", kind="activity_room")
        self.assertNotContains(r, "一支部党员之家")
        self.assertContains(r, "二支部活动室")
        r = self.get("portal:public_venues", org=self.branch_one.id)
        self.assertContains(r, "一支部党员之家")
        self.assertNotContains(r, "二支部活动室")

    @skipUnless(installed("standards"), "standards not installed")
    def test_models_named_public_and_current_only_under_the_published_name(self):
        r = self.get("portal:public_models")
        self.assertContains(r, "为民服务示范岗")
        self.assertContains(r, "张同志")
        self.assertContains(r, "示范党支部")
        for hidden in ("未公开的岗", "待审核的岗", "已过期的岗", "张秘密"):
            self.assertNotContains(r, hidden)
        self.assertNotContains(self.get("portal:public_models", org=self.branch_two.id), "为民服务示范岗")

    @skipUnless(installed("duties"), "duties not installed")
    def test_brands_rated_by_the_upper_committee_only(self):
        r = self.get("portal:public_brands")
        self.assertContains(r, "红色管家")
        self.assertContains(r, "有事找管家")
        self.assertContains(r, "邻里守望")
        self.assertNotContains(r, "未评定品牌")
        html = r.content.decode()
        self.assertLess(html.index("红色管家"), html.index("邻里守望"))  # 优秀 first

    @skipUnless(installed("petitions"), "petitions not installed")
    def test_disclosures_show_consented_public_replies_of_closed_cases_only(self):
        r = self.get("portal:public_disclosures")
        self.assertContains(r, "已协调物业完成维修。")
        self.assertContains(r, "二支部的公开答复")
        self.assertNotContains(r, "不应公开的答复")
        self.assertNotContains(r, "办理中的答复")
        r = self.get("portal:public_disclosures", org=self.branch_two.id)
        self.assertNotContains(r, "已协调物业完成维修。")

    @skipUnless(installed("points") and installed("petitions"), "points/petitions not installed")
    def test_points_publications_follow_the_points_apps_rule(self):
        url = reverse("points:publication", args=[self.pub.id])
        r = self.get("portal:public_disclosures")
        self.assertNotContains(r, url)
        self.assertContains(r, "党员登录")
        self.assertContains(self.get("portal:public_disclosures", client=self.web_as(self.zhao)), url)
        self.assertContains(self.get("portal:public_disclosures", client=self.web_as(self.li)), url)
        # wang (another branch) does not see branch one's 公示, not even with branch one as the filter.
        self.assertNotContains(self.get("portal:public_disclosures", client=self.web_as(self.wang)), url)
        r = self.get("portal:public_disclosures", client=self.web_as(self.wang), org=self.branch_one.id)
        self.assertNotContains(r, url)

    def test_malformed_input_is_a_clear_400_and_unknown_org_404(self):
        for name in PAGES:
            with self.subTest(name):
                r = self.get(name, org="abc")
                self.assertEqual(r.status_code, 400)
                self.assertContains(r, "参数 org 应为党组织编号", status_code=400)
                self.assertEqual(self.get(name, org="999999999").status_code, 404)
                self.assertEqual(self.get(name, org="1" * 40).status_code, 400)
        self.assertEqual(self.get("portal:public_brands", page="x").status_code, 400)
        self.assertEqual(self.get("portal:public_brands", page="99").status_code, 404)
        self.assertEqual(self.get("portal:public_venues", kind="<script>").status_code, 400)

    def test_read_only_post_is_refused_and_writes_nothing(self):
        from dangjian.core.models import AuditEvent

        before = AuditEvent.objects.count()
        for name in PAGES:
            self.assertEqual(Client().post(reverse(name), {"org": self.branch_one.id}).status_code, 405)
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_inactive_org_is_404(self):
        from dangjian.orgs.models import Org

        Org.objects.filter(pk=self.branch_two.pk).update(is_active=False)
        self.assertEqual(self.get("portal:public_brands", org=self.branch_two.id).status_code, 404)
        self.assertNotContains(self.get("portal:public_brands"), "邻里守望")

    @skipUnless(installed("standards"), "standards not installed")
    def test_no_n_plus_one(self):
        from dangjian.standards.models import Venue

        with self.assertNumQueries(4):  # count, org choices, the page (with its orgs), the photos
            self.get("portal:public_venues")
        for n in range(5):
            Venue.objects.create(org=self.branch_two, kind="other", name=f"阵地{n}", address="路")
        with self.assertNumQueries(4):
            self.get("portal:public_venues")
