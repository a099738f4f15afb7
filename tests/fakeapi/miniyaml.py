"""A YAML subset reader for apply-patch bodies (no PyYAML here).

Helm 4 and kubectl send server-side apply bodies as JSON (valid YAML), which
json.loads reads first; this reader is the fallback for hand-written block
YAML: block mappings and sequences, plain, single- and double-quoted scalars,
`|`/`>` block scalars, flow collections in JSON form, comments, one document.
Anchors, tags and multi-line plain scalars are not supported (ValueError).
"""

import json
import re

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def loads(text):
    try:
        return json.loads(text)
    except ValueError:
        pass
    lines = []
    for raw in text.splitlines():
        if raw.strip() in ("---", "...") and not lines:
            continue
        if raw.strip() == "---":
            break
        lines.append(raw.rstrip())
    p = _Parser(lines)
    val = p.block(0)
    return val


def scalar(tok):
    t = tok.strip()
    if t == "" or t in ("~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if t.startswith('"'):
        return json.loads(t)
    if t.startswith("'"):
        return t[1:-1].replace("''", "'")
    if t[0] in "[{":
        return json.loads(t)
    if _INT.match(t):
        return int(t)
    if _FLOAT.match(t) and any(c.isdigit() for c in t):
        return float(t)
    if t[0] in "&*!|>":
        raise ValueError("unsupported YAML: %r" % t)
    return t


def _strip_comment(s):
    out, q = [], None
    for i, c in enumerate(s):
        if q:
            if c == q:
                q = None
        elif c in "'\"":
            q = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            break
        out.append(c)
    return "".join(out).rstrip()


def _split_key(s):
    """`key: value` -> (key, value) or None; quoted keys allowed."""
    if s.startswith('"') or s.startswith("'"):
        q = s[0]
        end = s.index(q, 1)
        key = scalar(s[:end + 1])
        rest = s[end + 1:]
        if rest.startswith(":") and (len(rest) == 1 or rest[1] == " "):
            return key, rest[1:].strip()
        return None
    m = re.match(r"^([^:#\[\]{},][^:]*?):(?: (.*)|$)", s)
    if not m:
        return None
    return m.group(1).strip(), (m.group(2) or "").strip()


class _Parser:
    def __init__(self, lines):
        self.lines = lines
        self.i = 0

    def _next(self):
        """(indent, content) of the next meaningful line, not consumed."""
        while self.i < len(self.lines):
            s = _strip_comment(self.lines[self.i])
            if s.strip():
                return len(s) - len(s.lstrip(" ")), s.strip()
            self.i += 1
        return None

    def block(self, indent):
        nxt = self._next()
        if nxt is None:
            return None
        ind, s = nxt
        if ind < indent:
            return None
        if s == "-" or s.startswith("- "):
            return self._seq(ind)
        if _split_key(s):
            return self._map(ind)
        self.i += 1
        return scalar(s)

    def _value(self, rest, indent):
        if rest in ("|", "|-", "|+", ">", ">-", ">+"):
            return self._block_scalar(rest, indent)
        if rest == "":
            nxt = self._next()
            if nxt and (nxt[0] > indent or
                        (nxt[0] == indent and nxt[1].startswith("-"))):
                return self.block(nxt[0])
            return None
        return scalar(rest)

    def _map(self, indent):
        out = {}
        while True:
            nxt = self._next()
            if nxt is None or nxt[0] != indent:
                return out
            kv = _split_key(nxt[1])
            if not kv:
                raise ValueError("line %d: expected a mapping key" %
                                 (self.i + 1))
            self.i += 1
            out[kv[0]] = self._value(kv[1], indent)

    def _seq(self, indent):
        out = []
        while True:
            nxt = self._next()
            if nxt is None or nxt[0] != indent or not (
                    nxt[1] == "-" or nxt[1].startswith("- ")):
                return out
            rest = nxt[1][1:].strip()
            if rest == "":
                self.i += 1
                out.append(self._value("", indent))
                continue
            if _split_key(rest) and not rest.startswith(("[", "{")):
                # `- key: v` opens a mapping indented to the key's column.
                col = indent + (len(nxt[1]) - len(rest))
                self.lines[self.i] = " " * col + rest
                out.append(self._map(col))
            else:
                self.i += 1
                out.append(self._value(rest, indent))

    def _block_scalar(self, style, indent):
        body = []
        block_ind = None
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            if raw.strip() == "":
                body.append("")
                self.i += 1
                continue
            ind = len(raw) - len(raw.lstrip(" "))
            if ind <= indent:
                break
            if block_ind is None:
                block_ind = ind
            body.append(raw[block_ind:])
            self.i += 1
        while body and body[-1] == "":
            body.pop()
        if style[0] == ">":
            text = " ".join(body)
        else:
            text = "\n".join(body)
        if not style.endswith("-"):
            text += "\n"
        return text
