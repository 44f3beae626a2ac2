"""Personas shared by the whole suite.

- agency A runs project ``pa`` with partners P and Q; agency B runs project ``pb``;
- ``manager_a``: programme manager of A; ``assistant_a``: project assistant of A;
  ``me_a``: M&E officer of A; ``admin_a``: administrator of A;
- ``partner_p``: partner focal point of P under A (sees only P's work);
- ``donor_a``: donor viewer under A limited to ``pa`` (aggregates only);
- ``outsider_b``: programme manager of B, who must see nothing of A.
"""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from suivi.accounts.models import OrganisationKind, Role
from tests import helpers


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """A fast hasher: the suite creates hundreds of users; production keeps Django's default."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        # Rows made by class-scoped fixtures, before this one runs, carry the default hasher.
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Each test keeps what it computes in its own memory and starts with nothing kept: kept
    figures of one test's data never reach another (SQLite gives the numbers of rolled-back rows
    again), nor another run of the suite."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests talk to the database on this machine and to nothing else."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"Network access in tests is blocked: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def world(db):
    """Two agencies, two partners, two projects, the personas and a little data in each scope."""
    a = helpers.create_organisation("Agence A", OrganisationKind.UN_AGENCY, "AGA")
    b = helpers.create_organisation("Agence B", OrganisationKind.UN_AGENCY, "AGB")
    p = helpers.create_organisation("Partenaire P", OrganisationKind.NATIONAL_NGO, "PP")
    q = helpers.create_organisation("Partenaire Q", OrganisationKind.NATIONAL_NGO, "PQ")
    donor = helpers.create_organisation("Fondation D", OrganisationKind.DONOR, "FD")
    pa = helpers.create_project(a, code="PA-EDU", partners=[p, q])
    pa.donors.add(donor)
    pb = helpers.create_project(b, code="PB-PROT", partners=[p])

    w = SimpleNamespace(a=a, b=b, p=p, q=q, donor=donor, pa=pa, pb=pb)
    w.manager_a = helpers.create_user("manager@a.test", a, Role.PROGRAMME_MANAGER)
    w.assistant_a = helpers.create_user("assistant@a.test", a, Role.PROJECT_ASSISTANT)
    w.me_a = helpers.create_user("me@a.test", a, Role.ME_OFFICER)
    w.admin_a = helpers.create_user("admin@a.test", a, Role.ADMINISTRATOR)
    w.partner_p = helpers.create_user("focal@p.test", a, Role.PARTNER_FOCAL_POINT, partner=p)
    w.donor_a = helpers.create_user("donor@d.test", a, Role.DONOR_VIEWER, projects=[pa])
    w.outsider_b = helpers.create_user("manager@b.test", b, Role.PROGRAMME_MANAGER)

    w.person_p = helpers.create_person(pa, partner=p, family_name="Coulibaly", given_name="Awa")
    w.person_q = helpers.create_person(
        pa, partner=q, family_name="Diallo", given_name="Moussa", sex="M"
    )
    w.person_b = helpers.create_person(
        pb,
        partner=p,
        family_name="Ould Ahmed",
        given_name="Mohamed",
        sex="M",
        population_group="migrant",
    )
    w.session_p = helpers.create_session(pa, partner=p, title="Formation P")
    w.session_q = helpers.create_session(pa, partner=q, title="Formation Q")
    w.session_b = helpers.create_session(pb, partner=p, title="Sensibilisation B", kind="awareness")
    w.distribution_p = helpers.create_distribution(pa, w.person_p, partner=p)
    w.distribution_q = helpers.create_distribution(pa, w.person_q, partner=q)
    w.distribution_b = helpers.create_distribution(pb, w.person_b, partner=p)
    return w


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
