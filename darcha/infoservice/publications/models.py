"""Publications of a hokimiyat or a center: news, announcements, decisions (number, date, signed PDF),
press releases (with an embargo) and events, per language (uz required, uz-cyrl/ru/en optional with a
marked fallback), with images (stored resized, alt text required), attachments, categories and tags."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.core.i18n import LANGUAGE_CHOICES, Translated, translated_fields
from darcha.core.models import Organization

from .choices import PublicationKind, PublicationStatus


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    locals().update(translated_fields("name", max_length=120))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name = Translated("name")

    class Meta:
        verbose_name = _("publication category")
        verbose_name_plural = _("publication categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    locals().update(translated_fields("name", max_length=80))

    name = Translated("name")

    class Meta:
        verbose_name = _("publication tag")
        verbose_name_plural = _("publication tags")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Publication(models.Model):
    """One publication of one organization, from its draft to its publishing (or withdrawal)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="publications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PublicationKind.choices, default=PublicationKind.NEWS)
    status = models.CharField(
        _("status"), max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    slug = models.SlugField(_("address"), max_length=120, allow_unicode=False)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publications",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="publications")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The scheduled time (or, for an embargoed press release, when the embargo lifts).
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A decision of the hokim: its number, date, subject and the signed scan.
    decision_number = models.CharField(_("decision number"), max_length=40, blank=True, default="")
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_subject = models.CharField(_("decision subject"), max_length=500, blank=True, default="")
    signed_pdf = models.FileField(_("signed PDF"), upload_to="publications/decisions/%Y/", blank=True, default="")
    # A press release sent ahead to accredited journalists, public only when publish_at passes.
    embargo = models.BooleanField(_("embargo"), default=False)
    # What the press secretary asked to change when sending a draft back from review.
    review_comment = models.TextField(_("review comment"), blank=True, default="")
    # When the press secretaries were told a scheduled item did not go out at its time.
    missed_alerted_at = models.DateTimeField(_("missed schedule alerted"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="publication_slug_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="publication_status_published"),
            models.Index(fields=["organization", "status", "-published_at"], name="publication_org_published"),
            models.Index(fields=["status", "publish_at"], name="publication_due"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.slug}"

    @property
    def is_public(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    @property
    def is_decision(self) -> bool:
        return self.kind == PublicationKind.DECISION


class PublicationText(models.Model):
    """The text of a publication in one language; only the default language (uz) is required."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="texts"
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=300)
    lead = models.TextField(_("lead"), blank=True, default="")
    body = models.TextField(_("body"), blank=True, default="")  # sanitised HTML (publications.sanitize)
    is_published = models.BooleanField(_("published"), default=False)
    # Made by transliterating the uz text and not yet checked by the editor.
    transliterated = models.BooleanField(_("transliterated, not checked"), default=False)
    # Title, lead and body text folded by core.translit.search_key (both scripts), for search.
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("publication text")
        verbose_name_plural = _("publication texts")
        ordering = ["publication", "language"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "language"], name="publication_text_language_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.language}: {self.title}"

    def save(self, *args, **kwargs):
        from .sanitize import search_text_of

        self.search_text = search_text_of(self.title, self.lead, self.body)
        super().save(*args, **kwargs)


class PublicationImage(models.Model):
    """An image, stored resized to PUBLICATIONS_IMAGE_MAX_PX; its alt text in the default language is required."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.ImageField(
        _("image"), upload_to="publications/images/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    locals().update(translated_fields("alt_text", max_length=300))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    alt_text = Translated("alt_text")

    class Meta:
        verbose_name = _("publication image")
        verbose_name_plural = _("publication images")
        ordering = ["publication", "order", "id"]

    def __str__(self) -> str:
        return self.alt_text_uz


class PublicationAttachment(models.Model):
    publication = models.ForeignKey(
        Publication, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="publications/files/%Y/%m/")
    title = models.CharField(_("title"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("publication attachment")
        verbose_name_plural = _("publication attachments")
        ordering = ["publication", "order", "id"]

    def __str__(self) -> str:
        return self.title


# Mandatory disclosures and subscriptions: models of this app kept in their own modules.
from .models_disclosures import Disclosure, DisclosureCategory  # noqa: E402, F401
from .models_subscriptions import ChatSubscription, EmailSubscription, SubscriptionDelivery  # noqa: E402, F401
