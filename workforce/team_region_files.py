"""Providers' summary files read for the regional page (``workforce.team_region``): each
file refused with its own message, the others still read, and a file with exactly the
same bytes as one already read counted once. The files are read in memory and never
stored or logged; each one's shape and reader are ``pathways.provider_summary``."""

import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pathways.forms import Problem
from pathways.gap_files import FILE_LIMIT, MAX_FILES, TOTAL_LIMIT
from pathways.provider_summary import ProviderSummary, read_summary_file
from roles.models import Area

from .team_records import shown_name


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
    """Read uploaded summary files (Django ``UploadedFile`` objects). A file that cannot
    be used is refused with a message naming it, and the others are still read; only no
    file at all, or too many, refuses them all. Every problem links to ``anchor``."""
    files = RegionFiles()
    if not uploads:
        files.refused.append(
            Problem(_("Choose at least one provider summary file (JSON) to upload."), anchor)
        )
        return files
    if len(uploads) > MAX_FILES:
        files.refused.append(
            Problem(
                _("You chose %(count)d files. Upload up to %(limit)d at a time.")
                % {"count": len(uploads), "limit": MAX_FILES},
                anchor,
            )
        )
        return files
    read_from: dict[bytes, str] = {}
    services = set(Area.objects.values_list("slug", flat=True))
    for upload in uploads:
        name = shown_name(upload.name)
        if upload.size > FILE_LIMIT:
            message = _(
                "“%(name)s” is %(size)s, which is over the %(limit)s limit for one file. A "
                "provider summary is a few KB: check you chose the right file."
            ) % {"name": name, "size": _kilobytes(upload.size), "limit": _kilobytes(FILE_LIMIT)}
            files.refused.append(Problem(message, anchor))
            continue
        data = upload.read()
        if len(data) < upload.size:
            # The upload handler kept no more bytes once the request's limit was reached.
            message = _(
                "“%(name)s” was not read: the files you chose add up to more than %(limit)s. "
                "Upload it again with fewer files."
            ) % {"name": name, "limit": _kilobytes(TOTAL_LIMIT)}
            files.refused.append(Problem(message, anchor))
            continue
        read = read_summary_file(f"“{name}”", data)
        if read.summary is None:
            files.refused.append(Problem(read.problem, anchor))
            continue
        if read.summary.service_slug not in services:
            message = _(
                "“%(name)s” names a service this framework does not have, so it has been "
                "changed or comes from another site."
            ) % {"name": name}
            files.refused.append(Problem(message, anchor))
            continue
        digest = hashlib.sha256(data).digest()
        if digest in read_from:
            files.repeated.append(
                _("“%(name)s” is the same file as “%(first)s”, so it was counted once.")
                % {"name": name, "first": read_from[digest]}
            )
            continue
        read_from[digest] = name
        files.summaries.append(read.summary)
    return files
