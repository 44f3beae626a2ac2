from django.urls import path

from suivi.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("new/", views.batch_create, name="batch_create"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/sheet/", views.batch_sheet, name="batch_sheet"),
    path("<int:pk>/mapping/", views.batch_mapping, name="batch_mapping"),
    path("<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("<int:pk>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("<int:pk>/errors.xlsx", views.batch_errors, name="batch_errors"),
]
