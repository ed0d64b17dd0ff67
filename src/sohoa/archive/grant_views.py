"""Pages of need-to-know grants: ask for access, my requests, requests to decide, the grants of my units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sohoa.core import policy
from sohoa.core.web import attach_errors, paginate
from sohoa.registry.models import Unit

from . import grants
from .models import GrantStatus


class GrantRequestForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit that keeps it"), queryset=Unit.objects.order_by("code"), to_field_name="code"
    )
    reference = forms.CharField(
        label=gettext_lazy("Number and symbol, or record code"),
        max_length=150,
        help_text=gettext_lazy("As written in the register or on the paper, e.g. 12-QĐ/UBKTTU."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    valid_until = forms.DateField(
        label=gettext_lazy("Needed until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    for_user = forms.CharField(
        label=gettext_lazy("For user (leaders only)"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Username of a person in your units; leave empty to ask for yourself."),
    )

    def __init__(self, *args: Any, leader: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
        if not leader:
            del self.fields["for_user"]

    def clean_for_user(self) -> Any:
        username = self.cleaned_data.get("for_user", "").strip()
        if not username:
            return None
        user = grants.user_by_username(username)
        if user is None:
            raise forms.ValidationError(_("No active user with this username."))
        return user


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _is_decider(user: Any) -> bool:
    return policy.is_admin(user) or policy.role_of(user) == "unit_leader"


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    """My requests and grants; leaders and administrators also see those of their units."""
    status = request.GET.get("status", "")
    status = status if status in GrantStatus.values else ""
    if _is_decider(request.user):
        rows = grants.grant_list(request.user, status=status)
    else:
        rows = grants.grants_mine(request.user).filter(**({"status": status} if status else {}))
    page = paginate(request, rows)
    for grant in page:
        grant.target_visible = grants.target_visible_to(request.user, grant)  # type: ignore[attr-defined]
        grant.can_revoke = grant.status == GrantStatus.APPROVED and policy.can_decide_grants(  # type: ignore[attr-defined]
            request.user, grant.unit
        )
    context = {
        "page": page,
        "status": status,
        "statuses": GrantStatus.choices,
        "decider": _is_decider(request.user),
        "to_decide": grants.grants_to_decide(request.user).count() if _is_decider(request.user) else 0,
    }
    return render(request, "archive/grant_list.html", context)


@login_required
def grant_request(request: HttpRequest) -> HttpResponse:
    leader = _is_decider(request.user)
    form = GrantRequestForm(request.POST or None, leader=leader)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grants.grant_request(
                actor=request.user,
                user=data.get("for_user") or request.user,
                unit=data["unit"],
                reference=data["reference"],
                reason=data["reason"],
                valid_until=_end_of(data["valid_until"]),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            # The same answer whether or not the reference names anything: existence must not leak.
            messages.success(request, _("Your request was sent to the leaders of that unit."))
            return redirect("grant_list")
    return render(request, "archive/grant_request.html", {"form": form})


@login_required
def grant_review(request: HttpRequest) -> HttpResponse:
    """Requests waiting for the leader's decision (administrators: all)."""
    if not _is_decider(request.user):
        raise PermissionDenied
    page = paginate(request, grants.grants_to_decide(request.user))
    for grant in page:
        grant.target_visible = grants.target_visible_to(request.user, grant)  # type: ignore[attr-defined]
        grant.target_missing = grant.document_id is None and grant.record_id is None  # type: ignore[attr-defined]
    return render(request, "archive/grant_review.html", {"page": page})


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    grant = grants.grant_get_to_decide(request.user, pk)
    note = request.POST.get("note", "")
    try:
        if action == "approve":
            until = request.POST.get("valid_until", "")
            valid_until = _end_of(dt.date.fromisoformat(until)) if until else None
            grants.grant_approve(actor=request.user, grant=grant, valid_until=valid_until)
            messages.success(request, _("Access approved."))
        elif action == "reject":
            grants.grant_reject(actor=request.user, grant=grant, note=note)
            messages.success(request, _("Request rejected."))
        else:
            grants.grant_revoke(actor=request.user, grant=grant, note=note)
            messages.success(request, _("Access revoked."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ValueError:
        messages.error(request, _("Enter a valid date."))
    return redirect("grant_list" if action == "revoke" else "grant_review")


@login_required
@require_POST
def grant_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def grant_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "revoke")
