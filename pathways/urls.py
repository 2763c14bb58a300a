from django.urls import path

app_name = "pathways"

urlpatterns: list = []
