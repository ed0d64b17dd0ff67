"""Re-authentication: classified files need a password entered in the last few minutes."""

from __future__ import annotations

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from sohoa.security import access

pytestmark = pytest.mark.django_db


def _view(request, classified):  # type: ignore[no-untyped-def]
    return HttpResponse("file")


guarded = access.recent_auth_required(lambda request, classified: classified)(_view)


def test_classified_needs_a_recent_password(client, province, make_user, password):  # type: ignore[no-untyped-def]
    user = make_user(province["tu"])
    client.force_login(user)
    request = RequestFactory().get("/documents/1/archival.pdf")
    request.session = client.session
    assert guarded(request, classified=False).status_code == 200
    response = guarded(request, classified=True)
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauth"))

    wrong = client.post(reverse("reauth"), {"password": "wrong", "next": "/x/"})
    assert wrong.status_code == 200 and access.SESSION_KEY not in client.session
    right = client.post(reverse("reauth"), {"password": password, "next": "https://evil.example/"})
    assert right.status_code == 302 and right["Location"] == "/"  # no open redirect
    request.session = client.session
    assert guarded(request, classified=True).status_code == 200

    session = client.session
    session[access.SESSION_KEY] = time.time() - access.REAUTH_SECONDS - 1
    session.save()
    request.session = client.session
    assert guarded(request, classified=True).status_code == 302
