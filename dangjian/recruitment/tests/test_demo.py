"""The demo seed (seed 003): people at every stage in 刘集镇's enterprise branches, 27 applications from the
enterprise branches in the last three months, this year's plan, a self-service account; idempotent."""
from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from dangjian.core.demo import seed_orgs
from dangjian.orgs.tree import subtree_q
from dangjian.recruitment import demo
from dangjian.recruitment.models import DossierDocument, RecruitmentPlan, RecruitmentRecord, StepRecord


class DemoTests(TestCase):
    def test_seed_is_idempotent_and_covers_every_stage(self):
        ctx = seed_orgs()
        demo.seed(ctx)
        counts = (RecruitmentRecord.objects.count(), StepRecord.objects.count(), DossierDocument.objects.count(),
                  RecruitmentPlan.objects.count())
        demo.seed(ctx)
        self.assertEqual((RecruitmentRecord.objects.count(), StepRecord.objects.count(),
                          DossierDocument.objects.count(), RecruitmentPlan.objects.count()), counts)
        enterprise = ctx.orgs[demo.ENTERPRISE_COMMITTEE]
        records = RecruitmentRecord.objects.filter(subtree_q(enterprise.path, field="member__org__path"))
        stages = list(records.values_list("member__stage", flat=True))
        for stage in ("applicant", "activist", "candidate", "probationary", "full"):
            self.assertGreaterEqual(stages.count(stage), 2, stage)
        since = timezone.localdate() - timedelta(days=92)
        recent = records.filter(member__applied_on__gte=since)
        self.assertEqual(recent.count(), 27)
        self.assertEqual(recent.values("member__org").distinct().count(), enterprise.get_children().count())
        self.assertTrue(DossierDocument.objects.filter(kind="thought_report").exists())
        self.assertEqual(RecruitmentPlan.objects.get(org=enterprise, year=timezone.localdate().year).quota, 8)
        self.assertTrue(records.filter(member__user__username=demo.SELF_SERVICE[1]).exists())
