from django.urls import path  # noqa: F401

from suivi.projects import views  # noqa: F401

app_name = "projects"
urlpatterns: list = []
