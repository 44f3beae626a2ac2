"""Compute ahead what the report pages read, so that their first reader does not wait."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from suivi.projects.models import Project
from suivi.reports import services


class Command(BaseCommand):
    help = (
        "Compute the figures of the computed indicators of active projects for their begun open "
        "periods and their life of project, and keep them in the cache, where the logframe "
        "report, the dashboards and the donor reports find them. Figures already kept for the "
        "current state of the data are not computed again. Run it after the day's data entry "
        "or every few minutes; the worker (manage.py work) does it when it has nothing else to do."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", action="append", default=[], help="Project code.")

    def handle(self, *args, project: list[str], **options):
        started = time.perf_counter()
        projects = None
        if project:
            projects = Project.objects.filter(code__in=project)
            missing = sorted(set(project) - set(projects.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"Unknown project code: {', '.join(missing)}")
        ready = services.figures_warm(projects=projects)
        self.stdout.write(f"{ready} figures ready in {time.perf_counter() - started:.1f} s")
