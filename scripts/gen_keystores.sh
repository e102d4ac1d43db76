#!/usr/bin/env bash
# Makes the Java keystores svcid-inspect's keystore tests read (tests/data/keystores), with
# Java's keytool from keys and certificates OpenSSL makes, and keeps the PEM originals beside
# them so the tests can compare fingerprints and keys without Java (CI has none).
#
#   scripts/gen_keystores.sh [OUT_DIR]      (default tests/data/keystores)
#
# Each store (store.jks, store.jceks) holds three entries:
#   rsa-server    a private key (RSA 2048) with a two-certificate chain: leaf, then the CA
#   ec-server     a private key (EC P-256) with its one self-signed certificate
#   example-root  a trusted-certificate entry: the CA
# Both are written with the store password in password.txt, which is also each key's
# password (keytool -importkeystore keeps the source password for the keys). store-v1.jks
# and store-v1.jceks are the same stores in the older version 1 layout (below).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/tests/data/keystores}
password=changeit
days=36500  # the tests must not start failing on a date
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days "$days" \
  -subj "/O=svcid test/CN=Keystore Test Root CA" \
  -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr \
  -subj "/CN=rsa.keystore.example" 2>/dev/null
openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days "$days" -out rsa.pem \
  -extfile <(printf 'subjectAltName=DNS:rsa.keystore.example\nbasicConstraints=CA:false\n') 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.pem -days "$days" \
  -subj "/CN=ec.keystore.example" -addext subjectAltName=DNS:ec.keystore.example 2>/dev/null

openssl pkcs12 -export -in rsa.pem -certfile ca.pem -inkey rsa.key -name rsa-server -out rsa.p12 \
  -passout "pass:$password"
openssl pkcs12 -export -in ec.pem -inkey ec.key -name ec-server -out ec.p12 -passout "pass:$password"

for type in JKS JCEKS; do
  store=store.$(echo "$type" | tr 'A-Z' 'a-z')
  rm -f "$store"
  for p12 in rsa.p12 ec.p12; do
    keytool -importkeystore -noprompt -srckeystore "$p12" -srcstoretype PKCS12 -srcstorepass "$password" \
      -destkeystore "$store" -deststoretype "$type" -deststorepass "$password" 2>/dev/null >/dev/null
  done
  keytool -importcert -noprompt -alias example-root -file ca.pem -keystore "$store" -storetype "$type" \
    -storepass "$password" >/dev/null 2>&1
  keytool -list -keystore "$store" -storetype "$type" -storepass "$password" >/dev/null 2>&1
  cp "$store" "$out/"
done
# keytool writes version 2 only; version 1 (JDK 1.1's, no certificate type names, which the
# JDK still reads for both formats) is derived from each store: the same entries with each
# "X.509" name dropped, the version set to 1, and the integrity digest computed again.
for type in jks jceks; do
python3 - "$password" "store.$type" "$out/store-v1.$type" <<'PY'
import hashlib, struct, sys
password, source, target = sys.argv[1], open(sys.argv[2], "rb").read(), sys.argv[3]
body, at = bytearray(source[:12]), 12
body[4:8] = struct.pack(">I", 1)
def take(n):
    global at
    at += n
    return source[at - n:at]
def certificate():
    take(2 + struct.unpack(">H", source[at:at + 2])[0])  # the type name, which version 1 has not
    length = take(4)
    body.extend(length + take(struct.unpack(">I", length)[0]))
for _ in range(struct.unpack(">I", source[8:12])[0]):
    tag = take(4)
    alias_length = take(2)
    body.extend(tag + alias_length + take(struct.unpack(">H", alias_length)[0]) + take(8))
    if struct.unpack(">I", tag)[0] == 1:
        key_length = take(4)
        body.extend(key_length + take(struct.unpack(">I", key_length)[0]))
        chain = take(4)
        body.extend(chain)
        for _ in range(struct.unpack(">I", chain)[0]):
            certificate()
    else:
        certificate()
digest = hashlib.sha1(password.encode("utf-16-be") + b"Mighty Aphrodite" + bytes(body)).digest()
open(target, "wb").write(bytes(body) + digest)
PY
# keytool checks the digest as it reads: a derived store it lists is one Java accepts.
keytool -list -keystore "$out/store-v1.$type" -storetype "$type" -storepass "$password" >/dev/null 2>&1
done

# The PKCS #8 forms of the keys, to compare what the keystore decrypts against.
openssl pkey -in rsa.key -out "$out/rsa.key"
openssl pkey -in ec.key -out "$out/ec.key"
cp ca.pem rsa.pem ec.pem "$out/"
printf '%s\n' "$password" > "$out/password.txt"
echo "wrong-$password" > "$out/wrong-password.txt"
echo "wrote $(cd "$out" && ls | tr '\n' ' ')to $out"
