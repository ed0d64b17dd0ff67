"""The search page: the parameters are the URL (?q=&unit=&…); htmx swaps only the results as you type."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from sohoa.core.throttle import search_limited

from .facets import page_context
from .forms import SearchForm, run_search


def _partial(request: HttpRequest) -> bool:
    # A history restore (back button with an empty htmx cache) needs the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@login_required
@search_limited
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET, user=request.user)
    context = page_context(request.user, form, run_search(request.user, form))
    response = render(request, "search/_results.html" if _partial(request) else "search/search.html", context)
    patch_vary_headers(response, ["HX-Request"])  # the partial and the page share one URL
    return response
