from django.urls import path  # noqa: F401

from suivi.audit import views  # noqa: F401

app_name = "audit"
urlpatterns: list = []
