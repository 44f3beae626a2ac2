"""Keep the translation catalogues in step with the code.

    python scripts/translations.py update   extract messages into .po files, compile .mo files
    python scripts/translations.py check    fail if a .po file is stale, French is incomplete,
                                            or a .mo file was not compiled from its .po file

Compiled .mo files are committed so that Suivi runs without GNU gettext installed. Extraction
needs xgettext; where it is missing, the staleness part of the check says so and is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "suivi" / "locale"
LANGUAGES = ["fr", "en", "ar"]
COMPLETE = ["fr"]  # English is the source language; Arabic is filled in as it is translated


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def makemessages() -> None:
    args = [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete"]
    for lang in LANGUAGES:
        args += ["-l", lang]
    args += ["--ignore", ".venv/*", "--ignore", "var/*", "--ignore", "tests/*"]
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)


def compile_all() -> None:
    for lang in LANGUAGES:
        po = polib.pofile(str(po_path(lang)))
        po.save_as_mofile(str(po_path(lang).with_suffix(".mo")))


def msgids(lang: str) -> set[tuple[str, str]]:
    return {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(po_path(lang))) if not e.obsolete}


def check() -> int:
    problems: list[str] = []
    if shutil.which("xgettext"):
        before = {lang: msgids(lang) for lang in LANGUAGES}
        backup = Path(tempfile.mkdtemp())
        shutil.copytree(LOCALE, backup / "locale")
        try:
            makemessages()
            for lang in LANGUAGES:
                after = msgids(lang)
                added, removed = after - before[lang], before[lang] - after
                for _ctx, msgid in sorted(added)[:20]:
                    problems.append(f"{lang}: message not in the catalogue: {msgid!r}")
                for _ctx, msgid in sorted(removed)[:20]:
                    problems.append(f"{lang}: message no longer in the code: {msgid!r}")
        finally:
            shutil.rmtree(LOCALE)
            shutil.copytree(backup / "locale", LOCALE)
            shutil.rmtree(backup)
    else:
        print("xgettext not found: skipping the check that .po files match the code.")
    for lang in COMPLETE:
        for entry in polib.pofile(str(po_path(lang))):
            if entry.obsolete:
                continue
            if not entry.translated() or "fuzzy" in entry.flags:
                problems.append(f"{lang}: not translated: {entry.msgid!r}")
    for lang in LANGUAGES:
        mo = po_path(lang).with_suffix(".mo")
        fresh = Path(tempfile.mkstemp(suffix=".mo")[1])
        polib.pofile(str(po_path(lang))).save_as_mofile(str(fresh))
        if not mo.exists() or mo.read_bytes() != fresh.read_bytes():
            problems.append(f"{lang}: {mo.relative_to(ROOT)} is not compiled from its .po file")
        fresh.unlink()
    if problems:
        print("Translations are not up to date; run: python scripts/translations.py update")
        print("\n".join(problems[:60]))
        return 1
    print("Translations are up to date.")
    return 0


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        makemessages()
        compile_all()
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
