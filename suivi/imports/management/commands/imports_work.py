"""Process the imports left to the background: checks and commits of large lists."""

import time

from django.core.management.base import BaseCommand

from suivi.imports import services


class Command(BaseCommand):
    help = "Check and commit the imports waiting in the background, one at a time."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Process what waits, then stop.")
        parser.add_argument("--sleep", type=float, default=2.0, help="Seconds between polls.")

    def handle(self, *args, once: bool = False, sleep: float = 2.0, **options):
        while True:
            batch = services.work_once()
            if batch is not None:
                batch.refresh_from_db()
                self.stdout.write(f"import {batch.pk}: {batch.status}")
                continue
            if once:
                return
            time.sleep(sleep)
