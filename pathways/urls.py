from django.urls import path

from . import views

app_name = "pathways"

urlpatterns = [
    path("", views.career_map, name="map"),
    path("compare/", views.compare, name="compare"),
    path("self-assessment/<slug:slug>/", views.self_assessment, name="self-assessment"),
    path(
        "self-assessment/<slug:slug>/earlier/",
        views.self_assessment_earlier,
        name="self-assessment-earlier",
    ),
    path(
        "self-assessment/<slug:slug>/sections/<int:number>/",
        views.self_assessment_section,
        name="self-assessment-section",
    ),
    path(
        "self-assessment/<slug:slug>/check/",
        views.self_assessment_check,
        name="self-assessment-check",
    ),
    path(
        "self-assessment/<slug:slug>/result/",
        views.self_assessment_result,
        name="self-assessment-result",
    ),
]
