from django.urls import path

from . import views

app_name = "roles"

urlpatterns = [
    path("areas/<slug:slug>/", views.area_detail, name="area-detail"),
    path("levels/<int:number>/", views.level_detail, name="level-detail"),
    path("roles/", views.role_list, name="role-list"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("proficiency/", views.proficiency, name="proficiency"),
]
