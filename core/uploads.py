"""Uploads kept in memory, never written to disk, with a cap on what is kept.

A handler keeps each file's bytes up to one past ``file_limit`` and all files' bytes up
to one past ``request_limit``, which is enough for a form to tell that a file was too
large, while it goes on counting each file's real size so the form can say how large.
"""

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class KeptInMemory(FileUploadHandler):
    """Subclasses give ``file_limit`` and ``request_limit`` in bytes (attributes or
    properties). One limit for the whole request means extra file fields cannot
    multiply what a request may keep."""

    file_limit: int
    request_limit: int

    def __init__(self, request=None):
        super().__init__(request)
        self.kept_in_request = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        room = min(
            self.file_limit + 1 - self.buffer.tell(),
            self.request_limit + 1 - self.kept_in_request,
        )
        if room > 0:
            kept = raw_data[:room]
            self.buffer.write(kept)
            self.kept_in_request += len(kept)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
