"""The web UI speaks Vietnamese by default, whatever the browser asks, and English when the user chooses it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sohoa.core.models import Role

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get("/", follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    page = response.content.decode()
    assert "Đăng nhập" in page
    assert '<html lang="vi">' in page
    assert response.headers["Content-Language"] == "vi"


def test_choosing_english_switches_the_login_page(client):
    login = reverse("login")

    switched = client.post(reverse("set_language"), {"language": "en", "next": login})
    response = client.get(login, HTTP_ACCEPT_LANGUAGE="vi")

    assert switched.status_code == 302
    page = response.content.decode()
    assert "Log in" in page
    assert "Đăng nhập" not in page
    assert '<html lang="en">' in page


def test_choosing_vietnamese_again_switches_back(client):
    login = reverse("login")
    client.post(reverse("set_language"), {"language": "en", "next": login})

    client.post(reverse("set_language"), {"language": "vi", "next": login})

    assert "Đăng nhập" in client.get(login).content.decode()


def test_unknown_language_cookie_falls_back_to_vietnamese(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    assert "Đăng nhập" in client.get(reverse("login")).content.decode()


def test_vietnamese_catalogue_is_compiled_for_the_signed_in_pages(client, province, make_user):
    client.force_login(make_user(province["ubkt"]))

    page = client.get(reverse("document_list")).content.decode()

    assert "<h1>Văn bản</h1>" in page
    assert "Đăng ký văn bản" in page  # "Register a document"


def test_signed_in_pages_follow_the_language_switch(client, province, make_user):
    client.force_login(make_user(province["ubkt"], role=Role.ADMIN))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = client.get(reverse("document_list")).content.decode()

    assert "<h1>Documents</h1>" in page
    assert "Văn bản" not in page
