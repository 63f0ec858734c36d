"""Every write of the cases app, by noun; callers keep `from darcha.cases import services`.

    intake          numbers and codes, the fee, application_submit / application_register, application_supplement
    workflow        the one interpreter: task_actions, task_act (follow, end, return, request documents),
                    task_claim, task_assign, result_attach
    frontoffice     application_record_payment, application_handover (identity checked)
    ratings         the signed rating link, rating_submit
    subscriptions   telegram_subscribe, telegram_unsubscribe
    deadlines       tasks_escalate
    drafts          files kept between tries of a form: Draft, pending_uploads_keep / _discard / _expire
    tracking        track_lookup (tracking under its limits: page, API, bot), tracking_unlock
    _common         events, stored documents, the stopped clock, notices (private to the package)

Each public function takes keyword arguments and an `actor` (a user, or a `SystemActor`: the citizen,
the Telegram bot, the scheduler), runs in one transaction, writes an AuditEntry and sends notifications
only after commit. Permissions are asked of `core.access`. Refusals are ValidationError (bad input),
`core.errors.Refused` with a `choices.CaseRefusal` code (not possible now) or `core.errors.Forbidden`
(not for this actor), all with translated messages. Reads are `darcha.cases.selectors`.
"""

from ._common import CITIZEN
from .deadlines import tasks_escalate
from .drafts import Draft, pending_uploads_discard, pending_uploads_expire, pending_uploads_keep
from .frontoffice import application_handover, application_record_payment, identity_matches
from .intake import (
    ApplicantRefused,
    Fee,
    Intake,
    application_fee,
    application_problems,
    application_register,
    application_submit,
    application_supplement,
)
from .ratings import rating_submit, rating_token
from .subscriptions import telegram_subscribe, telegram_unsubscribe
from .tracking import TrackingRefused, track_lookup, tracking_unlock, unlock_token
from .workflow import (
    COMMENT_REQUIRED,
    RETURN,
    AvailableAction,
    result_attach,
    roles_allowed,
    task_act,
    task_actions,
    task_assign,
    task_claim,
)

__all__ = [
    "CITIZEN",
    "COMMENT_REQUIRED",
    "RETURN",
    "ApplicantRefused",
    "AvailableAction",
    "Draft",
    "Fee",
    "Intake",
    "application_fee",
    "application_handover",
    "application_problems",
    "application_record_payment",
    "application_register",
    "application_submit",
    "application_supplement",
    "identity_matches",
    "pending_uploads_discard",
    "pending_uploads_expire",
    "pending_uploads_keep",
    "rating_submit",
    "rating_token",
    "result_attach",
    "roles_allowed",
    "task_act",
    "task_actions",
    "task_assign",
    "task_claim",
    "tasks_escalate",
    "telegram_subscribe",
    "telegram_unsubscribe",
    "track_lookup",
    "tracking_unlock",
    "TrackingRefused",
    "unlock_token",
]
