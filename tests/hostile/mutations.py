"""Seeded mutations of valid TOML files, for the config and theme fuzz tests (issue 10).

Each mutation is something a broken editor, a bad copy-paste or a hostile file could do: flip a
byte, insert TOML syntax, nest arrays and inline tables far too deep, write a huge number or a
key with thousands of dotted parts, or break the UTF-8.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

SYNTAX = [
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"{",
    b"}",
    b"=",
    b'"',
    b"'",
    b'"""',
    b"'''",
    b",",
    b".",
    b"#",
    b"\n",
    b"\\",
    b"\\u",
    b"\\U0011FFFF",
    b"[[feeds]]\n",
    b"[settings]\n",
    b"[keymap]\n",
    b"x = 1\n",
    b"inf",
    b"nan",
    b"-0",
    b"true",
    b"0x",
    b"0o8",
    b"1e999",
    b"1979-05-27T07:32:00Z",
    b"07:32:00",
    b"1_000",
    b"__",
    b"= =",
    b"[a.b.c]\n",
    b'"a"."b" = 2\n',
    b"{a = {b = 1}}",
    b"\x1b]0;title\x07",
    b"\x1b[2J",
    b'"\\u001b]0;title\\u0007" = 1\n',  # a quoted key holding an escape sequence
    b'[keymap]\n"\\u009b2J" = "x"\n',
    b"\t",
    b"\r",
    b"\r\n",
    b"  ",
    b"\x00",
    b"\x7f",
]
BAD_UTF8 = [b"\xff", b"\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80"]


def _deep(rng: random.Random) -> bytes:
    depth = rng.choice([50, 399, 401, 5_000, 100_000])
    if rng.random() < 0.5:
        return b"[" * depth + b"1" + b"]" * depth
    return b"{a = " * depth + b"1" + b"}" * depth


def _huge_number(rng: random.Random) -> bytes:
    digits = rng.choice([19, 20, 310, 400, 4_300, 4_301, 5_000, 20_000])
    body = b"9" * digits
    return rng.choice([body, b"-" + body, body + b".5", b"1e" + body, b"0x" + b"f" * digits])


def _dotted(rng: random.Random) -> bytes:
    parts = rng.choice([10, 999, 1_001, 50_000])
    name = b".".join([b"a"] * parts)
    return rng.choice([b"[" + name + b"]\n", b"[[" + name + b"]]\n", name + b" = 1\n"])


def mutate(base: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One mutation of `base`: (what was done, the new bytes)."""
    kind = rng.choice(
        ["flip", "flip", "insert", "insert", "delete", "deep", "number", "dotted", "utf8", "line"]
    )
    at = rng.randrange(len(base) + 1)
    if kind == "flip" and base:
        at = min(at, len(base) - 1)
        return kind, base[:at] + bytes([base[at] ^ rng.randrange(1, 256)]) + base[at + 1 :]
    if kind == "insert":
        return kind, base[:at] + rng.choice(SYNTAX) + base[at:]
    if kind == "delete":
        return kind, base[:at] + base[at + rng.randrange(1, 40) :]
    if kind == "utf8":
        return kind, base[:at] + rng.choice(BAD_UTF8) + base[at:]
    lines = base.split(b"\n")
    index = rng.randrange(len(lines))
    if kind == "line":
        lines.insert(index, lines[rng.randrange(len(lines))])  # a duplicated line
        return kind, b"\n".join(lines)
    if kind == "dotted":
        lines.insert(index, _dotted(rng))
        return kind, b"\n".join(lines)
    value = _deep(rng) if kind == "deep" else _huge_number(rng)
    assignments = [
        i for i, line in enumerate(lines) if b" = " in line and not line.startswith(b"#")
    ]
    if assignments and rng.random() < 0.8:
        index = rng.choice(assignments)
        key = lines[index].split(b" = ", 1)[0]
        lines[index] = key + b" = " + value
    else:
        lines.insert(index, b"x = " + value)
    return kind, b"\n".join(lines)


def mutations(base: bytes, count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """`count` mutations of `base`; the same seed gives the same files every run. A quarter are
    mutated twice, since real damage rarely comes alone."""
    rng = random.Random(seed)
    for _ in range(count):
        kind, data = mutate(base, rng)
        if rng.random() < 0.25:
            second, data = mutate(data, rng)
            kind = f"{kind}+{second}"
        yield kind, data
