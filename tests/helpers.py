"""The one style of test data: create_* helpers that go through the services."""

from __future__ import annotations

import datetime
import itertools

from suivi.accounts.models import Organisation, OrganisationKind, Role, User
from suivi.accounts.services import membership_grant
from suivi.delivery import services as delivery_services
from suivi.places.models import Area, Site
from suivi.projects import services as project_services
from suivi.projects.models import Project
from suivi.registry import services as registry_services

_seq = itertools.count(1)
PASSWORD = "pass-Suivi-2026"


def create_organisation(name: str, kind=OrganisationKind.UN_AGENCY, acronym="") -> Organisation:
    return Organisation.objects.create(name=name, kind=kind, acronym=acronym, country="ML")


def create_user(email: str, organisation=None, role=None, projects=(), partner=None) -> User:
    user = User.objects.create_user(email, PASSWORD, first_name=email.split("@")[0])
    if organisation is not None and role is not None:
        membership_grant(
            user=user,
            organisation=organisation,
            role=role,
            by=None,
            projects=projects,
            partner=partner,
        )
    return user


def create_area(pcode="ML07", name="Gao", level=1, parent=None) -> Area:
    country = (
        Area.objects.get_or_create(
            pcode=pcode[:2] + "_",
            defaults={"country": pcode[:2], "level": 0, "name_fr": pcode[:2], "name_en": pcode[:2]},
        )[0]
        if level > 0 and parent is None
        else parent
    )
    area, _ = Area.objects.get_or_create(
        pcode=pcode,
        defaults={
            "country": pcode[:2],
            "level": level,
            "parent": country,
            "name_fr": name,
            "name_en": name,
        },
    )
    return area


def create_site(name="École de Gao", kind=Site.Kind.SCHOOL, area=None) -> Site:
    return Site.objects.create(name=name, kind=kind, area=area or create_area())


def create_project(
    organisation,
    code=None,
    partners=(),
    start=datetime.date(2026, 1, 1),
    end=datetime.date(2026, 12, 31),
) -> Project:
    code = code or f"PRJ-{next(_seq):03d}"
    return project_services.project_create(
        organisation=organisation,
        by=None,
        data={
            "code": code,
            "title_fr": f"Projet {code}",
            "title_en": f"Project {code}",
            "start_date": start,
            "end_date": end,
        },
        partners=partners,
    )


def create_person(project, partner=None, registered_on=datetime.date(2026, 1, 10), **data):
    defaults = {
        "family_name": "Traoré",
        "given_name": f"Aminata {next(_seq)}",
        "sex": "F",
        "birth_date": datetime.date(2010, 5, 1),
        "population_group": "refugee",
    }
    defaults.update(data)
    return registry_services.person_register(
        organisation=project.organisation,
        by=None,
        data=defaults,
        project=project,
        partner=partner,
        registered_on=registered_on,
    )


def create_session(project, partner=None, date=datetime.date(2026, 2, 10), kind="training", **data):
    values = {"kind": kind, "title": f"Session {next(_seq)}", "date": date, "partner": partner}
    values.update(data)
    return delivery_services.session_record(project=project, by=None, data=values)


def create_distribution(project, person, partner=None, date=datetime.date(2026, 2, 12), **data):
    values = {
        "date": date,
        "person": person,
        "partner": partner,
        "kind": "kit",
        "item": "Kit scolaire",
        "quantity": 1,
        "modality": "in_kind",
    }
    values.update(data)
    return delivery_services.distribution_record(project=project, by=None, data=values)


def create_indicator(project, code="1.1.1", definition=None, disaggregations=(), **data):
    result = project.results.filter(level="output").first() or project_services.result_create(
        project=project,
        by=None,
        data={"level": "output", "code": "1.1", "title_fr": "Produit 1.1", "title_en": "Output"},
    )
    values = {
        "result": result,
        "code": code,
        "name_fr": f"Indicateur {code}",
        "name_en": f"Indicator {code}",
        "method": "computed" if definition else "manual",
        "definition": definition or {},
        "disaggregations": list(disaggregations),
    }
    values.update(data)
    return project_services.indicator_create(project=project, by=None, data=values)


ROLES = Role


def png_bytes(size=(40, 30), colour=(200, 120, 40)) -> bytes:
    """A small real PNG image."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def create_report_photo(project, period, section="success_stories", caption="Une réussite"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from suivi.reports import services as report_services

    return report_services.photo_add(
        project=project,
        period=period,
        section=section,
        image=SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
        caption=caption,
        by=None,
    )


def create_donor_report(project, quarter, by, language="fr", format="docx"):
    from suivi.reports import services as report_services

    report = report_services.donor_report_request(
        project=project, kind="quarterly", language=language, format=format, by=by, quarter=quarter
    )
    assert report.status == report.Status.READY, report.message
    return report


def create_agreement(
    project,
    partner,
    reference=None,
    start=datetime.date(2026, 1, 1),
    end=datetime.date(2026, 12, 31),
    frequency="quarter",
    due_days=15,
    by=None,
    **data,
):
    from suivi.partners import services as partner_services

    values = {
        "partner": partner,
        "reference": reference or f"ACC-{next(_seq):03d}",
        "title": f"Accord avec {partner}",
        "start_date": start,
        "end_date": end,
        "amount": 12_000_000,
        "currency": "XOF",
        "status": "active",
        "report_frequency": frequency,
        "report_due_days": due_days,
    }
    values.update(data)
    return partner_services.agreement_create(project=project, by=by, data=values)
