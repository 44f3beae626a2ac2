from suivi.delivery.models import Attendance, Distribution, Session
from suivi.projects.models import Indicator, Project
from suivi.registry.models import Person
from tests import helpers


def test_programme_manager_sees_every_row_of_their_agency_and_none_of_another(world):
    persons = set(Person.objects.visible_to(world.manager_a))
    assert persons == {world.person_p, world.person_q}
    assert set(Project.objects.visible_to(world.manager_a)) == {world.pa}


def test_partner_cannot_see_other_partners_beneficiaries(world):
    assert set(Person.objects.visible_to(world.partner_p)) == {world.person_p}
    assert set(Session.objects.visible_to(world.partner_p)) == {world.session_p}
    assert set(Distribution.objects.visible_to(world.partner_p)) == {world.distribution_p}


def test_partner_membership_under_agency_a_does_not_open_agency_b(world):
    # P is also a partner of B's project, but the focal point's membership is with A.
    assert world.person_b not in Person.objects.visible_to(world.partner_p)
    assert set(Project.objects.visible_to(world.partner_p)) == {world.pa}


def test_outsider_sees_nothing_of_agency_a(world):
    assert set(Person.objects.visible_to(world.outsider_b)) == {world.person_b}
    assert world.pa not in Project.objects.visible_to(world.outsider_b)


def test_donor_viewer_sees_the_project_and_its_logframe_but_no_person(world):
    helpers.create_indicator(world.pa)
    assert set(Project.objects.visible_to(world.donor_a)) == {world.pa}
    assert Indicator.objects.visible_to(world.donor_a).count() == 1
    assert not Person.objects.visible_to(world.donor_a).exists()
    assert not Session.objects.visible_to(world.donor_a).exists()


def test_membership_limited_to_a_project_hides_the_others(world):
    other = helpers.create_project(world.a, code="PA-LIV")
    limited = helpers.create_user("limited@a.test", world.a, "project_assistant", projects=[other])
    assert set(Project.objects.visible_to(limited)) == {other}
    assert not Person.objects.visible_to(limited).exists()


def test_anonymous_user_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Attendance.objects.visible_to(AnonymousUser()).exists()
    assert not Project.objects.visible_to(AnonymousUser()).exists()
