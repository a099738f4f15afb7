#!/usr/bin/env python3
"""Generate a realistic manifest stream of N documents for benchmarks.

A mix per "app": Namespace (1 in 50 apps), ServiceAccount, ConfigMap, Secret,
Service, Deployment mounting the ConfigMap/Secret, a cert-manager Certificate
whose Secret the Deployment also mounts, an Issuer, a CRD (1 in 20) with CRs,
and a ValidatingWebhookConfiguration (1 in 25) served by the app's Service.
Usage: gen-manifest.py N > out.yaml
"""
import sys


def app(i, ns):
    name = f"app{i}"
    docs = [
        f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n",
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\ndata:\n  key: value-{i}\n  other: |\n    line one\n    line two\n",
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-creds\n  namespace: {ns}\ntype: Opaque\ndata:\n  password: cGFzc3dvcmQ=\n",
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector:\n    app: {name}\n  ports:\n    - port: 443\n      targetPort: 9443\n",
        f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      serviceAccountName: {name}
      containers:
        - name: app
          image: "example/app:1.{i}"
          ports:
            - containerPort: 9443
          envFrom:
            - secretRef:
                name: {name}-creds
          volumeMounts:
            - name: config
              mountPath: /etc/app
            - name: tls
              mountPath: /tls
      volumes:
        - name: config
          configMap:
            name: {name}-config
        - name: tls
          secret:
            secretName: {name}-tls
""",
        f"apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata:\n  name: {name}-issuer\n  namespace: {ns}\nspec:\n  selfSigned: {{}}\n",
        f"apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: {name}-tls\n  namespace: {ns}\nspec:\n  secretName: {name}-tls\n  dnsNames: [{name}.{ns}.svc]\n  issuerRef:\n    name: {name}-issuer\n",
    ]
    if i % 20 == 0:
        docs.append(f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets{i}.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    kind: Gadget{i}
    plural: gadgets{i}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
""")
        for k in range(3):
            docs.append(f"apiVersion: example.com/v1\nkind: Gadget{i}\nmetadata:\n  name: g{k}\n  namespace: {ns}\nspec:\n  size: {k}\n")
    if i % 25 == 0:
        docs.append(f"""apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {name}-webhook
webhooks:
  - name: validate.{name}.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    clientConfig:
      service:
        name: {name}
        namespace: {ns}
        path: /validate
    rules:
      - apiGroups: ["example.com"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["gadgets{i}"]
""")
    return docs


def main():
    n = int(sys.argv[1])
    out, count, i = sys.stdout, 0, 0
    while count < n:
        ns = f"ns{i // 50}"
        docs = app(i, ns)
        if i % 50 == 0:
            docs.insert(0, f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n")
        for d in docs:
            if count == n:
                break
            out.write(f"---\n# Source: bench/templates/app{i}.yaml\n{d}")
            count += 1
        i += 1


main()
