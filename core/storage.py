"""Static file storage for production."""

# Imported so that a missing Brotli stops collectstatic loudly: without it whitenoise
# would quietly write only the gzip copies.
import brotli  # noqa: F401
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed files, each with a Brotli (.br) and a gzip (.gz) copy beside it.

    Whitenoise serves whichever copy the browser accepts, and caches hashed names for a
    year. ES module imports are rewritten to hashed names too: our site.mjs imports the
    NHS.UK frontend module, and without the rewrite it would load the unhashed copy,
    which cannot be cached for long.
    """

    support_js_module_import_aggregation = True
