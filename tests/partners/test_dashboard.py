"""The dashboards' panel of partners' reports due: overdue first, then due in the next 30 days,
only what the user may see, in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suivi.partners import services
from tests import helpers
from tests.projects.pages import text


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _final(agreement, kind="narrative"):
    return agreement.reports.get(final=True, kind=kind)


def _project_dashboard(world):
    return reverse("reports:project_dashboard", args=[world.pa.pk])


def test_project_dashboard_shows_overdue_reports_first_then_those_due_soon(world, login):
    late = helpers.create_agreement(
        world.pa, world.p, reference="ACC-LATE", start=_days(-120), end=_days(-20), due_days=10
    )
    soon = helpers.create_agreement(
        world.pa, world.q, reference="ACC-SOON", start=_days(-5), end=_days(10), due_days=5
    )
    far = helpers.create_agreement(
        world.pa, world.q, reference="ACC-FAR", start=_days(60), end=_days(120)
    )

    page = text(login(world.manager_a).get(_project_dashboard(world)))

    assert "Partners' reports due" in page
    overdue = page[page.index('class="overdue"') : page.index('class="due-soon"')]
    due_soon = page[page.index('class="due-soon"') :]
    final_late = _final(late)
    assert f'id="due-{final_late.pk}"' in overdue and "10 days late" in overdue
    assert "PP" in overdue and "ACC-LATE" in overdue and "Final narrative report" in overdue
    # The most late come first: the first quarter's reports before the final ones.
    assert overdue.index("ACC-LATE") < overdue.index(f'id="due-{final_late.pk}"')
    assert f'id="due-{_final(soon).pk}"' in due_soon
    assert _final(soon).due_date.strftime("%d/%m/%Y") in due_soon
    assert "ACC-SOON" not in overdue
    assert "ACC-FAR" not in page
    assert far.reports.count() > 0


def test_accepted_and_submitted_reports_leave_the_panel(world, login):
    late = helpers.create_agreement(
        world.pa, world.p, reference="ACC-LATE", start=_days(-60), end=_days(-20), due_days=10
    )
    report = _final(late)
    services.partner_report_submit(
        report=report, by=world.partner_p, file=SimpleUploadedFile("r.pdf", b"%PDF-1.4")
    )
    page = text(login(world.manager_a).get(_project_dashboard(world)))
    assert f'id="due-{report.pk}"' not in page
    assert f'id="due-{_final(late, "financial").pk}"' in page


def test_portfolio_dashboard_shows_nothing_from_another_organisation(world, login):
    helpers.create_agreement(
        world.pa, world.p, reference="ACC-A", start=_days(-60), end=_days(-20), due_days=10
    )
    helpers.create_agreement(
        world.pb, world.p, reference="ACC-B", start=_days(-60), end=_days(-20), due_days=10
    )

    page_a = text(login(world.manager_a).get(reverse("reports:portfolio_dashboard")))
    assert "ACC-A" in page_a and "ACC-B" not in page_a and "PA-EDU" in page_a
    page_b = text(login(world.outsider_b).get(reverse("reports:portfolio_dashboard")))
    assert "ACC-B" in page_b and "ACC-A" not in page_b


def test_partner_focal_point_sees_only_their_partners_reports_due(world, login):
    helpers.create_agreement(
        world.pa, world.p, reference="ACC-P", start=_days(-60), end=_days(-20), due_days=10
    )
    helpers.create_agreement(
        world.pa, world.q, reference="ACC-Q", start=_days(-60), end=_days(-20), due_days=10
    )
    page = text(login(world.partner_p).get(_project_dashboard(world)))
    assert "ACC-P" in page and "ACC-Q" not in page


def test_donor_dashboard_has_no_partner_reports_panel(world, login):
    helpers.create_agreement(
        world.pa, world.p, reference="ACC-P", start=_days(-60), end=_days(-20), due_days=10
    )
    page = text(login(world.donor_a).get(_project_dashboard(world)))
    assert "Partners' reports due" not in page and "ACC-P" not in page


def test_nothing_due_says_so(world, login):
    page = text(login(world.manager_a).get(_project_dashboard(world)))
    assert "No partner report is overdue or due in the next 30 days." in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_agreements(world, login):
    client = login(world.manager_a)
    helpers.create_agreement(
        world.pa, world.p, reference="ACC-0", start=_days(-200), end=_days(20), frequency="month"
    )
    one = _queries(client, _project_dashboard(world))
    portfolio_one = _queries(client, reverse("reports:portfolio_dashboard"))
    for n in range(1, 6):
        helpers.create_agreement(
            world.pa,
            world.q if n % 2 else world.p,
            reference=f"ACC-{n}",
            start=_days(-200),
            end=_days(20),
            frequency="month",
        )
    assert _queries(client, _project_dashboard(world)) == one
    assert _queries(client, reverse("reports:portfolio_dashboard")) == portfolio_one


def test_a_draft_or_suspended_agreement_owes_nothing_and_a_closed_one_its_final_report(
    world, login
):
    for reference, status in (("ACC-DRAFT", "draft"), ("ACC-SUSP", "suspended")):
        helpers.create_agreement(
            world.pa,
            world.p,
            reference=reference,
            start=_days(-120),
            end=_days(-20),
            status=status,
        )
    closed = helpers.create_agreement(
        world.pa, world.q, reference="ACC-CLOS", start=_days(-120), end=_days(-20), status="closed"
    )

    page = text(login(world.manager_a).get(_project_dashboard(world)))

    assert "ACC-DRAFT" not in page and "ACC-SUSP" not in page
    assert f'id="due-{_final(closed).pk}"' in page
