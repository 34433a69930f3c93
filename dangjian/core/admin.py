from django.contrib import admin

from .models import AuditEvent, WorkdayOverride


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_name", "verb", "target_repr", "ip")
    list_filter = ("verb",)
    search_fields = ("actor_name", "target_repr", "verb")

    # Append-only: nobody edits or deletes history, not even a superuser.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working", "note")
