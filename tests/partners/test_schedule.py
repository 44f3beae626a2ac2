"""The schedule of an agreement: reports generated from its frequency and due days."""

from __future__ import annotations

import datetime

from suivi.audit.models import AuditEvent
from suivi.partners.models import PartnerReport
from tests import helpers

D = datetime.date


def _rows(agreement):
    return [
        (r.kind, r.final, r.period_start, r.period_end, r.due_date)
        for r in agreement.reports.order_by("due_date", "final", "kind", "pk")
    ]


def test_quarterly_agreement_owes_a_narrative_and_a_financial_report_per_quarter_and_final(world):
    agreement = helpers.create_agreement(
        world.pa, world.p, start=D(2026, 1, 1), end=D(2026, 6, 30), due_days=15
    )

    assert _rows(agreement) == [
        ("financial", False, D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15)),
        ("narrative", False, D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15)),
        ("financial", False, D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15)),
        ("narrative", False, D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15)),
        ("financial", True, D(2026, 1, 1), D(2026, 6, 30), D(2026, 7, 15)),
        ("narrative", True, D(2026, 1, 1), D(2026, 6, 30), D(2026, 7, 15)),
    ]
    assert set(agreement.reports.values_list("status", flat=True)) == {"expected"}
    assert all(r.organisation_id == world.a.pk for r in agreement.reports.all())


def test_monthly_periods_are_cut_to_the_agreements_dates(world):
    agreement = helpers.create_agreement(
        world.pa,
        world.p,
        start=D(2026, 1, 20),
        end=D(2026, 3, 10),
        frequency="month",
        due_days=10,
    )

    periodic = [row for row in _rows(agreement) if row[0] == "narrative" and not row[1]]
    assert periodic == [
        ("narrative", False, D(2026, 1, 20), D(2026, 1, 31), D(2026, 2, 10)),
        ("narrative", False, D(2026, 2, 1), D(2026, 2, 28), D(2026, 3, 10)),
        ("narrative", False, D(2026, 3, 1), D(2026, 3, 10), D(2026, 3, 20)),
    ]
    final = [row for row in _rows(agreement) if row[1]]
    assert final == [
        ("financial", True, D(2026, 1, 20), D(2026, 3, 10), D(2026, 3, 20)),
        ("narrative", True, D(2026, 1, 20), D(2026, 3, 10), D(2026, 3, 20)),
    ]
    assert agreement.reports.count() == 8


def test_generating_the_schedule_is_audited(world):
    agreement = helpers.create_agreement(world.pa, world.p, by=world.manager_a)

    actions = list(
        AuditEvent.objects.filter(
            target_type="partners.agreement", target_id=str(agreement.pk)
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["agreement.create", "partner_report.schedule"]
    event = AuditEvent.objects.get(action="partner_report.schedule")
    assert event.changes == {"reports": 10, "frequency": "quarter"}
    assert event.actor == world.manager_a and event.project_pk == world.pa.pk


def test_days_late_counts_only_reports_still_owed(world):
    agreement = helpers.create_agreement(world.pa, world.p, start=D(2026, 1, 1), end=D(2026, 3, 31))
    report = agreement.reports.filter(final=False).first()

    assert report.days_late(D(2026, 4, 15)) == 0
    assert report.days_late(D(2026, 4, 25)) == 10
    report.status = PartnerReport.Status.ACCEPTED
    assert report.days_late(D(2026, 4, 25)) == 0
