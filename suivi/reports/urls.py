from django.urls import path

from suivi.reports import views

app_name = "reports"
urlpatterns = [
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path(
        "indicators/<int:pk>/periods/<int:period_pk>/persons/",
        views.indicator_persons,
        name="indicator_persons",
    ),
    path(
        "indicators/<int:pk>/periods/<int:period_pk>/compute/",
        views.values_compute,
        name="values_compute",
    ),
    path(
        "projects/<int:pk>/exports/indicators/",
        views.indicators_export,
        name="indicators_export",
    ),
    path("projects/<int:pk>/exports/5w/", views.fivew_export, name="fivew_export"),
    path("projects/<int:pk>/exports/iati/", views.iati_project, name="iati_project"),
    path(
        "organisations/<int:pk>/exports/iati/",
        views.iati_organisation,
        name="iati_organisation",
    ),
    path("projects/<int:pk>/exports/dhis2/", views.dhis2_export, name="dhis2_export"),
    path("projects/<int:pk>/dhis2-mapping/", views.dhis2_mapping, name="dhis2_mapping"),
    path(
        "indicators/<int:pk>/periods/<int:period_pk>/status/",
        views.values_transition,
        name="values_transition",
    ),
    path("projects/<int:pk>/logframe/", views.logframe_report, name="logframe_report"),
    path(
        "projects/<int:pk>/logframe/xlsx/", views.logframe_report_xlsx, name="logframe_report_xlsx"
    ),
    path("projects/<int:pk>/dashboard/", views.project_dashboard, name="project_dashboard"),
    path("portfolio/", views.portfolio_dashboard, name="portfolio_dashboard"),
    path("projects/<int:pk>/narratives/", views.narratives, name="narratives"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
    path("photos/<int:pk>/remove/", views.photo_remove, name="photo_remove"),
    path("projects/<int:pk>/donor-reports/", views.donor_reports, name="donor_reports"),
    path(
        "projects/<int:pk>/donor-reports/progress/",
        views.donor_reports_progress,
        name="donor_reports_progress",
    ),
    path("donor-reports/<int:pk>/", views.donor_report_file, name="donor_report_file"),
    path("periods/<int:pk>/validate/", views.period_validate, name="period_validate"),
]
