"""Eligibility rules: which registry fields a criterion may test, how, and with what outcome.

A criterion compares one declared field of the person (``FIELDS``) with a value through an
operator that field accepts. It passes, fails, or is unknown when the data it needs is missing
(no date of birth, no household, Washington Group questions not asked). The same meaning is
written twice, on purpose: ``evaluate`` checks one person in Python and explains each outcome;
``annotate_outcomes`` asks the database the same question for a whole list of registrations,
so that a compliance report over 100,000 of them stays a few queries. The tests hold the two
to the same answers.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suivi.lib import ages
from suivi.places.models import Area
from suivi.registry.models import (
    WG_DOMAINS,
    ConsentScope,
    Difficulty,
    Eligibility,
    EligibilityCriterion,
    EligibilityRuleSet,
    Person,
    PopulationGroup,
    Sex,
    SpecificNeed,
)

Op = EligibilityCriterion.Operator
LIST_OPERATORS = (Op.IN, Op.NOT_IN)
NUMBER_OPERATORS = (Op.BETWEEN, Op.AT_LEAST, Op.AT_MOST)
NEEDS_OPERATORS = (Op.ANY, Op.ALL, Op.NONE)
FLAG_OPERATORS = (Op.IS,)
FILLED_OPERATORS = (Op.PRESENT, Op.ABSENT)

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"
# How the database writes each outcome in ``annotate_outcomes``.
CODES = {PASSED: 0, FAILED: 1, UNKNOWN: 2}
OUTCOMES = {code: outcome for outcome, code in CODES.items()}
OUTCOME_LABELS = {
    PASSED: gettext_lazy("Passed"),
    FAILED: gettext_lazy("Failed"),
    UNKNOWN: gettext_lazy("Unknown (missing data)"),
}


@dataclass(frozen=True)
class FieldSpec:
    """A registry field a criterion may test."""

    name: str
    label: str
    kind: str  # number, choice, area, needs, flag, filled
    operators: tuple[str, ...]
    choices: Callable[[], list[tuple[str, str]]] | None = None

    def choice_label(self, code: str) -> str:
        return dict(self.choices()).get(code, code) if self.choices else code


def _text_choices(choices) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(code, str(label)) for code, label in choices if code]


def _need_choices() -> list[tuple[str, str]]:
    return [(n.code, str(n)) for n in SpecificNeed.objects.order_by("code")]


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in [
        FieldSpec("age", gettext_lazy("Age (years)"), "number", NUMBER_OPERATORS),
        FieldSpec("sex", gettext_lazy("Sex"), "choice", LIST_OPERATORS, _text_choices(Sex.choices)),
        FieldSpec(
            "population_group",
            gettext_lazy("Population group"),
            "choice",
            LIST_OPERATORS,
            _text_choices(PopulationGroup.choices),
        ),
        FieldSpec("area", gettext_lazy("Area (sub-areas included)"), "area", LIST_OPERATORS),
        FieldSpec(
            "specific_needs",
            gettext_lazy("Specific needs"),
            "needs",
            NEEDS_OPERATORS,
            _need_choices,
        ),
        FieldSpec("has_disability", gettext_lazy("Disability"), "flag", FLAG_OPERATORS),
        FieldSpec(
            "household_size", gettext_lazy("Household size (persons)"), "number", NUMBER_OPERATORS
        ),
        FieldSpec(
            "birth_date_estimated",
            gettext_lazy("Date of birth is estimated"),
            "flag",
            FLAG_OPERATORS,
        ),
        FieldSpec(
            "consent_scope",
            gettext_lazy("Consent scope"),
            "choice",
            LIST_OPERATORS,
            _text_choices(ConsentScope.choices),
        ),
        FieldSpec("phone", gettext_lazy("Phone"), "filled", FILLED_OPERATORS),
        *[
            FieldSpec(name, label, "choice", LIST_OPERATORS, _text_choices(Difficulty.choices))
            for name, label in WG_DOMAINS
        ],
    ]
}


def field_choices() -> list[tuple[str, str]]:
    return [(spec.name, spec.label) for spec in FIELDS.values()]


# --- Validation ---------------------------------------------------------------------------------


def _as_int(raw, name: str) -> int:
    if isinstance(raw, bool):
        raise ValidationError(
            {"value": _("The %(bound)s must be a whole number.") % {"bound": name}}
        )
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(
            {"value": _("The %(bound)s must be a whole number.") % {"bound": name}}
        ) from None
    if number < 0 or number != float(raw):
        raise ValidationError(
            {"value": _("The %(bound)s must be a whole number of at least 0.") % {"bound": name}}
        )
    return number


def _codes(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.replace(";", ",").split(",")
    if not isinstance(raw, (list, tuple)):
        return []
    seen = []
    for item in raw:
        code = str(item).strip()
        if code and code not in seen:
            seen.append(code)
    return seen


def clean_criterion(field_name: str, operator: str, value):
    """The criterion's value in its stored form, or a ValidationError naming what to fix."""
    spec = FIELDS.get(field_name)
    if spec is None:
        raise ValidationError(
            {
                "field": _("Unknown field %(field)s: choose one of %(fields)s.")
                % {"field": field_name, "fields": ", ".join(FIELDS)}
            }
        )
    if operator not in spec.operators:
        raise ValidationError(
            {
                "operator": _("“%(operator)s” does not apply to %(field)s: use %(operators)s.")
                % {
                    "operator": Op(operator).label if operator in Op.values else operator,
                    "field": spec.label,
                    "operators": ", ".join(f"“{Op(o).label}”" for o in spec.operators),
                }
            }
        )
    if operator in FILLED_OPERATORS:
        return None
    if operator == Op.IS:
        if not isinstance(value, bool):
            raise ValidationError({"value": _("Choose yes or no.")})
        return value
    if operator == Op.BETWEEN:
        pair = list(value) if isinstance(value, (list, tuple)) else []
        if len(pair) != 2 or (pair[0] in (None, "") and pair[1] in (None, "")):
            raise ValidationError({"value": _("Give a minimum, a maximum or both.")})
        low = None if pair[0] in (None, "") else _as_int(pair[0], _("minimum"))
        high = None if pair[1] in (None, "") else _as_int(pair[1], _("maximum"))
        if low is not None and high is not None and low > high:
            raise ValidationError(
                {
                    "value": _(
                        "The range is empty: the minimum %(low)s is above the maximum %(high)s."
                    )
                    % {"low": low, "high": high}
                }
            )
        return [low, high]
    if operator in (Op.AT_LEAST, Op.AT_MOST):
        if value in (None, ""):
            raise ValidationError({"value": _("Give a number.")})
        return _as_int(value, _("number"))
    codes = _codes(value)
    if not codes:
        raise ValidationError({"value": _("Give at least one code.")})
    if spec.kind == "area":
        codes = [c.upper() for c in codes]
        known = set(Area.objects.filter(pcode__in=codes).values_list("pcode", flat=True))
        allowed_hint = _("P-codes of administrative areas, for example ML07")
    else:
        known = {code for code, _label in spec.choices()}
        allowed_hint = ", ".join(sorted(known))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(
            {
                "value": _("Unknown code for %(field)s: %(codes)s. Use %(allowed)s.")
                % {"field": spec.label, "codes": ", ".join(unknown), "allowed": allowed_hint}
            }
        )
    return codes


# --- Describing ---------------------------------------------------------------------------------


def _value_text(spec: FieldSpec, criterion: EligibilityCriterion) -> str:
    value, op = criterion.value, criterion.operator
    if op in FILLED_OPERATORS:
        return ""
    if op == Op.IS:
        return _("yes") if value else _("no")
    if op == Op.BETWEEN:
        low, high = value
        if low is None:
            return _("at most %(high)s") % {"high": high}
        if high is None:
            return _("at least %(low)s") % {"low": low}
        return _("%(low)s and %(high)s") % {"low": low, "high": high}
    if op in (Op.AT_LEAST, Op.AT_MOST):
        return str(value)
    if spec.kind == "area":
        names = {area.pcode: area.name for area in Area.objects.filter(pcode__in=value)}
        return ", ".join(f"{names.get(c, c)} ({c})" for c in value)
    return ", ".join(spec.choice_label(c) for c in value)


def describe(criterion: EligibilityCriterion) -> str:
    """The criterion in words: "Age (years) is between 6 and 17"."""
    spec = FIELDS.get(criterion.field)
    if spec is None:
        return criterion.field
    operator = Op(criterion.operator).label if criterion.operator in Op.values else ""
    if criterion.operator == Op.BETWEEN and None in criterion.value:
        operator = Op.IS.label  # "is at least 6", "is at most 17"
    text = _value_text(spec, criterion)
    return " ".join(part for part in (str(spec.label), str(operator), text) if part)


# --- One person ---------------------------------------------------------------------------------


@dataclass
class CriterionResult:
    criterion: EligibilityCriterion
    outcome: str  # PASSED, FAILED or UNKNOWN
    reason: str
    description: str = ""  # the criterion in words

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


@dataclass
class Evaluation:
    """The outcome of one rule set for one person on one day."""

    rule_set: EligibilityRuleSet
    day: datetime.date
    results: list[CriterionResult] = field(default_factory=list)

    @property
    def failed(self) -> list[CriterionResult]:
        return [r for r in self.results if r.outcome == FAILED]

    @property
    def unknown(self) -> list[CriterionResult]:
        return [r for r in self.results if r.outcome == UNKNOWN]

    @property
    def status(self) -> str:
        return combined_status(r.outcome for r in self.results)


def combined_status(outcomes: Iterable[str]) -> str:
    """Not eligible when a criterion fails; unknown when none fails but one lacks data."""
    outcomes = set(outcomes)
    if FAILED in outcomes:
        return Eligibility.NOT_ELIGIBLE
    if UNKNOWN in outcomes:
        return Eligibility.UNKNOWN
    return Eligibility.ELIGIBLE


class PersonFacts:
    """What the criteria read about one person, each fact read once."""

    def __init__(self, person: Person):
        self.person = person
        self._needs: set[str] | None = None
        self._household_size: int | None = None

    @property
    def needs(self) -> set[str]:
        if self._needs is None:
            self._needs = (
                set(self.person.specific_needs.values_list("code", flat=True))
                if self.person.pk
                else set()
            )
        return self._needs

    @property
    def household_size(self) -> int | None:
        if self.person.household_id is None:
            return None
        if self._household_size is None:
            self._household_size = Person.objects.filter(
                household_id=self.person.household_id
            ).count()
        return self._household_size


def _number_passes(number: int, op: str, value) -> bool:
    if op == Op.AT_LEAST:
        return number >= value
    if op == Op.AT_MOST:
        return number <= value
    low, high = value
    return (low is None or number >= low) and (high is None or number <= high)


def _check(criterion: EligibilityCriterion, facts: PersonFacts, day: datetime.date):
    """(outcome, what the person's record says) for one criterion."""
    person, op, value = facts.person, criterion.operator, criterion.value
    spec = FIELDS[criterion.field]
    name = criterion.field
    if name == "age":
        age = person.age_on(day)
        if age is None:
            return UNKNOWN, _("Date of birth unknown")
        actual = _("Age %(age)s on %(day)s") % {
            "age": age,
            "day": date_format(day, "d/m/Y"),
        }
        return (PASSED if _number_passes(age, op, value) else FAILED), actual
    if name == "household_size":
        size = facts.household_size
        if size is None:
            return UNKNOWN, _("No household recorded")
        actual = _("Household of %(n)s persons") % {"n": size}
        return (PASSED if _number_passes(size, op, value) else FAILED), actual
    if name == "area":
        if person.area_id is None:
            return UNKNOWN, _("No area recorded")
        area = person.area
        inside = any(area.pcode.startswith(code) for code in value)
        actual = _("Area: %(area)s (%(pcode)s)") % {"area": area.name, "pcode": area.pcode}
        return (PASSED if inside == (op == Op.IN) else FAILED), actual
    if name == "specific_needs":
        held = facts.needs & set(value)
        passes = {Op.ANY: bool(held), Op.ALL: held == set(value), Op.NONE: not held}[op]
        actual = (
            _("Specific needs: %(codes)s") % {"codes": ", ".join(sorted(facts.needs))}
            if facts.needs
            else _("No specific need recorded")
        )
        return (PASSED if passes else FAILED), actual
    if name == "has_disability":
        if not any(person.wg_answers().values()):
            return UNKNOWN, _("Washington Group questions not asked")
        actual = _("Disability: %(answer)s") % {
            "answer": _("yes") if person.has_disability else _("no")
        }
        return (PASSED if person.has_disability == value else FAILED), actual
    if name == "birth_date_estimated":
        if person.birth_date is None:
            return UNKNOWN, _("Date of birth unknown")
        actual = _("Date of birth estimated: %(answer)s") % {
            "answer": _("yes") if person.birth_date_estimated else _("no")
        }
        return (PASSED if person.birth_date_estimated == value else FAILED), actual
    if name == "phone":
        filled = bool(person.phone)
        actual = _("Phone filled in") if filled else _("No phone recorded")
        return (PASSED if filled == (op == Op.PRESENT) else FAILED), actual
    # Choice fields: sex, population group, consent scope, Washington Group answers.
    current = getattr(person, name) or ""
    if not current and name.startswith("wg_"):
        return UNKNOWN, _("%(field)s: not asked") % {"field": spec.label}
    shown = spec.choice_label(current) if current else _("none")
    actual = _("%(field)s: %(value)s") % {"field": spec.label, "value": shown}
    return (PASSED if (current in value) == (op == Op.IN) else FAILED), actual


def _reason(outcome: str, actual: str, rule: str) -> str:
    if outcome == PASSED:
        return _("%(actual)s: meets “%(rule)s”.") % {"actual": actual, "rule": rule}
    if outcome == FAILED:
        return _("%(actual)s: does not meet “%(rule)s”.") % {"actual": actual, "rule": rule}
    return _("%(actual)s: cannot check “%(rule)s”.") % {"actual": actual, "rule": rule}


def evaluate(
    person: Person,
    rule_set: EligibilityRuleSet,
    *,
    on: datetime.date,
    facts: PersonFacts | None = None,
) -> Evaluation:
    """Check every criterion of ``rule_set`` for ``person`` registered on ``on``.

    Ages are taken on the rule set's fixed date, or on ``on``. Each result says, in the active
    language, what the record holds and which rule it meets or not.
    """
    facts = facts or PersonFacts(person)
    day = rule_set.reference_day(on)
    evaluation = Evaluation(rule_set=rule_set, day=day)
    for criterion in rule_set.criteria.all():
        outcome, actual = _check(criterion, facts, day)
        rule = describe(criterion)
        evaluation.results.append(
            CriterionResult(criterion, outcome, _reason(outcome, actual, rule), rule)
        )
    return evaluation


def registration_rule_sets(project) -> list[EligibilityRuleSet]:
    """The active rule sets of the project itself: those checked when a person registers."""
    return list(
        EligibilityRuleSet.objects.filter(
            project=project, planned_activity__isnull=True, active=True
        ).prefetch_related("criteria")
    )


def evaluate_for_project(person: Person, project, *, on: datetime.date) -> list[Evaluation]:
    """Every registration rule set of ``project`` evaluated for ``person`` registered on ``on``."""
    facts = PersonFacts(person)
    return [
        evaluate(person, rule_set, on=on, facts=facts)
        for rule_set in registration_rule_sets(project)
    ]


# --- A whole list, in the database ----------------------------------------------------------------


def _date_number(path: str):
    """A date as the number yyyymmdd: ages are whole ten-thousands between two of them."""
    return ExtractYear(path) * 10000 + ExtractMonth(path) * 100 + ExtractDay(path)


def _age_conditions(criterion, rule_set, prefix: str) -> Q:
    """Registrations whose person's age on the reference day passes the criterion."""
    op, value = criterion.operator, criterion.value
    low, high = (value, None) if op == Op.AT_LEAST else (None, value) if op == Op.AT_MOST else value
    birth = f"{prefix}birth_date"
    q = Q()
    if rule_set.reference == EligibilityRuleSet.Reference.FIXED and rule_set.reference_date:
        day = rule_set.reference_date
        # Fixed day: plain bounds on the date of birth, which its index serves.
        if low is not None:
            q &= Q(**{f"{birth}__lte": ages._years_before(day, low)})
        if high is not None:
            q &= Q(**{f"{birth}__gt": ages._years_before(day, high + 1)})
        return q
    gap = _date_number("registered_on") - _date_number(birth)
    if low is not None:
        q &= Q(GreaterThanOrEqual(gap, low * 10000))
    if high is not None:
        q &= Q(LessThan(gap, (high + 1) * 10000))
    return q


def _number_q(expression, op: str, value) -> Q:
    if op == Op.AT_LEAST:
        return Q(GreaterThanOrEqual(expression, value))
    if op == Op.AT_MOST:
        return Q(LessThan(expression, value + 1))
    low, high = value
    q = Q()
    if low is not None:
        q &= Q(GreaterThanOrEqual(expression, low))
    if high is not None:
        q &= Q(LessThan(expression, high + 1))
    return q


def _conditions(criterion, rule_set) -> tuple[Q | None, Q]:
    """(unknown, passes) as conditions on Registration rows; unknown is checked first."""
    p = "person__"
    name, op, value = criterion.field, criterion.operator, criterion.value
    if name == "age":
        return Q(person__birth_date__isnull=True), _age_conditions(criterion, rule_set, p)
    if name == "household_size":
        size = Subquery(
            Person.objects.filter(household_id=OuterRef("person__household_id"))
            .order_by()
            .values("household_id")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        )
        return Q(person__household_id__isnull=True), _number_q(Coalesce(size, 0), op, value)
    if name == "area":
        inside = Q()
        for code in value:
            inside |= Q(person__area__pcode__startswith=code)
        return Q(person__area__isnull=True), inside if op == Op.IN else ~inside
    if name == "specific_needs":
        through = Person.specific_needs.through
        held = through.objects.filter(person_id=OuterRef("person_id"), specificneed__code__in=value)
        if op == Op.ANY:
            return None, Q(Exists(held))
        if op == Op.NONE:
            return None, ~Q(Exists(held))
        count = Subquery(
            held.order_by()
            .values("person_id")
            .annotate(n=Count("specificneed_id", distinct=True))
            .values("n"),
            output_field=IntegerField(),
        )
        return None, Q(GreaterThanOrEqual(Coalesce(count, 0), len(value)))
    if name == "has_disability":
        not_asked = Q(**{f"{p}{wg}": "" for wg, _label in WG_DOMAINS})
        return not_asked, Q(person__has_disability=value)
    if name == "birth_date_estimated":
        return Q(person__birth_date__isnull=True), Q(person__birth_date_estimated=value)
    if name == "phone":
        filled = ~Q(person__phone="")
        return None, filled if op == Op.PRESENT else ~filled
    inside = Q(**{f"{p}{name}__in": value})
    unknown = Q(**{f"{p}{name}": ""}) if name.startswith("wg_") else None
    return unknown, inside if op == Op.IN else ~inside


def outcome_column(criterion: EligibilityCriterion) -> str:
    return f"criterion_{criterion.pk}"


def annotate_outcomes(
    registrations: QuerySet, rule_sets: Iterable[EligibilityRuleSet]
) -> tuple[QuerySet, list[tuple[EligibilityRuleSet, EligibilityCriterion, str]]]:
    """Registrations with one column per criterion: 0 passed, 1 failed, 2 unknown.

    Returns the annotated queryset and (rule set, criterion, column) of every criterion.
    """
    columns = []
    annotations = {}
    for rule_set in rule_sets:
        for criterion in rule_set.criteria.all():
            unknown, passes = _conditions(criterion, rule_set)
            whens = []
            if unknown is not None:
                whens.append(When(unknown, then=Value(CODES[UNKNOWN])))
            whens.append(When(passes, then=Value(CODES[PASSED])))
            column = outcome_column(criterion)
            annotations[column] = Case(
                *whens, default=Value(CODES[FAILED]), output_field=IntegerField()
            )
            columns.append((rule_set, criterion, column))
    return registrations.annotate(**annotations), columns


@dataclass
class CriterionCount:
    rule_set: EligibilityRuleSet
    criterion: EligibilityCriterion
    column: str
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    description: str = ""  # the criterion in words, written once for the whole report


@dataclass
class Compliance:
    """Who passes and who does not pass each criterion of some rule sets, over a list."""

    total: int
    not_passing_count: int
    counts: list[CriterionCount]
    not_passing: QuerySet  # the registrations that fail or lack data for a criterion

    @property
    def columns(self) -> list[str]:
        return [c.column for c in self.counts]


def compliance(registrations: QuerySet, rule_sets: Iterable[EligibilityRuleSet]) -> Compliance:
    """Counts per criterion and the registrations not passing one, computed by the database.

    The counts come from one query grouping the registrations by their outcomes, so each
    criterion is evaluated once per registration whatever the number of criteria.
    """
    annotated, columns = annotate_outcomes(registrations, rule_sets)
    counts = [
        CriterionCount(rule_set, criterion, column, description=describe(criterion))
        for rule_set, criterion, column in columns
    ]
    names = [column for _rs, _c, column in columns]
    total = not_passing_count = 0
    if not names:
        total = registrations.count()
        return Compliance(total, 0, counts, annotated.none())
    for row in annotated.order_by().values(*names).annotate(n=Count("pk")):
        n = row["n"]
        total += n
        if any(row[name] != CODES[PASSED] for name in names):
            not_passing_count += n
        for count in counts:
            code = row[count.column]
            if code == CODES[FAILED]:
                count.failed += n
            elif code == CODES[UNKNOWN]:
                count.unknown += n
    for count in counts:
        count.passed = total - count.failed - count.unknown
    any_not_passed = Q()
    for name in names:
        any_not_passed |= ~Q(**{name: CODES[PASSED]})
    return Compliance(total, not_passing_count, counts, annotated.filter(any_not_passed))


def failures_of(row, counts: list[CriterionCount]) -> list[tuple[CriterionCount, str]]:
    """(criterion count, outcome) of each criterion a row of ``not_passing`` does not pass."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    return [
        (count, OUTCOMES[get(count.column)])
        for count in counts
        if get(count.column) != CODES[PASSED]
    ]
