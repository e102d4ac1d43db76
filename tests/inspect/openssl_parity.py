#!/usr/bin/env python3
"""svcid-inspect's decode against openssl's, field by field, on a corpus made here with the
openssl CLI: RSA 2048/4096, RSA-PSS, P-256, P-384, Ed25519, Ed448, a Let's-Encrypt-shaped
leaf (AIA, CRL distribution point, certificate policies, an embedded SCT list), a 120-name
certificate, an IP-only one, a SPIFFE SVID, a CSR with attributes and extensions, PKCS #12
with and without a password, a PKCS #7 chain, and the system's CA bundle.

For each certificate: version, serial, subject and issuer (RFC 2253), validity, key type,
size and curve, RSA modulus and exponent, signature algorithm, SHA-256 and SHA-1
fingerprints, and every extension in order (name, criticality, each line openssl prints of
its value). Exits 1 listing every disagreement."""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

INSPECT = sys.argv[1]
BUNDLE = sys.argv[2] if len(sys.argv) > 2 else "/etc/ssl/certs/ca-certificates.crt"
problems = []
compared = {"certificates": 0, "fields": 0}


def run(*args, data=None):
    r = subprocess.run(list(args), input=data, capture_output=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {r.stderr.decode(errors='replace')}")
    return r.stdout.decode("utf-8", errors="replace")


def same(where, what, ours, theirs):
    compared["fields"] += 1
    if ours != theirs:
        problems.append(f"{where}: {what}: svcid-inspect {ours!r}, openssl {theirs!r}")


def openssl_view(pem):
    """What openssl says of one certificate."""
    view = {}
    text = run("openssl", "x509", "-noout", "-text", "-nameopt", "RFC2253", data=pem)
    # svcid-inspect shows names in RFC 2253 form with UTF-8 left readable, which is openssl's
    # RFC2253 without esc_msb (its default turns every non-ASCII octet into \XX).
    for line in run("openssl", "x509", "-noout", "-serial", "-subject", "-issuer", "-dates", "-nameopt",
                    "RFC2253,-esc_msb", data=pem).splitlines():
        key, _, value = line.partition("=")
        view[key] = value
    view["sha256"] = run("openssl", "x509", "-noout", "-fingerprint", "-sha256", data=pem).split("=", 1)[1].strip()
    view["sha1"] = run("openssl", "x509", "-noout", "-fingerprint", "-sha1", data=pem).split("=", 1)[1].strip()
    view["version"] = int(re.search(r"Version: (\d+)", text).group(1))
    view["signature"] = re.search(r"Signature Algorithm: (\S+)", text).group(1)
    view["key_algorithm"] = re.search(r"Public Key Algorithm: (\S+)", text).group(1)
    bits = re.search(r"Public-Key: \((\d+) bit\)", text)
    view["bits"] = int(bits.group(1)) if bits else None
    # The curve's OpenSSL short name, as svcid-inspect gives it (openssl adds the NIST alias).
    curve = re.search(r"ASN1 OID: (\S+)", text)
    view["curve"] = curve.group(1) if curve else None
    exponent = re.search(r"Exponent: (\d+)", text)
    view["exponent"] = exponent.group(1) if exponent else None
    if view["key_algorithm"] in ("rsaEncryption", "rsassaPss"):
        view["modulus"] = run("openssl", "x509", "-noout", "-modulus", data=pem).split("=", 1)[1].strip()
    # Extensions: a header at 12 spaces ("X509v3 Key Usage: critical"), its value below, deeper.
    view["extensions"] = []
    section = text.split("X509v3 extensions:\n", 1)
    if len(section) == 2:
        for line in section[1].splitlines():
            if line.startswith("    Signature Algorithm:") or not line.startswith("            "):
                break
            if not line.startswith("                "):
                name, _, flag = line.strip().rpartition(":")
                view["extensions"].append({"name": name, "critical": flag.strip() == "critical", "lines": []})
            else:
                view["extensions"][-1]["lines"].append(line.strip())
    return view


def iso(openssl_date):
    return datetime.datetime.strptime(openssl_date, "%b %d %H:%M:%S %Y GMT").strftime("%Y-%m-%dT%H:%M:%SZ")


def compare(where, ours, pem):
    v = openssl_view(pem)
    compared["certificates"] += 1
    same(where, "version", ours["version"], v["version"])
    same(where, "serial", int(ours["serial"].replace(":", ""), 16), int(v["serial"], 16))
    same(where, "subject", ours["subject"], v["subject"])
    same(where, "issuer", ours["issuer"], v["issuer"])
    same(where, "not_before", ours["not_before"], iso(v["notBefore"]))
    same(where, "not_after", ours["not_after"], iso(v["notAfter"]))
    same(where, "sha256", ours["sha256_fingerprint"], v["sha256"].lower())
    same(where, "sha1", ours["sha1_fingerprint"], v["sha1"].lower())
    same(where, "signature algorithm", ours["signature_algorithm"], v["signature"])
    key = ours["public_key"]
    if v["bits"] is not None:
        same(where, "key bits", key["bits"], v["bits"])
    expected_type = {"rsaEncryption": "RSA", "rsassaPss": "RSA-PSS", "id-ecPublicKey": "EC", "ED25519": "Ed25519",
                     "ED448": "Ed448"}.get(v["key_algorithm"], v["key_algorithm"])
    same(where, "key type", key["type"], expected_type)
    if v["curve"] is not None:
        same(where, "curve", key["curve"], v["curve"])
    if "modulus" in v:
        same(where, "RSA modulus", key["rsa_modulus"], v["modulus"])
        same(where, "RSA exponent", key["rsa_exponent"], v["exponent"])
    ours_ext = ours["extensions"]
    same(where, "extension count", len(ours_ext), len(v["extensions"]))
    for mine, theirs in zip(ours_ext, v["extensions"]):
        label = f"extension {theirs['name']}"
        # openssl names an extension it does not know by its OID alone.
        same(where, label + " name", mine["name"] if mine["name"] else mine["oid"], theirs["name"])
        same(where, label + " critical", mine["critical"], theirs["critical"])
        if "text" not in mine:
            # An extension neither knows: svcid-inspect gives its DER in hex, openssl the
            # octets as characters; the hex is checked by inspect.cpp.
            continue
        text = " ".join(mine["text"].split())
        for line in theirs["lines"]:
            compared["fields"] += 1
            if " ".join(line.split()) not in text:
                problems.append(f"{where}: {label}: openssl's line {line!r} is not in svcid-inspect's {mine['text']!r}")


def inspect_json(*args):
    r = subprocess.run([INSPECT, "--json", *args], capture_output=True)
    if r.returncode not in (0, 1):
        raise SystemExit(f"svcid-inspect {' '.join(args)} exited {r.returncode}: {r.stderr.decode(errors='replace')}")
    return json.loads(r.stdout)


def pem_blocks(text):
    return re.findall(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----\n", text, re.S)


def check_file(where, path, pems, *extra):
    docs = inspect_json("cert", path, *extra)
    certs = docs[0]["certificates"]
    same(where, "certificates in the file", len(certs), len(pems))
    for i, (ours, pem) in enumerate(zip(certs, pems)):
        compare(f"{where}[{i}]", ours, pem.encode())


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            "ca.key", "-out", "ca.pem", "-subj", "/C=DE/O=Parity Test CA, Inc./CN=Parity Root", "-days", "30")
        with open("ext.cnf", "w") as f:
            # An SCT list of one well-formed SCT (RFC 6962 §3.3; fake log ID and signature).
            sct = bytes([0]) + bytes(range(32)) + (1700000000000).to_bytes(8, "big") + b"\x00\x00" + b"\x04\x03" + \
                  (8).to_bytes(2, "big") + b"\x30\x06\x02\x01\x01\x02\x01\x01"
            sct_list = len(sct).to_bytes(2, "big") + sct
            sct_list = len(sct_list).to_bytes(2, "big") + sct_list
            octets = b"\x04" + bytes([len(sct_list)]) + sct_list
            names = ",".join(f"DNS:n{i}.parity.example" for i in range(120))
            f.write(f"""[le]
subjectAltName = DNS:le.parity.example,DNS:www.le.parity.example
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
basicConstraints = critical,CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://ocsp.parity.example,caIssuers;URI:http://ca.parity.example/ca.der
crlDistributionPoints = URI:http://crl.parity.example/ca.crl
certificatePolicies = 2.23.140.1.2.1,1.3.6.1.4.1.44947.1.1.1
1.3.6.1.4.1.11129.2.4.2 = DER:{octets.hex()}
[many]
subjectAltName = {names}
[ip]
subjectAltName = IP:192.0.2.7,IP:2001:db8::7
[svid]
subjectAltName = URI:spiffe://parity.example/ns/prod/sa/api
[req_attrs]
challengePassword = a secret
unstructuredName = parity device
""")
        keys = {
            "rsa2048": ["-newkey", "rsa:2048"], "rsa4096": ["-newkey", "rsa:4096"],
            "rsapss": ["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"],
            "p256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "p384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            "ed25519": ["-newkey", "ed25519"], "ed448": ["-newkey", "ed448"],
        }
        for name, key_args in keys.items():
            run("openssl", "req", "-new", *key_args, "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj",
                f"/CN={name}.parity.example/O=M\u00fcller & S\u00f6hne, Ltd.")
            section = {"rsa2048": "le", "p256": "many", "p384": "ip", "ed25519": "svid"}.get(name, "le")
            run("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "10", "-extfile", "ext.cnf", "-extensions", section, "-out", f"{name}.pem")
            with open(f"{name}.pem") as f:
                check_file(name, f"{name}.pem", pem_blocks(f.read()))

        # A CSR with attributes and requested extensions, against openssl req -text.
        run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            "r.key", "-out", "r.csr", "-subj", "/CN=req.parity.example", "-addext",
            "subjectAltName=DNS:req.parity.example,IP:192.0.2.9", "-addext", "keyUsage=critical,digitalSignature")
        req_text = run("openssl", "req", "-in", "r.csr", "-noout", "-text", "-nameopt", "RFC2253,-esc_msb")
        req = inspect_json("csr", "r.csr")[0]["requests"][0]
        compared["certificates"] += 1
        same("r.csr", "subject", req["subject"], re.search(r"Subject: (.*)", req_text).group(1).strip())
        same("r.csr", "signature algorithm", req["signature_algorithm"],
             re.search(r"Signature Algorithm: (\S+)", req_text).group(1))
        same("r.csr", "signature valid", req["signature_valid"], True)
        same("r.csr", "requested SAN entries", req["san_entries"], 2)

        # PKCS #12 with and without a password, and a PKCS #7 chain: the certificates inside.
        with open("chain.pem", "w") as out:
            for name in ("rsa2048", "p256"):
                out.write(open(f"{name}.pem").read())
            out.write(open("ca.pem").read())
        chain = pem_blocks(open("chain.pem").read())
        with open("password.txt", "w") as f:
            f.write("parity\n")
        run("openssl", "pkcs12", "-export", "-in", "rsa2048.pem", "-inkey", "rsa2048.key", "-certfile", "ca.pem",
            "-passout", "pass:parity", "-out", "protected.p12")
        run("openssl", "pkcs12", "-export", "-in", "p256.pem", "-inkey", "p256.key", "-passout", "pass:",
            "-out", "open.p12")
        for name, extra in (("protected.p12", ["--password-file", "password.txt"]), ("open.p12", [])):
            password = "pass:parity" if extra else "pass:"
            pems = pem_blocks(run("openssl", "pkcs12", "-in", name, "-nokeys", "-passin", password))
            docs = inspect_json("cert", name, *extra)[0]["certificates"]
            same(name, "certificates", len(docs), len(pems))
            by_fingerprint = {d["sha256_fingerprint"]: d for d in docs}
            for i, pem in enumerate(pems):
                fp = run("openssl", "x509", "-noout", "-fingerprint", "-sha256", data=pem.encode()).split("=", 1)[1]
                ours = by_fingerprint.get(fp.strip().lower())
                if ours is None:
                    problems.append(f"{name}[{i}]: openssl's certificate {fp.strip()} is not in svcid-inspect's output")
                    continue
                compare(f"{name}[{i}]", ours, pem.encode())
        run("openssl", "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7b")
        p7_pems = pem_blocks(run("openssl", "pkcs7", "-in", "chain.p7b", "-print_certs"))
        same("chain.p7b", "certificates", len(p7_pems), len(chain))
        check_file("chain.p7b", "chain.p7b", p7_pems)

        # The system's CA bundle, certificate by certificate.
        bundle = pem_blocks(open(BUNDLE).read())
        check_file("ca bundle", BUNDLE, bundle)

    print(f"openssl parity: {compared['certificates']} certificates, {compared['fields']} fields compared, "
          f"{len(problems)} disagreements")
    for p in problems[:200]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
