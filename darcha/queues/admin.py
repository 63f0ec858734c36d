from django.contrib import admin

from darcha.core.admin import AuditedAdmin

from .models import Counter


@admin.register(Counter)
class CounterAdmin(AuditedAdmin):
    list_display = ["center", "number", "label", "is_active"]
    list_filter = ["center", "is_active"]
    filter_horizontal = ["services", "categories"]
