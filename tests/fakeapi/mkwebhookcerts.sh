#!/usr/bin/env bash
# Throwaway PKI for webhook serving certificates (tests of `readyinstall
# check`), made with the openssl CLI at test time; nothing is checked in.
# Usage: mkwebhookcerts.sh DIR SERVICE NAMESPACE
# The API server dials SERVICE.NAMESPACE.svc. Writes into DIR:
#   ca.crt ca.key              the webhook CA (10 years)
#   other-ca.crt other-ca.key  a second, unrelated CA
#   expired-ca.crt             a self-signed CA whose validity ended (2020)
#   soon-ca.crt soon-ca.key    a CA that expires in 10 days
#   serving.crt                DNS:SVC, SVC.NS, SVC.NS.svc, SVC.NS.svc.cluster.local,
#                              serverAuth, 1 year, signed by ca
#   expired.crt                the same names, validity ended (2020), by ca
#   wrongsan.crt               CN=SVC.NS.svc but DNS SANs for another service
#                              (other-svc.NS.svc): only SANs count
#   otherca.crt                the right names, signed by other-ca
#   soon.crt                   the right names, expires in 7 days, by ca
#   soonca.crt                 the right names, 1 year, signed by soon-ca
#   serving.key                the key of every leaf above (one key, so that a
#                              tls.key always matches its tls.crt)
#   ca-bundle.b64              base64 (one line) of ca.crt, for caBundle
set -euo pipefail

dir="${1:?usage: mkwebhookcerts.sh DIR SERVICE NAMESPACE}"
svc="${2:?usage: mkwebhookcerts.sh DIR SERVICE NAMESPACE}"
ns="${3:?usage: mkwebhookcerts.sh DIR SERVICE NAMESPACE}"
mkdir -p "$dir"
cd "$dir"
umask 077

ossl() { openssl "$@" 2>/dev/null; }

ca() { # ca NAME CN DAYS
  ossl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" \
    -days "$3" -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

names="DNS:$svc,DNS:$svc.$ns,DNS:$svc.$ns.svc,DNS:$svc.$ns.svc.cluster.local"
ext() { # ext FILE SANS
  cat >"$1" <<EOF
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$2
EOF
}
ext good.ext "$names"
ext wrong.ext "DNS:other-svc.$ns.svc,DNS:other-svc.$ns.svc.cluster.local"

ca ca ri-webhook-test-ca 3650
ca other-ca ri-webhook-other-ca 3650
ca soon-ca ri-webhook-soon-ca 10

ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out serving.key
ossl req -new -key serving.key -out serving.csr -subj "/CN=$svc.$ns.svc"

leaf() { # leaf NAME CA EXTFILE DAYS
  ossl x509 -req -in serving.csr -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
    -out "$1.crt" -extfile "$3" -days "$4"
}
leaf serving ca good.ext 365
leaf wrongsan ca wrong.ext 365
leaf otherca other-ca good.ext 365
leaf soon ca good.ext 7
leaf soonca soon-ca good.ext 365

# Validity in the past: `openssl x509 -req` has no -not_before in OpenSSL
# 3.0, so sign with `openssl ca` and explicit dates (the leaf by ca, the
# expired CA by itself).
mkdir -p pastca
: >pastca/index.txt
echo 1000 >pastca/serial
cat >pastca/ca.cnf <<EOF
[ca]
default_ca = past
[past]
dir = $PWD/pastca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $PWD/ca.crt
private_key = $PWD/ca.key
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
ossl ca -batch -config pastca/ca.cnf -in serving.csr -out expired.crt \
  -startdate 20200101000000Z -enddate 20200102000000Z -extfile good.ext -notext
ossl req -newkey rsa:2048 -nodes -keyout expired-ca.key -out expired-ca.csr \
  -subj "/CN=ri-webhook-expired-ca"
ossl ca -batch -config pastca/ca.cnf -selfsign -keyfile expired-ca.key \
  -in expired-ca.csr -out expired-ca.crt -extensions v3_ca \
  -startdate 20200101000000Z -enddate 20200102000000Z -notext

base64 -w0 ca.crt >ca-bundle.b64
rm -rf pastca ./*.csr ./*.ext ./*.srl expired-ca.key
chmod 644 ./*.crt ca-bundle.b64
for f in ca other-ca expired-ca soon-ca serving expired wrongsan otherca soon soonca; do
  [[ -s "$f.crt" ]] || { echo "mkwebhookcerts: $f.crt was not made" >&2; exit 1; }
done
