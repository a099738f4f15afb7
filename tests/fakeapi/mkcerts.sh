#!/usr/bin/env bash
# Throwaway PKI for the fake API server, made with the openssl CLI.
# Usage: mkcerts.sh DIR
# Writes into DIR:
#   ca.crt ca.key            the cluster CA
#   server.crt server.key    SAN IP:127.0.0.1, DNS:localhost, signed by ca
#   client.crt client.key    CN=admin, O=system:masters, clientAuth, by ca
#   expired.crt expired.key  server cert whose validity ended in the past
#   wrongsan.crt wrongsan.key  server cert for DNS:wrong.example only
#   other-ca.crt other-ca.key, other-client.crt other-client.key
#                            a second CA and a client cert it signed
set -euo pipefail

dir="${1:?usage: mkcerts.sh DIR}"
mkdir -p "$dir"
cd "$dir"
umask 077

ossl() { openssl "$@" 2>/dev/null; }

ca() { # ca NAME CN
  ossl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" \
    -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() { # leaf NAME CA SUBJECT EXTFILE [x509 options...]
  local name="$1" ca="$2" subj="$3" ext="$4"
  shift 4
  ossl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj"
  ossl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial \
    -out "$name.crt" -extfile "$ext" "$@"
  rm -f "$name.csr"
}

ca ca fakeapi-test-ca
ca other-ca fakeapi-other-ca

cat >server.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF
cat >wrongsan.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:wrong.example
EOF
cat >client.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
EOF

leaf server ca "/CN=fakeapi" server.ext -days 2
leaf wrongsan ca "/CN=wrong.example" wrongsan.ext -days 2
leaf client ca "/O=system:masters/CN=admin" client.ext -days 2
leaf other-client other-ca "/O=system:masters/CN=intruder" client.ext -days 2

# Expired: validity in the past. `openssl x509 -req` has no -not_before in
# OpenSSL 3.0, so sign with `openssl ca` and explicit dates.
mkdir -p expired-ca
: >expired-ca/index.txt
echo 1000 >expired-ca/serial
cat >expired-ca/ca.cnf <<EOF
[ca]
default_ca = exp
[exp]
dir = $PWD/expired-ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $PWD/ca.crt
private_key = $PWD/ca.key
default_md = sha256
policy = anything
copy_extensions = none
[anything]
commonName = supplied
EOF
ossl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/CN=fakeapi-expired"
ossl ca -batch -config expired-ca/ca.cnf -in expired.csr -out expired.crt \
  -startdate 20200101000000Z -enddate 20200102000000Z -extfile server.ext -notext
rm -rf expired.csr expired-ca server.ext wrongsan.ext client.ext ./*.srl
chmod 644 ./*.crt
for f in ca.crt server.crt client.crt expired.crt wrongsan.crt other-client.crt; do
  [[ -s "$f" ]] || { echo "mkcerts: $f was not made" >&2; exit 1; }
done
