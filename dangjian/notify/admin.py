from django.contrib import admin

from .models import Delivery, Notification, Webhook


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "address", "state", "attempts", "last_error")
    list_filter = ("channel", "state")


admin.site.register(Webhook)
