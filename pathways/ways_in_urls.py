"""The pages for people outside the services: the guided "Find your way in" page and the
route for people with lived experience of the justice system."""

from django.urls import path

from . import views

app_name = "ways_in"

urlpatterns = [
    path("ways-in/", views.ways_in, name="start"),
    path("lived-experience/", views.lived_experience, name="lived-experience"),
]
