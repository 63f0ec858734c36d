"""Every write of the information service's appeals, by noun; callers keep
`from darcha.infoservice import services`.

    intake          appeal_register (every channel; numbers, access codes, terms, similar appeals,
                    the acknowledgement), track_lookup, the partner receptions (appeals_partners,
                    partner_source), not_considered_ground
    routing         assign, resolution, forward, return
    terms_control   extensions, the study notice, reminders, escalation
    answers         draft, send back, approve, correct, not considered, terminate, publish
    author          rate, clarification, complaint to a higher body, withdraw
    subscriptions   telegram_subscribe, telegram_unsubscribe (the bot's chats), chats_notify (notices copied to them)
    _common         AUTHOR, events, numbers, access codes, notices after commit (private to the package)

Each public function takes keyword arguments and an `actor` (a user, or a `SystemActor`: AUTHOR, the
scheduler), runs in one transaction, writes an AuditEntry in the hokimiyat's chain and sends notices only
after commit. Permissions are asked of `core.access`. Refusals are ValidationError (bad input),
`core.errors.Refused` with a `choices.AppealRefusal` code (not possible now) or `core.errors.Forbidden`
(not for this actor), all with translated messages. Each helper edits only its own lines here.
"""

# a-intake
from ._common import AUTHOR, number_prefix
from .intake import (
    PARTNER_ONLY,
    SignatoryData,
    appeal_register,
    appeals_partners,
    may_register,
    not_considered_ground,
    partner_source,
    source_channel,
    track_lookup,
    tracking_limits,
)

# isort: split
# a-work
from .answers import answer_approve, answer_correct, answer_draft, answer_send_back, current_answer
from .author import (
    appeal_clarification,
    appeal_complaint,
    appeal_publish,
    appeal_rate,
    appeal_withdraw,
    higher_body_of,
)
from .routing import appeal_assign, appeal_forward, appeal_resolution, appeal_return, may_execute
from .terms_control import appeal_extend, appeal_study_notice, appeals_escalate_overdue, appeals_remind_due

# isort: split
# a-public
from .subscriptions import chats_notify, telegram_subscribe, telegram_unsubscribe

__all__ = [
    # a-intake
    "AUTHOR",
    "PARTNER_ONLY",
    "SignatoryData",
    "appeal_register",
    "appeals_partners",
    "may_register",
    "not_considered_ground",
    "number_prefix",
    "partner_source",
    "source_channel",
    "track_lookup",
    "tracking_limits",
    # a-work
    "answer_approve",
    "answer_correct",
    "answer_draft",
    "answer_send_back",
    "appeal_assign",
    "appeal_clarification",
    "appeal_complaint",
    "appeal_extend",
    "appeal_forward",
    "appeal_publish",
    "appeal_rate",
    "appeal_resolution",
    "appeal_return",
    "appeal_study_notice",
    "appeal_withdraw",
    "appeals_escalate_overdue",
    "appeals_remind_due",
    "current_answer",
    "higher_body_of",
    "may_execute",
    # a-public
    "chats_notify",
    "telegram_subscribe",
    "telegram_unsubscribe",
]
