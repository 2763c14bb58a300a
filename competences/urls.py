from django.urls import path

from . import views

app_name = "competences"

urlpatterns = [
    path("competences/", views.section_list, name="section-list"),
    path("standards/", views.standard_list, name="standard-list"),
]
