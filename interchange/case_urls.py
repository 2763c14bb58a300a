"""The CASE 1.0 REST service's addresses: the paths of 1EdTech's binding, mounted at its
base path (``case_common.SERVICE_PATH``) by the project's URLconf."""

from django.urls import path

from . import case_views
from .case_service import COLLECTIONS

app_name = "case"

urlpatterns = [
    path("CFDocuments", case_views.case_documents, name="CFDocuments-list"),
    *(
        path(
            f"{collection}/<str:sourced_id>",
            case_views.case_object,
            {"collection": collection},
            name=collection,
        )
        for collection in COLLECTIONS
    ),
]
