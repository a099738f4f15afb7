"""Patch types of the fake API server.

- JSON merge patch (RFC 7386): application/merge-patch+json
- JSON patch (RFC 6902): application/json-patch+json
- strategic merge patch (application/strategic-merge-patch+json): merge
  patch, but lists of objects with a known merge key (containers by name,
  ports by containerPort/port, env by name, ...) merge item by item, and the
  directives client-go's CreateThreeWayMergePatch writes ($patch,
  $setElementOrder/<list>, $retainKeys, $deleteFromPrimitiveList/<list>) are
  honoured or dropped.
- server-side apply (application/apply-patch+yaml): the applied configuration
  is merged into the live object; fields the same field manager applied last
  time and no longer applies are removed (a one-manager approximation of
  managed fields).
"""

import copy

# Field name -> merge key, from the patchMergeKey tags of k8s.io/api.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name",
    "ephemeralContainers": "name", "volumes": "name", "env": "name",
    "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "imagePullSecrets": "name", "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey", "resourceClaims": "name",
    "conditions": "type", "ownerReferences": "uid",
    "tolerations": None,
}
# `ports` merges by containerPort in a container, by port in a Service.
PORT_KEYS = ("containerPort", "port")


def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    out = dict(target)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


class PatchError(Exception):
    pass


def _ptr(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~")
            for p in path[1:].split("/")]


def _walk(doc, parts):
    cur = doc
    for p in parts:
        if isinstance(cur, list):
            cur = cur[int(p)]
        elif isinstance(cur, dict):
            cur = cur[p]
        else:
            raise KeyError(p)
    return cur


def json_patch(doc, ops):
    """RFC 6902: add, remove, replace, move, copy, test."""
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise PatchError("json patch must be a list")
    for op in ops:
        kind = op.get("op")
        parts = _ptr(op.get("path", ""))
        try:
            if kind == "test":
                if _walk(doc, parts) != op.get("value"):
                    raise PatchError("test failed at %s" % op.get("path"))
                continue
            if kind in ("move", "copy"):
                val = copy.deepcopy(_walk(doc, _ptr(op["from"])))
                if kind == "move":
                    doc = _remove(doc, _ptr(op["from"]))
                doc = _add(doc, parts, val)
            elif kind == "add":
                doc = _add(doc, parts, copy.deepcopy(op.get("value")))
            elif kind == "remove":
                doc = _remove(doc, parts)
            elif kind == "replace":
                doc = _remove(doc, parts)
                doc = _add(doc, parts, copy.deepcopy(op.get("value")))
            else:
                raise PatchError("unknown op %r" % kind)
        except (KeyError, IndexError, ValueError, TypeError):
            raise PatchError("doc is missing path: \"%s\"" % op.get("path"))
    return doc


def _add(doc, parts, val):
    if not parts:
        return val
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        if last == "-":
            parent.append(val)
        else:
            i = int(last)
            if i < 0 or i > len(parent):
                raise IndexError(last)
            parent.insert(i, val)
    elif isinstance(parent, dict):
        parent[last] = val
    else:
        raise KeyError(last)
    return doc


def _remove(doc, parts):
    if not parts:
        return None
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        del parent[int(last)]
    else:
        del parent[last]
    return doc


def _merge_key(field, items):
    if field == "ports":
        for k in PORT_KEYS:
            if all(isinstance(i, dict) and k in i for i in items):
                return k
        return None
    return MERGE_KEYS.get(field)


def strategic_merge(target, patch, field=None):
    """A strategic merge patch as client-go writes them for built-in kinds."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items()
                if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    if not isinstance(target, dict):
        target = {}
    out = dict(target)
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k.startswith("$setElementOrder/") or k in ("$retainKeys",
                                                      "$patch"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            name = k.split("/", 1)[1]
            if isinstance(out.get(name), list):
                out[name] = [x for x in out[name] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            out[k] = strategic_merge(out.get(k), v, k)
        elif isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = _merge_list(out[k], v, k)
        elif isinstance(v, list):
            out[k] = [strategic_merge(None, i, k) if isinstance(i, dict)
                      else i for i in v
                      if not (isinstance(i, dict) and
                              i.get("$patch") == "delete")]
        else:
            out[k] = v
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _merge_list(live, patch, field):
    key = _merge_key(field, patch + live)
    if key is None:
        items = [i for i in patch if not (isinstance(i, dict) and
                                          i.get("$patch"))]
        return copy.deepcopy(items)
    out = [copy.deepcopy(i) for i in live]
    for item in patch:
        if not isinstance(item, dict):
            continue
        idx = next((n for n, i in enumerate(out)
                    if isinstance(i, dict) and i.get(key) == item.get(key)),
                   None)
        if item.get("$patch") == "delete":
            if idx is not None:
                del out[idx]
            continue
        if idx is None:
            out.append(strategic_merge(None, item, field))
        else:
            out[idx] = strategic_merge(out[idx], item, field)
    return out


def prune(live, previous, applied):
    """Remove from live what previous applied and applied no longer sets."""
    if not isinstance(live, dict) or not isinstance(previous, dict):
        return live
    out = dict(live)
    applied = applied if isinstance(applied, dict) else {}
    for k, v in previous.items():
        if k not in applied:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = prune(out[k], v, applied[k])
    return out


def apply(live, previous, applied):
    """Server-side apply of `applied` by a manager that last applied
    `previous` (None on its first apply). Lists are atomic, maps merge."""
    base = prune(live, previous, applied) if previous else live
    return _apply_merge(base, applied)


def _apply_merge(live, applied):
    if not isinstance(applied, dict) or not isinstance(live, dict):
        return copy.deepcopy(applied)
    out = dict(live)
    for k, v in applied.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _apply_merge(out.get(k), v)
    return out
