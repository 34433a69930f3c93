from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Org, PartyGroup, Unit


@admin.register(Org)
class OrgAdmin(TreeAdmin):
    form = movenodeform_factory(Org)
    list_display = ("name", "kind", "secretary", "region_id", "is_active")
    search_fields = ("name",)


admin.site.register(Unit)
admin.site.register(PartyGroup)
