"""Marking a publication as disclosing a mandatory category (the press secretary; a center manager for a
center), and taking the mark off. Each a service function: atomic, locked, audited, the page cache told."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from darcha.core.audit import actor_user, audit_record
from darcha.core.errors import Refused

from ..choices import PublicationKind, PublicationRefusal, PublicationStatus
from ..models import Publication
from ..models_disclosures import Disclosure, DisclosureCategory
from ._common import changed, locked, require_editor


def disclosure_mark(*, actor, publication: Publication, category: DisclosureCategory) -> Disclosure:
    with transaction.atomic():
        publication = locked(publication)
        require_editor(actor, publication.organization)
        category = DisclosureCategory.objects.filter(pk=category.pk).first()
        if category is None or not category.is_active:
            raise Refused(_("This disclosure category is not in force."), PublicationRefusal.STATE)
        if publication.status == PublicationStatus.WITHDRAWN:
            raise Refused(_("A withdrawn publication discloses nothing."), PublicationRefusal.STATE)
        if not category.accepts(publication.kind):
            kinds = ", ".join(str(PublicationKind(kind).label) for kind in category.kinds)
            raise Refused(
                _("“%(category)s” is disclosed by a publication of these kinds: %(kinds)s.")
                % {"category": category.name, "kinds": kinds},
                PublicationRefusal.STATE,
            )
        if Disclosure.objects.filter(publication=publication, category=category).exists():
            raise Refused(_("The publication is already marked with this category."), PublicationRefusal.STATE)
        disclosure = Disclosure.objects.create(publication=publication, category=category, marked_by=actor_user(actor))
        audit_record(
            actor=actor,
            action="disclosure_mark",
            obj=disclosure,
            data={"publication": publication.pk, "category": category.code},
            organization=publication.organization_id,
        )
        changed()
    return disclosure


def disclosure_unmark(*, actor, disclosure: Disclosure) -> None:
    with transaction.atomic():
        disclosure = Disclosure.objects.select_related("category").filter(pk=disclosure.pk).first()
        if disclosure is None:
            return
        publication = locked(disclosure.publication)
        require_editor(actor, publication.organization)
        audit_record(
            actor=actor,
            action="disclosure_unmark",
            obj=disclosure,
            data={"publication": publication.pk, "category": disclosure.category.code},
            organization=publication.organization_id,
        )
        disclosure.delete()
        changed()
