"""Loading learning opportunities and the competences each develops."""

from competences.models import LearningOpportunity

from .bulk import Table, links_of, note_link_changes, set_links
from .document import LEARNING_FIELDS
from .entries import entries_of, entry_errors
from .errors import ContentError


def load_learning(document, report, locate, competences: dict, remove_missing) -> Table:
    learning = Table(
        LearningOpportunity,
        LearningOpportunity.objects.all(),
        lambda item: item.title,
        list(LEARNING_FIELDS[1:]),  # every field but the title, which is the key
    )
    codes = {competence.pk: code for code, competence in competences.items()}
    before = {
        pk: {codes.get(item) for item in items}
        for pk, items in links_of(LearningOpportunity.competences).items()
    }
    links = {}
    for index, item in enumerate(entries_of(document, "learning")):
        where = locate("learning", index)
        with entry_errors(where):
            opportunity = learning.upsert(
                report,
                "Learning opportunities",
                item["title"],
                {"title": item["title"]},
                {
                    "kind": item["kind"],
                    # Blank means the learning suits every level.
                    "level": item.get("level") or None,
                    # A file made before learning named the levels it suits: levels 2 to 8.
                    "suits_from": item.get("suits_from") or 2,
                    "suits_to": item.get("suits_to") or 8,
                    "provider": item.get("provider", ""),
                    "url": item.get("url", ""),
                    "cost": item.get("cost", ""),
                    "caution": item.get("caution", ""),
                    "description": item.get("description", ""),
                },
                where,
            )
            wanted = list(item.get("competences") or [])
        unknown = [code for code in wanted if code not in competences]
        if unknown:
            raise ContentError(f"{where}: unknown competences {unknown}")
        links[item["title"]] = (opportunity, wanted)
    if remove_missing:
        learning.prune(report, "Learning opportunities")
    learning.write(record=False)
    for title, (opportunity, wanted) in links.items():
        note_link_changes(
            report,
            "Learning opportunities",
            title,
            "competences",
            before.get(opportunity.pk, set()),
            set(wanted),
        )
    relinked = set_links(
        LearningOpportunity.competences,
        {
            opportunity.pk: {competences[code].pk for code in wanted}
            for opportunity, wanted in links.values()
        },
    )
    learning.record_history(relinked)
    return learning
