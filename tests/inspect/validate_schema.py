#!/usr/bin/env python3
"""Runs every svcid-inspect command with --json on files made here with the openssl CLI and on
the committed Java keystores, and validates each document against
docs/svcid-inspect.schema.json.

The validator implements the part of JSON Schema 2020-12 that the schema uses (type, const,
enum, required, properties, additionalProperties: false, items, oneOf, $ref into $defs), so
the test needs nothing beyond Python's standard library. It refuses a keyword it does not
know, so a schema edit cannot silently go unchecked."""
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

KNOWN = {"$schema", "$id", "title", "description", "$defs", "type", "const", "enum", "required",
         "properties", "additionalProperties", "items", "oneOf", "$ref"}
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def type_ok(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def validate(value, schema, root, path="$"):
    unknown = set(schema) - KNOWN
    if unknown:
        raise SystemExit(f"schema uses unsupported keywords {sorted(unknown)} at {path}")
    errors = []
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        errors += validate(value, target, root, path)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(type_ok(value, n) for n in names):
            return errors + [f"{path}: {json.dumps(value)[:60]} is not {names}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing {key}")
        properties = schema.get("properties", {})
        for key, member in value.items():
            if key in properties:
                errors += validate(member, properties[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected member {key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], root, f"{path}[{i}]")
    if "oneOf" in schema:
        passing = [s for s in schema["oneOf"] if not validate(value, s, root, path)]
        if len(passing) != 1:
            errors.append(f"{path}: matches {len(passing)} of the oneOf alternatives, not exactly one")
    return errors


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def tls_server(directory):
    """A TLS server on a free loopback port that presents rsa.pem; returns the port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(directory, "rsa.pem"), os.path.join(directory, "rsa.key"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        while True:
            connection, _ = listener.accept()
            try:
                with context.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def main():
    tool, schema_path = sys.argv[1], sys.argv[2]
    keystores = os.path.abspath(sys.argv[3])  # the committed Java keystores (scripts/gen_keystores.sh)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with tempfile.TemporaryDirectory() as d:
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.pem",
                "-subj", "/O=Example, Inc./CN=www.example.com", "-days", "30",
                "-addext", "subjectAltName=DNS:www.example.com,IP:192.0.2.1,URI:spiffe://td/w,email:a@example.com",
                "-addext", "authorityInfoAccess=OCSP;URI:http://ocsp.example.test",
                "-addext", "1.2.3.4.5=DER:04:01:00", cwd=d)
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ec.key",
                "-out", "ec.pem", "-subj", "/CN=legacy.example.com", "-days", "1", "-sha1", cwd=d)
        openssl("req", "-new", "-key", "rsa.key", "-subj", "/CN=csr.example.com", "-out", "rsa.csr",
                "-addext", "subjectAltName=DNS:csr.example.com", cwd=d)
        with open(os.path.join(d, "chain.pem"), "w") as f:
            f.write(open(os.path.join(d, "rsa.pem")).read() + open(os.path.join(d, "ec.pem")).read())
        openssl("crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7b", cwd=d)
        openssl("pkcs12", "-export", "-in", "rsa.pem", "-inkey", "rsa.key", "-out", "rsa.p12", "-passout", "pass:", cwd=d)
        with open(os.path.join(d, "bad.pem"), "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
        keystores = os.path.abspath(sys.argv[3])
        store_pw = os.path.join(keystores, "password.txt")
        server = f"127.0.0.1:{tls_server(d)}"
        runs = [
            ["fetch", server, "--name", "www.example.com", "--ca-file", "rsa.pem"],
            ["fetch", server, "--ca-file", "ec.pem"],
            ["cert", "rsa.pem", "ec.pem"],
            ["cert", "rsa.pem", "bad.pem"],
            ["csr", "rsa.csr"],
            ["match", "rsa.pem", "www.example.com", "192.0.2.1", "spiffe://td/w", "a@example.com", "nope.test"],
            ["match", "rsa.csr", "csr.example.com"],
            ["keymatch", "rsa.pem", "rsa.key", "rsa.csr"],
            ["keymatch", "rsa.pem", "ec.key"],
            ["cert", "chain.p7b", "rsa.p12"],
            ["keymatch", "rsa.pem", "rsa.p12"],
            ["cert", os.path.join(keystores, "store.jks")],
            ["cert", os.path.join(keystores, "store.jceks"), "--password-file", store_pw],
            ["keymatch", os.path.join(keystores, "rsa.pem"), os.path.join(keystores, "store.jks"), "--alias", "rsa-server"],
            ["keymatch", os.path.join(keystores, "rsa.pem"), os.path.join(keystores, "store.jceks"),
             "--alias", "rsa-server", "--password-file", store_pw],
        ]
        failures = 0
        for args in runs:
            r = subprocess.run([tool, "--json", *args], cwd=d, capture_output=True, text=True)
            if r.returncode not in (0, 1, 2) or not r.stdout:
                print(f"FAIL {args}: exit {r.returncode}, stderr {r.stderr}")
                failures += 1
                continue
            errors = validate(json.loads(r.stdout), schema, schema)
            print(("ok  " if not errors else "FAIL") + f" {' '.join(args)}")
            for e in errors:
                print("    " + e)
            failures += bool(errors)
        # The validator itself must refuse a document that breaks the schema.
        broken = json.loads(subprocess.run([tool, "--json", "cert", "rsa.pem"], cwd=d, capture_output=True,
                                           text=True).stdout)
        broken[0]["schema"] = "svcid-inspect/0"
        if not validate(broken, schema, schema):
            print("FAIL the validator accepted a document with the wrong schema name")
            failures += 1
    print(f"{failures} failure(s) in {len(runs)} documents and the validator self-check")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
