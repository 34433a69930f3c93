from django.contrib import admin

from .models import ModelDesignation, SizeSettings, StandardChecklist, Venue


@admin.register(StandardChecklist)
class StandardChecklistAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "org", "issued_on")
    list_filter = ("year",)
    raw_id_fields = ("org", "previous")


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "org", "is_public", "is_active")
    list_filter = ("kind", "is_public")
    raw_id_fields = ("org",)
    search_fields = ("name", "address")


@admin.register(ModelDesignation)
class ModelDesignationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "public_name", "org", "state", "starts_on", "ends_on")
    list_filter = ("kind", "state")
    raw_id_fields = ("org", "member")


@admin.register(SizeSettings)
class SizeSettingsAdmin(admin.ModelAdmin):
    list_display = ("org", "committee_min_members", "updated_at")
    raw_id_fields = ("org",)
