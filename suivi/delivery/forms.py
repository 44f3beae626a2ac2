"""Forms of the delivery pages: they parse and check input; the services write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import models
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Organisation, User
from suivi.delivery.models import Distribution, ReachCount, Session
from suivi.delivery.services import DISTRIBUTION_FIELDS
from suivi.lib import ages
from suivi.places.models import Site
from suivi.projects.models import Currency, PlannedActivity, Project
from suivi.registry.forms import (
    AREA_WIDGET_ATTRS,
    AreaField,
    DateInput,
    FilterForm,
    RegistrationFields,
    _picker,
    _site_field_for,
    _visible_projects_and_partners,
)
from suivi.registry.models import Group, Household, Person, Sex

# The session fields the session form edits (the project is chosen once, on creation).
SESSION_DATA_FIELDS = [
    "planned_activity",
    "partner",
    "kind",
    "title",
    "date",
    "area",
    "site",
    "facilitator",
    "notes",
]
# Beyond this a number of people is a typing slip, not a campaign.
MOST_PEOPLE_IN_A_CELL = 10_000_000


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlannedActivity) -> str:
        return f"{obj.project.code} · {obj.title}"


# The project select reloads the options of the planned activity select when it changes.
PROJECT_WIDGET_ATTRS = {
    "hx-get": reverse_lazy("delivery:activity_options"),
    "hx-target": "#id_planned_activity",
    "hx-trigger": "change",
}


def _activity_field_for(form: RegistrationFields, user: User) -> None:
    """A select of the planned activities of the chosen project (the page loads them again when
    the project changes); before a project is chosen, those of every project offered."""
    projects = form.fields["project"]
    projects.widget.attrs.update(PROJECT_WIDGET_ATTRS)
    if form.is_bound and not projects.disabled:
        raw = form.data.get(form.add_prefix("project"))
    else:
        raw = form.initial.get("project", projects.initial)
    raw = getattr(raw, "pk", raw)
    activities = PlannedActivity.objects.visible_to(user).filter(project__in=projects.queryset)
    if str(raw or "").isdigit():
        activities = activities.filter(project_id=raw)
    form.fields["planned_activity"] = ActivityChoiceField(
        queryset=activities.select_related("project").order_by("start_date", "pk"),
        label=_("Planned activity"),
        required=False,
        help_text=_("An activity of the work plan of the chosen project."),
        error_messages={
            "invalid_choice": _("Choose a planned activity of the chosen project."),
        },
    )


def _check_in_project(form: forms.Form, cleaned: dict, name: str, message) -> None:
    """Refuse a planned activity or session that belongs to another project than the chosen one."""
    project, row = cleaned.get("project"), cleaned.get(name)
    if project is not None and row is not None and row.project_id != project.pk:
        form.add_error(name, message % {"code": project.code})


def _check_within_project_dates(form: forms.Form, cleaned: dict) -> None:
    project, day = cleaned.get("project"), cleaned.get("date")
    if project is None or day is None:
        return
    if not project.start_date <= day <= project.end_date:
        form.add_error(
            "date",
            _("The date must fall within the dates of project %(code)s: %(start)s to %(end)s.")
            % {
                "code": project.code,
                "start": project.start_date.strftime("%d/%m/%Y"),
                "end": project.end_date.strftime("%d/%m/%Y"),
            },
        )


# --- Filters -----------------------------------------------------------------------------------


class DateRangeFilters(FilterForm):
    date_from = forms.DateField(label=_("From"), widget=DateInput())
    date_to = forms.DateField(label=_("To"), widget=DateInput())


class SessionFilterForm(DateRangeFilters):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *Session.Kind.choices])
    partner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Partner"))
    area = AreaField(label=_("Area"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _visible_projects_and_partners(self, user)
        self.order_fields(["q", "project", "kind", "partner", "date_from", "date_to", "area"])


class DistributionFilterForm(DateRangeFilters):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *Distribution.Kind.choices])
    modality = forms.ChoiceField(
        label=_("Modality"), choices=[("", _("All")), *Distribution.Modality.choices]
    )
    partner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Partner"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _visible_projects_and_partners(self, user)
        self.order_fields(["q", "project", "kind", "modality", "partner", "date_from", "date_to"])


# --- Sessions ----------------------------------------------------------------------------------


class SessionForm(RegistrationFields):
    """A session of a project. A partner focal point has no partner field: their own partner is
    forced on what they record. On an existing session the project cannot change."""

    refused = _("You may not record sessions in this project for this partner.")

    kind = forms.ChoiceField(label=_("Type"), choices=[("", "---------"), *Session.Kind.choices])
    title = forms.CharField(label=_("Title"), max_length=255)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"), required=False)
    facilitator = forms.CharField(label=_("Facilitator"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args, user: User, projects: list[Project], session: Session | None = None, **kwargs
    ):
        self.session = session
        if session is not None:
            projects = [session.project]
            initial = {name: getattr(session, name) for name in SESSION_DATA_FIELDS}
            initial.update(
                project=session.project_id,
                planned_activity=session.planned_activity_id,
                partner=session.partner_id,
                area=session.area_id,
                site=session.site_id,
            )
            kwargs.setdefault("initial", initial)
        super().__init__(*args, user=user, projects=projects, **kwargs)
        del self.fields["registered_on"]
        project_field = self.fields["project"]
        if session is not None:
            project_field.disabled = True
            project_field.help_text = ""
        _activity_field_for(self, user)
        self.fields["area"] = AreaField(
            current=session.area_id if session else None,
            widget=forms.Select(attrs=AREA_WIDGET_ATTRS),
        )
        _site_field_for(self)
        self.order_fields(
            [
                "project",
                "planned_activity",
                "partner",
                "kind",
                "title",
                "date",
                "area",
                "site",
                "facilitator",
                "notes",
            ]
        )

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_facilitator(self):
        return " ".join(self.cleaned_data.get("facilitator", "").split())

    def clean(self):
        cleaned = super().clean()
        _check_in_project(
            self,
            cleaned,
            "planned_activity",
            _("This planned activity belongs to another project: choose one of project %(code)s."),
        )
        _check_within_project_dates(self, cleaned)
        return cleaned

    def session_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in SESSION_DATA_FIELDS}


# --- Attendance and counted reach --------------------------------------------------------------


class AttendanceForm(forms.Form):
    """The persons checked as present. Any visible person is accepted here: the service refuses
    those not registered in the session's project, naming them."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"] = forms.ModelMultipleChoiceField(
            queryset=Person.objects.visible_to(user),
            label=_("Persons present"),
            error_messages={
                "required": _("Check at least one person to mark present."),
                "invalid_choice": _("Choose the persons from the search results."),
                "invalid_pk_value": _("Choose the persons from the search results."),
            },
        )


def reach_cells() -> list[tuple[str, str]]:
    """(sex, age band) of every cell of the counted-reach grid, in display order."""
    bands = [*ages.AGE_BAND_CODES, ages.UNKNOWN]
    return [(sex, band) for band in bands for sex in (Sex.FEMALE, Sex.MALE)]


def reach_field_name(sex: str, band: str) -> str:
    return f"{sex}_{band}"


class ReachForm(forms.Form):
    """People reached by sex and age band; an empty cell counts as zero."""

    def __init__(self, *args, counts: dict[tuple[str, str], int], **kwargs):
        super().__init__(*args, **kwargs)
        sexes = dict(Sex.choices)
        bands = dict(ReachCount._meta.get_field("age_band").choices)
        for sex, band in reach_cells():
            label = _("%(sex)s, %(band)s") % {"sex": sexes[sex], "band": bands[band]}
            self.fields[reach_field_name(sex, band)] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=MOST_PEOPLE_IN_A_CELL,
                initial=counts.get((sex, band)) or None,
                widget=forms.NumberInput(
                    attrs={"min": 0, "inputmode": "numeric", "size": 6, "aria-label": label}
                ),
                error_messages={
                    "min_value": _("A number of people cannot be negative: enter 0 or more."),
                    "max_value": _("More than %(limit_value)s people in one cell: check it."),
                    "invalid": _("Enter a whole number of people."),
                },
            )

    def rows(self) -> list[tuple[str, list]]:
        """(age band label, [bound field per sex]) for the grid."""
        bands = dict(ReachCount._meta.get_field("age_band").choices)
        return [
            (bands[band], [self[reach_field_name(sex, band)] for sex in (Sex.FEMALE, Sex.MALE)])
            for band in [*ages.AGE_BAND_CODES, ages.UNKNOWN]
        ]

    def counts(self) -> dict[tuple[str, str], int]:
        return {
            (sex, band): self.cleaned_data.get(reach_field_name(sex, band)) or 0
            for sex, band in reach_cells()
        }


# --- Distributions -----------------------------------------------------------------------------


class Recipient(models.TextChoices):
    PERSON = "person", _("A person")
    HOUSEHOLD = "household", _("A household")
    GROUP = "group", _("A group")


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.name} ({obj.project.code})" if obj.project_id else obj.name


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        return f"{obj.project.code} · {obj.title} ({obj.date:%d/%m/%Y})"


class DistributionForm(RegistrationFields):
    """Items, cash or a scholarship given to one recipient: a person (found with the picker), a
    household (by its code) or a community group."""

    refused = _("You may not record distributions in this project for this partner.")

    recipient = forms.ChoiceField(
        label=_("Recipient"),
        choices=Recipient.choices,
        initial=Recipient.PERSON,
        widget=forms.RadioSelect,
    )
    household = forms.CharField(
        label=_("Household code"),
        max_length=40,
        required=False,
        help_text=_("When the recipient is a household."),
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", "---------"), *Distribution.Kind.choices]
    )
    item = forms.CharField(label=_("Item"), max_length=200)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=2,
        initial=1,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("The quantity must be more than 0.")},
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=0,
        error_messages={"min_value": _("The value cannot be negative.")},
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", "---------"), *Currency.choices], required=False
    )
    modality = forms.ChoiceField(
        label=_("Modality"), choices=[("", "---------"), *Distribution.Modality.choices]
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"), required=False)

    def __init__(self, *args, user: User, projects: list[Project], query: str = "", **kwargs):
        super().__init__(*args, user=user, projects=projects, **kwargs)
        del self.fields["registered_on"]
        in_projects = self.fields["project"].queryset
        self.fields["person"] = _picker(
            self,
            "person",
            user,
            query,
            label=_("Person"),
            required=False,
            help_text=_("When the recipient is a person registered in the project."),
        )
        groups = Group.objects.visible_to(user).filter(project__in=in_projects)
        self.fields["group"] = GroupChoiceField(
            queryset=groups.select_related("project").order_by("name", "pk"),
            label=_("Group"),
            required=False,
            help_text=_("When the recipient is a group of the project."),
        )
        _activity_field_for(self, user)
        # Only distribution events are offered: the other sessions are not where things are given.
        events = Session.objects.visible_to(user).filter(
            project__in=in_projects, kind=Session.Kind.DISTRIBUTION_EVENT
        )
        self.fields["session"] = SessionChoiceField(
            queryset=events.select_related("project").order_by("-date", "-pk"),
            label=_("Distribution event"),
            required=False,
        )
        self.fields["area"] = AreaField(
            widget=forms.Select(attrs=AREA_WIDGET_ATTRS),
            help_text=_("Choose the area to list its sites."),
        )
        _site_field_for(self)
        self.user = user
        self.order_fields(
            [
                "project",
                "partner",
                "recipient",
                "person",
                "household",
                "group",
                "kind",
                "item",
                "quantity",
                "unit",
                "value",
                "currency",
                "modality",
                "date",
                "area",
                "site",
                "planned_activity",
                "session",
            ]
        )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                _("The date cannot be in the future: record a distribution once it is done.")
            )
        return day

    def clean_item(self):
        return " ".join(self.cleaned_data["item"].split())

    def clean(self):
        cleaned = super().clean()
        self._clean_recipient(cleaned)
        if cleaned.get("value") is not None and not cleaned.get("currency"):
            self.add_error("currency", _("Give the currency of the value."))
        _check_in_project(
            self,
            cleaned,
            "planned_activity",
            _("This planned activity belongs to another project: choose one of project %(code)s."),
        )
        _check_in_project(
            self,
            cleaned,
            "session",
            _("This event belongs to another project: choose one of project %(code)s."),
        )
        _check_within_project_dates(self, cleaned)
        return cleaned

    def _clean_recipient(self, cleaned: dict) -> None:
        """Keep the one recipient chosen; look a household up by its code among visible ones."""
        chosen = cleaned.get("recipient")
        code = " ".join(cleaned.get("household", "").split())
        cleaned["household"] = None
        if chosen != Recipient.PERSON:
            cleaned["person"] = None
            self.errors.pop("person", None)
        if chosen != Recipient.GROUP:
            cleaned["group"] = None
            self.errors.pop("group", None)
        if chosen == Recipient.PERSON and cleaned.get("person") is None:
            if "person" not in self.errors:
                self.add_error("person", _("Search for the person and choose them."))
        elif chosen == Recipient.GROUP:
            group, project = cleaned.get("group"), cleaned.get("project")
            if group is None and "group" not in self.errors:
                self.add_error("group", _("Choose the group that receives the distribution."))
            elif group is not None and project is not None and group.project_id != project.pk:
                self.add_error(
                    "group",
                    _("This group belongs to another project: choose one of project %(code)s.")
                    % {"code": project.code},
                )
        elif chosen == Recipient.HOUSEHOLD:
            self._clean_household(cleaned, code)

    def _clean_household(self, cleaned: dict, code: str) -> None:
        if not code:
            self.add_error("household", _("Give the code of the household."))
            return
        project = cleaned.get("project")
        visible = Household.objects.visible_to(self.user).filter(code=code)
        if project is not None:
            visible = visible.filter(organisation_id=project.organisation_id)
        household = visible.first()
        if household is None:
            self.add_error(
                "household",
                _("No household you can see has the code %(code)s: check the code.")
                % {"code": code},
            )
            return
        if (
            project is not None
            and not household.members.filter(registrations__project=project).exists()
        ):
            self.add_error(
                "household",
                _(
                    "No member of household %(household)s is registered in project %(code)s. "
                    "Register a member first."
                )
                % {"household": code, "code": project.code},
            )
            return
        cleaned["household"] = household

    def distribution_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in DISTRIBUTION_FIELDS}
