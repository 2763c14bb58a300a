"""The managers' and commissioners' tools. They read roles, competences and pathways and
nothing reads them, so the app sits above the others (see the README's layering)."""

from django.urls import path

from . import job_description_views

app_name = "workforce"

urlpatterns = [
    path(
        "roles/<slug:slug>/job-description/",
        job_description_views.job_description,
        name="job-description",
    ),
]
