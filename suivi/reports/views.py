"""Pages of reports: the home dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from suivi.projects.models import Project


@login_required
def home(request):
    projects = Project.objects.visible_to(request.user).filter(status=Project.Status.ACTIVE)
    return render(request, "reports/home.html", {"projects": projects})
