from django.urls import path, register_converter

from framework_site.canonical import CodeConverter

from . import views

register_converter(CodeConverter, "code")

app_name = "competences"

urlpatterns = [
    path("competences/", views.section_list, name="section-list"),
    path("competences/<code:code>/", views.competence_detail, name="competence-detail"),
    path("standards/", views.standard_list, name="standard-list"),
    path("standards/<code:code>/", views.standard_detail, name="standard-detail"),
]
