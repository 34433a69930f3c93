from django.contrib import admin

from .models import Committee, Election, TermSettings


@admin.register(TermSettings)
class TermSettingsAdmin(admin.ModelAdmin):
    list_display = ("org", "remind_days", "updated_at")
    raw_id_fields = ("org",)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("org", "elected_on", "term_years", "expires_on", "is_current", "approved_on")
    list_filter = ("is_current", "source")
    raw_id_fields = ("org", "election")
    search_fields = ("org__name",)

    def has_delete_permission(self, request, obj=None):
        return False  # terms are history: a committee ends when the next one takes office


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "state", "seats", "held_on", "valid")
    list_filter = ("state", "round_kind")
    raw_id_fields = ("org", "parent")
    search_fields = ("title", "org__name")
