"""The worker: the background work of every app, in one process (``manage.py work``).

It runs the checks and commits of large imports and the generation of large donor reports,
and, when nothing waits, computes ahead the figures the report pages read (``figures_warm``),
taking in turn one piece of each kind so that a long queue of one kind never holds back the
other. It lives in reports, the app at the top of the arrows, which may call the others.
Stopped by Ctrl+C or SIGTERM, it gives back the piece it held, which the next start takes.
"""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from suivi.imports import services as imports
from suivi.reports import services as reports

logger = logging.getLogger(__name__)

# What the worker does, by kind: a function that claims one waiting piece and does it.
WORK = [
    ("import", imports.work_once),
    ("donor report", reports.work_once),
]


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Do the background work (large imports, large donor reports), one piece at a time."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do what waits, then stop.")
        parser.add_argument("--sleep", type=float, default=2.0, help="Seconds between polls.")

    def handle(self, *args, once: bool = False, sleep: float = 2.0, **options):
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            self._loop(once, sleep)
        except KeyboardInterrupt:
            self.stdout.write("stopped")
        finally:
            signal.signal(signal.SIGTERM, previous)

    warmed_at = float("-inf")

    def _loop(self, once: bool, sleep: float) -> None:
        while True:
            busy = False
            for kind, work_once in WORK:
                try:
                    row = work_once()
                except Exception:  # the database away for a moment: try again later
                    logger.exception("The worker could not claim work (%s)", kind)
                    row = None
                if row is not None:
                    busy = True
                    row.refresh_from_db()
                    self.stdout.write(f"{kind} {row.pk}: {row.status}", self.style.SUCCESS)
            if busy:
                continue
            self._warm()
            if once:
                return
            time.sleep(sleep)

    def _warm(self) -> None:
        """With nothing waiting, compute ahead the figures the report pages read (at most every
        ``SUIVI_FIGURES_WARM_EVERY`` seconds; figures already kept cost a cache read)."""
        every = settings.SUIVI_FIGURES_WARM_EVERY
        now = time.monotonic()
        if not every or now - self.warmed_at < every:
            return
        self.warmed_at = now
        try:
            reports.figures_warm()
        except Exception:
            logger.exception("The worker could not compute the figures ahead")
