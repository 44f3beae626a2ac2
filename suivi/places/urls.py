from django.urls import path  # noqa: F401

from suivi.places import views  # noqa: F401

app_name = "places"
urlpatterns: list = []
