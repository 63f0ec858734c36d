"""Surveys of a hokimiyat's citizens.

A `Survey` has ordered `Question`s of five kinds (single or multiple choice, a 1–5 scale, free text, a
matrix of rows each answered with one of the question's options); a question may be required, and may be
shown only when an earlier choice question got a given option (`show_if_option`). A survey is a draft
until launched; then it is open between `opens_at` and `closes_at`. Its questions are frozen once the first
response is in.

A `Response` is one respondent's answers, counted once per survey by `voter_key`, a keyed hash (HMAC-SHA256
with the secret key and the survey's id) of the confirmed phone or of the account — unique per survey, so
a second response is refused even when two arrive at once. In the anonymous mode only that hash is kept:
the phone itself is never stored, and hashes of one phone differ from survey to survey.

An `Answer` is one value: the option picked (one row per option of a multiple choice, one per matrix row),
the scale's number, or the text. Each question's results are published to the public on their own
(`results_published_at`) when the press secretary chooses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from darcha.core.i18n import Translated, translated_fields

from .choices import Identity, QuestionKind, SurveyState


class Survey(models.Model):
    organization = models.ForeignKey(
        "core.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="surveys"
    )
    code = models.SlugField(_("address"), max_length=64, unique=True)
    locals().update(translated_fields("title", max_length=255))
    locals().update(translated_fields("description", models.TextField, required=()))
    title = Translated("title")
    description = Translated("description")
    identity = models.CharField(_("one answer per"), max_length=16, choices=Identity.choices, default=Identity.PHONE)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    # When the press secretaries were told it closed (the job `surveys.closed`; closing it by hand counts).
    closed_notice_at = models.DateTimeField(_("closing notice sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    response_count = models.PositiveIntegerField(_("responses"), default=0)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["organization", "opens_at"], name="surveys_org_opens_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="surveys_dates_order")
        ]

    def __str__(self) -> str:
        return str(self.title)

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.launched_at is None:
            return SurveyState.DRAFT
        if now < self.opens_at:
            return SurveyState.SCHEDULED
        if now >= self.closes_at:
            return SurveyState.CLOSED
        return SurveyState.OPEN

    def get_state_display(self) -> str:
        return str(SurveyState(self.state()).label)


class Question(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    locals().update(translated_fields("text", max_length=500))
    locals().update(translated_fields("help", max_length=500, required=()))
    locals().update(translated_fields("low_label", max_length=80, required=()))
    locals().update(translated_fields("high_label", max_length=80, required=()))
    text = Translated("text")
    help = Translated("help")
    low_label = Translated("low_label")
    high_label = Translated("high_label")
    required = models.BooleanField(_("required"), default=False)
    show_if_option = models.ForeignKey(
        "Option",
        verbose_name=_("shown only when this answer was given"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shows",
    )
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "order", "id"]

    def __str__(self) -> str:
        return str(self.text)

    @property
    def published(self) -> bool:
        return self.results_published_at is not None


class Option(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    locals().update(translated_fields("text", max_length=255))
    text = Translated("text")

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return str(self.text)


class MatrixRow(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    locals().update(translated_fields("text", max_length=255))
    text = Translated("text")

    class Meta:
        verbose_name = _("matrix row")
        verbose_name_plural = _("matrix rows")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return str(self.text)


class Response(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    voter_key = models.CharField(max_length=64)
    phone = models.CharField(_("phone"), max_length=16, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL
    )
    language = models.CharField(_("language"), max_length=8, default="uz")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey", "submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "voter_key"], name="surveys_one_response")]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    row = models.ForeignKey(MatrixRow, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "option"], name="surveys_answer_q_opt_idx")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.value or self.text[:20]}"
