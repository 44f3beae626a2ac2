from django.urls import path

from suivi.registry import views

app_name = "registry"
urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/export/", views.person_export, name="person_export"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/search/", views.person_search, name="person_search"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/register/", views.registration_create, name="registration_create"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", views.duplicate_detail, name="duplicate_detail"),
    path("duplicates/<int:pk>/merge/", views.duplicate_merge, name="duplicate_merge"),
    path("duplicates/<int:pk>/reject/", views.duplicate_reject, name="duplicate_reject"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("sites/options/", views.site_options, name="site_options"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path(
        "households/<int:pk>/members/add/",
        views.household_member_add,
        name="household_member_add",
    ),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/add/", views.group_member_add, name="group_member_add"),
    path("projects/<int:pk>/eligibility/", views.rule_set_list, name="rule_set_list"),
    path("projects/<int:pk>/eligibility/new/", views.rule_set_create, name="rule_set_create"),
    path(
        "projects/<int:pk>/eligibility/report/",
        views.compliance_report,
        name="compliance_report",
    ),
    path("eligibility/<int:pk>/", views.rule_set_detail, name="rule_set_detail"),
    path("eligibility/<int:pk>/edit/", views.rule_set_edit, name="rule_set_edit"),
    path("eligibility/<int:pk>/criteria/add/", views.criterion_add, name="criterion_add"),
    path("eligibility/criteria/<int:pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("eligibility/criteria/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
]
