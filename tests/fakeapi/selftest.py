#!/usr/bin/env python3
"""Unit tests of the fake API server's pieces (unittest, no network)."""

import base64
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kpb  # noqa: E402
import kselectors as sel  # noqa: E402
import miniyaml  # noqa: E402
import patch  # noqa: E402


class Protobuf(unittest.TestCase):
    def test_secret_roundtrip(self):
        obj = {"metadata": {"name": "sh.helm.release.v1.r.v1",
                            "namespace": "default",
                            "labels": {"owner": "helm", "name": "r"}},
               "data": {"release": base64.b64encode(b"H4sI...").decode()},
               "type": "helm.sh/release.v1"}
        out = kpb.decode(kpb.encode_secret(obj))
        self.assertEqual(out["kind"], "Secret")
        self.assertEqual(out["metadata"]["labels"], obj["metadata"]["labels"])
        self.assertEqual(out["metadata"]["namespace"], "default")
        self.assertEqual(out["data"], obj["data"])
        self.assertEqual(out["type"], "helm.sh/release.v1")

    def test_bad_envelope(self):
        with self.assertRaises(ValueError):
            kpb.decode(b"{}")
        with self.assertRaises(ValueError):
            kpb.decode(kpb.MAGIC + b"\x0a\xff")  # truncated typeMeta


class Patches(unittest.TestCase):
    def test_merge_patch_deletes_null(self):
        self.assertEqual(patch.merge_patch({"a": 1, "b": {"c": 2}},
                                           {"a": None, "b": {"d": 3}}),
                         {"b": {"c": 2, "d": 3}})

    def test_strategic_merges_containers_by_name(self):
        live = {"spec": {"containers": [{"name": "a", "image": "x:1"},
                                        {"name": "b", "image": "y:1"}]}}
        p = {"spec": {"$setElementOrder/containers": [{"name": "a"},
                                                      {"name": "b"}],
                      "containers": [{"name": "b", "image": "y:2"}]}}
        out = patch.strategic_merge(live, p)
        self.assertEqual(out["spec"]["containers"],
                         [{"name": "a", "image": "x:1"},
                          {"name": "b", "image": "y:2"}])

    def test_strategic_delete_directive(self):
        live = {"env": [{"name": "A", "value": "1"}, {"name": "B"}]}
        out = patch.strategic_merge(live, {"env": [{"name": "A",
                                                    "$patch": "delete"}]})
        self.assertEqual(out["env"], [{"name": "B"}])

    def test_json_patch(self):
        out = patch.json_patch({"a": [1, 2]}, [
            {"op": "add", "path": "/a/-", "value": 3},
            {"op": "replace", "path": "/a/0", "value": 0},
            {"op": "remove", "path": "/a/1"}])
        self.assertEqual(out, {"a": [0, 3]})
        with self.assertRaises(patch.PatchError):
            patch.json_patch({}, [{"op": "remove", "path": "/x"}])

    def test_apply_prunes_fields_the_manager_dropped(self):
        live = {"data": {"a": "1", "b": "2", "other": "kept"}}
        prev = {"data": {"a": "1", "b": "2"}}
        new = {"data": {"a": "9"}}
        self.assertEqual(patch.apply(live, prev, new),
                         {"data": {"a": "9", "other": "kept"}})


class Yaml(unittest.TestCase):
    def test_block(self):
        text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                "  labels: {\"a\": \"b\"}\ndata:\n  k: |\n    line1\n"
                "    line2\n  n: 3\n  q: 'it''s'\nlist:\n- a: 1\n  b: true\n"
                "- plain\n")
        self.assertEqual(miniyaml.loads(text), {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x", "labels": {"a": "b"}},
            "data": {"k": "line1\nline2\n", "n": 3, "q": "it's"},
            "list": [{"a": 1, "b": True}, "plain"]})

    def test_json_first(self):
        self.assertEqual(miniyaml.loads('{"a": [1]}'), {"a": [1]})


class Selectors(unittest.TestCase):
    def test_labels(self):
        r = sel.parse_labels("owner=helm,name in (a,b),!gone,tier!=db")
        self.assertTrue(sel.match_labels(r, {"owner": "helm", "name": "a"}))
        self.assertFalse(sel.match_labels(r, {"owner": "helm", "name": "c"}))
        self.assertFalse(sel.match_labels(r, {"owner": "helm", "name": "a",
                                              "gone": ""}))
        self.assertFalse(sel.match_labels(r, {"owner": "helm", "name": "a",
                                              "tier": "db"}))
        with self.assertRaises(sel.SelectorError):
            sel.parse_labels("a=(b")

    def test_fields(self):
        r = sel.parse_fields("metadata.name=x,metadata.namespace!=y")
        self.assertTrue(sel.match_fields(r, {"metadata": {"name": "x",
                                                          "namespace": "z"}}))
        self.assertFalse(sel.match_fields(r, {"metadata": {
            "name": "x", "namespace": "y"}}))


def _server(script):
    import argparse
    import fakeapi
    args = argparse.Namespace(log=None, token=None, token_file=None,
                              basic=None, script=None, client_ca=None,
                              no_aggregated_discovery=False)
    srv = fakeapi.Server(args)
    srv.merge_script(script)
    return fakeapi, srv


def _tick(fakeapi, srv):
    with srv.store.lock:  # as the controller loop runs it
        fakeapi.Controllers(srv).tick()


class Controllers(unittest.TestCase):
    def test_scripted_conditions_and_stored_versions(self):
        fakeapi, srv = _server({
            "crds": {"gadgets.ri.test": {"stored_versions": ["v1a", "v1"]}},
            "conditions": {"ri.test/Gadget/default/g": {
                "Ready": "False", "reason": "Issuing", "message": "wait"}}})
        reg = srv.reg
        crd = {"metadata": {"name": "gadgets.ri.test"}, "spec": {
            "group": "ri.test", "scope": "Namespaced",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": True, "storage": True}]}}
        srv.create(reg.find("apiextensions.k8s.io", "v1",
                            "customresourcedefinitions"), "", crd, False)
        _tick(fakeapi, srv)
        rt = reg.find("ri.test", "v1", "gadgets")
        self.assertIsNotNone(rt)
        got = srv.store.get(("apiextensions.k8s.io",
                             "customresourcedefinitions", "",
                             "gadgets.ri.test"))
        self.assertEqual(got["status"]["storedVersions"], ["v1a", "v1"])
        srv.create(rt, "default", {"metadata": {"name": "g"}}, False)
        _tick(fakeapi, srv)
        c = srv.store.get(("ri.test", "gadgets", "default", "g"))[
            "status"]["conditions"]
        self.assertEqual([(x["type"], x["status"], x["reason"], x["message"])
                          for x in c], [("Ready", "False", "Issuing", "wait")])
        srv.merge_script({"conditions": {"ri.test/Gadget/default/g": {
            "Ready": {"status": "True", "reason": "Ready"}}}})
        _tick(fakeapi, srv)
        c = srv.store.get(("ri.test", "gadgets", "default", "g"))[
            "status"]["conditions"]
        self.assertEqual((c[0]["status"], c[0]["reason"]), ("True", "Ready"))

    def test_create_admits_before_already_exists(self):
        fakeapi, srv = _server({"webhooks": {"w.ri.test": {
            "cause": "connection-refused"}}})
        reg = srv.reg
        cm = reg.find("", "v1", "configmaps")
        srv.create(cm, "default", {"metadata": {"name": "x"}}, False)
        srv.create(reg.find("admissionregistration.k8s.io", "v1",
                            "validatingwebhookconfigurations"), "", {
            "metadata": {"name": "w"}, "webhooks": [{
                "name": "w.ri.test", "sideEffects": "None",
                "failurePolicy": "Fail",
                "clientConfig": {"service": {"name": "s",
                                             "namespace": "default"}},
                "rules": [{"apiGroups": [""], "apiVersions": ["v1"],
                           "operations": ["CREATE"],
                           "resources": ["configmaps"]}]}]}, False)
        for dry in (True, False):
            with self.assertRaises(fakeapi.ApiError) as e:
                srv.create(cm, "default", {"metadata": {"name": "x"}}, dry)
            self.assertEqual(e.exception.st["code"], 500)
        srv.backend_override["w.ri.test"] = True
        with self.assertRaises(fakeapi.ApiError) as e:
            srv.create(cm, "default", {"metadata": {"name": "x"}}, True)
        self.assertEqual(e.exception.st["code"], 409)


if __name__ == "__main__":
    unittest.main(verbosity=1)
