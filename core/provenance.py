"""What every output says about itself: the content's status, the framework's edition
and version, and where and when it was made.

The status statement is written here once. The footer, the About page, the print note
on every page, Word documents, workbooks and the open data files all read it from here,
so no output can tell a reader something different about what the content is.
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import versioning

# Short enough for a printed spreadsheet page's header (under 240 characters).
STATUS_STATEMENT = gettext_lazy(
    "The role profiles are representative examples written for this website, not the "
    "official framework profiles. Check any decision about a real post against the "
    "official framework and the employer's own job descriptions."
)


def status_statement() -> str:
    """The statement in the reader's language."""
    return str(STATUS_STATEMENT)


def untranslated_status_statement() -> str:
    """The statement as open data files carry it, which never vary with the reader."""
    with translation.override(None):
        return str(STATUS_STATEMENT)


def framework_citation() -> str:
    """The framework as outputs cite it: name, edition, version and its last change."""
    version = versioning.current()
    citation = _("%(framework)s (%(edition)s edition), version %(number)s") % {
        "framework": settings.SERVICE_NAME,
        "edition": settings.FRAMEWORK_EDITION,
        "number": version.number,
    }
    if version.last_changed:
        citation += _(", last changed %(date)s") % {
            "date": date_format(version.last_changed, "j F Y")
        }
    return citation


def made_on() -> str:
    """Today's date, for outputs made when someone asks for them."""
    return date_format(timezone.localdate(), "j F Y")


def source_note(address: str) -> str:
    """Where an output came from: the framework as it stood, the day, and the page."""
    return _("Made from the %(framework)s, on %(date)s. Source: %(address)s") % {
        "framework": framework_citation(),
        "date": made_on(),
        "address": address,
    }


def about_rows(address: str = "") -> list[tuple[str, str | int]]:
    """(label, value) pairs that say what an output is, for a file's about sheet."""
    version = versioning.current()
    rows = [
        (_("Status"), status_statement()),
        (_("Framework"), str(settings.SERVICE_NAME)),
        (_("Edition"), settings.FRAMEWORK_EDITION),
        (_("Version"), version.number),
        (
            _("Content last changed"),
            date_format(version.last_changed, "j F Y") if version.last_changed else _("Never"),
        ),
        (_("Made on"), made_on()),
    ]
    if address:
        rows.append((_("Source"), address))
    return rows
