"""Providers' summary files read for the regional page (``workforce.team_region``): each
file refused with its own message, the others still read, and a file with exactly the
same bytes as one already read counted once. The files are read in memory and never
stored or logged; each one's shape and reader are ``pathways.provider_summary``."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pathways.forms import Problem
from pathways.gap_files import FILE_LIMIT, TOTAL_LIMIT
from pathways.provider_summary import ProviderSummary, read_summary_file
from roles.models import Area

from .uploaded_files import read_uploads


@dataclass
class RegionFiles:
    """The summaries read from a set of uploads, and what happened to the other files:
    ``refused`` (not a summary that can be read) and ``repeated`` (the same file as one
    already read)."""

    summaries: list[ProviderSummary] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)


def _kilobytes(size: int) -> str:
    return _("%(size)s KB") % {"size": f"{size / 1024:,.0f}"}


def read_summary_files(uploads, *, anchor: str = "") -> RegionFiles:
    """Read uploaded summary files (see ``uploaded_files.read_uploads``); a summary that
    names a service the framework does not have is refused too."""
    services = set(Area.objects.values_list("slug", flat=True))

    def read_one(name: str, data: bytes):
        read = read_summary_file(name, data)
        if read.summary is None:
            return None, [read.problem]
        if read.summary.service_slug not in services:
            return None, [
                _(
                    "%(name)s names a service this framework does not have, so it has been "
                    "changed or comes from another site."
                )
                % {"name": name}
            ]
        return read.summary, []

    files = read_uploads(
        uploads,
        anchor=anchor,
        nothing_chosen=_("Choose at least one provider summary file (JSON) to upload."),
        file_limit=FILE_LIMIT,
        too_large=lambda name, size: (
            _(
                "“%(name)s” is %(size)s, which is over the %(limit)s limit for one file. A "
                "provider summary is a few KB: check you chose the right file."
            )
            % {"name": name, "size": _kilobytes(size), "limit": _kilobytes(FILE_LIMIT)}
        ),
        request_limit_text=_kilobytes(TOTAL_LIMIT),
        read_one=read_one,
    )
    return RegionFiles(summaries=files.read, refused=files.refused, repeated=files.repeated)
