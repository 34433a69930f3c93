from django.conf import settings
from django.db import models


class RegionFilled:
    """Mixin for rows distributed by region_id (DESIGN rule 9): a row saved without it takes the region of
    REGION_FROM (a relation with region_id). Unique keys lead with region_id and NULLs never collide, so a
    forgotten region would silently let duplicates in. Services still pass it (no extra query); bulk_create
    bypasses save() and must set it."""

    REGION_FROM = "org"

    def save(self, *args, **kwargs):
        if self.region_id is None and self._state.adding:
            self.region_id = getattr(getattr(self, self.REGION_FROM, None), "region_id", None)
        super().save(*args, **kwargs)


class AuditEvent(models.Model):
    """One write that matters: who did what to which object, before and after. Append-only."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Snapshot of the org's tree path, so scoped browsing is an index range even after a move.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    # DESIGN rule 9: the org's region; an event about no org takes the actor's member region, else the home
    # region (the first root's): Citus refuses NULL in the distribution column (audit.region_of).
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    verb = models.CharField("操作", max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.target_repr}"


class WorkdayOverride(models.Model):
    """Admin-maintained corrections to the working-day calendar (RULES.md §9): the State Council
    publishes next year's holidays and make-up workdays each December."""

    date = models.DateField("日期", unique=True)
    is_working = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "工作日调整"

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working else '休息'}"


class JobRun(models.Model):
    """One row per periodic job and date, so a schedule fired twice does the work once."""

    job = models.CharField(max_length=64)
    run_on = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "run_on"], name="jobrun_once_per_day")]
