from django.contrib import admin

from .models import Household, VisitSettings


@admin.register(VisitSettings)
class VisitSettingsAdmin(admin.ModelAdmin):
    """⚙ per committee: default spot-check size, whether every member must be paired (R-SPOT-CHECK, R-PAIRING)."""

    list_display = ["org", "spot_check_size", "pairing_required"]
    raw_id_fields = ["org"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "grid", "org", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]
    raw_id_fields = ["org"]
    exclude = ["phone"]  # residents' numbers are shown masked in the app, not in the admin
