"""docs/inspect.md's comparison table: every row says "yes" for svcid-inspect and is exercised
by a test named here, or says "no" and is one of the rows named as not done.

Usage: feature_table.py DOCS_INSPECT_MD TESTS_INSPECT_DIR
"""
import os
import sys

from checklist import Checklist

DOC, TESTS = sys.argv[1], sys.argv[2]

# Each row's evidence: a file under tests/inspect and a text it must hold (a TEST_CASE's name
# or the check that exercises the row).
EVIDENCE = {
    "decode a PEM or DER certificate": [("inspect.cpp", 'TEST_CASE("cert reads DER as well as PEM")')],
    "decode a CSR and check its self-signature": [
        ("inspect.cpp", 'TEST_CASE("csr shows the requested identities and that the self-signature verifies'),
        ("inspect.cpp", 'TEST_CASE("csr says when the self-signature does not verify")')],
    "every certificate of a chain file": [("inspect.cpp", 'TEST_CASE("cert shows every certificate of a chain file')],
    "PKCS #7 certificate bundles": [("inspect.cpp", 'TEST_CASE("cert reads a PKCS #7 certificate bundle'),
                                    ("openssl_parity.py", 'compare_file("pkcs7"')],
    "PKCS #12 files, with or without a password": [
        ("inspect.cpp", 'TEST_CASE("cert and keymatch read PKCS #12 (RFC 7292) with and without a password'),
        ("openssl_parity.py", 'compare_file("pkcs12 (no password)"')],
    "every extension, unknown ones as hex": [("openssl_parity.py", 'value as hex")')],
    "RSA, RSA-PSS, EC, Ed25519 and Ed448 keys": [("openssl_parity.py", '"rsapss": key(')],
    "key match: certificate, CSR and private key": [
        ("inspect.cpp", 'TEST_CASE("keymatch finds the same public key in a certificate, its CSR and its private key')],
    "key match of any number of files at once": [
        ("inspect.cpp", 'inspect({"--json", "keymatch", cert_file, csr_file, key_file})')],
    "encrypted private keys (PKCS #8 and traditional)": [
        ("inspect.cpp", 'TEST_CASE("keymatch decrypts a password-protected key with --password-file')],
    "identifiers classified as RFC 6125/9525 name them": [
        ("inspect.cpp", 'TEST_CASE("cert classifies every presented identifier per RFC 9525')],
    "name check against a reference identity": [
        ("inspect.cpp", 'TEST_CASE("match exits 0 when every reference matches')],
    "why a name does not match": [("inspect.cpp", 'TEST_CASE("match exits 1 and says why with svcid::explain')],
    "lints (weak signature, small key, expired, ...)": [("inspect.cpp", 'TEST_CASE("lints: SHA-1 signature')],
    "JSON output": [("inspect.cpp", 'TEST_CASE("cert --json gives the same facts as valid JSON")')],
    "a published JSON Schema for that output": [("validate_schema.py", "svcid-inspect.schema.json")],
    "runs on your machine, offline": [("serve_guards.py", 'listens on 127.0.0.1 only')],
    "never needs a private key sent to a third party": [("serve_guards.py", 'b"PRIVATE KEY-----" not in body')],
    "JCEKS / JKS keystores": [
        ("inspect.cpp", 'TEST_CASE("cert reads JKS and JCEKS keystores: every entry with its alias and date'),
        ("inspect.cpp", 'TEST_CASE("keymatch pairs a keystore\'s decrypted key with its certificate'),
        ("inspect.cpp", 'TEST_CASE("a keystore with a wrong password exits 2 (integrity check failed)')],
    "fetch a server's certificate chain": [
        ("inspect.cpp", 'TEST_CASE("fetch shows the chain the server presented, leaf first'),
        ("inspect.cpp", 'TEST_CASE("fetch exits 1 with the verify error when the chain does not lead to a trusted CA")'),
        ("validate_schema.py", '["fetch", server,')],
}


# Rows the other tools have and svcid-inspect does not yet: they must say "no", not be left out.
NOT_DONE = {}


def table_rows(text):
    lines = text.splitlines()
    start = lines.index("## Compared with other tools")
    rows = []
    for line in lines[start:]:
        if line.startswith("## ") and rows:
            break
        if line.startswith("| ") and not line.startswith("| feature") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows.append(cells)
    return rows


def main():
    check = Checklist()
    with open(DOC, encoding="utf-8") as f:
        rows = table_rows(f.read())
    check(len(rows) == len(EVIDENCE) + len(NOT_DONE),
          f"the table has {len(rows)} rows, the evidence and the not-done list name {len(EVIDENCE) + len(NOT_DONE)}")
    for cells in rows:
        feature = cells[0]
        check(len(cells) == 7, f"{feature}: a cell for each of the six tools")
        if feature in NOT_DONE:
            check(cells[1] == "no", f"{feature}: svcid-inspect says no ({NOT_DONE[feature]})")
            continue
        check(cells[1] == "yes", f"{feature}: svcid-inspect says yes")
        evidence = EVIDENCE.get(feature)
        check(evidence is not None, f"{feature}: a test is named for it")
        for name, text in evidence or []:
            with open(os.path.join(TESTS, name), encoding="utf-8") as f:
                check(text in f.read(), f"{feature}: {name} holds {text[:60]}")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
