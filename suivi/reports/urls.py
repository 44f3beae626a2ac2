from django.urls import path  # noqa: F401

from suivi.reports import views  # noqa: F401

app_name = "reports"
urlpatterns: list = []
