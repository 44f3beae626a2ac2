"""Walk every page, API and export URL as each persona: nothing outside their scope appears.

Every named URL of Suivi must be classified below; a new URL that is not makes this test fail,
so no page escapes the walk.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import helpers

# Text that identifies a row of each scope in the `world` fixture.
MARK = {
    "person_p": "Coulibaly",
    "person_q": "Diallo",
    "person_b": "Ould Ahmed",
    "session_p": "Formation P",
    "session_q": "Formation Q",
    "session_b": "Sensibilisation B",
    "pb": "PB-PROT",
    "agreement_p": "ACC-WALK-P1",
    "agreement_q": "ACC-WALK-Q1",
    "agreement_b": "ACC-WALK-B1",
}
AGREEMENTS = {"agreement_p", "agreement_q", "agreement_b"}
PERSON_ROWS = {"person_p", "person_q", "person_b", "session_p", "session_q", "session_b"}

# What each persona must never see.
FORBIDDEN = {
    "manager_a": {"person_b", "session_b", "pb", "agreement_b"},
    "assistant_a": {"person_b", "session_b", "pb", "agreement_b"},
    "partner_p": {
        "person_q",
        "session_q",
        "person_b",
        "session_b",
        "pb",
        "agreement_q",
        "agreement_b",
    },
    "donor_a": PERSON_ROWS | AGREEMENTS | {"pb"},
    "outsider_b": {"person_p", "person_q", "session_p", "session_q", "agreement_p", "agreement_q"},
}

# URL name -> how to fill its arguments: a list of world attributes (rows) per argument.
# "period" means a reporting period of the row's project.
ROW_URLS = {
    "projects:detail": ["pa"],
    "projects:edit": ["pa"],
    "projects:logframe": ["pa"],
    "projects:result_create": ["pa"],
    "projects:indicator_create": ["pa"],
    "projects:period_list": ["pa"],
    "projects:workplan": ["pa"],
    "reports:logframe_report": ["pa"],
    "reports:logframe_report_xlsx": ["pa"],
    "reports:project_dashboard": ["pa"],
    "reports:narratives": ["pa"],
    "reports:photo_file": ["photo"],
    "reports:donor_reports": ["pa"],
    "reports:donor_reports_progress": ["pa"],
    "reports:donor_report_file": ["donor_report"],
    "projects:activity_create": ["pa"],
    "reports:indicators_export": ["pa"],
    "reports:fivew_export": ["pa"],
    "reports:iati_project": ["pa"],
    "reports:iati_organisation": ["a"],
    "reports:dhis2_export": ["pa"],
    "reports:dhis2_mapping": ["pa"],
    "projects:result_edit": ["result"],
    "reports:indicator_detail": ["indicator"],
    "projects:indicator_edit": ["indicator"],
    "projects:target_edit": ["indicator"],
    "projects:value_enter": ["indicator", "period"],
    "reports:indicator_persons": ["indicator", "period"],
    "projects:activity_edit": ["activity"],
    "registry:person_detail": ["person_p"],
    "registry:person_edit": ["person_p"],
    "registry:registration_create": ["person_p"],
    "registry:household_detail": ["household"],
    "registry:household_member_add": ["household"],
    "registry:group_detail": ["group"],
    "registry:group_member_add": ["group"],
    "registry:duplicate_detail": ["candidate"],
    "delivery:session_detail": ["session_p"],
    "delivery:session_edit": ["session_p"],
    "delivery:attendance_candidates": ["session_p"],
    "delivery:reach_edit": ["session_p"],
    "delivery:distribution_detail": ["distribution_p"],
    "projects:value_evidence": ["indicator", "period"],
    "places:area_detail": ["area"],
    "imports:batch_detail": ["batch"],
    "imports:batch_sheet": ["batch"],
    "imports:batch_mapping": ["batch"],
    "imports:batch_progress": ["batch"],
    "imports:batch_commit": ["batch"],
    "imports:batch_cancel": ["batch"],
    "imports:batch_errors": ["batch"],
    "registry:rule_set_list": ["pa"],
    "registry:rule_set_create": ["pa"],
    "registry:compliance_report": ["pa"],
    "registry:rule_set_detail": ["rule_set"],
    "registry:rule_set_edit": ["rule_set"],
    "registry:criterion_add": ["rule_set"],
    "registry:criterion_edit": ["criterion"],
    "registry:criterion_delete": ["criterion"],
    "partners:agreement_list": ["pa"],
    "partners:agreement_create": ["pa"],
    "partners:agreement_detail": ["agreement_p"],
    "partners:agreement_edit": ["agreement_p"],
    "partners:report_edit": ["report_p"],
    "partners:report_submit": ["report_p"],
    "partners:report_review": ["report_p"],
    "partners:report_file": ["report_p"],
}
# Rows of agency B standing in for the rows above when checking what must stay hidden.
OTHER_SCOPE = {
    "pa": "pb",
    "person_p": "person_b",
    "session_p": "session_b",
    "distribution_p": "distribution_b",
}
POST_ONLY_PREFIXES = (
    "attendance_add",
    "attendance_remove",
    "period_lock",
    "period_unlock",
    "values_compute",
    "values_transition",
    "token_revoke",
    "duplicate_merge",
    "duplicate_reject",
    "merge_undo",
    "period_validate",
    "photo_remove",
)
SKIP = {"set_language", "logout", "login", "admin", "api"}


def named_urls():
    """(name, pattern) of every named URL of Suivi's own apps."""
    out = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or ""
                walk(p.url_patterns, f"{prefix}{ns}:" if ns else prefix)
            elif isinstance(p, URLPattern) and p.name:
                out.append((f"{prefix}{p.name}", p))

    walk(get_resolver().url_patterns)
    return [
        (name, p)
        for name, p in out
        if name.split(":")[0] not in SKIP
        and name.split(":")[-1] not in SKIP
        and not name.startswith("admin")
    ]


def test_every_named_url_is_walked():
    unwalked = []
    for name, pattern in named_urls():
        has_args = bool(pattern.pattern.regex.groupindex)
        if (
            has_args
            and name not in ROW_URLS
            and not name.split(":")[-1].startswith(POST_ONLY_PREFIXES)
        ):
            unwalked.append(name)
    assert not unwalked, f"Add these URLs to the scope walk: {unwalked}"


@pytest.fixture
def full_world(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from suivi.imports import services as import_services
    from suivi.partners import services as partner_services
    from suivi.projects import services as project_services
    from suivi.registry import services as registry_services

    w = world
    w.indicator = helpers.create_indicator(
        w.pa, definition={"source": "attendance", "measure": "persons"}
    )
    w.result = w.indicator.result
    w.period = w.pa.periods.filter(kind="quarter").first()
    w.activity = project_services.planned_activity_create(
        project=w.pa,
        by=None,
        data={
            "title_fr": "Activité P",
            "start_date": w.pa.start_date,
            "end_date": w.pa.end_date,
            "partner": w.p,
        },
    )
    w.household = registry_services.household_create(
        organisation=w.a, by=None, data={"code": "MEN-P-1"}, members=[w.person_p]
    )
    w.group = registry_services.group_create(
        organisation=w.a,
        by=None,
        data={"name": "Groupement P", "kind": "womens_group", "project": w.pa, "partner": w.p},
        members=[w.person_p],
    )
    w.area = w.person_p.area or helpers.create_area()
    helpers.create_person(w.pa, partner=w.p, family_name="Kulibali", given_name="Awa")
    registry_services.duplicates_scan(organisation=w.a, by=None)
    w.candidate = registry_services.DuplicateCandidate.objects.get()
    # Rules that every person of the world fails, so that the compliance report names them.
    w.rule_set = registry_services.eligibility_rule_set_create(
        project=w.pa, by=None, data={"name": "Déplacés internes"}
    )
    w.criterion = registry_services.eligibility_criterion_add(
        rule_set=w.rule_set,
        by=None,
        data={"field": "population_group", "operator": "in", "value": ["idp"]},
    )
    settings.MEDIA_ROOT = tmp_path
    w.agreement_p = helpers.create_agreement(w.pa, w.p, reference="ACC-WALK-P1")
    w.agreement_q = helpers.create_agreement(w.pa, w.q, reference="ACC-WALK-Q1")
    w.agreement_b = helpers.create_agreement(w.pb, w.p, reference="ACC-WALK-B1")
    w.report_p = w.agreement_p.reports.order_by("due_date", "kind").first()
    w.report_q = w.agreement_q.reports.order_by("due_date", "kind").first()
    partner_services.partner_report_submit(
        report=w.report_p,
        by=w.partner_p,
        file=SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 rapport"),
    )
    w.photo = helpers.create_report_photo(w.pa, w.period, caption="Photo P")
    w.donor_report = helpers.create_donor_report(w.pa, w.period, by=w.me_a)
    w.batch = import_services.batch_upload(
        by=w.assistant_a,
        project=w.pa,
        partner=w.p,
        registered_on=w.pa.start_date,
        upload=SimpleUploadedFile(
            "liste.csv", "Nom;Prénom;Sexe;Statut\nSangaré;Awa;F;Réfugié\n".encode()
        ),
    )
    return w


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("persona", list(FORBIDDEN))
def test_no_page_shows_rows_outside_the_personas_scope(full_world, client, persona):
    w = full_world
    client.force_login(getattr(w, persona))
    forbidden = [MARK[k] for k in FORBIDDEN[persona]]
    walked = 0
    for name, pattern in named_urls():
        if name.split(":")[-1].startswith(POST_ONLY_PREFIXES):
            continue
        if pattern.pattern.regex.groupindex:
            if name not in ROW_URLS:
                continue
            args = [getattr(w, a).pk for a in ROW_URLS[name]]
            url = reverse(name, args=args)
        else:
            url = reverse(name)
        response = client.get(url)
        walked += 1
        assert response.status_code in (200, 302, 403, 404), (name, response.status_code)
        text = _text(response)
        for marker in forbidden:
            assert marker not in text, f"{persona} sees {marker!r} on {url}"
    assert walked > 20


@pytest.mark.parametrize("persona", ["partner_p", "outsider_b", "donor_a"])
def test_detail_pages_of_rows_outside_scope_answer_404(full_world, client, persona):
    w = full_world
    client.force_login(getattr(w, persona))
    hidden = {
        "partner_p": {
            "person_p": "person_q",
            "session_p": "session_q",
            "distribution_p": "distribution_q",
            "pa": "pb",
            "agreement_p": "agreement_q",
            "report_p": "report_q",
        },
        "outsider_b": {
            "person_p": "person_p",
            "session_p": "session_p",
            "distribution_p": "distribution_p",
            "pa": "pa",
            "agreement_p": "agreement_p",
            "report_p": "report_p",
        },
        "donor_a": {
            "person_p": "person_p",
            "session_p": "session_p",
            "distribution_p": "distribution_p",
            "pa": "pb",
            "agreement_p": "agreement_p",
            "report_p": "report_p",
        },
    }[persona]
    for name, attrs in ROW_URLS.items():
        if len(attrs) != 1 or attrs[0] not in hidden:
            continue
        row = getattr(w, hidden[attrs[0]])
        response = client.get(reverse(name, args=[row.pk]))
        assert response.status_code == 404, (persona, name)


@pytest.mark.parametrize("persona", list(FORBIDDEN))
def test_api_lists_show_no_row_outside_scope(full_world, client, persona):
    from suivi.accounts.services import api_token_create

    w = full_world
    user = getattr(w, persona)
    _token, key = api_token_create(user=user, name="walk", by=user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    forbidden = [MARK[k] for k in FORBIDDEN[persona]]
    for path in ["projects", "persons", "sessions", "distributions"]:
        response = client.get(f"/api/v1/{path}", **headers)
        assert response.status_code == 200, path
        for marker in forbidden:
            assert marker not in _text(response), f"{persona} sees {marker!r} in /api/v1/{path}"
    for row, endpoint in [("person_p", "persons"), ("session_p", "sessions")]:
        if MARK[row] in forbidden:
            response = client.get(f"/api/v1/{endpoint}/{getattr(w, row).pk}", **headers)
            assert response.status_code == 404, (persona, endpoint)
