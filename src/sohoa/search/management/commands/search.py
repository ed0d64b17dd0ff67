"""sohoa search QUERY --as USERNAME [--limit N] [--json] — search exactly as that user would.

The same selector as the search page: the user's scope, clearance and grants apply, so the hits are what
that user sees. With --json one line per hit {"document_id", "notation", "title", "score", "snippet"}
(snippet in plain text); notices about the query go to stderr.
"""

from __future__ import annotations

import html
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from sohoa.search import selectors
from sohoa.search.index import index_dir, version_ok
from sohoa.search.selectors import Hit

MAX_LIMIT = 1000


def plain_snippet(hit: Hit) -> str:
    """The snippet as plain text: the selector's own, or its HTML without tags and entities."""
    return hit.snippet_text or html.unescape(strip_tags(hit.snippet))


def _index_error(exc: BaseException) -> bool:
    """An error of a damaged index: Tantivy raises ValueError, or a Rust panic (not an Exception subclass)."""
    return isinstance(exc, ValueError | OSError) or type(exc).__name__ == "PanicException"


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class Command(BaseCommand):
    help = (
        "Search the archive as a given user sees it (scope, clearance and grants apply). "
        'With --json, one JSON object per hit: {"document_id", "notation", "title", "score", "snippet"}.'
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("query", help='words, "a phrase", prefix*, or a document number like 64-CV/TW')
        parser.add_argument("--as", dest="username", required=True, help="search as this user")
        parser.add_argument("--limit", type=int, default=20, help="how many hits to show (default 20)")
        parser.add_argument("--json", action="store_true", help="one JSON object per hit")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        if not 1 <= limit <= MAX_LIMIT:
            raise CommandError(_("--limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}, returncode=2)
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("Unknown user: %(username)s") % {"username": options["username"]}, returncode=2)
        path = index_dir()
        if (path / "meta.json").exists() and not version_ok(path):
            raise CommandError(_("The search index was built by another version: run `sohoa reindex`."))
        if not user.is_active:
            self.stderr.write(_("User %(username)s is inactive and sees no documents.") % {"username": user.username})
        hits, total, message = self._search(user, options["query"], limit)
        if message:
            self.stderr.write(message)
        if options["json"]:
            for hit in hits:
                row = {
                    "document_id": hit.document_id,
                    "notation": hit.notation,
                    "title": hit.title,
                    "score": round(hit.score, 4),
                    "snippet": plain_snippet(hit),
                }
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        self._table(hits)
        self.stdout.write(_("%(shown)d of %(total)d documents shown.") % {"shown": len(hits), "total": total})

    def _search(self, user: Any, text: str, limit: int) -> tuple[list[Hit], int, str]:
        """Up to `limit` hits, page by page (the selector gives at most 100 a page)."""
        per_page = min(limit, 100)
        hits: list[Hit] = []
        page_no, total, message = 1, 0, ""
        while len(hits) < limit:
            try:
                page = selectors.search(user, text, page=page_no, per_page=per_page, facets=False)
            except BaseException as exc:  # a damaged index: tell the administrator what to do, not a traceback
                if not _index_error(exc):
                    raise
                raise CommandError(
                    _("The search index cannot be read (%(error)s): run `sohoa search-check --repair`.")
                    % {"error": str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}
                ) from None
            total, message = page.total, message or page.message
            hits += page.hits
            if page_no >= page.pages or not page.hits:
                break
            page_no += 1
        return hits[:limit], total, message

    def _table(self, hits: list[Hit]) -> None:
        if not hits:
            return
        notation_width = min(24, max(len(_("Number")), *(len(h.notation) for h in hits)))
        id_width = max(len(_("ID")), *(len(str(h.document_id)) for h in hits))
        self.stdout.write(f"{_('ID'):>{id_width}}  {_('Score'):>7}  {_('Number'):<{notation_width}}  {_('Title')}")
        for hit in hits:
            self.stdout.write(
                f"{hit.document_id:>{id_width}}  {hit.score:>7.2f}  "
                f"{_cut(hit.notation, notation_width):<{notation_width}}  {_cut(hit.title, 80)}"
            )
            snippet = plain_snippet(hit)
            if snippet:
                where = _("p. %(page)d: ") % {"page": hit.page} if hit.page else ""
                self.stdout.write(f"{'':>{id_width}}  {'':>7}  {where}{_cut(snippet, 110)}")
