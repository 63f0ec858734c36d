"""Every write of the preschool app, by noun; callers keep `from darcha.preschool import services`.

    intake          application_register, application_edit, application_choices_set, application_leave,
                    benefit_claim, benefit_decide, track_lookup (the family page under the tracking limits)
    positions       positions_refresh: every child's position in each group it ranked above its seat,
                    each change recorded with its reasons (`preschool.explain`); the family's summary notice
    _common         FAMILY, events, queue numbers and access codes, notices (private to the package)

Each public function takes keyword arguments and an `actor` (a user, or a `SystemActor`: the family,
the system), runs in one transaction, writes an AuditEntry and sends notifications only after commit.
Permissions are asked of `core.access`. Refusals are ValidationError (bad input, field messages),
`core.errors.Refused` with a `choices.PreschoolRefusal` code or `core.errors.Forbidden`, all translated.
"""

# intake
from ._common import FAMILY
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
from .positions import DistrictQueue, district_queue, position_notices_send, position_summary, positions_refresh

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
    "position_notices_send",
    "position_summary",
    "positions_refresh",
]
