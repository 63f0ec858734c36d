"""Administration: applications and their work are read-only here — they change only through the
front-office and back-office screens (the service functions), so every change is audited."""

from django.contrib import admin

from darcha.core.admin import ReadOnlyAdminMixin

from .models import Application, Escalation, Event, Rating, Result, Task


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class TaskInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Task
    fields = ["step", "agency", "status", "assignee", "opened_at", "due_at", "completed_at", "action"]
    readonly_fields = fields
    extra = 0


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Event
    fields = ["created_at", "kind", "action", "actor_label", "comment", "public"]
    readonly_fields = fields
    extra = 0


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "service", "center", "channel", "status", "outcome", "submitted_at", "due_at"]
    list_filter = ["status", "channel", "outcome", "center"]
    search_fields = ["number"]
    date_hierarchy = "submitted_at"
    # The access code opens the public tracking page: not shown to administrators either.
    exclude = ["access_code"]
    inlines = [TaskInline, EventInline]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["application", "step", "agency", "status", "assignee", "due_at"]
    list_filter = ["status", "agency"]
    search_fields = ["application__number"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["application", "code", "outcome", "agency", "issued_at", "generated"]
    list_filter = ["outcome", "generated"]
    search_fields = ["application__number", "code"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["application", "score", "center", "agency", "operator", "created_at"]
    list_filter = ["score", "center", "agency"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["task", "level", "created_at"]
    list_filter = ["level"]
