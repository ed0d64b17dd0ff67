"""Petitions (đơn thư) as the inspection committee registers and handles them (issue 9).

The scanned letter is the starting point: it and every attachment go through the digitization
pipeline and stay archive documents; the petition holds what the clerk (or the letter's OCR) says about
it, the step it is at, and the legal deadline of that step. Every step is a PetitionEvent row, so the
history of a petition is its list of events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import Document
from sohoa.codes.models import BaseMention
from sohoa.core.models import Level
from sohoa.registry.models import PartyMember, Unit


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (khiếu nại)")
    DENUNCIATION = "denunciation", _("Denunciation (tố cáo)")
    RECOMMENDATION = "recommendation", _("Recommendation or reflection (kiến nghị, phản ánh)")
    MIXED = "mixed", _("Mixed")


class Channel(models.TextChoices):
    POST = "post", _("By post")
    IN_PERSON = "in_person", _("Handed in person")
    MAILBOX = "mailbox", _("Petition box")
    FORWARDED = "forwarded", _("Forwarded by another agency")
    ONLINE = "online", _("Email or online portal")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    FORWARDED = "forwarded", _("Forwarded")
    ACCEPTED = "accepted", _("Accepted for handling")
    VERIFYING = "verifying", _("Being verified")
    CONCLUDED = "concluded", _("Concluded")
    FILED = "filed", _("Filed without action")


#: States a petition leaves no more: no deadline runs, nothing is overdue.
CLOSED_STATES = frozenset({State.FORWARDED, State.CONCLUDED, State.FILED})


class Competence(models.TextChoices):
    OURS = "ours", _("Ours to handle")
    OTHER = "other", _("Another body's: forward")


class Petition(models.Model):
    """One letter (with its attachments) received by a unit, from registration to its last step."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="petitions", verbose_name=_("receiving unit"))
    #: Number in the unit's petition register (sổ theo dõi đơn thư), per year: "15/2026".
    number = models.CharField(_("register number"), max_length=32, blank=True)
    #: The number's parts, so the next one is a MAX() and two registrations can never share one.
    register_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    register_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    received_on = models.DateField(_("received on"))
    letter_date = models.DateField(_("date of the letter"), null=True, blank=True)
    channel = models.CharField(_("received by"), max_length=16, choices=Channel.choices, default=Channel.POST)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    #: Whether the letter meets the conditions for handling (signed, specific, in competence …); None = not
    #: yet decided.
    conditions_met = models.BooleanField(_("meets the conditions for handling"), null=True, blank=True)
    conditions_note = models.CharField(_("why not"), max_length=500, blank=True)
    competence = models.CharField(_("competence"), max_length=8, choices=Competence.choices, blank=True)
    forward_to = models.CharField(_("forward to"), max_length=255, blank=True)
    forward_to_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("forward to unit")
    )
    summary = models.TextField(_("summary"), blank=True)
    #: The letter's text: its OCR once digitized, or what the clerk typed (repeat detection compares it).
    content = models.TextField(_("content"), blank=True)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices, default=Level.NONE)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RECEIVED, db_index=True)
    #: Due date of the current step (None once closed); kept here so overdue lists are one indexed query.
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    complex_case = models.BooleanField(_("complex case"), default=False)
    repeat_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats", verbose_name=_("repeat of")
    )
    new_facts = models.BooleanField(_("brings new facts"), default=False)
    #: An anonymous (or otherwise unprocessable) letter filed without action whose content is specific
    #: enough to be kept for the committee's own inspection work (Law on Denunciation 2018, art. 25).
    kept_for_inspection = models.BooleanField(_("kept for inspection"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [models.Index(fields=["unit", "state", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "register_year", "register_seq"], name="petition_register_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def closed(self) -> bool:
        return self.state in CLOSED_STATES


class PetitionParty(BaseMention):
    """A sender of the letter or a person/organization it concerns; a missing code is a missing code
    for the codes app like a document's mention."""

    class Role(models.TextChoices):
        SENDER = "sender", _("Sender")
        CONCERNED = "concerned", _("Person or organization concerned")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="parties", verbose_name=_("petition"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SENDER)
    address = models.CharField(_("address"), max_length=500, blank=True)
    #: A letter gives "sinh năm 1965" far more often than a full date of birth.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    #: The organization or workplace as the letter writes it (`organization` is the registry's unit once known).
    workplace = models.CharField(_("organization as written"), max_length=255, blank=True)
    member = models.ForeignKey(
        PartyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("party member")
    )
    organization = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("party organization")
    )

    class Meta(BaseMention.Meta):
        verbose_name = _("party to a petition")
        verbose_name_plural = _("parties to petitions")


class PetitionFile(models.Model):
    """The letter or an attachment: an intake in the digitization pipeline, then its archive document.
    A file whose OCR fails stays attached (the intake keeps it in quarantine) and is flagged."""

    class Role(models.TextChoices):
        LETTER = "letter", _("Letter")
        ATTACHMENT = "attachment", _("Attachment")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="files", verbose_name=_("petition"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ATTACHMENT)
    name = models.CharField(_("file name"), max_length=255)
    intake = models.ForeignKey(
        "digitization.Intake", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("document")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("petition file")
        verbose_name_plural = _("petition files")

    def __str__(self) -> str:
        return self.name


class PetitionEvent(models.Model):
    """One step of a petition: what happened, by whom, and the deadline it set for the next."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        CLASSIFIED = "classified", _("Classified")
        FORWARDED = "forwarded", _("Forwarded")
        ACCEPTED = "accepted", _("Accepted")
        VERIFYING = "verifying", _("Verification started")
        CONCLUDED = "concluded", _("Concluded")
        FILED = "filed", _("Filed without action")
        EXTENDED = "extended", _("Deadline extended")
        ASSIGNED = "assigned", _("Assigned")
        LETTER = "letter", _("Letter generated")
        PREFILLED = "prefilled", _("Pre-filled from the letter")
        REPEAT = "repeat", _("Marked as a repeat")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events", verbose_name=_("petition"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    state = models.CharField(_("state after"), max_length=16, choices=State.choices)
    deadline = models.DateField(_("deadline set"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    #: An extension's written decision ("số 12/QĐ-UBKT"), a forwarding letter's number, …
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action}"


class Notification(models.Model):
    """An in-app notice to one user about one petition: its deadline is near or past, or it was assigned
    to them. One row per (user, petition, kind, deadline), so the periodic task can run again safely."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline near")
        OVERDUE = "overdue", _("Overdue")
        ASSIGNED = "assigned", _("Assigned to you")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="petition_notifications")
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    #: The deadline the notice is about (the assignment's date for ASSIGNED).
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("petition notification")
        verbose_name_plural = _("petition notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "petition", "kind", "deadline"], name="petition_notification_once")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.petition_id} {self.kind}"
