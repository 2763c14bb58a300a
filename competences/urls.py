from django.urls import path

app_name = "competences"

urlpatterns: list = []
