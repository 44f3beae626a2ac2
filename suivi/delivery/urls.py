from django.urls import path

from suivi.delivery import views

app_name = "delivery"
urlpatterns = [
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("activities/options/", views.activity_options, name="activity_options"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path(
        "sessions/<int:pk>/attendance/candidates/",
        views.attendance_candidates,
        name="attendance_candidates",
    ),
    path("sessions/<int:pk>/attendance/add/", views.attendance_add, name="attendance_add"),
    path(
        "sessions/<int:pk>/attendance/<int:person_pk>/remove/",
        views.attendance_remove,
        name="attendance_remove",
    ),
    path("sessions/<int:pk>/reach/", views.reach_edit, name="reach_edit"),
    path("distributions/", views.distribution_list, name="distribution_list"),
    path("distributions/new/", views.distribution_create, name="distribution_create"),
    path("distributions/<int:pk>/", views.distribution_detail, name="distribution_detail"),
]
