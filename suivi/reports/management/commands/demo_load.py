"""Load the demo: a fictional agency, its partners and donors, and four projects of 2026."""

from __future__ import annotations

import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from suivi.reports import demo


class Command(BaseCommand):
    help = (
        "Load the demo data through the services: a fictional agency with its partners and "
        "donors, four projects of 2026 with logframes, indicators, targets and work plans, "
        "registered persons, sessions, attendance, counted reach and distributions, computed "
        "indicators and a locked first quarter, and one account per role (password "
        f"{demo.PASSWORD}). When the demo is already loaded, nothing changes. Loads the "
        "administrative areas first when they are missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=sorted(demo.SIZES),
            default="full",
            help="'full' (about 600 persons, the default) or 'small' (about 150, for tests).",
        )

    def handle(self, *args, size: str = "full", verbosity: int = 1, **options):
        if demo.is_loaded():
            if verbosity >= 1:
                self.stdout.write(_("The demo is already loaded: nothing was changed."))
        else:
            taken = demo.conflicting_users()
            if taken:
                raise CommandError(
                    _(
                        "The demo is not loaded but its accounts %(emails)s already exist: "
                        "remove them, or load the demo into another database."
                    )
                    % {"emails": ", ".join(taken)}
                )
            try:
                demo.ensure_areas()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            started = time.perf_counter()
            summary = demo.build(size=size)
            seconds = time.perf_counter() - started
            if verbosity >= 1:
                self.stdout.write(
                    _(
                        "Demo loaded in %(seconds).1f s: %(projects)s projects, "
                        "%(persons)s persons, %(households)s households, %(groups)s groups, "
                        "%(sessions)s sessions, "
                        "%(attendances)s attendances, %(distributions)s distributions, "
                        "%(values)s indicator values."
                    )
                    % {
                        "seconds": seconds,
                        "projects": summary.projects,
                        "persons": summary.persons,
                        "households": summary.households,
                        "groups": summary.groups,
                        "sessions": summary.sessions,
                        "attendances": summary.attendances,
                        "distributions": summary.distributions,
                        "values": summary.indicator_values,
                    }
                )
        if verbosity >= 1:
            for language in ("fr", "en"):
                self.stdout.write("")
                for line in demo.logins_table(language):
                    self.stdout.write(line)
