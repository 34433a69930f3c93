from django.contrib import admin

from .models import ArrearsCase, DuesBill, DuesExemption, DuesPayment, DuesPolicy, DuesProfile, DuesPublication


class ReadOnlyLedgerAdmin(admin.ModelAdmin):
    """The ledger is append-only: visible in the back office, never edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesPayment)
class DuesPaymentAdmin(ReadOnlyLedgerAdmin):
    list_display = ("id", "member", "org", "kind", "paid_on", "amount", "voluntary", "method")
    list_filter = ("kind", "method")
    search_fields = ("member__name",)
    raw_id_fields = ("member", "org", "reverses")


@admin.register(DuesProfile)
class DuesProfileAdmin(ReadOnlyLedgerAdmin):
    list_display = ("member", "effective_from", "category", "income", "monthly_amount")
    search_fields = ("member__name",)


@admin.register(DuesExemption)
class DuesExemptionAdmin(ReadOnlyLedgerAdmin):
    list_display = ("member", "from_month", "to_month", "monthly_amount", "approval_ref", "revoked_on")


@admin.register(DuesPublication)
class DuesPublicationAdmin(ReadOnlyLedgerAdmin):
    list_display = ("org", "year", "collected", "handed_up", "used", "published_on")


@admin.register(DuesPolicy)
class DuesPolicyAdmin(admin.ModelAdmin):
    list_display = ("org", "farmer_amount", "back_limit_months", "advance_limit_months")
    raw_id_fields = ("org",)


@admin.register(DuesBill)
class DuesBillAdmin(ReadOnlyLedgerAdmin):
    list_display = ("member", "month", "category", "amount", "due", "rule", "state", "issued_on")
    list_filter = ("state", "rule")
    search_fields = ("member__name",)


@admin.register(ArrearsCase)
class ArrearsCaseAdmin(ReadOnlyLedgerAdmin):
    list_display = ("member", "first_unpaid", "months", "opened_on", "state", "disposal_id")
    list_filter = ("state",)
