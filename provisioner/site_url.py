"""A Moodle site's root URL as every command wants it, or bad input naming where it was written."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from provisioner.errors import PlaybookError


def normalise_site_url(url: str, label: str = "--site") -> str:
    """http(s)://host[:port][/sub/path] without a trailing slash; anything else is bad input.

    `label` names the input in messages: "--site", or an inventory's "url:"."""
    parts = urlsplit(url.strip())
    if parts.username is not None or parts.password is not None:
        # Not echoed: the URL holds a credential.
        raise PlaybookError(f"{label}: the URL must not contain a user name or password")
    try:
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        raise PlaybookError(f"{label} {url!r}: the port is not a number") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlaybookError(f"{label} {url!r}: expected http(s)://host[/path], e.g. https://school.edu/moodle")
    if parts.query or parts.fragment or url.rstrip().endswith(("?", "#")):
        raise PlaybookError(f"{label} {url!r}: give the site's root URL, without '?query' or '#fragment'")
    if parts.path.endswith(".php"):
        raise PlaybookError(f"{label} {url!r}: give the site's root URL, not one of its pages")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
