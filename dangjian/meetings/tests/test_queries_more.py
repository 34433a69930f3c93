"""No N+1 on the pages of 民主评议, 工作提示 and 双重组织生活."""
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.orgs.models import Org

from .. import prompts, reviews, rules
from .helpers import MeetingTestCase, held_meeting, make_member


class MoreQueryCountTests(MeetingTestCase):
    def count(self, fn):
        with CaptureQueriesContext(connection) as ctx:
            r = fn()
        self.assertEqual(r.status_code, 200)
        return len(ctx.captured_queries)

    def pages(self, web, review_id):
        return [self.count(lambda: web.get(f"/meetings/reviews/?org={self.community.id}")),
                self.count(lambda: web.get(f"/meetings/reviews/{review_id}/")),
                self.count(lambda: web.get(f"/meetings/prompts/?org={self.community.id}")),
                self.count(lambda: web.get(f"/meetings/cadres/?org={self.root.id}"))]

    def test_pages_do_not_grow_with_rows(self):
        year = timezone.localdate().year
        monday = rules.week_start(timezone.localdate())
        review = reviews.review_open(actor=self.zhang, org=self.branch_one, year=year)
        reviews.review_grades_set(actor=self.zhang, review=review, rows=[
            {"member_id": self.zhao_member.id, "grade": "qualified"}])
        prompts.prompt_publish(actor=self.zhang, org=self.community, week=monday, title="一")
        make_member(self.branch_one, "干部甲", cadre=True)
        web = self.web_as(self.zhang)
        self.pages(web, review.id)  # warm the session and caches
        few = self.pages(web, review.id)
        for i in range(4):
            b = Org.objects.get(pk=self.community.pk).add_child(name=f"新支部{i}", kind=Org.Kind.BRANCH,
                                                                 region_id=self.root.id)
            reviews.review_open(actor=self.zhang, org=b, year=year)
            c = make_member(b, f"干部{i}", cadre=True)
            held_meeting(b, "theme_day", date(year, 1, 5), members=[c])
            prompts.prompt_publish(actor=self.zhang, org=self.community, week=monday, title=f"提示{i}")
        ids = [m.id for m in self.others] + [self.li_member.id]
        reviews.review_grades_set(actor=self.zhang, review=review, rows=[
            {"member_id": i, "grade": "qualified"} for i in ids])
        self.assertEqual(self.pages(web, review.id), few)
