from django.contrib import admin

from .models import ChecklistItem, GroupDutyItem, GroupDutyList, Honor, Instructor, ServiceBrand, WorkMethod


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("category", "order", "text", "org", "is_active")
    list_filter = ("category", "is_active")


@admin.register(WorkMethod)
class WorkMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "is_active")


@admin.register(Instructor)
class InstructorAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "unit", "is_active")
    search_fields = ("name",)


@admin.register(Honor)
class HonorAdmin(admin.ModelAdmin):
    list_display = ("person_name", "award", "year", "state", "is_public")
    list_filter = ("state", "is_public", "level")


@admin.register(ServiceBrand)
class ServiceBrandAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "year", "rating")
    list_filter = ("rating",)


class GroupDutyItemInline(admin.TabularInline):
    model = GroupDutyItem
    extra = 0


@admin.register(GroupDutyList)
class GroupDutyListAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "org")
    list_filter = ("year",)
    raw_id_fields = ("org",)
    inlines = [GroupDutyItemInline]
