import io
from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.study import services
from dangjian.study.models import Material, QuizAttempt, StudyCredit, StudyLeader

from .base import StudyCase


class StudyPagesTests(StudyCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        cls.today = today
        cls.own = services.material_create(actor=cls.li, org=cls.branch_one, title="支部学习资料", kind="article",
                                           duration_seconds=600, published_on=today, body="正文")
        cls.course = services.course_create(actor=cls.zhang, org=cls.root, title="党校培训", kind="party_school",
                                            starts_on=today, ends_on=today, hours=Decimal(8))
        q = services.question_create(actor=cls.li, org=cls.branch_one, text="预备期？", choices=["半年", "一年"],
                                     answer=[1])
        cls.quiz = services.quiz_create(actor=cls.li, org=cls.branch_one, title="测试", question_ids=[q.id],
                                        question_count=1, pass_score=Decimal(60))
        cls.q = q
        StudyCredit.objects.create(member=cls.m_zhao, org=cls.branch_one, year=today.year, credited_on=today,
                                   source="course", hours=Decimal("31.99"))

    def test_manager_pages_render(self):
        for user in (self.zhang, self.li):
            web = self.web_as(user)
            for url in ["/study/materials/", "/study/materials/new/", f"/study/materials/{self.own.id}/",
                        "/study/courses/", "/study/courses/new/", f"/study/courses/{self.course.id}/",
                        "/study/quizzes/", "/study/quizzes/new/", f"/study/quizzes/{self.quiz.id}/",
                        "/study/hours/", "/study/hours/?status=unmet&year=abc&page=99", "/study/me/",
                        "/study/materials/?series=weekly&period=2025-W07&q=x"]:
                self.assertEqual(web.get(url).status_code, 200, f"{user} {url}")

    def test_my_study_shows_progress_toward_the_goal(self):
        r = self.web_as(self.zhao).get("/study/me/")
        self.assertContains(r, "31.99")
        self.assertContains(r, "还差 0.01 学时")
        self.assertContains(r, "支部学习资料")
        self.assertContains(self.web_as(self.zhang).get("/study/me/"), "没有关联党员信息")

    def test_hours_ledger_and_export(self):
        r = self.web_as(self.li).get("/study/hours/?status=unmet")
        self.assertContains(r, "赵志强")
        r = self.web_as(self.li).get("/study/hours/export.xlsx")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = {ws.cell(row=i, column=1).value: ws.cell(row=i, column=4).value for i in range(3, ws.max_row + 1)}
        self.assertEqual(rows["赵志强"], 31.99)
        self.assertNotIn("王坤", rows)
        self.assertTrue(AuditEvent.objects.filter(verb="study.hours_export").exists())

    def test_outsider_member_and_anonymous(self):
        wang = self.web_as(self.wang)
        self.assertEqual(wang.get(f"/study/materials/{self.own.id}/").status_code, 404)
        self.assertEqual(wang.get(f"/study/hours/?org={self.branch_one.id}").status_code, 404)
        self.assertEqual(wang.get(f"/study/hours/export.xlsx?org={self.branch_one.id}").status_code, 404)
        self.assertEqual(wang.get(f"/study/quizzes/{self.quiz.id}/").status_code, 404)
        self.assertEqual(wang.get(f"/study/quizzes/{self.quiz.id}/take/").status_code, 404)
        self.assertEqual(wang.post(f"/study/hours/leader/{self.m_zhao.id}/").status_code, 404)
        self.assertNotContains(wang.get("/study/hours/"), "赵志强")
        zhao = self.web_as(self.zhao)
        self.assertEqual(zhao.get("/study/hours/").status_code, 404)
        self.assertEqual(zhao.get("/study/materials/").status_code, 404)
        self.assertEqual(zhao.get(f"/study/materials/{self.own.id}/").status_code, 200)  # published to him
        r = Client().get("/study/me/")
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith("/login/"))

    def test_take_quiz_on_the_page_once(self):
        web = self.web_as(self.zhao)
        self.assertContains(web.get(f"/study/quizzes/{self.quiz.id}/take/"), "预备期？")
        web.post(f"/study/quizzes/{self.quiz.id}/take/", {f"q{self.q.id}": "1"})
        attempt = QuizAttempt.objects.get(member=self.m_zhao)
        self.assertEqual((attempt.score, attempt.passed), (Decimal("100.00"), True))
        r = web.post(f"/study/quizzes/{self.quiz.id}/take/", {f"q{self.q.id}": "0"}, follow=True)
        self.assertContains(r, "不能重复提交")
        self.assertEqual(QuizAttempt.objects.get(member=self.m_zhao).score, Decimal("100.00"))

    def test_create_material_and_bad_input(self):
        web = self.web_as(self.li)
        before = Material.objects.count()
        r = web.post("/study/materials/new/", {"title": "视频", "series": "weekly", "kind": "video", "minutes": 10,
                                               "published_on": str(self.today), "url": "ftp://example.org/v",
                                               "body": ""})
        self.assertContains(r, "http")
        self.assertEqual(Material.objects.count(), before)
        r = web.post("/study/materials/new/", {"title": "图文", "series": "weekly", "kind": "article", "minutes": 10,
                                               "published_on": str(self.today), "body": "内容"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Material.objects.get(title="图文").duration_seconds, 600)

    def test_attendance_and_leader_mark_through_pages(self):
        web = self.web_as(self.li)
        r = web.post(f"/study/courses/{self.course.id}/", {"member_ids": [self.m_zhao.id], "hours": "",
                                                            "certificate_no": "A1"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(StudyCredit.objects.filter(member=self.m_zhao, course=self.course).exists())
        web.post(f"/study/hours/leader/{self.m_zhao.id}/", {"title": "组织委员"})
        self.assertTrue(StudyLeader.objects.filter(member=self.m_zhao).exists())
        web.post(f"/study/hours/leader/{self.m_zhao.id}/")
        self.assertFalse(StudyLeader.objects.filter(member=self.m_zhao).exists())
        self.assertEqual(self.web_as(self.wang).post(f"/study/courses/{self.course.id}/", {
            "member_ids": [self.m_li.id]}).status_code, 200)  # not offered: the form refuses, nothing written
        self.assertFalse(StudyCredit.objects.filter(member=self.m_li, course=self.course).exists())

    def test_future_course_refuses_attendance(self):
        later = services.course_create(actor=self.zhang, org=self.root, title="明年培训", kind="lecture",
                                       starts_on=self.today + timedelta(days=3), ends_on=self.today + timedelta(days=3),
                                       hours=Decimal(2))
        r = self.web_as(self.li).post(f"/study/courses/{later.id}/", {"member_ids": [self.m_zhao.id]})
        self.assertContains(r, "尚未开始")
