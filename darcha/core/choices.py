from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    REGION = "region", _("Region")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    HOKIMIYAT = "hokimiyat", _("Hokimiyat")
    CENTER = "center", _("Public service center")
    AGENCY = "agency", _("Agency")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRESCHOOL_DEPARTMENT = "preschool_department", _("Preschool education department")


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CENTER_MANAGER = "center_manager", _("Center manager")
    OPERATOR = "operator", _("Front-office operator")
    AGENCY_CLERK = "agency_clerk", _("Agency clerk")
    AGENCY_HEAD = "agency_head", _("Agency head")
    PRESS_SECRETARY = "press_secretary", _("Press secretary")
    LEADERSHIP = "leadership", _("Leadership viewer")
    KINDERGARTEN_DIRECTOR = "kindergarten_director", _("Kindergarten director")
    PRESCHOOL_OFFICER = "preschool_officer", _("District preschool department officer")
    APPEALS_OFFICER = "appeals_officer", _("Appeals officer")
    APPEALS_EXECUTOR = "appeals_executor", _("Appeals executor")
    HOKIM = "hokim", _("Hokim or deputy")
    JOURNALIST = "journalist", _("Journalist")
    ACCREDITATION_COMMISSION = "accreditation_commission", _("Accreditation commission member")


# Which kinds of organization a role may be held in. An administrator's scope is any subtree.
ROLE_ORGANIZATION_KINDS: dict[str, set[str]] = {
    Role.ADMINISTRATOR: set(OrganizationKind.values),
    Role.CENTER_MANAGER: {OrganizationKind.CENTER},
    Role.OPERATOR: {OrganizationKind.CENTER},
    Role.AGENCY_CLERK: {OrganizationKind.AGENCY},
    Role.AGENCY_HEAD: {OrganizationKind.AGENCY},
    Role.PRESS_SECRETARY: {OrganizationKind.HOKIMIYAT},
    Role.KINDERGARTEN_DIRECTOR: {OrganizationKind.KINDERGARTEN},
    Role.PRESCHOOL_OFFICER: {OrganizationKind.PRESCHOOL_DEPARTMENT},
    Role.APPEALS_OFFICER: {OrganizationKind.HOKIMIYAT},
    # A department of the hokimiyat, an agency, or the hokimiyat's own staff answers what it is assigned.
    Role.APPEALS_EXECUTOR: {OrganizationKind.HOKIMIYAT, OrganizationKind.AGENCY},
    Role.HOKIM: {OrganizationKind.HOKIMIYAT},
    # External: a journalist signs up at /press/join/ and holds the role at the hokimiyat applied to.
    Role.JOURNALIST: {OrganizationKind.HOKIMIYAT},
    Role.ACCREDITATION_COMMISSION: {OrganizationKind.HOKIMIYAT},
    Role.LEADERSHIP: {
        OrganizationKind.HOKIMIYAT,
        OrganizationKind.REGION,
        OrganizationKind.CITY,
        OrganizationKind.DISTRICT,
    },
}


class HolidayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off")
    WORKING_DAY = "working_day", _("Working day (transferred)")


class HolidaySource(models.TextChoices):
    OFFICIAL = "official", _("Official calendar")
    MANUAL = "manual", _("Entered by an administrator")


class PersonKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    LEGAL_ENTITY = "legal_entity", _("Legal entity")
