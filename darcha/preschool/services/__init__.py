"""Every write of the preschool app, by noun; callers keep `from darcha.preschool import services`.

    intake          application_register, application_edit, application_choices_set, application_leave,
                    benefit_claim, benefit_decide, track_lookup (the family page under the tracking limits)
    positions       positions_refresh: every child's position in each group it ranked above its seat,
                    each change recorded with its reasons (`preschool.explain`); the family's summary notice
    campaigns       campaign_create, campaign_run, campaign_start (queued as a task), allocation_continuous:
                    the allocation over a district, its referrals, cutoffs, report and notices in bulk
    referrals       placement_enrol (the family's code), _decline, _pause, _resume, _leave; the lapse and
                    reminder jobs; kindergarten_close / _reopen (its referrals paused meanwhile)
    seats           program_seats_set (never below the seats held), age_groups_advance (reference date)
    subscriptions   telegram_subscribe, telegram_unsubscribe (the bot's chats), chats_notify (notices copied to them)
    _common         FAMILY, events, queue numbers and access codes, notices (private to the package)

Each public function takes keyword arguments and an `actor` (a user, or a `SystemActor`: the family,
the system), runs in one transaction, writes an AuditEntry and sends notifications only after commit.
Permissions are asked of `core.access`. Refusals are ValidationError (bad input, field messages),
`core.errors.Refused` with a `choices.PreschoolRefusal` code or `core.errors.Forbidden`, all translated.
"""

# intake
from ._common import FAMILY
from .campaigns import allocation_continuous, campaign_create, campaign_run, campaign_start
from .intake import (
    BenefitClaim,
    active_application_of,
    application_choices_set,
    application_edit,
    application_leave,
    application_register,
    benefit_claim,
    benefit_decide,
    is_birth_partner,
    track_lookup,
)
from .positions import DistrictQueue, district_queue, position_summary, positions_refresh
from .referrals import (
    kindergarten_close,
    kindergarten_reopen,
    placement_decline,
    placement_enrol,
    placement_leave,
    placement_pause,
    placement_resume,
    placements_lapse_due,
    placements_remind_due,
)
from .seats import age_groups_advance, program_seats_set
from .subscriptions import chats_notify, telegram_subscribe, telegram_unsubscribe

__all__ = [
    # intake
    "FAMILY",
    "BenefitClaim",
    "active_application_of",
    "application_choices_set",
    "application_edit",
    "application_leave",
    "application_register",
    "benefit_claim",
    "benefit_decide",
    "is_birth_partner",
    "track_lookup",
    # positions
    "DistrictQueue",
    "district_queue",
    "position_summary",
    "positions_refresh",
    # campaigns, referrals, seats
    "age_groups_advance",
    "allocation_continuous",
    "campaign_create",
    "campaign_run",
    "campaign_start",
    "kindergarten_close",
    "kindergarten_reopen",
    "placement_decline",
    "placement_enrol",
    "placement_leave",
    "placement_pause",
    "placement_resume",
    "placements_lapse_due",
    "placements_remind_due",
    "program_seats_set",
    # subscriptions (the Telegram bot's chats)
    "chats_notify",
    "telegram_subscribe",
    "telegram_unsubscribe",
]
