"""Compute ahead what the report pages read, so that their first reader does not wait."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from suivi.projects.models import Indicator, Project, ReportingPeriod
from suivi.reports import indicators


class Command(BaseCommand):
    help = (
        "Compute the figures of the computed indicators of active projects for their begun open "
        "periods and their life of project, and keep them in the cache, where the logframe "
        "report, the dashboards and the donor reports find them. Figures already kept for the "
        "current state of the data are not computed again. Run it after the day's data entry "
        "or every few minutes (with a shared cache, SUIVI_CACHE_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", action="append", default=[], help="Project code.")

    def handle(self, *args, project: list[str], **options):
        started = time.perf_counter()
        projects = Project.objects.filter(status=Project.Status.ACTIVE)
        if project:
            projects = Project.objects.filter(code__in=project)
            missing = sorted(set(project) - set(projects.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"Unknown project code: {', '.join(missing)}")
        done = 0
        for one in projects.order_by("code"):
            done += indicators.warm(
                Indicator.objects.filter(project=one).select_related("project"),
                ReportingPeriod.objects.filter(project=one).select_related("project"),
                today=timezone.localdate(),
            )
        self.stdout.write(f"{done} figures ready in {time.perf_counter() - started:.1f} s")
