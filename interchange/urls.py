"""Open data addresses, under /export/. File names carry no version: the newest is always
at the same address, and the downloaded file's name says which version it is."""

from django.urls import path, re_path

from core.canonical import CodeConverter

from . import views

app_name = "interchange"

urlpatterns = [
    path("", views.export_list, name="export-list"),
    path("framework.json", views.download, {"name": "framework.json"}, name="framework-json"),
    path(
        "framework.schema.json",
        views.download,
        {"name": "framework.schema.json"},
        name="framework-schema",
    ),
    path("framework.xlsx", views.download, {"name": "framework.xlsx"}, name="framework-xlsx"),
    path("case.json", views.download, {"name": "case.json"}, name="case-json"),
    path(
        "case-role-profiles.json",
        views.download,
        {"name": "case-role-profiles.json"},
        name="case-role-profiles-json",
    ),
    path("moodle.csv", views.download, {"name": "moodle.csv"}, name="moodle-csv"),
    path("development-record.schema.json", views.record_schema, name="record-schema"),
    path("provider-summary.schema.json", views.summary_schema, name="summary-schema"),
    path("csv/<str:entity>.csv", views.table_csv, name="table-csv"),
    path("roles/<slug:slug>.json", views.role_json, name="role-json"),
    # The code converter's own pattern, so only characters codes may hold reach the view.
    re_path(
        rf"^competences/(?P<code>{CodeConverter.regex})\.json$",
        views.competence_json,
        name="competence-json",
    ),
]
