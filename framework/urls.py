from django.urls import path, register_converter

from framework_site.canonical import CodeConverter

from . import views

register_converter(CodeConverter, "code")

app_name = "framework"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("roles/<slug:slug>/", views.role_detail, name="role-detail"),
    path("competences/<code:code>/", views.competence_detail, name="competence-detail"),
    path("standards/<code:code>/", views.standard_detail, name="standard-detail"),
]
