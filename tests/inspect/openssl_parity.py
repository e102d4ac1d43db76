"""svcid-inspect's decode against `openssl x509/req -text -noout`, field by field.

Usage: openssl_parity.py SVCID_INSPECT [CA_BUNDLE]

The corpus is made here with the openssl command line: RSA 2048/4096, P-256/P-384, Ed25519,
Ed448 and RSA-PSS keys; a leaf shaped like a Let's Encrypt one (AIA, CRL distribution points,
certificatePolicies, an embedded SCT list with fake but well-formed SCTs, TLS feature), a
120-name certificate, an IP-only one, a SPIFFE SVID, a CA with name constraints and an unknown
extension, a CSR with attributes and extensions, PKCS #12 with and without a password (against
`openssl pkcs12 -nokeys`), a PKCS #7 chain (against `openssl pkcs7 -print_certs`), and the CA
bundle when it exists. Every field svcid-inspect --json reports is compared with what openssl
prints for the same certificate.
"""
import base64
import datetime
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

from checklist import Checklist

INSPECT = os.path.abspath(sys.argv[1])
BUNDLE = sys.argv[2] if len(sys.argv) > 2 else "/etc/ssl/certs/ca-certificates.crt"
check = Checklist()


def run(*args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, check=True).stdout


def openssl(*args, stdin=None):
    return run("openssl", *args, stdin=stdin)


def pem_blocks(text):
    return re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?", text, re.S)


# --- openssl's text, read back into fields --------------------------------------------------

def field(lines, label):
    """The text after 'label:' on its line, or, when that is empty, the next line."""
    for i, line in enumerate(lines):
        # 'Not After :' and the CSR attributes pad the label before the colon.
        found = re.match(re.escape(label) + r"\s*:(.*)", line.strip())
        if found:
            rest = found.group(1).strip()
            return rest if rest else lines[i + 1].strip()
    return None


def block(lines, label):
    """The lines indented under 'label:' (a modulus, a serial)."""
    for i, line in enumerate(lines):
        if line.strip() == label + ":":
            indent = len(line) - len(line.lstrip())
            out = []
            for follow in lines[i + 1:]:
                if len(follow) - len(follow.lstrip()) <= indent:
                    break
                out.append(follow.strip())
            return out
    return []


def extensions(lines):
    """[(name, critical, value text)] from the X509v3 extensions / Requested Extensions block."""
    start = next((i for i, l in enumerate(lines)
                  if l.strip() in ("X509v3 extensions:", "Requested Extensions:")), None)
    if start is None:
        return []
    outer = len(lines[start]) - len(lines[start].lstrip())
    header = None
    result = []
    for line in lines[start + 1:]:
        if not line.strip():  # ext_dump ends each hex dump with an empty line
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= outer:
            break
        if header is None:
            header = indent
        if indent == header:
            name, _, flag = line.strip().rpartition(":")
            result.append([name, flag.strip() == "critical", []])
        else:
            result[-1][2].append(line.strip())
    return result


def unescape_name(text):
    """openssl's oneline names escape each UTF-8 octet as \\XX (esc_msb); svcid-inspect shows the
    characters. Both are the same name: undo the escapes before comparing."""
    if text is None:
        return ""
    raw = re.sub(rb"\\([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), text.encode())
    return raw.decode("utf-8")


def openssl_time(text):
    return datetime.datetime.strptime(" ".join(text.split()), "%b %d %H:%M:%S %Y GMT").strftime("%Y-%m-%dT%H:%M:%SZ")


# OpenSSL's names for the key algorithm, and the ones svcid-inspect reports.
KEY_TYPES = {"rsaEncryption": "RSA", "id-ecPublicKey": "EC", "ED25519": "Ed25519", "ED448": "Ed448",
             "rsassaPss": "RSA-PSS"}


def hex_bytes(text):
    return re.sub(r"[^0-9a-f]", "", text.lower())


def compare_key(label, ours, lines):
    algorithm = field(lines, "Public Key Algorithm")
    check(ours["type"] == KEY_TYPES.get(algorithm, algorithm), f"{label}: key type {ours['type']} ({algorithm})")
    bits = re.search(r"\((\d+) bit\)", "\n".join(lines))
    if bits is None and algorithm in ("ED25519", "ED448"):
        # openssl prints no size for an EdDSA key; its size is that of the encoded point it prints.
        bits = 8 * len(hex_bytes("".join(block(lines, "pub")))) // 2
    else:
        bits = int(bits.group(1)) if bits else None
    check(ours["bits"] == bits, f"{label}: key bits {ours['bits']} ({bits})")
    curve = field(lines, "ASN1 OID")
    check(ours["curve"] == curve, f"{label}: curve {ours['curve']} ({curve})")
    if ours["type"] in ("RSA", "RSA-PSS"):
        modulus = hex_bytes("".join(block(lines, "Modulus"))).lstrip("0")
        check(ours["rsa_modulus"].lower() == modulus, f"{label}: RSA modulus")
        exponent = field(lines, "Exponent").split()[0]
        check(ours["rsa_exponent"] == exponent, f"{label}: RSA exponent {exponent}")


def compare_extensions(label, ours, lines):
    theirs = extensions(lines)
    check(len(ours) == len(theirs), f"{label}: {len(theirs)} extensions")
    for mine, (name, critical, value) in zip(ours, theirs):
        # openssl names an extension it has no name for by its dotted OID.
        check(name in (mine["name"], mine["oid"]), f"{label}: extension {mine['oid']} is {name}")
        check(mine["critical"] == critical, f"{label}: {name} critical={critical}")
        if "text" in mine:
            # svcid-inspect keeps OpenSSL's line breaks; openssl's indentation is layout only.
            check(mine["text"].split() == " ".join(value).split(), f"{label}: {name} value")
        else:
            # -certopt ext_dump prints an unknown value as 'offset - hex bytes   ascii' lines.
            dumped = "".join(re.sub(r"^[0-9a-f]{4} - ", "", v).split("   ")[0] for v in value)
            check(hex_bytes(mine["value_hex"]) == hex_bytes(dumped), f"{label}: {name} value as hex")
        if mine["oid"] == "1.3.6.1.4.1.11129.2.4.2":
            scts = sum(v == "Signed Certificate Timestamp:" for v in value)
            check(mine.get("text", "").count("Signed Certificate Timestamp:") == scts and scts > 0,
                  f"{label}: {scts} SCTs")


def compare_certificate(label, ours, pem):
    # One openssl run for the text and the SHA-256 fingerprint: the CA bundle alone needs ~140.
    lines = openssl("x509", "-text", "-noout", "-certopt", "ext_dump", "-fingerprint", "-sha256",
                    stdin=pem).decode().splitlines()
    version = field(lines, "Version").split()[0]
    check(str(ours["version"]) == version, f"{label}: version {version}")
    serial = field(lines, "Serial Number")
    if "(" in serial:  # a short serial is printed in decimal and hex: '4096 (0x1000)'
        serial = format(int(serial.split()[0]), "x")
    check(hex_bytes(ours["serial"]).lstrip("0") == hex_bytes(serial.replace("(Negative)", "")).lstrip("0"),
          f"{label}: serial {serial}")
    check(ours["issuer_oneline"] == unescape_name(field(lines, "Issuer")), f"{label}: issuer")
    check(ours["subject_oneline"] == unescape_name(field(lines, "Subject")), f"{label}: subject")
    check(ours["not_before"] == openssl_time(field(lines, "Not Before")), f"{label}: not before")
    check(ours["not_after"] == openssl_time(field(lines, "Not After")), f"{label}: not after")
    check(ours["signature_algorithm"] == field(lines, "Signature Algorithm"), f"{label}: signature algorithm")
    compare_key(label, ours["public_key"], lines)
    compare_extensions(label, ours["extensions"], lines)
    san = [value for name, _, value in extensions(lines) if name == "X509v3 Subject Alternative Name"]
    if san:
        # openssl joins the GeneralNames with ", "; the corpus and the bundle put no comma in one.
        entries = len(" ".join(san[0]).split(", "))
        check(ours["san_entries"] == entries, f"{label}: {entries} SAN entries")
    # The RFC 2253 forms: svcid-inspect leaves UTF-8 readable, which is openssl's RFC2253 without esc_msb.
    more = dict(line.split("=", 1) for line in openssl(
        "x509", "-noout", "-fingerprint", "-sha1", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb",
        stdin=pem).decode().splitlines())
    check(ours["subject"] == more["subject"], f"{label}: subject (RFC 2253)")
    check(ours["issuer"] == more["issuer"], f"{label}: issuer (RFC 2253)")
    sha256 = next(line for line in lines if line.startswith("sha256 Fingerprint="))
    for digest, value in (("sha1", more["sha1 Fingerprint"]), ("sha256", sha256.split("=", 1)[1])):
        check(ours[digest + "_fingerprint"].upper() == value, f"{label}: {digest} fingerprint")


def inspect(*args):
    out = subprocess.run((INSPECT, "--json") + args, capture_output=True)
    if out.returncode == 2:
        raise RuntimeError(f"svcid-inspect {args}: {out.stderr.decode()}")
    return json.loads(out.stdout)


def compare_file(label, path, expected_pems, *extra):
    documents = inspect("cert", path, *extra)
    certificates = [c for d in documents for c in d["certificates"]]
    check(len(certificates) == len(expected_pems), f"{label}: {len(expected_pems)} certificates")
    for n, (ours, pem) in enumerate(zip(certificates, expected_pems)):
        compare_certificate(f"{label}[{n}]" if len(expected_pems) > 1 else label, ours, pem)


# --- the corpus -------------------------------------------------------------------------------

def sct(log_byte):
    """One SCT v1 (RFC 6962 section 3.2): fake log id and signature, well-formed structure."""
    body = bytes([0]) + bytes([log_byte]) * 32 + struct.pack(">Q", 1_700_000_000_000) + b"\x00\x00"
    signature = b"\x04\x03" + struct.pack(">H", 8) + b"\x30\x06\x02\x01\x01\x02\x01\x01"
    return body + signature


def sct_list_hex(count):
    entries = b"".join(struct.pack(">H", len(s)) + s for s in (sct(i + 1) for i in range(count)))
    inner = struct.pack(">H", len(entries)) + entries
    return (bytes([0x04, len(inner)]) + inner).hex()  # the OCTET STRING the extension wraps


def main():
    work = tempfile.mkdtemp(prefix="svcid-parity-")
    os.chdir(work)

    def key(name, *args):
        openssl("genpkey", "-out", name, *args)
        return name

    keys = {
        "rsa2048": key("rsa2048.key", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
        "rsa4096": key("rsa4096.key", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"),
        "p256": key("p256.key", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"),
        "p384": key("p384.key", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"),
        "ed25519": key("ed25519.key", "-algorithm", "ED25519"),
        "ed448": key("ed448.key", "-algorithm", "ED448"),
        "rsapss": key("rsapss.key", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"),
    }
    openssl("req", "-x509", "-new", "-key", keys["p384"], "-subj", "/C=US/O=Parity CA/CN=Parity Root",
            "-days", "3650", "-out", "ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE,pathlen:1",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-addext", "nameConstraints=critical,permitted;DNS:.example,permitted;IP:192.0.2.0/255.255.255.0,excluded;DNS:bad.example",
            "-addext", "1.3.6.1.4.1.55555.1=DER:04:03:01:02:03")

    names = ",".join(f"DNS:host{i}.example" for i in range(120))
    leaves = {
        "le-shaped": (keys["p256"], "/CN=www.example", [
            "subjectAltName=DNS:www.example,DNS:example",
            "keyUsage=critical,digitalSignature",
            "extendedKeyUsage=serverAuth,clientAuth",
            "basicConstraints=critical,CA:FALSE",
            "authorityInfoAccess=OCSP;URI:http://o.example/,caIssuers;URI:http://i.example/ca.der",
            "crlDistributionPoints=URI:http://c.example/1.crl",
            "certificatePolicies=2.23.140.1.2.1,1.3.6.1.4.1.44947.1.1.1",
            "tlsfeature=status_request",
            "1.3.6.1.4.1.11129.2.4.2=DER:" + sct_list_hex(2)]),
        "120-names": (keys["rsa2048"], "/CN=host0.example", ["subjectAltName=" + names]),
        "ip-only": (keys["ed25519"], "/O=No Name", ["subjectAltName=critical,IP:192.0.2.7,IP:2001:db8::7"]),
        "spiffe": (keys["p256"], "/O=SPIRE", ["subjectAltName=critical,URI:spiffe://td.example/ns/prod/sa/web",
                                               "keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement",
                                               "extendedKeyUsage=serverAuth,clientAuth"]),
        "rsa4096": (keys["rsa4096"], "/CN=big.example/O=Caf\u00e9, S.A. & Fils", ["subjectAltName=DNS:big.example"]),
        "p384": (keys["p384"], "/CN=p384.example", ["subjectAltName=DNS:p384.example,email:ops@p384.example"]),
        "ed448": (keys["ed448"], "/CN=ed448.example", ["subjectAltName=DNS:ed448.example"]),
        "rsa-pss": (keys["rsapss"], "/CN=pss.example", ["subjectAltName=DNS:pss.example"]),
    }
    files = {}
    for name, (leaf_key, subject, exts) in leaves.items():
        openssl("req", "-new", "-key", leaf_key, "-subj", subject, "-utf8", "-out", name + ".csr")
        args = ["x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", keys["p384"], "-days", "90",
                "-set_serial", "0x1000" if name == "ip-only" else "0x" + os.urandom(16).hex(), "-out", name + ".pem"]
        with open(name + ".ext", "w") as f:
            f.write("\n".join(exts) + "\n")
        openssl(*args, "-extfile", name + ".ext")
        files[name] = name + ".pem"

    for name, path in files.items():
        with open(path, "rb") as f:
            compare_file(name, path, pem_blocks(f.read()))
    with open("ca.pem", "rb") as f:
        ca_pem = f.read()
    compare_file("ca", "ca.pem", [ca_pem])
    der = openssl("x509", "-in", "ca.pem", "-outform", "DER")
    with open("ca.der", "wb") as f:
        f.write(der)
    compare_file("ca (DER)", "ca.der", [ca_pem])

    # PKCS #7: openssl pkcs7 -print_certs lists the bundle's certificates in their order.
    openssl("crl2pkcs7", "-nocrl", "-certfile", files["le-shaped"], "-certfile", "ca.pem", "-out", "chain.p7b")
    compare_file("pkcs7", "chain.p7b", pem_blocks(openssl("pkcs7", "-in", "chain.p7b", "-print_certs")))

    # PKCS #12, with and without a password, against openssl pkcs12 -nokeys.
    with open("password", "w") as f:
        f.write("parity secret\n")
    openssl("pkcs12", "-export", "-in", files["spiffe"], "-inkey", keys["p256"], "-certfile", "ca.pem",
            "-passout", "pass:parity secret", "-out", "with.p12")
    openssl("pkcs12", "-export", "-in", files["rsa4096"], "-inkey", keys["rsa4096"], "-certfile", "ca.pem",
            "-keypbe", "NONE", "-certpbe", "NONE", "-nomaciter", "-passout", "pass:", "-out", "without.p12")
    compare_file("pkcs12 (password)", "with.p12",
                 pem_blocks(openssl("pkcs12", "-in", "with.p12", "-nokeys", "-passin", "pass:parity secret")),
                 "--password-file", "password")
    compare_file("pkcs12 (no password)", "without.p12",
                 pem_blocks(openssl("pkcs12", "-in", "without.p12", "-nokeys", "-passin", "pass:")))

    # A CSR with attributes and extensions, against openssl req -text.
    with open("csr.cnf", "w") as f:
        f.write("[req]\nprompt=no\ndistinguished_name=dn\nattributes=attrs\nreq_extensions=ext\n"
                "[dn]\nCN=csr.example\nO=Parity\n[attrs]\nchallengePassword=not a secret\n"
                "unstructuredName=Parity unit\n[ext]\nsubjectAltName=DNS:csr.example,IP:192.0.2.9\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "1.3.6.1.4.1.55555.2=DER:04:01:ff\n")
    openssl("req", "-new", "-key", keys["ed25519"], "-config", "csr.cnf", "-out", "attrs.csr")
    request = inspect("csr", "attrs.csr")[0]["requests"][0]
    lines = openssl("req", "-in", "attrs.csr", "-text", "-noout", "-reqopt", "ext_dump").decode().splitlines()
    check(str(request["version"]) == field(lines, "Version").split()[0], "csr: version")
    check(request["subject_oneline"] == field(lines, "Subject"), "csr: subject")
    check(request["signature_algorithm"] == field(lines, "Signature Algorithm"), "csr: signature algorithm")
    compare_key("csr", request["public_key"], lines)
    compare_extensions("csr", request["extensions"], lines)
    attributes = {a["name"]: a for a in request["attributes"]}
    for name in ("challengePassword", "unstructuredName"):
        printed = field(lines, name)
        values = attributes.get(name, {}).get("values", [])
        check([v.get("text") for v in values] == [printed], f"csr: attribute {name} = {printed}")
    check(request["signature_valid"] is True, "csr: self-signature verifies")

    # The system CA bundle: every certificate, in order.
    if os.path.exists(BUNDLE):
        started = time.monotonic()
        with open(BUNDLE, "rb") as f:
            pems = pem_blocks(f.read())
        compare_file("bundle", BUNDLE, pems)
        print(f"bundle: {len(pems)} certificates in {time.monotonic() - started:.1f} s")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
