from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from dangjian.core.testing import ApiClient
from dangjian.study.models import Course, CourseAttendance, Question, Quiz, QuizAttempt, StudyCredit

from .base import StudyCase


class QuizApiTests(StudyCase):
    def setUp(self):
        api = self.api_as(self.li)
        self.q = []
        for text, choices, answer in [("党的最高理想是？", ["实现共产主义", "发家致富"], [0]),
                                      ("三会一课包括？", ["支部党员大会", "支委会", "党小组会", "党课"], [0, 1, 2, 3]),
                                      ("预备期为几年？", ["半年", "一年", "两年"], [1])]:
            r = api.post("/study/questions", {"org_id": self.branch_one.id, "text": text, "choices": choices,
                                              "answer": answer})
            self.assertEqual(r.status_code, 201, r.content)
            self.q.append(r.json()["id"])
        r = api.post("/study/quizzes", {"org_id": self.branch_one.id, "title": "党章知识测试", "question_ids": self.q,
                                        "question_count": 3, "pass_score": "66.67", "credit_hours": "1.5"})
        self.assertEqual(r.status_code, 201, r.content)
        self.quiz = r.json()
        self.zapi = self.api_as(self.zhao)

    def right(self):
        return {str(self.q[0]): [0], str(self.q[1]): [3, 2, 1, 0], str(self.q[2]): [1]}

    def test_start_draws_without_answers_and_grading(self):
        r = self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(sorted(q["id"] for q in r.json()["questions"]), sorted(self.q))
        self.assertNotIn("answer", r.json()["questions"][0])
        answers = {**self.right(), str(self.q[1]): [0, 1, 2]}           # multiple choice must be exact
        r = self.zapi.post(f"/study/quizzes/{self.quiz['id']}/submit", {"answers": answers})
        self.assertEqual((r.json()["score"], r.json()["passed"]), ("66.67", True))  # the pass mark itself passes
        self.assertEqual(StudyCredit.objects.get(member=self.m_zhao, source="quiz").hours, Decimal("1.50"))

    def test_failing_credits_nothing(self):
        self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start")
        r = self.zapi.post(f"/study/quizzes/{self.quiz['id']}/submit", {"answers": {str(self.q[0]): [1]}})
        self.assertEqual((r.json()["score"], r.json()["passed"]), ("0.00", False))
        self.assertFalse(StudyCredit.objects.filter(member=self.m_zhao).exists())

    def test_random_draw_from_pool(self):
        Quiz.objects.filter(pk=self.quiz["id"]).update(question_count=2)
        drawn = self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start").json()["questions"]
        self.assertEqual(len(drawn), 2)
        again = self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start").json()["questions"]
        self.assertEqual(drawn, again)  # restarting shows the same draw

    def test_submitted_twice_or_after_deadline_changes_nothing(self):
        self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start")
        self.zapi.post(f"/study/quizzes/{self.quiz['id']}/submit", {"answers": self.right()})
        before = self.counts(QuizAttempt, StudyCredit)
        self.assert_refused(self.zapi.post(f"/study/quizzes/{self.quiz['id']}/submit", {"answers": {}}), 409, "重复")
        self.assert_refused(self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start"), 409)
        self.assertEqual(self.counts(QuizAttempt, StudyCredit), before)
        self.assertEqual(QuizAttempt.objects.get(member=self.m_zhao).score, Decimal("100.00"))

    def test_after_deadline(self):
        li_api = self.api_as(self.li)
        li_api.post(f"/study/quizzes/{self.quiz['id']}/start")
        Quiz.objects.filter(pk=self.quiz["id"]).update(deadline=timezone.now() - timedelta(minutes=1))
        before = self.counts(QuizAttempt, StudyCredit)
        self.assert_refused(li_api.post(f"/study/quizzes/{self.quiz['id']}/submit", {"answers": self.right()}), 400,
                            "截止")
        self.assert_refused(self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start"), 400, "截止")
        self.assertEqual(self.counts(QuizAttempt, StudyCredit), before)
        self.assertIsNone(QuizAttempt.objects.get(member=self.m_li).submitted_at)

    def test_bad_answers(self):
        self.zapi.post(f"/study/quizzes/{self.quiz['id']}/start")
        for answers in ({"999999": [0]}, {"abc": [0]}):
            self.assert_refused(self.zapi.post(f"/study/quizzes/{self.quiz['id']}/submit", {"answers": answers}), 400)
        self.assertEqual(self.zapi.post(f"/study/quizzes/{self.quiz['id']}/submit",
                                        {"answers": {str(self.q[0]): "A"}}).status_code, 422)
        self.assertIsNone(QuizAttempt.objects.get(member=self.m_zhao).submitted_at)

    def test_bad_quiz_and_question(self):
        api = self.api_as(self.li)
        before = self.counts(Quiz, Question)
        body = {"org_id": self.branch_one.id, "title": "x", "question_ids": self.q, "question_count": 4}
        self.assert_refused(api.post("/study/quizzes", body), 400, "抽题数")
        self.assert_refused(api.post("/study/quizzes", {**body, "question_count": 1, "pass_score": 101}), 400)
        self.assert_refused(api.post("/study/quizzes", {**body, "question_count": 1, "question_ids": [987654]}), 400)
        self.assert_refused(api.post("/study/questions", {"org_id": self.branch_one.id, "text": "x",
                                                          "choices": ["a"], "answer": [0]}), 400, "选项")
        self.assert_refused(api.post("/study/questions", {"org_id": self.branch_one.id, "text": "x",
                                                          "choices": ["a", "b"], "answer": [5]}), 400, "答案")
        self.assertEqual(self.counts(Quiz, Question), before)

    def test_scope(self):
        wang = self.api_as(self.wang)
        self.assertEqual(wang.post(f"/study/quizzes/{self.quiz['id']}/start").status_code, 404)
        self.assertEqual(wang.post(f"/study/quizzes/{self.quiz['id']}/submit", {"answers": {}}).status_code, 404)
        self.assertEqual(wang.get("/study/quizzes", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(wang.get("/study/quizzes").json()["count"], 0)
        self.assertEqual([q["id"] for q in self.zapi.get("/study/quizzes").json()["items"]], [self.quiz["id"]])
        self.assertEqual(ApiClient().post(f"/study/quizzes/{self.quiz['id']}/start").status_code, 401)


class CourseApiTests(StudyCase):
    def setUp(self):
        self.today = timezone.localdate()
        r = self.api_as(self.zhang).post("/study/courses", {
            "org_id": self.root.id, "title": "万名党员进党校", "kind": "party_school", "starts_on": str(self.today),
            "ends_on": str(self.today), "hours": "8", "lessons": [{"title": "党章", "teacher": "张"}]})
        self.assertEqual(r.status_code, 201, r.content)
        self.course = r.json()

    def test_attendance_credits_hours_once(self):
        r = self.api_as(self.li).post(f"/study/courses/{self.course['id']}/attendance",
                                      {"member_ids": [self.m_li.id, self.m_zhao.id], "certificate_no": "DX-001"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(StudyCredit.objects.filter(course_id=self.course["id"]).count(), 2)
        before = self.counts(CourseAttendance, StudyCredit)
        self.assert_refused(self.api_as(self.li).post(f"/study/courses/{self.course['id']}/attendance",
                                                      {"member_ids": [self.m_zhao.id]}), 409, "赵志强")
        self.assertEqual(self.counts(CourseAttendance, StudyCredit), before)

    def test_bad_attendance_and_course(self):
        before = self.counts(CourseAttendance, StudyCredit, Course)
        url = f"/study/courses/{self.course['id']}/attendance"
        self.assert_refused(self.api_as(self.li).post(url, {"member_ids": [self.m_zhao.id], "hours": "9"}), 400)
        self.assert_refused(self.api_as(self.li).post(url, {"member_ids": []}), 400)
        self.assert_refused(self.api_as(self.wang).post(url, {"member_ids": [self.m_zhao.id]}), 404)
        self.assert_refused(self.api_as(self.li).post(url, {"member_ids": [self.m_zhao.id, self.m_wang.id]}), 404)
        self.assert_refused(self.api_as(self.zhang).post("/study/courses", {
            "org_id": self.root.id, "title": "x", "starts_on": str(self.today),
            "ends_on": str(self.today - timedelta(1)),
            "hours": 8}), 400, "结束日期")
        self.assert_refused(self.api_as(self.zhang).post("/study/courses", {
            "org_id": self.root.id, "title": "x", "starts_on": str(self.today), "ends_on": str(self.today),
            "hours": 0}), 400, "学时")
        self.assertEqual(self.counts(CourseAttendance, StudyCredit, Course), before)
