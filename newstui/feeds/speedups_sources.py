"""The source every feedparser speed-up was written against, checked before it is installed.

Each speed-up in `newstui.feeds.speedups` (and `speedups_sax`, `speedups_dicts`,
`speedups_dates`) recompiles, replicates or short-cuts a function of feedparser's (or of
Python's expat SAX reader): its result is the same only while that function's source is the one
it was written for. `install` therefore installs a speed-up only if `unchanged` holds for every
function it depends on; another feedparser (or Python) version then costs time, never a
different result.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

# sha256 of `inspect.getsource` of each function, by module and qualified name: feedparser
# 6.0.14 and Python 3.11's xml.sax.expatreader.
KNOWN_SOURCES: dict[str, frozenset[str]] = {
    name: frozenset({digest})
    for name, digest in {
        "feedparser.util.FeedParserDict.__getitem__":
            "d5e9db7051ff0c094ec83c2daeb3c751b22a78e0e702ac60a87aebbbf9783f7e",
        "feedparser.util.FeedParserDict.get":
            "b22d485fab74cbb1d27a478c590c14cb0777dae0ea9b3e4ee9b70c6223fd9695",
        "feedparser.util.FeedParserDict.__contains__":
            "4811f3a69282100c6d14762664a707cccff83aaadbc5136a1cba26d3292a05e0",
        "feedparser.util.FeedParserDict.__setitem__":
            "2560efc337dcb52b36ba9dabd747002805c4464748cd872ec7f4dd2e5614e849",
        "feedparser.util.FeedParserDict.setdefault":
            "333a8e3031e05d4a7f9362c4250b499ec4b7ba4de5a63f750306cc379cea437a",
        "feedparser.urls.make_safe_absolute_uri":
            "0133149bc2d8e428408b9499b0a4fab81c227aa684a0ff0de091e70c908b936e",
        "feedparser.urls._urljoin":
            "9a3dd9ebe1eb1d63b33afcc29bd58e3542cc9d8221b0c7c594768d9bc4082452",
        "feedparser.encodings.convert_to_utf8":
            "127d2744b9aaf8f3cb350eb464cd59859dbe1c76a27757a079e25f2a9aa3a1fb",
        "feedparser.mixin._FeedParserMixin.pop":
            "d8b47b45a581de7e38e61eaa89d4ee6ad2e169c59d69a77f41234c28b7b4c580",
        "feedparser.mixin._FeedParserMixin.unknown_starttag":
            "9fda2fdebe14d8e3bbf6d5509e5ea99aa0e1212cb57aab89bf56288d170398e6",
        "feedparser.mixin._FeedParserMixin.unknown_endtag":
            "3dfb95bdf8a5c9073b385f48e652de6d4dbe5a5d7a05061a61462ff4e82b8057",
        "feedparser.mixin._FeedParserMixin.handle_data":
            "955225638e5f7ce84bc05df12bbbdd059c57a200fd97fa1721f28cb34df37c48",
        "feedparser.mixin._FeedParserMixin.looks_like_html":
            "04ae5fef00bcb7059369a556e25ed172e8dea46f683825906f50fb411a84bf94",
        "feedparser.parsers.strict._StrictFeedParser.startElementNS":
            "80fd55ab93b64119685b9e036518555192aa0ddc6617ee251fff0d320b175fc3",
        "feedparser.parsers.strict._StrictFeedParser.endElementNS":
            "988f6e549e9867d8b1854ac0eb9ff94428e564d5b18df80b35dae6b28b8f51a6",
        "feedparser.parsers.strict._StrictFeedParser.characters":
            "dc3eca9ff1e63c7bdef37933e60811bca1f5775ba9511353201ffd9ceca28b75",
        "xml.sax.expatreader.ExpatParser.start_element_ns":
            "8e011bf3cd74f0ce71421f3b21cc420f0be767cbf624149ccede9be737e2ba7f",
        "xml.sax.expatreader.ExpatParser.end_element_ns":
            "ee4bf510e0c4edec2778dac00ae5336a35d0036917738d8b4594598b556d8563",
        "feedparser.datetimes._parse_date":
            "c2a653435054f86a53f4053b833d12e4d0b8c9edc9fce26d2808e7b86aefd4cc",
        "feedparser.datetimes.w3dtf._parse_date_w3dtf":
            "f30d845a9af50e3aac8e186b8ac36a0002fb93850292138eb8fa3f7867aae2dd",
        "feedparser.datetimes.rfc822._parse_date_rfc822":
            "ce6a877e789c849fdddfcb02af05a018757d0f364907438983e7f962f2ca10b4",
    }.items()
}  # fmt: skip


def qualified_name(function: object) -> str:
    """`module.Class.name` of a function (a staticmethod's function), "" for anything else."""
    function = getattr(function, "__func__", function)
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return ""
    return f"{module}.{qualname}"


def source_digest(function: object) -> str:
    """sha256 of the function's source, "" if it has none to read."""
    try:
        source = inspect.getsource(getattr(function, "__func__", function))  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""
    return hashlib.sha256(source.encode()).hexdigest()


def unchanged(
    *functions: Callable[..., Any] | object, known: Mapping[str, frozenset[str]] | None = None
) -> bool:
    """Whether every function's source is one this code was written for (`KNOWN_SOURCES`)."""
    table = KNOWN_SOURCES if known is None else known
    for function in functions:
        digests = table.get(qualified_name(function))
        if not digests or source_digest(function) not in digests:
            return False
    return True
