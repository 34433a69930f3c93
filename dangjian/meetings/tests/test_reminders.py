"""Reminders from the daily and weekly jobs: what is sent, to whom, and never twice."""
from datetime import date, timedelta

from django.test import SimpleTestCase
from django.utils import timezone

from dangjian.notify.models import Notification

from .. import prompts, reminders, rules, services, tasks
from .helpers import MeetingTestCase, held_meeting


class ReminderRuleTests(SimpleTestCase):
    def test_period_closing_soon_boundaries(self):
        # 7 days: the last seven days of the period (24 March is eight days before its end)
        self.assertFalse(rules.period_closing_soon("2026-03", date(2026, 3, 24)))
        self.assertTrue(rules.period_closing_soon("2026-03", date(2026, 3, 25)))
        self.assertTrue(rules.period_closing_soon("2026-03", date(2026, 3, 31)))
        self.assertFalse(rules.period_closing_soon("2026-03", date(2026, 4, 1)))  # closed: missing, not due
        self.assertTrue(rules.period_closing_soon("2026-Q1", date(2026, 3, 30)))
        self.assertFalse(rules.period_closing_soon("2026", date(2026, 3, 30)))
        self.assertTrue(rules.period_closing_soon("2026", date(2026, 12, 25)))


class DueReminderTests(MeetingTestCase):
    def titles(self, user):
        return sorted(Notification.objects.filter(user=user, kind="meetings.due").values_list("title", flat=True))

    def test_before_a_period_closes_the_committee_is_reminded_once(self):
        held_meeting(self.branch_one, "theme_day", date(2026, 3, 5))
        today = date(2026, 3, 27)
        first = reminders.due_reminders(today)
        self.assertGreater(first, 0)
        li = self.titles(self.li)
        self.assertIn("第一党支部：2026-Q1 尚未召开支部党员大会", li)
        self.assertIn("第一党支部：2026-Q1 尚未召开党课", li)
        self.assertIn("第一党支部：2026-03 尚未召开党小组会", li)
        self.assertFalse(any("主题党日" in t for t in li))  # held this month
        self.assertFalse(any("支委会" in t for t in li))  # fewer than 7 full members: no committee
        self.assertFalse(any("第二党支部" in t for t in li))
        self.assertIn("第二党支部：2026-03 尚未召开主题党日", self.titles(self.wang))
        self.assertEqual(self.titles(self.zhao), [])  # plain members are not the committee
        # a re-run sends nothing twice
        self.assertEqual(reminders.due_reminders(today), 0)
        self.assertEqual(Notification.objects.filter(kind="meetings.due").count(), first)
        # eight days before the end: nothing yet
        self.assertEqual(reminders.due_reminders(date(2026, 4, 22)), 0)

    def test_daily_job_runs_once_per_date(self):
        today = date(2026, 3, 27)
        result = tasks.daily_reminders(today)
        self.assertGreater(result["due"], 0)
        count = Notification.objects.count()
        self.assertIsNone(tasks.daily_reminders(today))
        self.assertEqual(Notification.objects.count(), count)

    def test_talk_reminders_from_december(self):
        self.assertEqual(reminders.talk_reminders(date(2026, 11, 30)), 0)
        self.assertGreater(reminders.talk_reminders(date(2026, 12, 1)), 0)
        self.assertTrue(Notification.objects.filter(user=self.li, kind="meetings.talks",
                                                    title__contains="7 名党员").exists())
        self.assertEqual(reminders.talk_reminders(date(2026, 12, 2)), 0)


class NoticeTests(MeetingTestCase):
    def test_notice_to_attendees_cadre_card_wording_and_no_duplicates(self):
        self.zhao_member.is_cadre = True
        self.zhao_member.save()
        m = self.new_meeting(kind="assembly", starts_in=timedelta(days=1))
        later = self.new_meeting(kind="assembly", starts_in=timedelta(days=rules.NOTICE_DAYS, hours=1))
        services.attendance_set(actor=self.li, meeting=m, member=self.li_member, status="leave")
        sent = reminders.meeting_notices()
        self.assertEqual(sent, 1)  # zhao only: li is on leave, the others have no account
        note = Notification.objects.get(user=self.zhao)
        self.assertEqual(note.kind, "meetings.cadre_reminder")
        self.assertIn("提醒卡", note.title)
        self.assertEqual(note.dedupe_key, f"meetings.notice:{m.id}")
        self.assertEqual(reminders.meeting_notices(), 0)
        self.assertFalse(Notification.objects.filter(dedupe_key=f"meetings.notice:{later.id}").exists())
        self.zhao_member.is_cadre = False
        self.zhao_member.save()
        third = self.new_meeting(kind="theme_day", starts_in=timedelta(hours=5))
        self.assertEqual(reminders.meeting_notices(), 2)  # zhao and li
        self.assertEqual(Notification.objects.get(user=self.li, dedupe_key=f"meetings.notice:{third.id}").kind,
                         "meetings.notice")


class WeeklyTests(MeetingTestCase):
    def test_monday_list_has_prompts_and_meetings_once_per_week(self):
        today = timezone.localdate()
        monday = rules.week_start(today)
        prompts.prompt_publish(actor=self.zhang, org=self.community, week=monday, title="开展民情走访")
        result = tasks.weekly_prompt(today)
        self.assertGreaterEqual(result["sent"], 2)  # li and wang
        note = Notification.objects.get(user=self.li, kind="meetings.weekly")
        self.assertIn("开展民情走访", note.body)
        self.assertEqual(note.dedupe_key, f"meetings.weekly:{self.branch_one.id}:{monday}")
        self.assertIsNone(tasks.weekly_prompt(today))
        self.assertEqual(reminders.send_weekly(today)["sent"], 0)  # even bypassing the job record
