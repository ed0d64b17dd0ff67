"""sohoa serve — the web app (waitress) and its background worker (Huey consumer) on one machine."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sohoa.core import demo
from sohoa.core.models import User


class Command(BaseCommand):
    help = "Serve sohoa on http://HOST:PORT with its background worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "sohoa.cli", "run_huey", "--workers", "2", "--worker-type", "process"]
            )
        from sohoa.search.services import ensure_index

        url = f"http://{options['host']}:{options['port']}/"
        if ensure_index():
            self.stdout.write(_("The search index is being built in the background."))
        self.stdout.write(_("sohoa is running at %(url)s (Ctrl+C to stop)") % {"url": url})
        self.stdout.write(_("Data directory: %(dir)s") % {"dir": settings.DATA_DIR})
        demo_users = User.objects.filter(username__in=[u[0] for u in demo.USERS]).order_by("id")
        if demo_users.exists():
            self.stdout.write(_("Demo logins (password: %(password)s):") % {"password": demo.DEMO_PASSWORD})
            for user in demo_users:
                self.stdout.write(f"  {user.username:<10} {user.get_role_display()} · {user.get_clearance_display()}")
        self.stdout.flush()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            serve(_application(), host=options["host"], port=options["port"], threads=options["threads"])
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)


def _application() -> Any:
    from sohoa.wsgi import application

    return application
