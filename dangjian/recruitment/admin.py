from django.contrib import admin

from .models import DossierDocument, RecruitmentPlan, RecruitmentRecord, StepRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Recruitment files change only through the services (rules checked, audited, append-only)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecruitmentRecord)
class RecruitmentRecordAdmin(ReadOnlyAdmin):
    list_display = ("member", "state", "next_step", "due_on", "deadline_on", "late_count")
    list_filter = ("state",)
    search_fields = ("member__name",)
    list_select_related = ("member",)


@admin.register(StepRecord)
class StepRecordAdmin(ReadOnlyAdmin):
    list_display = ("record", "step", "date", "passed", "is_late", "voids", "created_at")
    list_filter = ("step", "is_late")
    list_select_related = ("record__member", "voids")


@admin.register(DossierDocument)
class DossierDocumentAdmin(ReadOnlyAdmin):
    list_display = ("record", "kind", "received_on", "copies", "voided_at")
    list_filter = ("kind",)
    list_select_related = ("record__member",)


@admin.register(RecruitmentPlan)
class RecruitmentPlanAdmin(ReadOnlyAdmin):
    list_display = ("org", "year", "quota", "committee", "updated_at")
    list_filter = ("year",)
    list_select_related = ("org", "committee")
