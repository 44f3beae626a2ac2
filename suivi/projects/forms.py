"""Forms of the projects pages: they parse and check input; the services write."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Organisation
from suivi.lib import uploads
from suivi.places.models import Area, Site
from suivi.projects import definitions
from suivi.projects.models import (
    Dimension,
    Indicator,
    PlannedActivity,
    Project,
    ReportingPeriod,
    Result,
)
from suivi.projects.services import INDICATOR_FIELDS, PLANNED_ACTIVITY_FIELDS, PROJECT_FIELDS

CODE_PATTERN = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")


class DateInput(forms.DateInput):
    """The browser's date picker; it needs ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _model_fields(model, names: list[str], **kwargs) -> dict[str, forms.Field]:
    """Form fields with the model's labels, lengths and choices."""
    return forms.fields_for_model(model, fields=names, **kwargs)


def _date_widgets(names: list[str]) -> dict:
    return {name: DateInput() for name in names}


def _refuse_negative(value, message=None):
    if value is not None and value < 0:
        raise forms.ValidationError(message or _("Enter a number of zero or more."))
    return value


def _check_unit(value: Decimal | None, unit: str) -> None:
    """A percentage lies between 0 and 100; a yes/no value is 1 (yes) or 0 (no)."""
    if value is None:
        return
    if unit == Indicator.Unit.PERCENTAGE and not (0 <= value <= 100):
        raise forms.ValidationError(_("A percentage is between 0 and 100."))
    if unit == Indicator.Unit.YES_NO and value not in (0, 1):
        raise forms.ValidationError(_("Enter 1 for yes or 0 for no."))


def _clean_code(value: str, taken, example: str) -> str:
    code = value.strip()
    if not CODE_PATTERN.match(code):
        raise forms.ValidationError(
            _("Write the code as numbers separated by dots, for example %(example)s.")
            % {"example": example}
        )
    if taken.filter(code=code).exists():
        raise forms.ValidationError(
            _("The code %(code)s is already used in this project: choose another.") % {"code": code}
        )
    return code


class AreasField(forms.ModelMultipleChoiceField):
    """Regions and cercles (admin 1 and 2), shown with their parent."""

    def label_from_instance(self, obj: Area) -> str:
        if obj.level >= Area.Level.ADMIN2 and obj.parent_id:
            return f"{obj.parent.name} › {obj.name}"
        return obj.name


def _areas(current=()) -> AreasField:
    areas = Area.objects.filter(
        Q(level__in=(Area.Level.ADMIN1, Area.Level.ADMIN2)) | Q(pk__in=list(current))
    )
    return AreasField(
        queryset=areas.select_related("parent").order_by("pcode"),
        label=_("Areas"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )


# --- Lists ---------------------------------------------------------------------------------


class ProjectFilterForm(forms.Form):
    """Filters of the project list, read from the query string; an invalid value is ignored."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Project.Status.choices]
    )
    donor = forms.ModelChoiceField(
        label=_("Donor"), required=False, queryset=Organisation.objects.none()
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        donors = Organisation.objects.filter(funded_projects__in=projects).distinct()
        self.fields["donor"].queryset = donors.order_by("name")
        self.fields["donor"].empty_label = _("All")

    def values(self) -> dict:
        """The valid filters, each one independently."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


# --- Project -------------------------------------------------------------------------------


class ProjectForm(forms.Form):
    """A project's facts, donors, partners, sectors and areas; on creation, its organisation."""

    def __init__(self, *args, project: Project | None = None, organisations=None, **kwargs):
        self.project = project
        if project is not None:
            kwargs.setdefault("initial", self.initial_for(project))
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=organisations.order_by("name"), label=_("Lead organisation")
            )
            if len(organisations) == 1:
                self.fields["organisation"].initial = organisations[0].pk
        self.fields.update(
            _model_fields(
                Project,
                [*PROJECT_FIELDS, "donors", "partners", "sectors"],
                widgets={
                    **_date_widgets(["start_date", "end_date"]),
                    "summary": forms.Textarea(attrs={"rows": 4}),
                    "donors": forms.SelectMultiple(attrs={"size": 6}),
                    "partners": forms.SelectMultiple(attrs={"size": 8}),
                    "sectors": forms.CheckboxSelectMultiple,
                },
            )
        )
        several = _("Hold Ctrl (or Cmd) to choose several.")
        self.fields["donors"].help_text = several
        self.fields["partners"].help_text = several
        self.fields["areas"] = _areas(project.areas.values_list("pk", flat=True) if project else ())

    @staticmethod
    def initial_for(project: Project) -> dict:
        initial = {name: getattr(project, name) for name in PROJECT_FIELDS}
        for name in ("donors", "partners", "sectors", "areas"):
            initial[name] = list(getattr(project, name).values_list("pk", flat=True))
        return initial

    def clean_code(self):
        taken = Project.objects.all()
        if self.project is not None:
            taken = taken.exclude(pk=self.project.pk)
        code = self.cleaned_data["code"].strip()
        if taken.filter(code=code).exists():
            raise forms.ValidationError(
                _("The code %(code)s is already used by another project: choose another.")
                % {"code": code}
            )
        return code

    def clean_budget(self):
        return _refuse_negative(
            self.cleaned_data.get("budget"), _("The budget cannot be negative.")
        )

    def clean_recipient_country(self):
        code = self.cleaned_data.get("recipient_country", "").strip().upper()
        if code and (len(code) != 2 or not code.isalpha()):
            raise forms.ValidationError(
                _("Write the country's two-letter ISO code: ML for Mali, MR for Mauritania.")
            )
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be after the start date."))
        lead = cleaned.get("organisation") or (self.project.organisation if self.project else None)
        if lead is not None and lead in (cleaned.get("partners") or []):
            self.add_error(
                "partners",
                _("%(organisation)s leads the project: it cannot also be its partner.")
                % {"organisation": lead},
            )
        return cleaned

    def project_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROJECT_FIELDS}

    def links(self) -> dict:
        names = ("donors", "partners", "sectors", "areas")
        return {name: list(self.cleaned_data[name]) for name in names}


# --- Logframe ------------------------------------------------------------------------------


class ResultForm(forms.Form):
    """A node of the logframe, under a parent of a higher level."""

    def __init__(self, *args, project: Project, result: Result | None = None, **kwargs):
        self.project = project
        self.result = result
        if result is not None:
            kwargs.setdefault(
                "initial",
                {
                    "level": result.level,
                    "parent": result.parent_id,
                    "code": result.code,
                    "title_fr": result.title_fr,
                    "title_en": result.title_en,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields.update(_model_fields(Result, ["level", "code", "title_fr", "title_en"]))
        parents = project.results.exclude(level=Result.Level.ACTIVITY)
        if result is not None:
            parents = parents.exclude(pk=result.pk)
        self.fields["parent"] = forms.ModelChoiceField(
            queryset=parents.order_by("code"),
            label=_("Under"),
            required=False,
            empty_label=_("Nothing: a top result"),
            help_text=_("The result this one contributes to."),
        )
        self.order_fields(["level", "parent", "code", "title_fr", "title_en"])
        for name in ("title_fr", "title_en"):
            self.fields[name].widget = forms.Textarea(attrs={"rows": 2})

    def clean_code(self):
        taken = self.project.results.all()
        if self.result is not None:
            taken = taken.exclude(pk=self.result.pk)
        return _clean_code(self.cleaned_data["code"], taken, "1.2")

    def clean(self):
        cleaned = super().clean()
        level, parent = cleaned.get("level"), cleaned.get("parent")
        if level and parent is not None:
            order = Result.LEVEL_ORDER
            if order.index(level) <= order.index(parent.level):
                self.add_error(
                    "parent",
                    _(
                        "A result of level %(level)s cannot sit under a result of level "
                        "%(parent)s: choose a parent of a higher level."
                    )
                    % {
                        "level": Result.Level(level).label,
                        "parent": parent.get_level_display(),
                    },
                )
        return cleaned

    def result_data(self) -> dict:
        names = ("level", "parent", "code", "title_fr", "title_en")
        return {name: self.cleaned_data[name] for name in names}


MEASURES = [
    ("persons", _("Distinct persons")),
    ("households", _("Distinct households")),
    ("groups", _("Distinct community groups")),
    ("rows", _("Rows (each session, attendance or distribution)")),
    ("quantity", _("Quantity distributed")),
    ("value", _("Value distributed")),
    ("people", _("People reached (head counts of mass sessions)")),
]
SOURCES = [
    ("attendance", _("Attendance at sessions")),
    ("distribution", _("Distributions")),
    ("registration", _("Registrations in the project")),
    ("reach", _("Reach of mass sessions (head counts)")),
    ("session", _("Sessions held")),
    ("ratio", _("Ratio of two indicators (share, rate)")),
]
DEFINITION_FIELDS = [
    "source",
    "measure",
    "numerator",
    "denominator",
    "scale",
    "session_kinds",
    "distribution_kinds",
    "item_contains",
    "min_count",
    "areas",
    "partners",
    "planned_activities",
    "person_sex",
    "person_population_groups",
    "person_disability",
    "person_age_min",
    "person_age_max",
]


def _code_or_number(text: str, codes: set[str]):
    """A ratio's denominator as typed: an indicator code of the project, else a number when it
    reads as one, else the text (which validation then refuses with its reason)."""
    text = text.strip()
    if text in codes:
        return text
    try:
        number = Decimal(text.replace(",", "."))
    except ArithmeticError:
        return text
    if not number.is_finite():
        return text
    return int(number) if number == number.to_integral_value() else float(number)


def _choices_of(app_model: str, attr: str) -> list:
    return getattr(apps.get_model(app_model), attr).choices


class IndicatorForm(forms.Form):
    """An indicator and, for a computed one, what to count: its definition is built from the
    fields below, never typed as JSON."""

    result = forms.ModelChoiceField(queryset=Result.objects.none(), label=_("Result"))
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregate by"),
        required=False,
        choices=Dimension.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    source = forms.ChoiceField(
        label=_("Count from"),
        required=False,
        choices=[("", "---------"), *SOURCES],
    )
    measure = forms.ChoiceField(
        label=_("What to count"),
        required=False,
        choices=[("", _("The usual measure of the source")), *MEASURES],
        help_text=_(
            "Attendance: persons or rows. Distributions: persons, households, rows, quantity or "
            "value. Registrations: persons. Reach: people."
        ),
    )
    numerator = forms.ChoiceField(
        label=_("Ratio: numerator"),
        required=False,
        help_text=_("Ratios only: the indicator counted on top, for example women trained."),
    )
    denominator = forms.CharField(
        label=_("Ratio: denominator"),
        required=False,
        max_length=20,
        help_text=_(
            "Ratios only: the code of the indicator counted below, for example all persons "
            "trained, or a fixed number such as a target population."
        ),
    )
    scale = forms.DecimalField(
        label=_("Ratio: multiply by"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("100 for a percentage; empty: 1."),
    )
    session_kinds = forms.MultipleChoiceField(
        label=_("Only these session types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Attendance and reach only. None ticked: every type."),
    )
    distribution_kinds = forms.MultipleChoiceField(
        label=_("Only these distribution types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Distributions only. None ticked: every type."),
    )
    item_contains = forms.CharField(
        label=_("Item name contains"),
        required=False,
        max_length=100,
        help_text=_("Distributions only, for example: kit scolaire."),
    )
    min_count = forms.IntegerField(
        label=_("At least this many times"),
        required=False,
        min_value=1,
        help_text=_(
            "Count a person only when they attended or received this many times, for example "
            "2 for a training of two days."
        ),
        error_messages={"min_value": _("The minimum number of times is at least 1.")},
    )
    areas = forms.CharField(
        label=_("Only in these areas"),
        required=False,
        max_length=500,
        help_text=_(
            "P-codes separated by commas, for example ML07, ML0601; an area includes the areas "
            "within it. Empty: everywhere."
        ),
    )
    partners = forms.MultipleChoiceField(
        label=_("Only the work of these partners"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every partner."),
    )
    planned_activities = forms.MultipleChoiceField(
        label=_("Only under these planned activities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sessions and distributions only. None ticked: every activity."),
    )
    person_sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("Both")), ("F", _("Female")), ("M", _("Male"))],
    )
    person_population_groups = forms.MultipleChoiceField(
        label=_("Population groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every group."),
    )
    person_disability = forms.ChoiceField(
        label=_("Disability"),
        required=False,
        choices=[
            ("", _("With or without")),
            ("yes", _("Persons with a disability only")),
            ("no", _("Persons without a disability only")),
        ],
    )
    person_age_min = forms.IntegerField(
        label=_("Minimum age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("Age at the end of the period."),
    )
    person_age_max = forms.IntegerField(
        label=_("Maximum age"), required=False, min_value=0, max_value=120
    )

    def __init__(self, *args, project: Project, indicator: Indicator | None = None, **kwargs):
        self.project = project
        self.indicator = indicator
        if indicator is not None:
            kwargs.setdefault("initial", self.initial_for(indicator))
        super().__init__(*args, **kwargs)
        self.fields.update(
            _model_fields(
                Indicator,
                [
                    "code",
                    "name_fr",
                    "name_en",
                    "unit",
                    "method",
                    "cumulative",
                    "baseline",
                    "baseline_date",
                    "means_of_verification",
                ],
                widgets={
                    "baseline_date": DateInput(),
                    "method": forms.RadioSelect,
                    "name_fr": forms.Textarea(attrs={"rows": 2}),
                    "name_en": forms.Textarea(attrs={"rows": 2}),
                    "means_of_verification": forms.Textarea(attrs={"rows": 3}),
                },
            )
        )
        self.fields["result"].queryset = project.results.order_by("code")
        self.fields["result"].label_from_instance = lambda r: f"{r.code} {r.title}"
        if not project.results.exists():
            self.fields["result"].help_text = _(
                "The logframe has no result yet: add the result this indicator measures first."
            )
        self.fields["session_kinds"].choices = _choices_of("delivery.Session", "Kind")
        self.fields["distribution_kinds"].choices = _choices_of("delivery.Distribution", "Kind")
        groups = apps.get_model("registry.Person")._meta.get_field("population_group").choices
        self.fields["person_population_groups"].choices = groups
        others = project.indicators.order_by("code")
        if indicator is not None:
            others = others.exclude(pk=indicator.pk)
        self.fields["numerator"].choices = [
            ("", "---------"),
            *((i.code, f"{i.code} {i.name}") for i in others),
        ]
        self.fields["partners"].choices = [
            (str(o.pk), o.name) for o in project.partners.order_by("name")
        ]
        self.fields["planned_activities"].choices = [
            (str(a.pk), str(a)) for a in project.planned_activities.order_by("pk")
        ]
        self.order_fields(
            ["result", "code", "name_fr", "name_en", "unit", "method", *DEFINITION_FIELDS]
        )

    @staticmethod
    def initial_for(indicator: Indicator) -> dict:
        initial = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
        initial["result"] = indicator.result_id
        d = indicator.definition or {}
        person = d.get("person") or {}
        disability = person.get("disability")
        initial.update(
            source=d.get("source", ""),
            measure=d.get("measure", ""),
            session_kinds=d.get("session_kinds", []),
            distribution_kinds=d.get("distribution_kinds", []),
            item_contains=d.get("item_contains", ""),
            min_count=d.get("min_count"),
            numerator=d.get("numerator", ""),
            denominator=str(d.get("denominator", "")),
            scale=d.get("scale"),
            areas=", ".join(d.get("areas", [])),
            partners=[str(x) for x in d.get("partners", [])],
            planned_activities=[str(x) for x in d.get("planned_activities", [])],
            person_sex=person.get("sex", ""),
            person_population_groups=person.get("population_groups", []),
            person_disability="" if disability is None else ("yes" if disability else "no"),
            person_age_min=person.get("age_min"),
            person_age_max=person.get("age_max"),
        )
        return initial

    def definition_fields(self):
        return [self[name] for name in DEFINITION_FIELDS if not name.startswith("person_")]

    def person_fields(self):
        return [self[name] for name in DEFINITION_FIELDS if name.startswith("person_")]

    def clean_code(self):
        taken = self.project.indicators.all()
        if self.indicator is not None:
            taken = taken.exclude(pk=self.indicator.pk)
        return _clean_code(self.cleaned_data["code"], taken, "1.1.1")

    def definition(self) -> dict:
        """The definition the fields describe (empty for an indicator entered by hand)."""
        c = self.cleaned_data
        if c.get("method") != Indicator.Method.COMPUTED or not c.get("source"):
            return {}
        d: dict = {"source": c["source"]}
        if c["source"] == "ratio":
            d["numerator"] = c.get("numerator", "")
            codes = set(self.project.indicators.values_list("code", flat=True))
            d["denominator"] = _code_or_number(c.get("denominator", ""), codes)
            if c.get("scale") not in (None, 1):
                d["scale"] = float(c["scale"]) if c["scale"] % 1 else int(c["scale"])
            return d
        if c.get("measure"):
            d["measure"] = c["measure"]
        for name in ("session_kinds", "distribution_kinds"):
            if c.get(name):
                d[name] = list(c[name])
        if c.get("item_contains", "").strip():
            d["item_contains"] = c["item_contains"].strip()
        if c.get("min_count") not in (None, 1):
            d["min_count"] = c["min_count"]
        areas = [a.strip().upper() for a in c.get("areas", "").replace(";", ",").split(",")]
        if any(areas):
            d["areas"] = [a for a in areas if a]
        for name in ("partners", "planned_activities"):
            if c.get(name):
                d[name] = sorted(int(x) for x in c[name])
        person: dict = {}
        if c.get("person_sex"):
            person["sex"] = c["person_sex"]
        if c.get("person_population_groups"):
            person["population_groups"] = list(c["person_population_groups"])
        if c.get("person_disability"):
            person["disability"] = c["person_disability"] == "yes"
        for name in ("age_min", "age_max"):
            if c.get(f"person_{name}") is not None:
                person[name] = c[f"person_{name}"]
        if person:
            d["person"] = person
        return d

    def clean_baseline(self):
        return _refuse_negative(
            self.cleaned_data.get("baseline"), _("The baseline cannot be negative.")
        )

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        if unit and cleaned.get("baseline") is not None:
            try:
                _check_unit(cleaned["baseline"], unit)
            except forms.ValidationError as error:
                self.add_error("baseline", error)
        if cleaned.get("baseline") is not None and not cleaned.get("baseline_date"):
            self.add_error("baseline_date", _("Give the date on which the baseline was measured."))
        if cleaned.get("method") == Indicator.Method.COMPUTED:
            if not cleaned.get("source"):
                self.add_error(
                    "source",
                    _("A computed indicator counts something: choose what to count from."),
                )
            else:
                for problem in definitions.validate(
                    self.definition(), project=self.project, code=cleaned.get("code")
                ):
                    self.add_error(None, problem)
        return cleaned

    def indicator_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in INDICATOR_FIELDS if name != "definition"}
        data["definition"] = self.definition()
        data["disaggregations"] = [d for d in Dimension.values if d in data["disaggregations"]]
        return data


# --- Targets and values --------------------------------------------------------------------


class TargetsForm(forms.Form):
    """One target per reporting period; the periods that are locked are shown, not changed."""

    def __init__(self, *args, indicator: Indicator, periods: list[ReportingPeriod], **kwargs):
        self.indicator = indicator
        self.periods = periods
        current = {t.period_id: t.value for t in indicator.targets.all()}
        super().__init__(*args, **kwargs)
        for period in periods:
            self.fields[self.name_for(period)] = forms.DecimalField(
                label=period.label,
                required=False,
                max_digits=16,
                decimal_places=2,
                initial=current.get(period.pk),
                disabled=period.is_locked,
                widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
            )

    @staticmethod
    def name_for(period: ReportingPeriod) -> str:
        return f"period_{period.pk}"

    def rows(self):
        return [(period, self[self.name_for(period)]) for period in self.periods]

    def clean(self):
        cleaned = super().clean()
        for period in self.periods:
            name = self.name_for(period)
            value = cleaned.get(name)
            if period.is_locked or value is None:
                continue
            try:
                _refuse_negative(value, _("A target cannot be negative."))
                _check_unit(value, self.indicator.unit)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def targets(self) -> dict[ReportingPeriod, Decimal | None]:
        """The target typed for each open period (None: no target)."""
        return {
            period: self.cleaned_data.get(self.name_for(period))
            for period in self.periods
            if not period.is_locked
        }


class ValueForm(forms.Form):
    """A value entered by hand, with the document that proves it."""

    value = forms.DecimalField(
        label=_("Value"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("A scan, photo, list or report that supports the value."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, indicator: Indicator, has_evidence: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.has_evidence = has_evidence
        self.fields["evidence"].help_text = _(
            "A scan, photo, list or report that supports the value (%(types)s, at most %(limit)s)."
        ) % {"types": ", ".join(uploads.DOCUMENT_EXTENSIONS), "limit": uploads.limit_text()}
        self.fields["evidence"].widget.attrs["accept"] = uploads.accept()

    def clean_value(self):
        value = self.cleaned_data["value"]
        _refuse_negative(value, _("A value cannot be negative."))
        _check_unit(value, self.indicator.unit)
        return value

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            if not self.has_evidence:
                raise forms.ValidationError(
                    _("Attach the document that supports this value (a list, a report, a scan).")
                )
            return None
        uploads.check_document(upload)
        return upload


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for unlocking"),
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
        error_messages={"required": _("Say why the period is unlocked.")},
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say why the period is unlocked."))
        return reason


# --- Work plan -----------------------------------------------------------------------------


class ActivityForm(forms.Form):
    """A planned activity of the work plan. A partner focal point plans only for their own
    partner: the partner field is then absent and their partner is forced."""

    def __init__(
        self,
        *args,
        project: Project,
        activity: PlannedActivity | None = None,
        own_partner: int | None = None,
        **kwargs,
    ):
        self.project = project
        self.own_partner = own_partner
        if activity is not None:
            initial = {name: getattr(activity, name) for name in PLANNED_ACTIVITY_FIELDS}
            for name in ("result", "partner", "area", "site"):
                initial[name] = getattr(activity, f"{name}_id")
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields.update(
            _model_fields(
                PlannedActivity,
                [
                    "title_fr",
                    "title_en",
                    "start_date",
                    "end_date",
                    "responsible",
                    "status",
                ],
                widgets=_date_widgets(["start_date", "end_date"]),
            )
        )
        self.fields["result"] = forms.ModelChoiceField(
            queryset=project.results.order_by("code"),
            label=_("Logframe result"),
            required=False,
        )
        self.fields["result"].label_from_instance = lambda r: f"{r.code} {r.title}"
        if own_partner is None:
            self.fields["partner"] = forms.ModelChoiceField(
                queryset=project.partners.order_by("name"),
                label=_("Partner"),
                required=False,
                empty_label=_("None: the agency itself"),
            )
        current_area = activity.area_id if activity else None
        areas = Area.objects.filter(
            Q(level__in=(Area.Level.ADMIN1, Area.Level.ADMIN2)) | Q(pk=current_area)
        )
        self.fields["area"] = forms.ModelChoiceField(
            queryset=areas.order_by("pcode"), label=_("Area"), required=False
        )
        self.fields["site"] = forms.ModelChoiceField(
            queryset=self._sites(project, activity.site_id if activity else None),
            label=_("Site"),
            required=False,
            help_text=_("Sites within the project's areas."),
        )
        self.order_fields(
            ["title_fr", "title_en", "result", "partner", "start_date", "end_date", "area"]
        )

    @staticmethod
    def _sites(project: Project, current: int | None):
        within = Q(pk=current) if current else Q(pk__in=[])
        for area in project.areas.all():
            within |= Q(area__country=area.country, area__pcode__startswith=area.pcode)
        return Site.objects.filter(within).select_related("area").order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        project = self.project
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be after the start date."))
        for name in ("start_date", "end_date"):
            day = cleaned.get(name)
            if day and not (project.start_date <= day <= project.end_date):
                self.add_error(
                    name,
                    _("Choose a date within the project, from %(start)s to %(end)s.")
                    % {
                        "start": project.start_date.strftime("%d/%m/%Y"),
                        "end": project.end_date.strftime("%d/%m/%Y"),
                    },
                )
        area, site = cleaned.get("area"), cleaned.get("site")
        in_area = Area.objects.within(area).filter(pk=site.area_id) if area and site else None
        if in_area is not None and not in_area.exists():
            self.add_error(
                "site",
                _("%(site)s is not in %(area)s: choose a site of that area, or another area.")
                % {"site": site.name, "area": area},
            )
        if site is not None and area is None:
            cleaned["area"] = site.area
        if self.own_partner is not None:
            cleaned["partner"] = Organisation.objects.filter(pk=self.own_partner).first()
        return cleaned

    def activity_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PLANNED_ACTIVITY_FIELDS}
