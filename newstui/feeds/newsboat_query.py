"""newsboat's `query:` feeds (its filter language) as newstui search queries, where they say
the same thing: `unread = "yes" and tags # "tech"` is `is:unread tag:tech`.

Only what has an exact equivalent is translated; anything else (regular expressions, other
attributes) gives None, and the import lists the query feed as skipped rather than guess.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>!=|=~|!~|!#|<=|>=|[=#<>()])'
    r"|(?P<word>[A-Za-z_][\w-]*)|(?P<number>\d+))"
)
_PLAIN = re.compile(r"[\w .'-]+")
"""A pattern with no regular-expression characters matches as a plain substring."""


def translate(expression: str) -> str | None:
    """The newstui query for a newsboat filter expression, or None when there is none."""
    tokens = _tokens(expression)
    if not tokens or not _well_formed(tokens):
        return None
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "op" and value in "()":
            out.append(value)
            i += 1
        elif kind == "word" and value.lower() in ("and", "or"):
            if value.lower() == "or":
                out.append("OR")
            i += 1
        elif kind == "word" and i + 2 < len(tokens):
            atom = _atom(value.lower(), tokens[i + 1][1], tokens[i + 2])
            if atom is None:
                return None
            out.append(atom)
            i += 3
        else:
            return None
    query = " ".join(out).replace("( ", "(").replace(" )", ")")
    # Only exclusions ("-tag:ads") find nothing by themselves in newstui's query language.
    if all(term.startswith("-") or term in ("OR", "(", ")") for term in out):
        return None
    return query or None


def _well_formed(tokens: list[tuple[str, str]]) -> bool:
    """Balanced parentheses, and no `and`/`or` at either end or next to another."""
    depth, previous = 0, "start"
    for kind, value in tokens:
        joiner = kind == "word" and value.lower() in ("and", "or")
        if joiner and previous in ("start", "joiner", "("):
            return False
        if value == "(" and kind == "op":
            depth += 1
        elif value == ")" and kind == "op":
            depth -= 1
            if depth < 0 or previous in ("joiner", "("):
                return False
        previous = "joiner" if joiner else value if kind == "op" and value in "()" else "term"
    return depth == 0 and previous not in ("joiner", "(")


def _tokens(expression: str) -> list[tuple[str, str]] | None:
    tokens, at = [], 0
    text = expression.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            return None
        at = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append((kind, value))
    return tokens


def _atom(name: str, op: str, operand: tuple[str, str]) -> str | None:
    """One comparison, `unread = "yes"`, as a query term."""
    kind, value = operand
    negate = op in ("!=", "!~", "!#")
    if name == "unread" and op in ("=", "!=") and value in ("yes", "no"):
        return "is:unread" if (value == "yes") != negate else "is:read"
    if name == "flags" and kind == "string":
        if (op == "#" and value) or (op == "!=" and not value):
            return "is:bookmarked"
        if (op == "!#" and value) or (op == "=" and not value):
            return "-is:bookmarked"
        return None
    if name == "age" and kind == "number" and op in ("<", "<=", ">", ">="):
        return f"newer:{value}d" if op in ("<", "<=") else f"-newer:{value}d"
    if name == "enclosure_url" and op in ("=", "!=") and value == "":
        return "has:enclosure" if op == "!=" else "-has:enclosure"
    if kind != "string" or not _PLAIN.fullmatch(value) or not value.strip():
        return None
    field = {
        "tags": "tag:",
        "title": "title:",
        "author": "author:",
        "feedtitle": "feed:",
        "content": "",
        "description": "",
    }.get(name)
    # Only the regex match of a plain word is a substring match: `=` means equal, and a
    # query's `title:` term is not an equality.
    fits = op in ("#", "!#") if name == "tags" else op in ("=~", "!~")
    if field is None or not fits:
        return None
    term = f'"{value}"' if " " in value.strip() else value.strip()
    return ("-" if negate else "") + field + term
