"""Text from the data, made safe for Streamlit's Markdown."""

from __future__ import annotations

import re

import geodata

__all__ = ["md", "md_link"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
#: Where GitHub-flavoured Markdown would find a link in plain text, even
#: escaped (``https://``, ``www.``, ``a@b.c``, matched after escapes are
#: resolved): an invisible word joiner goes there, so no link is made.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)"
                       r"|(?<=www)(?=\.)|(?=@)")
_JOINER = "\u2060"


def md(text) -> str:
    """Markdown-escape text from the data (no links, HTML, LaTeX or emphasis).

    Parameters
    ----------
    text : object
        Any value; ``None`` gives an empty string.

    Returns
    -------
    str
        The text with every Markdown special character backslash-escaped, a
        word joiner (U+2060, invisible) where a URL or address would become
        a link, and line breaks kept as Markdown line breaks.
    """
    if text is None:
        return ""
    unlinked = _AUTOLINK.sub(_JOINER, str(text))
    return _MD_SPECIAL.sub(r"\\\1", unlinked).replace("\n", "  \n")


def md_link(title, url) -> str:
    """A Markdown link, only for an http(s) URL; otherwise the escaped title.

    Parameters
    ----------
    title : object
        The link's text (escaped); the URL, or ``"source"``, when missing.
    url : object
        The target; anything but an http or https URL makes no link.

    Returns
    -------
    str
        ``[title](url)`` or the escaped title alone.
    """
    label = md(title or url or "source")
    if geodata.is_http_url(url):
        safe = str(url).strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{label}]({safe})"
    return label
