from django.urls import path

from . import views

app_name = "roles"

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<slug:slug>/", views.area_detail, name="area-detail"),
    path("levels/<int:number>/", views.level_detail, name="level-detail"),
    path("roles/", views.role_list, name="role-list"),
    path("roles/<slug:slug>/", views.role_detail, name="role-detail"),
    path("search/", views.search, name="search"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("proficiency/", views.proficiency, name="proficiency"),
]
