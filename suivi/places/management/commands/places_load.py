"""Load the administrative areas (P-codes) that Suivi ships, or those of another CSV file."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from suivi.places import services


class Command(BaseCommand):
    help = (
        "Create or update the administrative areas from their P-codes: the Malian and "
        "Mauritanian admin 1 and 2 areas shipped with Suivi, or the CSV file given with --file "
        "(columns: pcode,country,level,parent_pcode,name_fr,name_en,valid_from). Loading the "
        "same file twice changes nothing; a file with any bad row loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="A UTF-8 CSV file of areas, instead of the areas shipped with Suivi.",
        )

    def handle(self, *args, file: Path | None = None, **options):
        path = file or services.SHIPPED_AREAS
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                rows = services.area_rows_read(f)
        except FileNotFoundError as error:
            raise CommandError(
                _("There is no file %(path)s: check the path.") % {"path": path}
            ) from error
        except (UnicodeDecodeError, IsADirectoryError, PermissionError) as error:
            raise CommandError(
                _("%(path)s cannot be read as UTF-8 text: save it as “CSV UTF-8” and try again.")
                % {"path": path}
            ) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        try:
            counts = services.areas_load(rows=rows, by=None, source=path.name)
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            n = len(error.messages)
            raise CommandError(
                ngettext(
                    "Nothing was loaded: %(n)s problem in %(path)s. Fix it and run again.",
                    "Nothing was loaded: %(n)s problems in %(path)s. Fix them and run again.",
                    n,
                )
                % {"n": n, "path": path}
            ) from error
        self.stdout.write(
            _(
                "Areas of %(file)s: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged."
            )
            % {
                "file": path.name,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
        )
