from datetime import date, timedelta

from django.db.models import F

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase


def make_member(actor, org, name, user=None, **extra):
    from dangjian.members.services import member_create

    data = {"name": name, "gender": "M", "birth_date": date(1980, 5, 1), "stage": "full",
            "joined_on": date(2005, 7, 1), "full_on": date(2006, 7, 1), **extra}
    member = member_create(actor=actor, org=org, data=data)
    if user is not None:
        member.user = user
        member.save(update_fields=["user"])
    return member


def rewind(progress_qs, seconds: int):
    """Pretend `seconds` of real time passed since the material was opened or last reported."""
    progress_qs.update(anchor_at=F("anchor_at") - timedelta(seconds=seconds))


class StudyCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m_li = make_member(cls.zhang, cls.branch_one, "李秀英", user=cls.li)
        cls.m_zhao = make_member(cls.zhang, cls.branch_one, "赵志强", user=cls.zhao)
        cls.m_wang = make_member(cls.zhang, cls.branch_two, "王坤", user=cls.wang)

    def assert_refused(self, r, status, fragment=""):
        self.assertEqual(r.status_code, status, r.content)
        detail = r.json()["detail"]
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail)
        if fragment:
            self.assertIn(fragment, detail)

    def counts(self, *models):
        return [m.objects.count() for m in models] + [AuditEvent.objects.count()]
