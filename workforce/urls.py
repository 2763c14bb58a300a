"""The managers' and commissioners' tools. They read roles, competences and pathways and
nothing reads them, so the app sits above the others (see the README's layering)."""

from django.urls import path  # noqa: F401  (the tools add their addresses here)

app_name = "workforce"

urlpatterns = []
