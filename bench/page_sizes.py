"""Transferred size of the main pages, gzip-compressed as served, on the demo data.

Run from the repository root: .venv/bin/python bench/page_sizes.py
It builds the demo in a throw-away SQLite database, so it never touches var/.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
tmp = tempfile.mkdtemp(prefix="suivi-bench-")
os.environ["SUIVI_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
os.environ["SUIVI_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
setup_test_environment()
call_command("migrate", verbosity=0)
call_command("demo_load", verbosity=0)

from suivi.accounts.models import User  # noqa: E402
from suivi.delivery.models import Session  # noqa: E402
from suivi.projects.models import Indicator, Project  # noqa: E402
from suivi.registry.models import Person  # noqa: E402


def static_size(name: str) -> tuple[int, int]:
    data = (ROOT / "suivi" / "static" / name).read_bytes()
    return len(data), len(gzip.compress(data, 6))


def main() -> None:
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(User.objects.get(email="assistant@suivi.demo"))
    project = Project.objects.order_by("code").first()
    person = Person.objects.order_by("pk").first()
    session = Session.objects.order_by("pk").first()
    indicator = Indicator.objects.filter(method="computed").order_by("pk").first()
    pages = [
        ("home", reverse("home")),
        ("project list", reverse("projects:list")),
        ("project detail", reverse("projects:detail", args=[project.pk])),
        ("logframe", reverse("projects:logframe", args=[project.pk])),
        ("indicator detail", reverse("reports:indicator_detail", args=[indicator.pk])),
        ("work plan", reverse("projects:workplan", args=[project.pk])),
        ("person list", reverse("registry:person_list")),
        ("person detail", reverse("registry:person_detail", args=[person.pk])),
        ("person form", reverse("registry:person_create")),
        ("session list", reverse("delivery:session_list")),
        ("session detail", reverse("delivery:session_detail", args=[session.pk])),
        ("distribution list", reverse("delivery:distribution_list")),
        ("logframe report", reverse("reports:logframe_report", args=[project.pk])),
        (
            "logframe report yr",
            reverse("reports:logframe_report", args=[project.pk]) + "?kind=year",
        ),
        ("project dashboard", reverse("reports:project_dashboard", args=[project.pk])),
        ("portfolio", reverse("reports:portfolio_dashboard")),
        ("narratives", reverse("reports:narratives", args=[project.pk])),
        ("donor reports", reverse("reports:donor_reports", args=[project.pk])),
    ]
    print(f"{'page':<20} {'status':>6} {'html bytes':>11} {'gzip bytes':>11} {'ms':>7}")
    for label, url in pages:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        body = response.content
        raw = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
        status = response.status_code
        print(f"{label:<20} {status:>6} {len(raw):>11} {len(body):>11} {elapsed:>7.0f}")
    print()
    for name in ("suivi/suivi.css", "suivi/htmx.min.js"):
        raw, packed = static_size(name)
        print(f"static {name:<24} raw {raw:>7} bytes, gzip {packed:>6} bytes (cached once loaded)")


if __name__ == "__main__":
    main()
