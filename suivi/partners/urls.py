from django.urls import path

from suivi.partners import views

app_name = "partners"
urlpatterns = [
    path("due/", views.due_list, name="due_list"),
    path("projects/<int:pk>/agreements/", views.agreement_list, name="agreement_list"),
    path("projects/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/file/", views.report_file, name="report_file"),
]
