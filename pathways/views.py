"""Career pathways: the map of roles by level and area, and the moves between them."""

from django.http import Http404
from django.shortcuts import render

from roles.models import Area, Level
from roles.selectors import roles_for_listing

from .models import Progression


def career_map(request):
    areas = list(Area.objects.all())
    levels = list(Level.objects.filter(number__range=(2, 8)).order_by("-number"))
    cells = {}
    for role in roles_for_listing():
        for area in role.areas.all():
            cells.setdefault((role.level.number, area.pk), []).append(role)
    rows = [(level, [cells.get((level.number, area.pk), []) for area in areas]) for level in levels]
    moves = Progression.objects.select_related("from_role__level", "to_role__level").order_by(
        "from_role__level__number", "from_role__title", "to_role__title"
    )
    return render(
        request, "pathways/map.html", {"areas": areas, "rows": rows, "moves": list(moves)}
    )


def compare(request):
    raise Http404  # built by the pathways issue


def self_assessment(request, slug):
    raise Http404  # built by the pathways issue
