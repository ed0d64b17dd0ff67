"""sohoa reindex [--json] — rebuild the whole search index from the database.

The new index is built beside the live one and swapped in at the end, so searches keep working
meanwhile. Progress goes to stderr; stdout gets the summary (with --json one object
{"indexed": N, "seconds": S, "rate": R}).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.archive.models import Document
from sohoa.core import audit
from sohoa.core.progress import ProgressBar
from sohoa.search import services
from sohoa.search.index import IndexBusy


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database (after an upgrade, a restore or a damaged index). "
        'With --json, print one object {"indexed", "seconds", "rate"}.'
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        bar = ProgressBar(Document.objects.count(), _("indexing"))
        try:
            indexed = services.rebuild(progress=bar.advance)
        except IndexBusy:
            raise CommandError(_("The search index is busy (another reindex is running?): try again later.")) from None
        except OSError as exc:
            raise CommandError(_("Cannot write the search index: %(error)s") % {"error": exc.strerror or exc}) from None
        finally:
            bar.close()
        seconds = time.monotonic() - started
        rate = indexed / seconds if seconds > 0 else 0.0
        audit.record("reindex", object_type="search.index", details={"indexed": indexed, "seconds": round(seconds, 3)})
        if options["json"]:
            self.stdout.write(json.dumps({"indexed": indexed, "seconds": round(seconds, 3), "rate": round(rate, 1)}))
        else:
            self.stdout.write(
                _("%(n)d documents indexed in %(s).1f s (%(r).0f documents/s).")
                % {"n": indexed, "s": seconds, "r": rate}
            )
