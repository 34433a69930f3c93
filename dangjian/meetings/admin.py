from django.contrib import admin

from .models import (Attendance, HeartTalk, LeaveRequest, Makeup, Meeting, MeetingSettings, Review, ReviewGrade,
                     WorkPrompt)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "org", "starts_at", "state")
    list_filter = ("kind", "state")
    search_fields = ("title",)
    raw_id_fields = ("org", "party_group", "venue", "created_by")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "member", "status", "method", "checked_at")
    raw_id_fields = ("meeting", "member", "marked_by")


@admin.register(HeartTalk)
class HeartTalkAdmin(admin.ModelAdmin):
    list_display = ("member", "talker_name", "talked_on", "topic")
    raw_id_fields = ("org", "member", "created_by")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("org", "year", "state", "closed_on")
    raw_id_fields = ("org", "meeting", "created_by")


@admin.register(ReviewGrade)
class ReviewGradeAdmin(admin.ModelAdmin):
    list_display = ("review", "member", "grade")
    raw_id_fields = ("review", "member", "disposal", "updated_by")


@admin.register(WorkPrompt)
class WorkPromptAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "week_start")
    raw_id_fields = ("org", "created_by")


admin.site.register([LeaveRequest, Makeup, MeetingSettings])
