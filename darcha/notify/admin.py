"""Administration: messages (read-only, with a retry action), channel preferences, phone codes."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from darcha.core.admin import AuditedAdmin, ReadOnlyAdminMixin

from .models import ChannelPreference, Message, PhoneCode
from .services import message_retry


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows written only by the services: visible, never edited by hand."""


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    # The fields are listed: the context and the sealed secrets are never shown; the body has its codes masked.
    list_display = ["id", "created_at", "channel", "backend", "address", "template", "language", "status", "attempts"]
    list_filter = ["status", "channel", "backend", "fallback", "template", "language"]
    search_fields = ["address", "provider_id", "object_id"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    fieldsets = [
        (None, {"fields": ["channel", "backend", "fallback", "address", "language", "template", "subject", "body"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "interrupted",
                    "last_error",
                    "next_attempt_at",
                    "provider_id",
                    "provider_status",
                    "created_at",
                    "sending_at",
                    "claimed_until",
                    "sent_at",
                    "delivered_at",
                    "failed_at",
                ]
            },
        ),
        (_("About"), {"fields": ["object_type", "object_id"]}),
    ]

    def get_actions(self, request):
        # The retry action is a service call, not an edit: offer it to those who may view messages.
        actions = super().get_actions(request)
        if not self.has_view_permission(request):
            actions.pop("retry", None)
        return actions

    @admin.action(description=_("Send the selected failed messages again"))
    def retry(self, request, queryset):
        done, problems = 0, []
        for message in queryset:
            try:
                message_retry(actor=request.user, message=message)
            except ValidationError as error:
                problems.append(f"#{message.pk}: {'; '.join(error.messages)}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d message queued again.", "%(count)d messages queued again.", done) % {"count": done},
                messages.SUCCESS,
            )
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(AuditedAdmin):
    list_display = ["phone", "channel", "telegram_chat", "email", "updated_at"]
    list_filter = ["channel"]
    search_fields = ["phone", "telegram_chat", "email"]


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "phone", "purpose", "status", "attempts", "expires_at", "confirmed_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["phone"]
    exclude = ["code_hash"]
