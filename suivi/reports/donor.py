"""Donor reports: one content, three renderers (DOCX from an editable template, XLSX, PDF).

``content`` gathers everything a report says for a project and a window of dates: the cover,
summary figures, the logframe table (the IPTT of ``iptt.table``, so the figures are those of
``indicators.figures``), a chart, the narrative written in Suivi for the period and annexes.
It holds aggregates only, never a person's name. ``render_docx``, ``render_xlsx`` and
``render_pdf`` turn it into bytes.

The DOCX starts from ``templates/reports/donor/donor_report_<language>.docx``: an administrator
replaces that file (styles, logo, header and footer, cover wording) and every report follows it.
Placeholders in the template's paragraphs are replaced: {project_code}, {project_title},
{organisation}, {report_type}, {period}, {dates}, {generated_on}.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from suivi.delivery.models import Attendance, Distribution, ReachCount, Session
from suivi.lib import periods
from suivi.lib.xlsx import write_xlsx
from suivi.projects.models import IndicatorValue, Project, ReportingPeriod
from suivi.registry.models import Registration
from suivi.reports import indicators, iptt
from suivi.reports.models import DonorReport, ReportNarrative

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "reports" / "donor"
# Steps of a report after its indicators: the summary, the chart, the narrative and annexes,
# and the rendering of the file.
STEPS_AFTER_INDICATORS = 4
Progress = Callable[[str, int, int], None]
# An annex lists at most this many sessions; the rest are counted.
ANNEX_SESSIONS = 300
COLOURS = {"green": (49, 163, 84), "amber": (230, 145, 56), "red": (204, 51, 51), None: (150,) * 3}


@dataclass
class Photo:
    path: str
    caption: str


@dataclass
class Section:
    heading: str
    text: str
    photos: list[Photo] = field(default_factory=list)


@dataclass
class Content:
    project: Project
    kind: str
    start: datetime.date
    end: datetime.date
    language: str
    title: str
    period_label: str
    cover: list[tuple[str, str]]
    placeholders: dict[str, str]
    summary: list[tuple[str, object]]
    table_header: list[str]
    table_rows: list[list]
    chart_png: bytes
    narratives: list[Section]
    annexes: list[tuple[str, list[str], list[list]]]
    headings: dict[str, str]


class TemplateError(Exception):
    """The DOCX template cannot be opened (an administrator's file that is no Word document)."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def _no_progress(step: str, done: int, total: int) -> None:
    pass


def template_path(language: str) -> Path:
    """The DOCX template of a language (the administrator's file, else the one shipped)."""
    custom = Path(settings.MEDIA_ROOT) / "reports" / "templates" / f"donor_report_{language}.docx"
    if custom.exists():
        return custom
    return TEMPLATE_DIR / f"donor_report_{language}.docx"


def window_period(project: Project, start: datetime.date, end: datetime.date) -> ReportingPeriod:
    """An unsaved period for a window that is no reporting period (a week)."""
    return ReportingPeriod(
        pk=None,
        organisation_id=project.organisation_id,
        project=project,
        kind="week",
        year=start.year,
        start=start,
        end=end,
    )


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = round(value, 2).normalize()
        return f"{value:f}"
    return str(value)


def _percent(value) -> str:
    return "—" if value is None else f"{round(value):d} %"


def _summary(project: Project, start: datetime.date, end: datetime.date, rows) -> list:
    in_window = {"date__gte": start, "date__lte": end}
    sessions = Session.objects.filter(project=project, **in_window)
    colours = [r.cells[0].colour for r in rows]
    return [
        (
            _("Persons registered in the project (to the end of the period)"),
            Registration.objects.filter(project=project, registered_on__lte=end).count(),
        ),
        (
            _("Persons registered during the period"),
            Registration.objects.filter(
                project=project, registered_on__gte=start, registered_on__lte=end
            ).count(),
        ),
        (_("Sessions held"), sessions.count()),
        (
            _("Attendance records"),
            Attendance.objects.filter(session__in=sessions.values("pk")).count(),
        ),
        (
            _("People counted at sessions without registration"),
            ReachCount.objects.filter(session__in=sessions.values("pk"))
            .order_by()
            .aggregate(n=Sum("count"))["n"]
            or 0,
        ),
        (_("Distributions"), Distribution.objects.filter(project=project, **in_window).count()),
        (_("Indicators on track (90% of the target or more)"), colours.count("green")),
        (_("Indicators behind (60% to 90%)"), colours.count("amber")),
        (_("Indicators far behind (below 60%)"), colours.count("red")),
    ]


def chart_png(rows) -> bytes:
    """Per cent of the target reached by each indicator, as a small PNG (for DOCX and PDF)."""
    from PIL import Image, ImageDraw, ImageFont

    shown = rows[:30]
    row_h, label_w, bar_w = 22, 90, 420
    width, height = label_w + bar_w + 70, max(row_h * len(shown), row_h) + 30
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13)
    scale = bar_w / 150  # bars stop at 150 %
    hundred = label_w + round(100 * scale)
    draw.line([(hundred, 0), (hundred, height - 24)], fill=(120, 120, 120), width=1)
    draw.text((hundred - 14, height - 20), "100 %", fill=(80, 80, 80), font=font)
    for n, (code, percent, colour) in enumerate(shown):
        y = n * row_h + 4
        draw.text((4, y), code[:12], fill=(0, 0, 0), font=font)
        if percent is None:
            draw.text((label_w + 4, y), "-", fill=(120, 120, 120), font=font)
            continue
        w = round(min(float(percent), 150) * scale)
        draw.rectangle([label_w, y, label_w + max(w, 1), y + row_h - 8], fill=COLOURS[colour])
        draw.text((label_w + w + 4, y), f"{round(percent)} %", fill=(0, 0, 0), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _narratives(period: ReportingPeriod | None) -> list[Section]:
    if period is None or period.pk is None:
        return []
    rows = {
        n.section: n
        for n in ReportNarrative.objects.filter(period=period).prefetch_related("photos")
    }
    out = []
    for code, label in ReportNarrative.Section.choices:
        narrative = rows.get(code)
        photos = []
        if narrative is not None:
            for photo in narrative.photos.all():
                try:
                    path = photo.image.path
                except NotImplementedError:  # remote storage: photos stay out of the file
                    continue
                if Path(path).exists():
                    photos.append(Photo(path, photo.caption))
        out.append(Section(str(label), narrative.text if narrative else "", photos))
    return out


def _annexes(project: Project, start, end, rows) -> list[tuple[str, list[str], list[list]]]:
    sessions = (
        Session.objects.filter(project=project, date__gte=start, date__lte=end)
        .select_related("area")
        .annotate(present=Count("attendances"))
        .order_by("date", "pk")
    )
    kinds = dict(Session.Kind.choices)
    session_rows = [
        [s.date, str(kinds.get(s.kind, s.kind)), s.title, s.area.name if s.area else "", s.present]
        for s in sessions[:ANNEX_SESSIONS]
    ]
    definitions = [
        [
            r.indicator.code,
            r.indicator.name,
            " ".join(str(x) for x in indicators.describe(r.indicator)),
            r.indicator.means_of_verification,
        ]
        for r in rows
    ]
    return [
        (
            _("Sessions of the period"),
            [_("Date"), _("Type"), _("Title"), _("Area"), _("Persons present")],
            session_rows,
        ),
        (
            _("Indicator definitions"),
            [_("Code"), _("Indicator"), _("Definition"), _("Means of verification")],
            definitions,
        ),
    ]


def content(
    *,
    user,
    project: Project,
    kind: str,
    period: ReportingPeriod | None,
    start: datetime.date,
    end: datetime.date,
    language: str,
    progress: Progress | None = None,
) -> Content:
    """What the report says, in the active language (the caller activates ``language``).

    ``progress(step, done, total)`` is told each step as it begins (a ``DonorReport.Step``) and
    how many of ``total`` steps are done: one per computation of the indicators, then the
    summary, the chart, the narrative and annexes, and the rendering left to the caller.
    """
    progress = progress or _no_progress
    Step = DonorReport.Step
    computations = [1]

    def computed(done: int, total: int) -> None:
        computations[0] = total
        progress(Step.INDICATORS, done, total + STEPS_AFTER_INDICATORS)

    progress(Step.INDICATORS, 0, 1 + STEPS_AFTER_INDICATORS)
    shown = period if period is not None else window_period(project, start, end)
    table = iptt.table(
        user=user,
        project=project,
        kind=shown.kind,
        today=timezone.localdate(),
        only=[shown],
        progress=computed,
    )
    done = computations[0]
    total = done + STEPS_AFTER_INDICATORS
    status_labels = dict(IndicatorValue.Status.choices)
    header = [
        _("Result"),
        _("Code"),
        _("Indicator"),
        _("Baseline"),
        _("Target"),
        _("Actual"),
        _("% achieved"),
        _("Status"),
        _("Life of project target"),
        _("Life of project actual"),
    ]
    table_rows = []
    for row in table.rows:
        cell = row.cells[0]
        status = cell.figures.status if cell.figures is not None else None
        table_rows.append(
            [
                f"{row.result.code} {row.result.title}",
                row.indicator.code,
                row.indicator.name,
                row.indicator.baseline,
                cell.target,
                cell.actual,
                round(cell.percent, 1) if cell.percent is not None else None,
                str(status_labels.get(status, "")) if status else "",
                row.lop.target,
                row.lop.actual,
            ]
        )
    kind_label = str(DonorReport.Kind(kind).label)
    label = period.label if period is not None else f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    dates = f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    generated = timezone.localdate().strftime("%d/%m/%Y")
    donors = ", ".join(d.name for d in project.donors.all())
    partners = ", ".join(p.name for p in project.partners.all())
    cover = [
        (_("Project"), f"{project.code} · {project.title}"),
        (_("Lead organisation"), project.organisation.name),
        (_("Donors"), donors or "—"),
        (_("Partners"), partners or "—"),
        (_("Period"), f"{label} ({dates})"),
        (_("Generated on"), generated),
    ]
    progress(Step.SUMMARY, done, total)
    summary = _summary(project, start, end, table.rows)
    progress(Step.CHART, done + 1, total)
    chart = chart_png(
        [(r.indicator.code, r.cells[0].percent, r.cells[0].colour) for r in table.rows]
    )
    progress(Step.NARRATIVE, done + 2, total)
    narratives = _narratives(period)
    annexes = _annexes(project, start, end, table.rows)
    progress(Step.RENDERING, done + 3, total)
    return Content(
        project=project,
        kind=kind,
        start=start,
        end=end,
        language=language,
        title=f"{kind_label} · {project.code}",
        period_label=label,
        cover=cover,
        placeholders={
            "{project_code}": project.code,
            "{project_title}": project.title,
            "{organisation}": project.organisation.name,
            "{report_type}": kind_label,
            "{period}": label,
            "{dates}": dates,
            "{generated_on}": generated,
        },
        summary=summary,
        table_header=header,
        table_rows=table_rows,
        chart_png=chart,
        narratives=narratives,
        annexes=annexes,
        headings={
            "cover": _("Cover"),
            "summary": _("Summary figures"),
            "logframe": _("Logframe: indicators against targets"),
            "logframe_sheet": _("Logframe"),
            "chart": _("Share of the target reached by each indicator"),
            "narrative": _("Narrative"),
            "annexes": _("Annexes"),
            "empty": _("Nothing was written for this section."),
            "more": _("Only the first %(count)s sessions are listed.") % {"count": ANNEX_SESSIONS},
        },
    )


def dates_of(kind: str, *, quarter=None, month=None, week_start=None):
    """(start, end) of a report: the quarter's, the month's (year, number) or seven days."""
    if kind == DonorReport.Kind.QUARTERLY:
        return quarter.start, quarter.end
    if kind == DonorReport.Kind.MONTHLY:
        return periods.bounds(periods.MONTH, *month)
    return week_start, week_start + datetime.timedelta(days=6)


# --- DOCX -------------------------------------------------------------------------------------


def _style(document, name: str):
    try:
        return document.styles[name]
    except KeyError:
        return None


def _replace_placeholders(paragraphs, values: dict[str, str]) -> None:
    for paragraph in paragraphs:
        text = paragraph.text
        if "{" not in text:
            continue
        for run in paragraph.runs:
            for key, value in values.items():
                if key in run.text:
                    run.text = run.text.replace(key, value)
        if any(key in paragraph.text for key in values):  # a placeholder split across runs
            new = paragraph.text
            for key, value in values.items():
                new = new.replace(key, value)
            for run in paragraph.runs[1:]:
                run.text = ""
            paragraph.runs[0].text = new


def _docx_table(document, header: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    style = _style(document, "Table Grid")
    if style is not None:
        table.style = style
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(label)).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = _plain(value)


def _plain(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return _number(value if not isinstance(value, float) else Decimal(str(value)))
    return "" if value is None else str(value)


def render_docx(c: Content) -> bytes:
    from docx import Document
    from docx.shared import Cm

    path = template_path(c.language)
    try:
        document = Document(str(path))
    except Exception as error:  # python-docx raises several kinds on a file that is no DOCX
        raise TemplateError(path) from error
    document.core_properties.title = c.title
    _replace_placeholders(document.paragraphs, c.placeholders)
    for section in document.sections:
        _replace_placeholders(section.header.paragraphs, c.placeholders)
        _replace_placeholders(section.footer.paragraphs, c.placeholders)
    _docx_table(document, [c.headings["cover"], ""], c.cover)
    document.add_heading(c.headings["summary"], level=1)
    _docx_table(document, [c.headings["summary"], ""], c.summary)
    document.add_heading(c.headings["logframe"], level=1)
    _docx_table(document, c.table_header, c.table_rows)
    document.add_heading(c.headings["chart"], level=2)
    document.add_picture(io.BytesIO(c.chart_png), width=Cm(15))
    if c.narratives:
        document.add_heading(c.headings["narrative"], level=1)
        for s in c.narratives:
            document.add_heading(s.heading, level=2)
            for part in (s.text or c.headings["empty"]).split("\n"):
                document.add_paragraph(part)
            for photo in s.photos:
                document.add_picture(photo.path, width=Cm(10))
                if photo.caption:
                    document.add_paragraph(photo.caption, style=_style(document, "Caption"))
    document.add_heading(c.headings["annexes"], level=1)
    for title, header, rows in c.annexes:
        document.add_heading(title, level=2)
        _docx_table(document, header, rows)
        if title == c.annexes[0][0] and len(rows) >= ANNEX_SESSIONS:
            document.add_paragraph(c.headings["more"])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- XLSX -------------------------------------------------------------------------------------


def render_xlsx(c: Content) -> bytes:
    out = io.BytesIO()
    narrative = [[s.heading, s.text] for s in c.narratives]
    write_xlsx(
        out,
        [
            (c.headings["cover"], [c.headings["cover"], ""], c.cover),
            (c.headings["summary"], [c.headings["summary"], ""], c.summary),
            (c.headings["logframe_sheet"], c.table_header, c.table_rows),
            (c.headings["narrative"], [c.headings["narrative"], ""], narrative),
            *c.annexes,
        ],
    )
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------

# The PDF uses the core fonts (no font file to ship): they cover Latin-1, hence French; other
# characters are written as their nearest Latin-1 form.
LATIN1_FORMS = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "œ": "oe",
    "Œ": "OE",
    "€": "EUR",
    "\u202f": " ",
    "\u2009": " ",
}


def latin1(text) -> str:
    text = _plain(text)
    for char, form in LATIN1_FORMS.items():
        text = text.replace(char, form)
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(c: Content) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(latin1(c.title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, latin1(c.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 7, latin1(c.project.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    bold = FontFace(emphasis="BOLD")

    def table(header, rows, widths=None, size=9):
        pdf.set_font("Helvetica", "", size)
        with pdf.table(col_widths=widths, headings_style=bold, line_height=size * 0.5) as t:
            head = t.row()
            for label in header:
                head.cell(latin1(label))
            for values in rows:
                line = t.row()
                for value in values:
                    line.cell(latin1(value))
        pdf.ln(3)

    def heading(text, level=1):
        pdf.set_font("Helvetica", "B", 15 if level == 1 else 12)
        pdf.multi_cell(0, 8, latin1(text), new_x="LMARGIN", new_y="NEXT")

    table([c.headings["cover"], ""], c.cover, widths=(1, 3), size=10)
    heading(c.headings["summary"])
    table([c.headings["summary"], ""], c.summary, widths=(3, 1), size=10)
    pdf.add_page()
    heading(c.headings["logframe"])
    table(c.table_header, c.table_rows, widths=(3, 1, 4, 1, 1, 1, 1, 1.2, 1.2, 1.2), size=7)
    heading(c.headings["chart"], 2)
    pdf.image(io.BytesIO(c.chart_png), w=160)
    if c.narratives:
        pdf.add_page()
        heading(c.headings["narrative"])
        for s in c.narratives:
            heading(s.heading, 2)
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(
                0, 5, latin1(s.text or c.headings["empty"]), new_x="LMARGIN", new_y="NEXT"
            )
            for photo in s.photos:
                pdf.image(photo.path, w=90)
                if photo.caption:
                    pdf.set_font("Helvetica", "I", 9)
                    pdf.multi_cell(0, 5, latin1(photo.caption), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.add_page()
    heading(c.headings["annexes"])
    for title, header, rows in c.annexes:
        heading(title, 2)
        table(header, rows, size=8)
    return bytes(pdf.output())


RENDERERS = {
    DonorReport.Format.DOCX: render_docx,
    DonorReport.Format.XLSX: render_xlsx,
    DonorReport.Format.PDF: render_pdf,
}
