"""The letters of a petition as DOCX downloads (forwarding letter, acknowledgement, notice of acceptance).

Thin: find the petition through the policy (404 when hidden), parse the optional letter number, call
`letters.letter_generate` (which checks the role, records the event and the audit row) and serve the file.
A letter that does not apply to the petition answers 400 with the reason and a link back.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from sohoa.core import policy

from . import letters
from .models import Petition

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_NUMBER = 999_999


def _refuse(request: HttpRequest, petition: Petition, message: str) -> HttpResponse:
    context = {"petition": petition, "message": message, "back": reverse("petition_detail", args=[petition.pk])}
    return render(request, "petitions/letter_error.html", context, status=400)


@login_required
def petition_letter(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    queryset = Petition.objects.select_related("unit__parent", "forward_to_unit").prefetch_related("parties")
    petition = policy.get_visible_or_404(request.user, queryset, pk=pk)
    if kind not in letters.KINDS:
        raise Http404
    raw = request.GET.get("number", "").strip()
    number = None
    if raw:
        if not raw.isdigit() or not 0 < int(raw) <= MAX_NUMBER:
            message = _("The letter number must be a whole number from 1 to %(max)d (got “%(value)s”).")
            return _refuse(request, petition, message % {"max": MAX_NUMBER, "value": raw[:20]})
        number = int(raw)
    try:
        generated = letters.letter_generate(actor=request.user, petition=petition, kind=kind, number=number)
    except letters.LetterError as exc:
        return _refuse(request, petition, " ".join(exc.messages))
    response = HttpResponse(generated.content, content_type=DOCX)
    suffix = f"-{petition.pk}" + (f"-so-{number}" if number else "")
    name = generated.letter.filename.replace(".docx", f"{suffix}.docx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
