from django.contrib import admin

from .models import PetitionSettings


@admin.register(PetitionSettings)
class PetitionSettingsAdmin(admin.ModelAdmin):
    """⚙ per committee: the 首问负责 deadlines in 工作日 and the public form's hourly limit (R-PET-SLA, R-PET-PUBLIC)."""

    list_display = ["org", "contact_days", "accept_days", "handle_days", "feedback_days", "public_per_hour"]
    raw_id_fields = ["org"]
