from django.urls import path

from . import views

app_name = "competences"

urlpatterns = [
    path("competences/", views.section_list, name="section-list"),
    path("competences/<str:code>/", views.competence_detail, name="competence-detail"),
    path("standards/", views.standard_list, name="standard-list"),
    path("standards/<str:code>/", views.standard_detail, name="standard-detail"),
]
