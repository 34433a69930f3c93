from django.contrib import admin

from .models import Material, StudyPolicy


@admin.register(StudyPolicy)
class StudyPolicyAdmin(admin.ModelAdmin):
    """⚙ A committee's own study-hour numbers (RULES §5); also settable through services.policy_set."""

    list_display = ("org", "member_hours", "leader_hours", "leader_needs_training", "online_minutes_per_hour")


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "series", "period", "published_on")
    list_filter = ("series", "kind")
    search_fields = ("title",)
