"""The competence tree's sections and the list of National Occupational Standards.

A single competence and a single standard list the roles that need them, so those
pages live in ``framework``.
"""

from itertools import groupby

from django.shortcuts import render

from core import content_cache
from core.pagination import page_of, pagination
from core.public import public_page

from . import selectors
from .models import Competence, Standard
from .structured_data import section_list_data

# Sections per page: the published framework's 16 fit on one; a framework many times
# larger gets more pages, each the same size.
SECTIONS_PER_PAGE = 50
# Standards per page: a line each, so the published 51 fit on one page.
STANDARDS_PER_PAGE = 100


@public_page(query=("page",))
def section_list(request):
    sections = Competence.objects.filter(parent__isnull=True).order_by("tree_id")
    # The count and each page's cards change only with the content.
    total = content_cache.get_or_set("section-count", (), sections.count)
    page = page_of(request, sections, SECTIONS_PER_PAGE, count=total)
    cards = content_cache.get_or_set(
        "section-cards", (page.number,), lambda: selectors.section_cards(list(page.object_list))
    )
    return render(
        request,
        "competences/section_list.html",
        {
            "sections": cards,
            "pages": pagination(page, request.path),
            "trail": [],
            "structured_data": lambda: section_list_data(cards),
        },
    )


@public_page(query=("page",))
def standard_list(request):
    standards = Standard.objects.order_by("organisation", "suite", "code", "pk")
    page = page_of(request, standards, STANDARDS_PER_PAGE)
    return render(
        request,
        "competences/standard_list.html",
        {
            "groups": [
                (suite, list(items))
                for suite, items in groupby(page.object_list, key=lambda standard: standard.suite)
            ],
            "pages": pagination(page, request.path),
            "trail": [],
        },
    )
