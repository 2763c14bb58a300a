"""Static file storage for production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed files, with ES module imports rewritten to hashed names too.

    Our site.mjs imports the NHS.UK frontend module; without the rewrite it would load
    the unhashed copy, which cannot be cached for long.
    """

    support_js_module_import_aggregation = True
