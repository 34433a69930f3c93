from django.contrib import admin

from .models import CarePlan, CareSettings, CareVisit, Fund, FundLedger, Greeting, GreetingTemplate, Relief


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers and the records linked to them: visible in the back office, never edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FundLedger)
class FundLedgerAdmin(ReadOnlyAdmin):
    list_display = ("fund", "seq", "kind", "category", "amount", "balance_after", "entry_on", "member")
    list_filter = ("kind", "category")


@admin.register(Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = ("name", "org", "kind", "balance", "approval_threshold")


@admin.register(Relief)
class ReliefAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "amount", "decided_on")


@admin.register(CareVisit)
class CareVisitAdmin(ReadOnlyAdmin):
    list_display = ("member", "occasion", "visited_on", "money")


@admin.register(Greeting)
class GreetingAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "occasion_date", "years", "state")
    list_filter = ("kind", "state")


@admin.register(CarePlan)
class CarePlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "org", "occasion", "starts_on", "ends_on")


@admin.register(CareSettings)
class CareSettingsAdmin(admin.ModelAdmin):
    list_display = ("org", "notice_days_ahead")
    raw_id_fields = ("org",)


@admin.register(GreetingTemplate)
class GreetingTemplateAdmin(admin.ModelAdmin):
    list_display = ("org", "kind")
    raw_id_fields = ("org",)
