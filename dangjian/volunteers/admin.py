from django.contrib import admin

from .models import Activity, Demand, GoodDeed, HoursEntry, Post, PostClaim, VolunteerProfile, VolunteerUnit


@admin.register(VolunteerUnit)
class VolunteerUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "specialty", "org", "is_active")
    list_filter = ("level", "specialty")
    search_fields = ("name",)
    raw_id_fields = ("org", "parent")


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "grid", "registered_via", "is_active")
    search_fields = ("name", "name_pinyin")
    raw_id_fields = ("org", "member", "registered_by")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "starts_at", "headcount", "state")
    list_filter = ("state",)
    raw_id_fields = ("org", "unit", "created_by")


@admin.register(HoursEntry)
class HoursEntryAdmin(admin.ModelAdmin):
    """Read-only: the hours ledger is append-only (corrections are new entries)."""

    list_display = ("volunteer", "activity", "served_on", "hours", "reason")
    raw_id_fields = ("org", "volunteer", "activity", "created_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(GoodDeed, list_display=("title", "volunteer", "done_on", "witness"),
                    raw_id_fields=("org", "volunteer", "unit", "recorded_by"))
admin.site.register(Post, list_display=("title", "org", "capacity", "is_active"), raw_id_fields=("org", "created_by"))
admin.site.register(PostClaim, list_display=("post", "member", "state", "starts_on", "ends_on", "agreement_no"),
                    raw_id_fields=("post", "org", "member", "renewed_from", "claimed_by", "decided_by"))
admin.site.register(Demand, list_display=("title", "org", "state", "urgency", "volunteer"),
                    raw_id_fields=("org", "volunteer", "assigned_by", "created_by"))
