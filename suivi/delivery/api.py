"""The API of delivery: sessions, their attendance, and distributions.

Reads go through ``visible_to(user)``: a partner focal point sees their partner's sessions and
distributions only, a donor viewer none (absent and forbidden are both 404). Writes need data
entry in the project for the row's partner (``registry.services.can_enter_data``, 403
otherwise); a partner focal point writes for their own partner. Anything dated in a locked
reporting period is refused with 409 and nothing is written.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from suivi.accounts.models import Organisation
from suivi.api.errors import READ_ERRORS, WRITE_ERRORS
from suivi.api.fields import Id
from suivi.api.pagination import LimitOffset
from suivi.delivery import services
from suivi.delivery.models import Attendance, Distribution, Session
from suivi.places.models import Area, Site
from suivi.projects.api import (
    OrganisationRef,
    ProjectRef,
    project_for_write,
    refuse_if_period_locked,
)
from suivi.projects.models import Currency, PlannedActivity, Project
from suivi.registry.api import AreaRef, PersonRef, SiteRef, partner_for_write
from suivi.registry.models import Group, Household, Person
from suivi.registry.services import can_enter_data

router = Router(tags=["delivery"])

MAX_ATTENDEES_PER_CALL = 1000


# --- Schemas ---------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    project: ProjectRef
    partner: OrganisationRef | None = Field(description="null: the agency itself")
    planned_activity_id: int | None
    kind: str
    title: str
    date: datetime.date
    area: AreaRef | None
    site: SiteRef | None
    facilitator: str
    notes: str
    attendance_count: int = Field(description="How many registered persons were present.")


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    project: Id = Field(description="Id of the project.")
    partner: Id | None = Field(
        None,
        description="Id of the partner running the session; null for the agency itself. "
        "A partner focal point's own partner is used when it is left out.",
    )
    kind: Session.Kind
    title: str = Field(min_length=1, max_length=255)
    date: datetime.date
    area: Id | None = Field(None, description="Id of an administrative area.")
    site: Id | None = Field(None, description="Id of a site (within the area when both).")
    facilitator: str = Field("", max_length=200)
    notes: str = ""
    planned_activity: Id | None = Field(
        None, description="Id of the work plan activity this session carries out."
    )


class SessionFilters(Schema):
    project: Id | None = None
    partner: Id | None = None
    kind: Session.Kind | None = None
    date_from: datetime.date | None = Field(None, description="On or after this date.")
    date_to: datetime.date | None = Field(None, description="On or before this date.")
    q: str = Field("", description="Words of the title.")


class AttendanceOut(Schema):
    person: PersonRef | None = Field(
        description="null when the person is registered by a partner whose persons you may not see."
    )
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_person(obj):
        return obj.person if obj.person_visible else None


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    persons: list[Id] = Field(
        min_length=1,
        max_length=MAX_ATTENDEES_PER_CALL,
        description="Ids of registered persons present at the session.",
    )


class AttendanceResultOut(Schema):
    added: int = Field(description="How many persons were newly marked present.")
    present: int = Field(description="How many persons are now marked present.")


class DistributionOut(Schema):
    id: int
    project: ProjectRef
    partner: OrganisationRef | None = Field(description="null: the agency itself")
    planned_activity_id: int | None
    session_id: int | None
    date: datetime.date
    person: PersonRef | None = Field(
        description="The recipient when a person (null also when you may not see them)."
    )
    household_id: int | None
    group_id: int | None
    kind: str
    item: str
    quantity: float
    unit: str
    value: float | None
    currency: str
    modality: str
    site: SiteRef | None

    @staticmethod
    def resolve_person(obj):
        return obj.person if obj.person_id and obj.person_visible else None


class DistributionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    project: Id = Field(description="Id of the project.")
    partner: Id | None = Field(
        None,
        description="Id of the partner distributing; null for the agency itself. A partner "
        "focal point's own partner is used when it is left out.",
    )
    date: datetime.date
    person: Id | None = Field(None, description="Recipient: id of a registered person, or")
    household: Id | None = Field(None, description="id of a household, or")
    group: Id | None = Field(None, description="id of a group (exactly one recipient).")
    kind: Distribution.Kind
    item: str = Field(min_length=1, max_length=200)
    quantity: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=2)
    unit: str = Field("", max_length=30)
    value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: Currency | None = Field(None, description="Required with a value.")
    modality: Distribution.Modality
    site: Id | None = None
    planned_activity: Id | None = None
    session: Id | None = Field(None, description="Id of the distribution event (a session).")


class DistributionFilters(Schema):
    project: Id | None = None
    partner: Id | None = None
    kind: Distribution.Kind | None = None
    person: Id | None = Field(None, description="Only what this person received.")
    date_from: datetime.date | None = Field(None, description="On or after this date.")
    date_to: datetime.date | None = Field(None, description="On or before this date.")


# --- Querysets and helpers -------------------------------------------------------------------


def sessions_for(user):
    return (
        Session.objects.visible_to(user)
        .select_related("project", "partner", "area", "site")
        .annotate(attendance_count=Count("attendances"))
    )


def _person_visible(user, path: str = "person_id") -> Exists:
    return Exists(Person.objects.visible_to(user).filter(pk=OuterRef(path)))


def distributions_for(user):
    return (
        Distribution.objects.visible_to(user)
        .select_related("project", "partner", "person", "site")
        .annotate(person_visible=_person_visible(user))
    )


def _dated(queryset, filters, field: str = "date"):
    if filters.date_from:
        queryset = queryset.filter(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{field}__lte": filters.date_to})
    return queryset


def _not_found(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _place(area_id: int | None, site_id: int | None) -> dict:
    """The area and site a write names; a site outside the area is refused."""
    found = {}
    if area_id is not None:
        found["area"] = Area.objects.filter(pk=area_id).first()
        if found["area"] is None:
            raise _not_found(
                "area",
                _("No area with id %(id)s: give the id of an administrative area.")
                % {"id": area_id},
            )
    if site_id is not None:
        site = Site.objects.filter(pk=site_id).first()
        if site is None:
            raise _not_found("site", _("No site with id %(id)s.") % {"id": site_id})
        area = found.get("area")
        if area is not None and not Area.objects.within(area).filter(pk=site.area_id).exists():
            raise _not_found(
                "site",
                _("The site %(site)s is not within the area %(area)s: choose a site of the area.")
                % {"site": site.name, "area": area},
            )
        found["site"] = site
    return found


def _planned_activity(user, project: Project, activity_id: int | None):
    if activity_id is None:
        return None
    activity = (
        PlannedActivity.objects.visible_to(user).filter(project=project, pk=activity_id).first()
    )
    if activity is None:
        raise _not_found(
            "planned_activity",
            _("No activity with id %(id)s in the work plan of project %(code)s.")
            % {"id": activity_id, "code": project.code},
        )
    return activity


def _partner(partner_id: int | None):
    return Organisation.objects.get(pk=partner_id) if partner_id is not None else None


def _session_for_change(user, session_id: int) -> Session:
    """A visible session the user may change (403 otherwise), not in a locked period (409)."""
    session = get_object_or_404(
        Session.objects.visible_to(user).select_related("project"), pk=session_id
    )
    if not can_enter_data(user, session.project, session.partner_id):
        raise PermissionDenied(_("You may not change the attendance of this session."))
    refuse_if_period_locked(session.project, session.date)
    return session


# --- Sessions --------------------------------------------------------------------------------


@router.get("/sessions", response={200: list[SessionOut], **READ_ERRORS})
@paginate(LimitOffset)
def session_list(request, filters: Query[SessionFilters]):
    """The sessions you may see, latest first. Filter by `project`, `partner`, `kind`, dates
    (`date_from`, `date_to`) and words of the title (`q`)."""
    sessions = sessions_for(request.auth)
    for name in ("project", "partner", "kind"):
        value = getattr(filters, name)
        if value is not None:
            sessions = sessions.filter(**{name: value})
    for word in filters.q.split():
        sessions = sessions.filter(title__icontains=word)
    return _dated(sessions, filters).order_by("-date", "-pk")


@router.get("/sessions/{session_id}", response={200: SessionOut, **READ_ERRORS})
def session_detail(request, session_id: int):
    """One session, with the number of persons present."""
    return get_object_or_404(sessions_for(request.auth), pk=session_id)


@router.post("/sessions", response={201: SessionOut, **WRITE_ERRORS})
def session_record(request, payload: SessionIn):
    """Record a session (training, awareness talk, home visit, campaign...) of a project.

    Then mark who was present with `POST /sessions/{session_id}/attendance`. A date in a locked
    reporting period is refused with 409.
    """
    user = request.auth
    project = project_for_write(user, payload.project)
    partner_id = partner_for_write(user, project, payload.partner)
    refuse_if_period_locked(project, payload.date)
    data = {
        "partner": _partner(partner_id),
        "kind": payload.kind,
        "title": payload.title.strip(),
        "date": payload.date,
        "facilitator": payload.facilitator.strip(),
        "notes": payload.notes,
        "planned_activity": _planned_activity(user, project, payload.planned_activity),
        **_place(payload.area, payload.site),
    }
    session = services.session_record(project=project, by=user, data=data)
    return Status(201, sessions_for(user).get(pk=session.pk))


# --- Attendance ------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/attendance", response={200: list[AttendanceOut], **READ_ERRORS})
@paginate(LimitOffset)
def attendance_list(request, session_id: int):
    """The persons present at a session, by name."""
    user = request.auth
    session = get_object_or_404(Session.objects.visible_to(user), pk=session_id)
    return (
        Attendance.objects.visible_to(user)
        .filter(session=session)
        .select_related("person")
        .annotate(person_visible=_person_visible(user))
        .order_by("person__family_name", "person__given_name", "pk")
    )


@router.post(
    "/sessions/{session_id}/attendance", response={200: AttendanceResultOut, **WRITE_ERRORS}
)
def attendance_record(request, session_id: int, payload: AttendanceIn):
    """Mark persons present at a session: `{"persons": [12, 15]}`.

    Each must be registered in the session's project. Persons already marked present stay as
    they are, so sending the same list twice changes nothing.
    """
    user = request.auth
    session = _session_for_change(user, session_id)
    wanted = set(payload.persons)
    persons = list(Person.objects.visible_to(user).filter(pk__in=wanted))
    unknown = sorted(wanted - {p.pk for p in persons})
    if unknown:
        raise _not_found(
            "persons",
            _("No person with these ids is visible to you: %(ids)s. Check the ids.")
            % {"ids": ", ".join(str(pk) for pk in unknown)},
        )
    added = services.attendance_record(session=session, persons=persons, by=user)
    return {"added": added, "present": session.attendances.count()}


@router.delete(
    "/sessions/{session_id}/attendance/{person_id}", response={204: None, **WRITE_ERRORS}
)
def attendance_remove(request, session_id: int, person_id: int):
    """Remove a person marked present at a session by mistake."""
    user = request.auth
    session = _session_for_change(user, session_id)
    person = get_object_or_404(Person.objects.visible_to(user), pk=person_id)
    if not session.attendances.filter(person=person).exists():
        raise HttpError(404, _("This person is not marked present at this session."))
    services.attendance_remove(session=session, person=person, by=user)
    return Status(204, None)


# --- Distributions ---------------------------------------------------------------------------


@router.get("/distributions", response={200: list[DistributionOut], **READ_ERRORS})
@paginate(LimitOffset)
def distribution_list(request, filters: Query[DistributionFilters]):
    """The distributions you may see, latest first. Filter by `project`, `partner`, `kind`,
    `person` and dates (`date_from`, `date_to`)."""
    distributions = distributions_for(request.auth)
    for name in ("project", "partner", "kind", "person"):
        value = getattr(filters, name)
        if value is not None:
            distributions = distributions.filter(**{name: value})
    return _dated(distributions, filters).order_by("-date", "-pk")


@router.get("/distributions/{distribution_id}", response={200: DistributionOut, **READ_ERRORS})
def distribution_detail(request, distribution_id: int):
    """One distribution."""
    return get_object_or_404(distributions_for(request.auth), pk=distribution_id)


def _recipient(user, payload: DistributionIn) -> dict:
    given = [name for name in ("person", "household", "group") if getattr(payload, name)]
    if len(given) != 1:
        raise _not_found(
            "person",
            _("Give exactly one recipient: a person, a household or a group."),
        )
    name = given[0]
    model = {"person": Person, "household": Household, "group": Group}[name]
    pk = getattr(payload, name)
    row = model.objects.visible_to(user).filter(pk=pk).first()
    if row is None:
        raise _not_found(
            name,
            _("No %(thing)s with id %(id)s is visible to you: check the id.")
            % {"thing": model._meta.verbose_name, "id": pk},
        )
    return {name: row}


@router.post("/distributions", response={201: DistributionOut, **WRITE_ERRORS})
def distribution_record(request, payload: DistributionIn):
    """Record items, cash, a voucher or a scholarship given to one recipient: a registered
    person, a household or a group. A date in a locked reporting period is refused with 409."""
    user = request.auth
    project = project_for_write(user, payload.project)
    partner_id = partner_for_write(user, project, payload.partner)
    refuse_if_period_locked(project, payload.date)
    data = {
        "partner": _partner(partner_id),
        "date": payload.date,
        "kind": payload.kind,
        "item": payload.item.strip(),
        "quantity": payload.quantity,
        "unit": payload.unit.strip(),
        "value": payload.value,
        "currency": payload.currency or "",
        "modality": payload.modality,
        "planned_activity": _planned_activity(user, project, payload.planned_activity),
        **_recipient(user, payload),
        **_place(None, payload.site),
    }
    if payload.session is not None:
        data["session"] = (
            Session.objects.visible_to(user).filter(project=project, pk=payload.session).first()
        )
        if data["session"] is None:
            raise _not_found(
                "session",
                _("No session with id %(id)s in project %(code)s.")
                % {"id": payload.session, "code": project.code},
            )
    distribution = services.distribution_record(project=project, by=user, data=data)
    return Status(201, distributions_for(user).get(pk=distribution.pk))
