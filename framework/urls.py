import datetime

from django.urls import path, register_converter

from core.canonical import CodeConverter

from . import views


class IsoDateConverter:
    """A day written as YYYY-MM-DD; anything else, or a day that does not exist, is a 404."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)


register_converter(CodeConverter, "code")
register_converter(IsoDateConverter, "isodate")

app_name = "framework"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("roles/<slug:slug>/", views.role_detail, name="role-detail"),
    path("competences/<code:code>/", views.competence_detail, name="competence-detail"),
    path("standards/<code:code>/", views.standard_detail, name="standard-detail"),
    path("changes/", views.changes, name="changes"),
    path("changes/<isodate:day>/", views.changes_on_day, name="changes-on-day"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
