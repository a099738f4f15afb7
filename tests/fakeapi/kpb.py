"""A small protobuf reader for the Kubernetes objects Helm sends as protobuf.

client-go's typed clients send built-in kinds as
`application/vnd.kubernetes.protobuf`: 4 magic bytes `k8s\\0`, then a
runtime.Unknown (k8s.io/apimachinery/pkg/runtime/generated.proto:
1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType)
whose raw bytes are the object (k8s.io/api/core/v1/generated.proto).
Decoded: Secret, ConfigMap, DeleteOptions and ObjectMeta; anything else is
refused with ValueError so the server can answer 415.
"""

import base64

MAGIC = b"k8s\x00"


def _varint(buf, i):
    shift = 0
    val = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        val |= (b & 0x7F) << shift
        if not b & 0x80:
            return val, i
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def fields(buf):
    """Yield (field number, wire type, value) of one message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = _varint(buf, i)
            if i + n > len(buf):
                raise ValueError("truncated field %d" % num)
            val, i = buf[i:i + n], i + n
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        yield num, wt, val


def _str(b):
    return bytes(b).decode("utf-8")


def _map_entry(buf):
    k, v = "", b""
    for num, _, val in fields(buf):
        if num == 1:
            k = _str(val)
        elif num == 2:
            v = bytes(val)
    return k, v


def _time(buf):
    """k8s.io.apimachinery.pkg.apis.meta.v1.Time {1 seconds, 2 nanos}."""
    import datetime
    secs = 0
    for num, _, val in fields(buf):
        if num == 1:
            secs = val
    t = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def object_meta(buf):
    m = {}
    labels, annotations, finalizers = {}, {}, []
    for num, wt, val in fields(buf):
        if num == 1:
            m["name"] = _str(val)
        elif num == 2:
            m["generateName"] = _str(val)
        elif num == 3:
            m["namespace"] = _str(val)
        elif num == 5:
            m["uid"] = _str(val)
        elif num == 6:
            m["resourceVersion"] = _str(val)
        elif num == 7 and wt == 0:
            m["generation"] = val
        elif num == 8:
            m["creationTimestamp"] = _time(val)
        elif num == 11:
            k, v = _map_entry(val)
            labels[k] = _str(v)
        elif num == 12:
            k, v = _map_entry(val)
            annotations[k] = _str(v)
        elif num == 14:
            finalizers.append(_str(val))
    if labels:
        m["labels"] = labels
    if annotations:
        m["annotations"] = annotations
    if finalizers:
        m["finalizers"] = finalizers
    return {k: v for k, v in m.items() if v != ""}


def secret(buf):
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {}}
    data, string_data = {}, {}
    for num, wt, val in fields(buf):
        if num == 1:
            obj["metadata"] = object_meta(val)
        elif num == 2:
            k, v = _map_entry(val)
            data[k] = base64.b64encode(v).decode("ascii")
        elif num == 3:
            obj["type"] = _str(val)
        elif num == 4:
            k, v = _map_entry(val)
            string_data[k] = _str(v)
        elif num == 5 and wt == 0:
            obj["immutable"] = bool(val)
    if data:
        obj["data"] = data
    if string_data:
        obj["stringData"] = string_data
    return obj


def config_map(buf):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
    data, binary = {}, {}
    for num, wt, val in fields(buf):
        if num == 1:
            obj["metadata"] = object_meta(val)
        elif num == 2:
            k, v = _map_entry(val)
            data[k] = _str(v)
        elif num == 3:
            k, v = _map_entry(val)
            binary[k] = base64.b64encode(v).decode("ascii")
        elif num == 4 and wt == 0:
            obj["immutable"] = bool(val)
    if data:
        obj["data"] = data
    if binary:
        obj["binaryData"] = binary
    return obj


def delete_options(buf):
    """k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions."""
    obj = {"kind": "DeleteOptions", "apiVersion": "v1"}
    dry = []
    for num, wt, val in fields(buf):
        if num == 1 and wt == 0:
            obj["gracePeriodSeconds"] = val
        elif num == 4:
            obj["propagationPolicy"] = _str(val)
        elif num == 5:
            dry.append(_str(val))
    if dry:
        obj["dryRun"] = dry
    return obj


DECODERS = {("v1", "Secret"): secret, ("v1", "ConfigMap"): config_map,
            ("v1", "DeleteOptions"): delete_options,
            ("meta.k8s.io/v1", "DeleteOptions"): delete_options}


def decode(body):
    """The object a protobuf request body carries, as a JSON-shaped dict."""
    if not body.startswith(MAGIC):
        raise ValueError("protobuf body without the k8s\\0 envelope")
    api_version, kind, raw = "", "", b""
    for num, _, val in fields(body[len(MAGIC):]):
        if num == 1:
            for n2, _, v2 in fields(val):
                if n2 == 1:
                    api_version = _str(v2)
                elif n2 == 2:
                    kind = _str(v2)
        elif num == 2:
            raw = bytes(val)
    dec = DECODERS.get((api_version, kind))
    if dec is None:
        raise ValueError("no protobuf decoder for %s %s" % (api_version, kind))
    return dec(raw)


# ---- encoder (used by the self-test and by tests that need a body) -------

def _enc_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _enc_field(num, val):
    if isinstance(val, int):
        return _enc_varint(num << 3) + _enc_varint(val)
    if isinstance(val, str):
        val = val.encode("utf-8")
    return _enc_varint(num << 3 | 2) + _enc_varint(len(val)) + val


def encode_secret(obj):
    """Envelope + Secret for obj (metadata name/namespace/labels, data)."""
    md = obj.get("metadata", {})
    meta = b""
    for num, key in ((1, "name"), (3, "namespace"), (5, "uid"),
                     (6, "resourceVersion")):
        if md.get(key):
            meta += _enc_field(num, md[key])
    for num, key in ((11, "labels"), (12, "annotations")):
        for k, v in sorted((md.get(key) or {}).items()):
            meta += _enc_field(num, _enc_field(1, k) + _enc_field(2, v))
    raw = _enc_field(1, meta)
    for k, v in sorted((obj.get("data") or {}).items()):
        raw += _enc_field(2, _enc_field(1, k) +
                          _enc_field(2, base64.b64decode(v)))
    if obj.get("type"):
        raw += _enc_field(3, obj["type"])
    tm = _enc_field(1, "v1") + _enc_field(2, "Secret")
    return MAGIC + _enc_field(1, tm) + _enc_field(2, raw)
