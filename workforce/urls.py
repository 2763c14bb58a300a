"""The managers' and commissioners' tools. They read roles, competences and pathways and
nothing reads them, so the app sits above the others (see the README's layering)."""

from django.urls import path

from . import (
    job_description_views,
    record_views,
    team_records_views,
    team_region_views,
    team_views,
    workforce_views,
)

app_name = "workforce"

urlpatterns = [
    path(
        "roles/<slug:slug>/job-description/",
        job_description_views.job_description,
        name="job-description",
    ),
    path(
        "areas/<slug:slug>/workforce/", workforce_views.area_workforce_page, name="area-workforce"
    ),
    path(
        "areas/<slug:slug>/workforce/workforce.csv",
        workforce_views.area_workforce_csv,
        name="area-workforce-csv",
    ),
    path(
        "areas/<slug:slug>/workforce/workforce.xlsx",
        workforce_views.area_workforce_xlsx,
        name="area-workforce-xlsx",
    ),
    path("pathways/skill-mix/", workforce_views.skill_mix_page, name="skill-mix"),
    path("pathways/skill-mix/annex.docx", workforce_views.skill_mix_docx, name="skill-mix-docx"),
    path(
        "pathways/skill-mix/skill-mix.xlsx", workforce_views.skill_mix_xlsx, name="skill-mix-xlsx"
    ),
    path(
        "pathways/skill-mix/questions/",
        workforce_views.skill_mix_questions,
        name="skill-mix-questions",
    ),
    path(
        "pathways/skill-mix/questions.docx",
        workforce_views.skill_mix_questions_docx,
        name="skill-mix-questions-docx",
    ),
    path(
        "pathways/skill-mix/questions.xlsx",
        workforce_views.skill_mix_questions_xlsx,
        name="skill-mix-questions-xlsx",
    ),
    path("pathways/team/", team_views.team_needs_page, name="team"),
    path(
        "pathways/self-assessment/<slug:slug>/record/",
        record_views.development_record,
        name="development-record",
    ),
    path("pathways/team/records/", team_records_views.team_records_page, name="team-records"),
    path("pathways/team/region/", team_region_views.team_region_page, name="team-region"),
]
