"""Scan the registry for possible duplicates and put them in the review queue."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from suivi.accounts.models import Organisation
from suivi.registry import services
from suivi.registry.models import Person


class Command(BaseCommand):
    help = (
        "Compare every person of an organisation with the others (or of every organisation) "
        "and queue the likely duplicate pairs for review. Running it again changes nothing: "
        "pairs already queued, merged or rejected stay as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation",
            help="Acronym or id of the organisation; default: every organisation with persons.",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="Lowest score (0 to 1) of a pair to queue; default: the model's.",
        )

    def handle(self, *args, organisation=None, threshold=None, verbosity=1, **options):
        organisations = Organisation.objects.filter(pk__in=Person.objects.values("organisation_id"))
        if organisation:
            by_key = organisations.filter(acronym=organisation)
            if organisation.isdigit():
                by_key = by_key | organisations.filter(pk=int(organisation))
            organisations = by_key
            if not organisations.exists():
                raise CommandError(
                    _("No organisation %(key)s with persons: give its acronym or id.")
                    % {"key": organisation}
                )
        for org in organisations.order_by("pk"):
            start = time.monotonic()
            figures = services.duplicates_scan(organisation=org, by=None, threshold=threshold)
            if verbosity >= 1:
                self.stdout.write(
                    _(
                        "%(org)s: %(persons)s persons compared, %(pairs)s likely pairs, "
                        "%(new)s new in the queue (%(seconds).1f s)."
                    )
                    % {**figures, "org": org, "seconds": time.monotonic() - start}
                )
