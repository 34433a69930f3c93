from datetime import date

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase


def make_member(actor, org, name, **extra):
    from dangjian.members.services import member_create

    data = {"name": name, "gender": "M", "birth_date": date(1980, 5, 1), "stage": "full",
            "joined_on": date(2005, 7, 1), "full_on": date(2006, 7, 1), **extra}
    return member_create(actor=actor, org=org, data=data)


def ensure_defaults():
    """The default 五必 list and 7-step method come from a data migration; a transactional test elsewhere
    may have flushed them, so put them back if missing."""
    from dangjian.duties import rules
    from dangjian.duties.models import ChecklistItem, WorkMethod

    for category, texts in rules.DEFAULT_CHECKLIST.items():
        for order, text in enumerate(texts, start=1):
            ChecklistItem.objects.get_or_create(org=None, category=category, text=text, defaults={"order": order})
    WorkMethod.objects.get_or_create(org=None, name=rules.DEFAULT_WORK_METHOD,
                                     defaults={"steps": rules.DEFAULT_WORK_STEPS})


class DutiesCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_defaults()

    def assert_refused(self, r, status, fragment=""):
        self.assertEqual(r.status_code, status, r.content)
        detail = r.json()["detail"]
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail)
        if fragment:
            self.assertIn(fragment, detail)

    def counts(self, *models):
        return [m.objects.count() for m in models] + [AuditEvent.objects.count()]
