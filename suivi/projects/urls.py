from django.urls import path

from suivi.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/logframe/", views.logframe, name="logframe"),
    path("<int:pk>/results/new/", views.result_create, name="result_create"),
    path("results/<int:pk>/edit/", views.result_edit, name="result_edit"),
    path("<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/targets/", views.target_edit, name="target_edit"),
    path(
        "indicators/<int:pk>/periods/<int:period>/value/",
        views.value_enter,
        name="value_enter",
    ),
    path(
        "indicators/<int:pk>/periods/<int:period>/evidence/",
        views.value_evidence,
        name="value_evidence",
    ),
    path("<int:pk>/periods/", views.period_list, name="period_list"),
    path("periods/<int:pk>/lock/", views.period_lock, name="period_lock"),
    path("periods/<int:pk>/unlock/", views.period_unlock, name="period_unlock"),
    path("<int:pk>/workplan/", views.workplan, name="workplan"),
    path("<int:pk>/workplan/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
]
