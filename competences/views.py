"""The competence tree, one node of it, and the National Occupational Standards."""

from itertools import groupby

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from framework_site.canonical import redirect_to_canonical

from . import selectors
from .models import Competence, Standard


def section_list(request):
    return render(
        request,
        "competences/section_list.html",
        {"sections": selectors.competence_forest(), "trail": []},
    )


def competence_detail(request, code):
    node = Competence.objects.filter(code=code).first()
    if node is None:
        return redirect_to_canonical(request, Competence.objects.all(), code=code)
    subtree = selectors.competence_subtree(node)
    trail = [(_("Competences"), reverse("competences:section-list"))] + [
        (ancestor.title, ancestor.get_absolute_url()) for ancestor in node.get_ancestors()
    ]
    return render(
        request,
        "competences/competence_detail.html",
        {
            "node": subtree,
            "trail": trail,
            "standards": list(node.standards.all()),
            "requirements": selectors.requirements_for(node),
            "learning": list(node.learning_opportunities.all()) if node.is_statement else [],
        },
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


def standard_detail(request, code):
    standard = Standard.objects.filter(reference=code).first()
    if standard is None:
        return redirect_to_canonical(request, Standard.objects.all(), reference=code, code=code)
    competences = selectors.competences_using(standard)
    return render(
        request,
        "competences/standard_detail.html",
        {
            "standard": standard,
            "competences": competences,
            "roles": selectors.roles_using(standard),
            "trail": [(_("Standards"), reverse("competences:standard-list"))],
        },
    )
