"""Several JSON files uploaded at once (development records, providers' summaries), read
one by one: a file that cannot be used is refused with a message naming it and the
others are still read; only no file at all, or too many, refuses them all; a file with
exactly the same bytes as one already read is counted once. Uploads are held in memory
(``pathways.gap_files.GapFileUploadHandler``) and never stored or logged."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pathways.forms import ECHO_LIMIT, Problem
from pathways.gap_files import MAX_FILES


@dataclass
class Uploads:
    """What was read (``read``), what was refused and what repeated a file already read."""

    read: list = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)


def shown_name(name: str | None) -> str:
    """A file's name as messages show it, in quotes: short enough that the quotes are
    kept when a reader cuts what it repeats (``pathways.forms.echo``)."""
    name = (name or "").strip() or _("Unnamed file")
    room = ECHO_LIMIT - 2
    return name if len(name) <= room else name[: room - 1] + "…"


def read_uploads(
    uploads,
    *,
    anchor: str,
    nothing_chosen: str,
    file_limit: int,
    too_large: Callable[[str, int], str],
    request_limit_text: str,
    read_one: Callable[[str, bytes], tuple[object | None, list[str]]],
) -> Uploads:
    """Read ``uploads`` (Django ``UploadedFile`` objects) with ``read_one(quoted name,
    bytes)``, which gives what the file holds or None and its messages. ``too_large(name,
    size)`` words the refusal of a file over ``file_limit`` bytes; ``request_limit_text``
    names the limit on all the files together. Every problem links to ``anchor``."""
    files = Uploads()
    if not uploads:
        files.refused.append(Problem(nothing_chosen, anchor))
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
    for upload in uploads:
        name = shown_name(upload.name)
        if upload.size > file_limit:
            files.refused.append(Problem(too_large(name, upload.size), anchor))
            continue
        data = upload.read()
        if len(data) < upload.size:
            # The upload handler kept no more bytes once the request's limit was reached.
            message = _(
                "“%(name)s” was not read: the files you chose add up to more than %(limit)s. "
                "Upload it again with fewer files."
            ) % {"name": name, "limit": request_limit_text}
            files.refused.append(Problem(message, anchor))
            continue
        held, problems = read_one(f"“{name}”", data)
        if held is None:
            files.refused += [Problem(problem, anchor) for problem in problems]
            continue
        digest = hashlib.sha256(data).digest()
        if digest in read_from:
            files.repeated.append(
                _("“%(name)s” is the same file as “%(first)s”, so it was counted once.")
                % {"name": name, "first": read_from[digest]}
            )
            continue
        read_from[digest] = name
        files.read.append(held)
    return files
