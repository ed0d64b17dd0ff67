"""The one access policy: every list, detail, file, API endpoint, export and count asks it.

A user sees an object when its confidentiality is at most the user's clearance AND its custodian unit is
in the user's scope (own units and their descendants; province-wide roles see their whole province), OR
when the user holds a valid need-to-know grant for it. Objects the user may not see do not exist for them
(404, never 403), so not even their existence leaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Role

M = TypeVar("M", bound=models.Model)

PROVINCE_ROLES = frozenset({Role.PROVINCIAL_OFFICE, Role.STANDING_COMMITTEE, Role.ADMIN})
_ARCHIVE_WRITERS = frozenset({Role.CLERK, Role.ARCHIVIST, Role.OPERATOR, Role.ADMIN})
_REGISTRY_OFFICE = frozenset({Role.PROVINCIAL_OFFICE, Role.ADMIN})
_PLANNERS = frozenset({Role.ARCHIVIST, Role.UNIT_LEADER, Role.PROVINCIAL_OFFICE, Role.ADMIN})
#: Case files of inspection and supervision (cases app): worked on by inspectors and leaders, read also by
#: the Standing Committee; other roles see them only once closed, as an archival record.
_CASE_WORKERS = frozenset({Role.INSPECTOR, Role.UNIT_LEADER, Role.ADMIN})
_CASE_READERS = _CASE_WORKERS | {Role.STANDING_COMMITTEE}
#: Who registers and edits petitions, and who decides their steps (classify, forward, accept, verify,
#: conclude, file, extend, assign): the inspection staff and its leaders.
_PETITION_WRITERS = frozenset({Role.CLERK, Role.INSPECTOR, Role.UNIT_LEADER, Role.ADMIN})
PETITION_DECIDERS = frozenset({Role.INSPECTOR, Role.UNIT_LEADER, Role.ADMIN})


@dataclass(frozen=True)
class Rule:
    """How one model is scoped: the path to its custodian unit and to its confidentiality level.

    `grants` pairs a local field with the Grant field that points at it: a grant on the document itself
    ("pk", "document") or on its record ("record", "record"). `unit_field=None` means every signed-in user
    sees all rows (the registry of bodies is not secret). `admin_only` rows are for administrators.
    """

    unit_field: str | None = None
    level_field: str | None = None
    grants: tuple[tuple[str, str], ...] = ()
    admin_only: bool = False
    writers: frozenset[str] = _ARCHIVE_WRITERS
    #: Roles that may see the rows at all (None: every role, then scoped as above).
    readers: frozenset[str] | None = None
    #: Rows that belong to one person (form drafts): only that person sees them, whatever the role.
    owner_field: str | None = None


RULES: dict[str, Rule] = {
    "registry.unit": Rule(writers=frozenset({Role.ADMIN, Role.PROVINCIAL_OFFICE})),
    "registry.succession": Rule(writers=frozenset({Role.ADMIN, Role.PROVINCIAL_OFFICE})),
    # Personal data: members are seen within the scope of their party organization.
    "registry.partymember": Rule(unit_field="organization", writers=frozenset({Role.ADMIN, Role.PROVINCIAL_OFFICE})),
    # Syncs with the central database (runs, their changes, column mappings): the Office's work; a run
    # names members of any province in its file, so it is not scoped by unit but by role.
    "registry.syncsource": Rule(readers=_REGISTRY_OFFICE, writers=_REGISTRY_OFFICE),
    "registry.registrysync": Rule(readers=_REGISTRY_OFFICE, writers=_REGISTRY_OFFICE),
    "registry.registrychange": Rule(readers=_REGISTRY_OFFICE, writers=frozenset()),
    "archive.fonds": Rule(unit_field="unit"),
    "archive.storagelocation": Rule(unit_field="unit"),
    "archive.record": Rule(unit_field="unit", level_field="confidentiality", grants=(("pk", "record"),)),
    "archive.document": Rule(
        unit_field="unit", level_field="confidentiality", grants=(("pk", "document"), ("record", "record"))
    ),
    "archive.registerentry": Rule(
        unit_field="unit", level_field="confidentiality", writers=frozenset({Role.CLERK, Role.ARCHIVIST, Role.ADMIN})
    ),
    # A browser register import: whoever may write register entries of its unit sees it.
    "archive.registerimport": Rule(unit_field="unit", writers=frozenset({Role.CLERK, Role.ARCHIVIST, Role.ADMIN})),
    "archive.grant": Rule(admin_only=True, writers=frozenset({Role.ADMIN})),
    # Inspectors digitize too: the papers of their case files (cases.services.case_document_upload).
    "digitization.intake": Rule(
        unit_field="unit", level_field="confidentiality", writers=_ARCHIVE_WRITERS | {Role.INSPECTOR}
    ),
    "digitization.page": Rule(unit_field="intake__unit", level_field="intake__confidentiality"),
    "digitization.digitalcopy": Rule(
        unit_field="document__unit",
        level_field="document__confidentiality",
        grants=(("document", "document"), ("document__record", "record")),
    ),
    "digitization.fixityalert": Rule(admin_only=True, writers=frozenset()),
    # QC decisions: their writers are the roles that may check digitized pages.
    "digitization.pagereview": Rule(
        unit_field="page__intake__unit",
        level_field="page__intake__confidentiality",
        writers=frozenset({Role.OPERATOR, Role.ARCHIVIST, Role.ADMIN}),
    ),
    "digitization.pagereplacement": Rule(unit_field="page__intake__unit", level_field="page__intake__confidentiality"),
    # Counts, not documents: scoped by unit only (a number of secret papers is not itself secret).
    "reports.inventorycount": Rule(
        unit_field="unit", writers=frozenset({Role.CLERK, Role.ARCHIVIST, Role.ADMIN, Role.PROVINCIAL_OFFICE})
    ),
    "extraction.suggestion": Rule(
        unit_field="document__unit",
        level_field="document__confidentiality",
        grants=(("document", "document"), ("document__record", "record")),
    ),
    # Uses are counted per unit; rows are written by the views that serve documents, never edited.
    "usage.useevent": Rule(unit_field="unit", writers=frozenset()),
    # A unit files its own difficulties; the provincial Office (province-wide scope) sees and answers all.
    "difficulties.difficulty": Rule(
        unit_field="unit",
        writers=frozenset(
            {Role.CLERK, Role.ARCHIVIST, Role.OPERATOR, Role.UNIT_LEADER, Role.PROVINCIAL_OFFICE, Role.ADMIN}
        ),
    ),
    "difficulties.statuschange": Rule(unit_field="difficulty__unit", writers=frozenset()),
    # Digitization plans (planning app): scoped by the plan's unit; candidates also by the entry's level,
    # since a candidate shows its register entry. Leaders approve (checked in planning.services).
    "planning.plan": Rule(unit_field="unit", writers=_PLANNERS),
    "planning.exclusion": Rule(unit_field="plan__unit", writers=_PLANNERS),
    "planning.candidate": Rule(
        unit_field="entry__unit",
        level_field="entry__confidentiality",
        writers=frozenset({Role.OPERATOR, Role.UNIT_LEADER, Role.ADMIN}),
    ),
    "planning.team": Rule(unit_field="unit", writers=_PLANNERS),
    "planning.teammember": Rule(unit_field="team__unit", writers=_PLANNERS),
    "planning.batch": Rule(unit_field="plan__unit", writers=_PLANNERS | {Role.OPERATOR}),
    "planning.batchtransition": Rule(unit_field="batch__plan__unit", writers=frozenset()),
    # The register of copies of classified documents: a copy is seen by whoever may see its document;
    # rows are written only by copies.services.make_copy.
    "copies.secretcopy": Rule(
        unit_field="document__unit",
        level_field="document__confidentiality",
        grants=(("document", "document"), ("document__record", "record")),
        writers=frozenset(),
    ),
    # Persons and organizations named in a document (codes app): seen and changed as their document.
    "codes.documentmention": Rule(
        unit_field="document__unit",
        level_field="document__confidentiality",
        grants=(("document", "document"), ("document__record", "record")),
    ),
    # Reorganizations (reorg app): seen within the scope of the (first) successor; recorded, adjusted and
    # executed by the provincial Office. Items of classified objects carry no subject (reorg.kinds).
    "reorg.reorganization": Rule(unit_field="unit", writers=frozenset({Role.ADMIN, Role.PROVINCIAL_OFFICE})),
    "reorg.reorganizationunit": Rule(unit_field="reorganization__unit", writers=frozenset()),
    "reorg.transferitem": Rule(unit_field="reorganization__unit", writers=frozenset()),
    # Petitions (petitions app): scoped by the receiving unit and the petition's confidentiality like a
    # document; clerks register them, inspectors and leaders handle them (petitions.workflow checks who
    # may take which step: PETITION_DECIDERS); parties, files and events are seen as their petition.
    "petitions.petition": Rule(unit_field="unit", level_field="confidentiality", writers=_PETITION_WRITERS),
    "petitions.petitionparty": Rule(
        unit_field="petition__unit", level_field="petition__confidentiality", writers=_PETITION_WRITERS
    ),
    "petitions.petitionfile": Rule(
        unit_field="petition__unit", level_field="petition__confidentiality", writers=_PETITION_WRITERS
    ),
    "petitions.petitionevent": Rule(
        unit_field="petition__unit", level_field="petition__confidentiality", writers=frozenset()
    ),
    # A user's petition notices (selectors also keep them to their user): seen as their petition.
    "petitions.notification": Rule(
        unit_field="petition__unit", level_field="petition__confidentiality", writers=frozenset()
    ),
    # Case files (cases app): scoped by the handling unit and the case's level (its documents are never
    # above it); a grant on the record a case was closed into opens the case too. Subjects, documents and
    # stages follow their case.
    "cases.case": Rule(
        unit_field="unit",
        level_field="confidentiality",
        grants=(("record", "record"),),
        writers=_CASE_WORKERS,
        readers=_CASE_READERS,
    ),
    "cases.casesubject": Rule(
        unit_field="case__unit",
        level_field="case__confidentiality",
        grants=(("case__record", "record"),),
        writers=_CASE_WORKERS,
        readers=_CASE_READERS,
    ),
    "cases.casedocument": Rule(
        unit_field="case__unit",
        level_field="case__confidentiality",
        grants=(("case__record", "record"),),
        writers=_CASE_WORKERS,
        readers=_CASE_READERS,
    ),
    "cases.casestage": Rule(
        unit_field="case__unit",
        level_field="case__confidentiality",
        grants=(("case__record", "record"),),
        writers=frozenset(),
        readers=_CASE_READERS,
    ),
    # The legal calendar (workdays app): every signed-in user reads it (deadlines), the Office keeps it.
    "workdays.holiday": Rule(writers=_REGISTRY_OFFICE),
    "core.user": Rule(admin_only=True, writers=frozenset({Role.ADMIN})),
    "core.auditevent": Rule(admin_only=True, writers=frozenset()),
    # What a user typed and has not submitted (decision 0031): their own, not even an administrator's.
    "core.draft": Rule(owner_field="user", writers=frozenset(Role.values)),
}


def rule_for(model: type[models.Model]) -> Rule:
    """The rule of a model; a model without one cannot be shown at all (fails loudly, not open)."""
    try:
        return RULES[model._meta.label_lower]
    except KeyError:
        raise LookupError(f"no access rule for {model._meta.label_lower}: add one to core/policy.py") from None


def role_of(user: Any) -> str:
    return str(Role.ADMIN) if getattr(user, "is_superuser", False) else str(getattr(user, "role", ""))


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and role_of(user) == Role.ADMIN)


def is_province_wide(user: Any) -> bool:
    return role_of(user) in PROVINCE_ROLES


def scope_units(user: Any) -> QuerySet[Any]:
    """Units in the user's scope: own units and descendants, or whole provinces for province-wide roles."""
    from sohoa.registry.models import Unit

    cached = getattr(user, "_sohoa_scope", None)
    if cached is not None:
        return cached
    paths = scope_roots(user)
    if not paths:
        scope = Unit.objects.none()
    else:
        scope = Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
    user._sohoa_scope = scope
    return scope


def scope_roots(user: Any) -> list[str]:
    """The tree paths whose subtrees make the user's scope (scope_units is every unit under them)."""
    cached = getattr(user, "_sohoa_scope_roots", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    paths = [p for p in user.units.values_list("path", flat=True) if p]
    if is_province_wide(user):
        # The province is the root of the tree a user's unit sits in: /root_id/…
        paths = sorted({"/" + p.strip("/").split("/")[0] + "/" for p in paths})
    user._sohoa_scope_roots = paths
    return paths


def valid_grants(user: Any, now: Any = None) -> QuerySet[Any]:
    """The user's grants that count: approved by a leader and not expired (requests, rejected and
    revoked grants open nothing). The search's permission filter uses the same rows."""
    from sohoa.archive.models import Grant, GrantStatus

    return Grant.objects.filter(user=user, status=GrantStatus.APPROVED, valid_until__gt=now or timezone.now())


def grant_q(user: Any) -> Q:
    """Which grants (requests included) a user may see: their own and the ones they asked for; a unit
    leader also those addressed to units in their scope; an administrator all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if is_admin(user):
        return Q()
    q = Q(user=user) | Q(requested_by=user)
    if role_of(user) == Role.UNIT_LEADER:
        q |= Q(unit__in=scope_units(user).values("pk"))
    return q


def can_decide_grants(user: Any, unit: Any) -> bool:
    """Whether `user` may approve, reject or revoke grants on what `unit` keeps: a unit leader whose scope
    holds the unit, or an administrator."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_admin(user):
        return True
    return role_of(user) == Role.UNIT_LEADER and unit is not None and unit_in_scope(user, unit)


def _grant_q(user: Any, rule: Rule) -> Q:
    now = timezone.now()
    parts = []
    for local, target in rule.grants:
        granted = valid_grants(user, now).filter(**{f"{target}__isnull": False})
        parts.append(Q(**{f"{local}__in": granted.values(f"{target}_id")}))
    return reduce(or_, parts, Q(pk__in=[]))


def visibility_q(user: Any, model: type[models.Model]) -> Q:
    """The condition a row must meet to be visible to `user` (also used inside other queries)."""
    rule = rule_for(model)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if rule.owner_field:
        return Q(**{rule.owner_field: user.pk})
    if rule.admin_only:
        return Q() if is_admin(user) else Q(pk__in=[])
    if rule.readers is not None and role_of(user) not in rule.readers:
        return Q(pk__in=[])
    q = Q()
    if rule.unit_field:
        q &= Q(**{f"{rule.unit_field}__in": scope_units(user).values("pk")})
    if rule.level_field:
        q &= Q(**{f"{rule.level_field}__lte": user.clearance})
    if rule.grants:
        q |= _grant_q(user, rule)
    return q


def restrict(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Only the rows of `queryset` that `user` may see."""
    return queryset.filter(visibility_q(user, queryset.model))


def get_visible_or_404(user: Any, queryset: QuerySet[M], **lookup: Any) -> M:
    """One visible object, or 404 whether it is missing or merely hidden (existence must not leak)."""
    try:
        return restrict(user, queryset).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see(user: Any, obj: models.Model) -> bool:
    return restrict(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def can_create(user: Any, model: type[models.Model]) -> bool:
    """Whether the user's role may create or change objects of this kind at all."""
    return bool(getattr(user, "is_authenticated", False) and role_of(user) in rule_for(model).writers)


def can_edit(user: Any, obj: models.Model) -> bool:
    return can_create(user, type(obj)) and can_see(user, obj)


def unit_in_scope(user: Any, unit: Any) -> bool:
    return scope_units(user).filter(pk=unit.pk).exists()


def level_allowed(user: Any, level: int) -> bool:
    return int(level) <= int(user.clearance)


def can_handle_petition(user: Any, petition: models.Model) -> bool:
    """Whether `user` may take a step of `petition`'s workflow: an inspector, unit leader or administrator
    who sees it (a clerk registers petitions but does not decide them)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and role_of(user) in PETITION_DECIDERS
        and can_see(user, petition)
    )
