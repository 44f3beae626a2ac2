#!/usr/bin/env python3
"""Set up and run Suivi with nothing but Python 3.11 and the package registries.

    python3 run.py start   install, create the SQLite database, load the demo, serve on :8000
                           with the worker that does the background work beside the server
    python3 run.py test    install, then run every check and the whole test suite

Both create a virtual environment in .venv and install the locked dependencies into it.
Set SUIVI_DATABASE_URL=postgres://user@host:5432/name to use PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

DEMO_ADDRESS = "127.0.0.1:8000"


def say(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def sh(*args: str | Path, env: dict | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def install() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py is started by any python3
        sys.exit("Suivi needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("Creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".suivi-lock"
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("Installing the locked dependencies")
    sh(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", LOCK)
    stamp.write_text(digest)


def manage(*args: str) -> None:
    sh(PYTHON, "manage.py", *args)


def stop(process: subprocess.Popen) -> None:
    """Stop a child process: asked first (it finishes cleanly), killed if it does not."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start() -> None:
    install()
    say("Preparing the database")
    manage("migrate", "--no-input", "--verbosity", "0")
    manage("places_load")
    manage("demo_load")
    say("Starting the worker (large imports and donor reports, in the background)")
    worker = subprocess.Popen([str(PYTHON), "manage.py", "work"], cwd=ROOT)
    say(f"Suivi is served on http://{DEMO_ADDRESS}/ (Ctrl+C to stop)")
    server = None
    try:
        server = subprocess.run(
            [str(PYTHON), "manage.py", "runserver", "--noreload", DEMO_ADDRESS], cwd=ROOT
        )
    except KeyboardInterrupt:
        pass
    finally:
        stop(worker)
    if server is not None and server.returncode:
        sys.exit(server.returncode)


def test(extra: list[str]) -> None:
    install()
    checks = [
        ("ruff format", [PYTHON, "-m", "ruff", "format", "--check", "."]),
        ("ruff lint", [PYTHON, "-m", "ruff", "check", "."]),
        ("migrations", [PYTHON, "manage.py", "makemigrations", "--check", "--dry-run"]),
        ("translations", [PYTHON, "scripts/translations.py", "check"]),
    ]
    for name, command in checks:
        say(f"Check: {name}")
        sh(*command)
    say("Test suite on " + os.environ.get("SUIVI_DATABASE_URL", "SQLite (default)"))
    sh(PYTHON, "-m", "pytest", *extra)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "start":
        start()
    elif command == "test":
        test(sys.argv[2:])
    elif command == "install":
        install()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
