from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.visits import services
from dangjian.volunteers.models import Demand

from .helpers import VisitsTestCase


class NeedFromLogTests(VisitsTestCase):
    def test_need_heard_on_a_visit_goes_to_the_needs_board(self):
        log = services.visit_log_create(actor=self.li, member=self.m_li, household=self.h_one,
                                        visited_on=timezone.localdate(), notes="老人腿脚不便",
                                        needs="每周代买一次菜", create_need=True)
        d = Demand.objects.get()
        self.assertEqual((d.org_id, d.title, d.grid), (self.branch_one.id, "每周代买一次菜", "一网格"))
        self.assertIn(str(log.visited_on), d.description)

    def test_need_without_text_is_refused_and_nothing_written(self):
        with self.assertRaises(DomainError):
            services.visit_log_create(actor=self.li, member=self.m_li, household=self.h_one,
                                      visited_on=timezone.localdate(), notes="走访", needs="", create_need=True)
        self.assertEqual(Demand.objects.count(), 0)

    def test_outsider_cannot_raise_a_need_for_li_branch(self):
        from django.http import Http404

        with self.assertRaises(Http404):
            services.visit_log_create(actor=self.wang, member=self.m_li, household=self.h_one,
                                      visited_on=timezone.localdate(), notes="走访", needs="x", create_need=True)
        self.assertEqual(Demand.objects.count(), 0)
