from django.urls import path  # noqa: F401

from suivi.delivery import views  # noqa: F401

app_name = "delivery"
urlpatterns: list = []
