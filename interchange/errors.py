"""The one error a bad framework file or bad seed content raises."""


class ContentError(Exception):
    """Content that cannot be loaded; the message names the item or row and the problem."""
