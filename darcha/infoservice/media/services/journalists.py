"""A journalist's account (self sign-up at /press/join/) and the outlets' registry."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from darcha.core import access
from darcha.core.audit import audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.i18n import language_or_default
from darcha.core.identifiers import validate_phone
from darcha.core.models import Membership, Organization

from ..choices import MediaRefusal, OutletKind
from ..models import Journalist, Outlet

REGISTRY_STAFF = gettext_lazy("Only the accreditation commission or an administrator keeps the outlets' registry.")
OUTLET_FIELDS = ("name", "kind", "registration_number", "registration_date", "country", "address", "phone", "email")


def _clean_outlet(data: dict, errors: dict) -> dict:
    clean = {name: data.get(name) for name in OUTLET_FIELDS if name in data}
    clean["name"] = str(clean.get("name") or "").strip()
    if not clean["name"]:
        errors["outlet_name"] = [_("Name the media outlet.")]
    if clean.get("kind") not in OutletKind.values:
        errors["outlet_kind"] = [_("Choose the kind of the media outlet.")]
    for name in ("registration_number", "country", "address", "phone", "email"):
        clean[name] = str(clean.get(name) or "").strip()
    if clean.get("kind") != OutletKind.FOREIGN and not clean["registration_number"]:
        errors["registration_number"] = [_("Give the number of the outlet's registration certificate.")]
    if clean["email"]:
        try:
            validate_email(clean["email"])
        except ValidationError:
            errors["outlet_email"] = [_("Enter a valid e-mail address.")]
    if isinstance(clean.get("registration_date"), dt.date) and clean["registration_date"] > timezone.localdate():
        errors["registration_date"] = [_("The certificate's date cannot be in the future.")]
    return clean


def _find_outlet(clean: dict) -> Outlet | None:
    """The registry's outlet with this certificate number (or, for a foreign outlet, this name and country)."""
    if clean["registration_number"]:
        return Outlet.objects.filter(registration_number__iexact=clean["registration_number"]).first()
    return Outlet.objects.filter(
        name__iexact=clean["name"], country__iexact=clean["country"], kind=OutletKind.FOREIGN
    ).first()


def outlet_register(*, actor, data: dict) -> Outlet:
    """Add an outlet to the registry (the accreditation commission or an administrator). A certificate
    number already in the registry is refused."""
    if not access.holds_any(actor, {Role.ACCREDITATION_COMMISSION, Role.ADMINISTRATOR}):
        raise Forbidden(REGISTRY_STAFF)
    errors: dict = {}
    clean = _clean_outlet(data, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if _find_outlet(clean) is not None:
            raise Refused(_("This outlet is already in the registry."), MediaRefusal.OUTLET)
        outlet = Outlet.objects.create(**clean)
        audit_record(actor=actor, action="media_outlet_register", obj=outlet, data={"kind": outlet.kind})
    return outlet


def journalist_sign_up(
    *,
    username: str,
    password: str,
    full_name: str,
    phone: str,
    email: str,
    position: str,
    organization: Organization,
    outlet: Outlet | None = None,
    new_outlet: dict | None = None,
    language: str = "uz",
    now: dt.datetime | None = None,
) -> Journalist:
    """Create a journalist's account: the user (who signs in with `username` and `password`), their
    journalist record and outlet (one of the registry's, or a new one added to it), and the role
    Journalist at the hokimiyat they will apply to. ValidationError with the fields' messages."""
    now = now or timezone.now()
    User = get_user_model()
    errors: dict = {}
    username = str(username or "").strip()
    if not username:
        errors["username"] = [_("Choose a login.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This login is taken: choose another.")]
    full_name = " ".join(str(full_name or "").split())
    if not full_name:
        errors["full_name"] = [_("Give your full name.")]
    phone = str(phone or "").strip()
    try:
        phone = validate_phone(phone) if phone else ""
    except ValidationError as error:
        errors["phone"] = error.messages
    if not phone:
        errors.setdefault("phone", [_("Give your phone number.")])
    email = str(email or "").strip()
    if not email:
        errors["email"] = [_("Give your e-mail address: the commission's decisions come to it.")]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if organization is None or organization.kind != OrganizationKind.HOKIMIYAT or not organization.is_active:
        errors["organization"] = [_("Choose the hokimiyat you will apply to.")]
    position = str(position or "").strip()
    if not position:
        errors["position"] = [_("Give your position at the outlet.")]
    outlet_data = None
    if outlet is None:
        if not new_outlet:
            errors["outlet"] = [_("Choose your outlet from the registry, or add it.")]
        else:
            outlet_data = _clean_outlet(new_outlet, errors)
    probe = User(username=username, email=email, first_name=full_name)
    try:
        validate_password(password or "", user=probe)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if outlet is None:
            outlet = _find_outlet(outlet_data) or Outlet.objects.create(**outlet_data, created_at=now)
        first, _space, last = full_name.partition(" ")
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=first[:150],
            last_name=last[:150],
            phone=phone,
            language=language_or_default(language),
        )
        journalist = Journalist.objects.create(
            user=user, full_name=full_name, phone=phone, email=email, outlet=outlet, position=position, created_at=now
        )
        Membership.objects.create(user=user, organization=organization, role=Role.JOURNALIST)
        audit_record(
            actor=user,
            action="media_journalist_sign_up",
            obj=journalist,
            organization=organization,
            data={"outlet": outlet.pk},
        )
    return journalist


def journalist_join_hokimiyat(*, actor, journalist: Journalist, organization: Organization) -> None:
    """The role Journalist at one more hokimiyat (to apply there too)."""
    if journalist.user_id != getattr(actor, "pk", None):
        raise Forbidden(_("This is another journalist's account."))
    if organization.kind != OrganizationKind.HOKIMIYAT:
        raise ValidationError({"organization": [_("Choose the hokimiyat you will apply to.")]})
    with transaction.atomic():
        _membership, created = Membership.objects.get_or_create(
            user_id=journalist.user_id, organization=organization, role=Role.JOURNALIST
        )
        if created:
            audit_record(actor=actor, action="media_journalist_join", obj=journalist, organization=organization)
    access.forget(actor)
