"""The competence tree's sections and the list of National Occupational Standards.

A single competence and a single standard list the roles that need them, so those
pages live in ``framework``.
"""

from itertools import groupby

from django.shortcuts import render

from . import selectors
from .models import Standard


def section_list(request):
    return render(
        request,
        "competences/section_list.html",
        {"sections": selectors.competence_forest(), "trail": []},
    )


def standard_list(request):
    standards = Standard.objects.all().order_by("organisation", "suite", "code")
    return render(
        request,
        "competences/standard_list.html",
        {
            "groups": [
                (suite, list(items))
                for suite, items in groupby(standards, key=lambda standard: standard.suite)
            ],
            "trail": [],
        },
    )
