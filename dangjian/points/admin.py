"""Admin: read-only views of the catalog and the ledger. The ledger is append-only (DESIGN rule 5): no
add, change or delete here; every write goes through the services (with its audit event)."""
from django.contrib import admin

from .models import Objection, PointEntry, PointRule, PointRuleVersion, PointScheme, Publication


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class VersionInline(admin.TabularInline):
    model = PointRuleVersion
    extra = 0
    can_delete = False
    fields = ["version", "name", "category", "points", "cap_per_period", "valid_from", "valid_to"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PointRule)
class PointRuleAdmin(ReadOnlyAdmin):
    list_display = ["code", "org", "subject", "overrides", "created_at"]
    search_fields = ["code", "versions__name"]
    list_select_related = ["org", "overrides"]
    inlines = [VersionInline]


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "member", "org", "rule_code", "points", "status", "source", "reverses"]
    list_filter = ["status", "source", "category", "period"]
    search_fields = ["member__name", "rule_code", "source_event_id"]
    list_select_related = ["member", "org", "reverses"]
    raw_id_fields = ["member", "org", "rule", "rule_version", "reverses"]


@admin.register(PointScheme)
class PointSchemeAdmin(ReadOnlyAdmin):
    list_display = ["org", "base", "period_kind", "objection_days", "warn_below"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["org", "period", "level", "published_on", "objection_until"]
    list_select_related = ["org"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["publication", "filer_name", "status", "filed_on"]
    list_select_related = ["publication", "publication__org"]
