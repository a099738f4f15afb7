"""Label and field selectors (k8s.io/apimachinery/pkg/labels, fields)."""

import re


class SelectorError(ValueError):
    pass


_REQ = re.compile(
    r"^\s*(!?)\s*([A-Za-z0-9._/-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9._-]*)|"
    r"\s+(in|notin)\s*\(([^)]*)\))?\s*$")


def _split_top(s):
    """Split on commas outside parentheses."""
    out, depth, cur = [], 0, []
    for c in s:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return [p for p in out if p.strip()]


def parse_labels(s):
    """A list of (key, op, values) requirements; ops: =, !=, in, notin,
    exists, !exists."""
    reqs = []
    for part in _split_top(s or ""):
        m = _REQ.match(part)
        if not m:
            raise SelectorError("unable to parse requirement: %r" % part)
        neg, key, op, val, setop, vals = m.groups()
        if neg:
            if op or setop:
                raise SelectorError("unable to parse requirement: %r" % part)
            reqs.append((key, "!exists", []))
        elif op:
            reqs.append((key, "!=" if op == "!=" else "=", [val]))
        elif setop:
            reqs.append((key, setop,
                         [v.strip() for v in vals.split(",") if v.strip()]))
        else:
            reqs.append((key, "exists", []))
    return reqs


def match_labels(reqs, labels):
    labels = labels or {}
    for key, op, vals in reqs:
        have = key in labels
        v = labels.get(key)
        if op == "=" and v != vals[0]:
            return False
        if op == "!=" and have and v == vals[0]:
            return False
        if op == "in" and (not have or v not in vals):
            return False
        if op == "notin" and have and v in vals:
            return False
        if op == "exists" and not have:
            return False
        if op == "!exists" and have:
            return False
    return True


def label_selector_obj(sel, labels):
    """metav1.LabelSelector {matchLabels, matchExpressions}; None or {}
    matches everything."""
    if not sel:
        return True
    labels = labels or {}
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        key, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        have = key in labels
        if op == "In" and (not have or labels[key] not in vals):
            return False
        if op == "NotIn" and have and labels[key] in vals:
            return False
        if op == "Exists" and not have:
            return False
        if op == "DoesNotExist" and have:
            return False
    return True


def parse_fields(s):
    reqs = []
    for part in _split_top(s or ""):
        m = re.match(r"^\s*([A-Za-z0-9._-]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise SelectorError("invalid field selector: %r" % part)
        key, op, val = m.groups()
        reqs.append((key, "!=" if op == "!=" else "=", val))
    return reqs


def field_value(obj, path):
    cur = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def match_fields(reqs, obj):
    for key, op, val in reqs:
        have = field_value(obj, key)
        if op == "=" and have != val:
            return False
        if op == "!=" and have == val:
            return False
    return True
