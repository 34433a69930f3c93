"""The daily reminder job (sent exactly once) and the person's own view of their progress."""
from datetime import timedelta

from django.utils import timezone

from dangjian.core.models import JobRun
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.members.models import Member
from dangjian.notify.models import Notification
from dangjian.recruitment import rules, services, tasks

from .helpers import applicant, days_ago, make_full, walk


def activist_due_soon(actor, org, vids, name):
    """An activist whose half-yearly assessment (R-ASSESS-6M) falls due in 10 days."""
    today = timezone.localdate()
    activist_on = rules.add_months(today + timedelta(days=10), -6)
    person = applicant(actor, org, name=name, applied_on=activist_on - timedelta(days=40))
    walk(actor, person, upto="sponsors_assigned", sponsors=vids, voters=5)
    return person


class ReminderTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.vids = [m.id for m in make_full(cls.zhang, cls.branch_one)]
        cls.wids = [m.id for m in make_full(cls.zhang, cls.branch_two, prefix="二")]
        cls.late = applicant(cls.li, cls.branch_one, name="谈话逾期", applied_on=days_ago(45))
        cls.soon = applicant(cls.li, cls.branch_one, name="谈话将到期", applied_on=days_ago(25))
        cls.fresh = applicant(cls.li, cls.branch_one, name="刚申请", applied_on=days_ago(2))   # due in ~4 weeks
        cls.mine = activist_due_soon(cls.li, cls.branch_one, cls.vids, "本人")
        Member.objects.filter(pk=cls.mine.pk).update(user=cls.zhao)
        cls.two = applicant(cls.wang, cls.branch_two, name="二支部", applied_on=days_ago(40))

    def test_the_job_sends_each_item_once_to_the_right_secretary(self):
        today = timezone.localdate()
        result = tasks.daily_reminders(today)
        self.assertEqual(result, {"secretary": 4, "person": 1})
        li = Notification.objects.filter(user=self.li)
        self.assertEqual(li.count(), 3)
        titles = " ".join(li.values_list("title", flat=True))
        self.assertIn("谈话逾期", titles)
        self.assertIn("谈话将到期", titles)
        self.assertIn("本人", titles)
        self.assertNotIn("刚申请", titles)
        self.assertNotIn("二支部", titles)
        self.assertEqual(list(Notification.objects.filter(user=self.wang).values_list("kind", flat=True)),
                         ["recruitment.overdue"])
        self.assertEqual(Notification.objects.filter(user=self.zhao, kind="recruitment.mine").count(), 1)
        total = Notification.objects.count()
        self.assertIsNone(tasks.daily_reminders(today))                      # once per date (JobRun)
        self.assertEqual(services.due_reminders_send(today=today), {"secretary": 0, "person": 0})  # dedupe keys
        self.assertEqual(Notification.objects.count(), total)
        self.assertEqual(JobRun.objects.filter(job=tasks.JOB, run_on=today).count(), 1)
        tomorrow = tasks.daily_reminders(today + timedelta(days=1))           # the next day: a new reminder
        self.assertGreater(tomorrow["secretary"], 0)

    def test_the_periodic_task_runs_the_job(self):
        tasks.recruitment_daily_reminders_task.call_local()
        self.assertTrue(JobRun.objects.filter(job=tasks.JOB).exists())
        self.assertEqual(Notification.objects.filter(user=self.li).count(), 3)


class MyProgressTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.vids = [m.id for m in make_full(cls.zhang, cls.branch_one)]
        cls.mine = activist_due_soon(cls.li, cls.branch_one, cls.vids, "我自己")
        Member.objects.filter(pk=cls.mine.pk).update(user=cls.zhao)
        cls.other = applicant(cls.li, cls.branch_one, name="别人", applied_on=days_ago(10))

    def test_the_person_sees_stage_next_step_dates_and_contacts(self):
        r = self.api_as(self.zhao).get("/recruitment/me")
        self.assertEqual(r.status_code, 200, r.content)
        data = r.json()
        self.assertEqual((data["member_id"], data["stage"]), (self.mine.id, "activist"))
        self.assertEqual(data["next"]["step"], "activist_assessment")
        self.assertEqual(data["next"]["latest"], (timezone.localdate() + timedelta(days=10)).isoformat())
        self.assertEqual(data["sponsors"], ["甲党员", "乙党员"])
        self.assertEqual([s["status"] for s in data["stages"]], ["done", "current", "todo", "todo", "todo"])
        self.assertTrue(data["next_report"])
        page = self.web_as(self.zhao).get("/recruitment/me/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        for text in ("我自己", "培养教育考察", "甲党员、乙党员", "next-report", "入党积极分子"):
            self.assertIn(text, html)
        self.assertNotIn("别人", html)

    def test_nobody_elses_progress(self):
        self.assertEqual(self.api_as(self.zhao).get(f"/recruitment/{self.other.id}").status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get(f"/recruitment/{self.other.id}/").status_code, 404)
        self.assertEqual(self.api_as(self.li).get("/recruitment/me").status_code, 404)   # li has no file
        page = self.web_as(self.li).get("/recruitment/me/")
        self.assertContains(page, "no-file")
        self.assertNotContains(page, "我自己")
        self.assertEqual(self.web_as(self.zhao).get("/recruitment/me/", {"member_id": self.other.id}).context["me"]
                         ["member_id"], self.mine.id)  # no parameter selects another person

    def test_anonymous(self):
        self.assertEqual(ApiClient().get("/recruitment/me").status_code, 401)
        self.assertIn("/login/", self.client.get("/recruitment/me/").url)
