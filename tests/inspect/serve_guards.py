#!/usr/bin/env python3
"""svcid-inspect serve's guards against other web pages on the same machine, tested on the real
server over real sockets: a foreign Host header (DNS rebinding), a missing or wrong token, an
oversized body, a cross-origin request; and, so that a server refusing everything cannot pass,
the same requests done right are answered, the answer validates against the JSON schema, and
a pasted private key appears nowhere in the answer or the server's output.

usage: serve_guards.py SVCID_INSPECT SCHEMA_JSON"""
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import Checklist  # noqa: E402
from validate_schema import validate  # noqa: E402

MAX_BODY = 1024 * 1024  # main.cpp's serve_max_body
check = Checklist()


def request(port, method, path, headers=None, body=None):
    """One request on a fresh connection, with exactly the headers given (Host included)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def raw_exchange(port, head, body_part=b""):
    """Sends a request head and part of a body, reads whatever the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(head + body_part)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        reply = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return reply


def no_cors(headers):
    return not any(k.startswith("access-control-") for k in headers)


def main():
    tool, schema_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", "leaf.key", "-out", "leaf.pem", "-subj", "/CN=www.example.com", "-days", "30",
                        "-addext", "subjectAltName=DNS:www.example.com"], cwd=d, check=True, capture_output=True)
        cert = open(os.path.join(d, "leaf.pem"), "rb").read()
        key = open(os.path.join(d, "leaf.key"), "rb").read()

        # Bad --port values never start a server.
        for bad in ("65536", "http", "-1"):
            r = subprocess.run([tool, "serve", "--port", bad], capture_output=True, text=True, timeout=10)
            check(r.returncode == 2 and "--port" in r.stderr, f"--port {bad} is refused with exit 2")

        server = subprocess.Popen([tool, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = server.stdout.readline().decode()
            url = urllib.parse.urlsplit(line.split("open ", 1)[1].strip())
            port = url.port
            token = urllib.parse.parse_qs(url.query)["token"][0]
            host = f"127.0.0.1:{port}"
            check(url.hostname == "127.0.0.1" and port and len(token) == 32,
                  f"prints a 127.0.0.1 URL with a free port and a 128-bit token ({url.hostname}:{port})")

            # The listening socket is bound to 127.0.0.1 only (/proc/net/tcp: 0100007F, LISTEN 0A).
            listening = []
            with open("/proc/net/tcp") as f:
                for row in f.read().splitlines()[1:]:
                    local, state = row.split()[1], row.split()[3]
                    if state == "0A" and int(local.split(":")[1], 16) == port:
                        listening.append(local.split(":")[0])
            check(listening == ["0100007F"], f"listens on 127.0.0.1 only (bound addresses {listening})")
            # A second server on the same port cannot start.
            r = subprocess.run([tool, "serve", "--port", str(port)], capture_output=True, text=True, timeout=10)
            check(r.returncode == 2 and "cannot listen" in r.stderr, "a busy --port exits 2")

            page = f"/?token={token}"
            status, headers, body = request(port, "GET", page, {"Host": host})
            check(status == 200 and b"<script nonce=" in body and no_cors(headers),
                  "the page is served for the right Host and token, without CORS headers")
            csp = headers.get("content-security-policy", "")
            check("default-src 'none'" in csp and "script-src 'nonce-" in csp and headers.get("cache-control") == "no-store",
                  "the page has a nonce CSP and is not stored")
            check(b"http://" not in body.replace(b"http://www.w3.org", b"") and b"https://" not in body,
                  "the page loads nothing from elsewhere (no URL in it)")
            status, _, _ = request(port, "GET", page, {"Host": f"localhost:{port}"})
            check(status == 200, "localhost:PORT is a loopback Host too")

            # Foreign Host: what a rebound DNS name sends.
            for foreign in (f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", f"127.0.0.2:{port}", ""):
                status, headers, _ = request(port, "GET", page, {"Host": foreign} if foreign else {})
                check(status == 403 and no_cors(headers), f"refuses Host {foreign!r} with 403")

            # Token on the page.
            for path in ("/", "/?token=", "/?token=" + "0" * 32, f"/?token={token[:-1]}", f"/?token={token}x"):
                status, _, _ = request(port, "GET", path, {"Host": host})
                check(status == 403, f"refuses the page at {path[:20]}... (missing or wrong token) with 403")

            form = urllib.parse.urlencode([("object", base64.b64encode(cert).decode()),
                                           ("object", base64.b64encode(key).decode()),
                                           ("label", "leaf.pem"), ("label", "leaf.key"),
                                           ("reference", "www.example.com"), ("reference", "other.example.com")]).encode()
            api_headers = {"Host": host, "Content-Type": "application/x-www-form-urlencoded",
                           "X-Svcid-Token": token, "Origin": f"http://{host}"}

            status, headers, body = request(port, "POST", "/api/inspect", api_headers, form)
            check(status == 200 and headers.get("content-type") == "application/json" and no_cors(headers),
                  "the API answers a same-origin request with the token")
            doc = json.loads(body)
            errors = validate(doc, schema, schema)
            for e in errors:
                print("    " + e)
            check(not errors, "the API's answer validates against docs/svcid-inspect.schema.json")
            check(doc["keymatch"]["match"] is True and [r["matched"] for r in doc["match"]["results"]] == [True, False],
                  "the API's answer is right: key matches, www.example.com matches, other.example.com does not")
            key_b64 = b"".join(l for l in key.splitlines() if not l.startswith(b"-----"))
            check(key_b64[:40] not in body and b"PRIVATE KEY-----" not in body,
                  "the answer carries no private key material")

            # Token on the API: a header, which no cross-origin form can set.
            for name, value in (("X-Svcid-Token", None), ("X-Svcid-Token", ""), ("X-Svcid-Token", "0" * 32)):
                h = dict(api_headers)
                if value is None:
                    del h[name]
                else:
                    h[name] = value
                status, _, body = request(port, "POST", "/api/inspect", h, form)
                check(status == 403 and b"schema" not in body, f"refuses the API with token header {value!r}")
            h = dict(api_headers)
            del h["X-Svcid-Token"]
            status, _, _ = request(port, "POST", f"/api/inspect?token={token}", h, form)
            check(status == 403, "refuses the API with the token in the query string only")

            # Cross-origin: another site's page posting with a stolen-looking request.
            for origin in ("http://evil.example", f"http://127.0.0.1:{port + 1}", "null", f"https://{host}"):
                h = dict(api_headers, Origin=origin)
                status, headers, body = request(port, "POST", "/api/inspect", h, form)
                check(status == 403 and no_cors(headers) and b"schema" not in body, f"refuses Origin {origin}")
            for site in ("cross-site", "same-site"):
                h = dict(api_headers, **{"Sec-Fetch-Site": site})
                status, _, _ = request(port, "POST", "/api/inspect", h, form)
                check(status == 403, f"refuses Sec-Fetch-Site: {site}")
            h = dict(api_headers, **{"Sec-Fetch-Site": "same-origin"})
            status, _, _ = request(port, "POST", "/api/inspect", h, form)
            check(status == 200, "accepts Sec-Fetch-Site: same-origin")
            status, headers, _ = request(port, "OPTIONS", "/api/inspect",
                                         {"Host": host, "Origin": "http://evil.example",
                                          "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "x-svcid-token"})
            check(status >= 400 and no_cors(headers), "a CORS preflight from another origin gets no CORS headers")
            status, headers, _ = request(port, "OPTIONS", "/api/inspect", dict(api_headers, Origin=f"http://{host}"))
            check(status >= 400 and no_cors(headers), "no CORS headers even for a preflight of its own origin")
            h = dict(api_headers, **{"Content-Type": "text/plain"})
            status, _, _ = request(port, "POST", "/api/inspect", h, form)
            check(status == 415, "refuses a body that is not form-encoded with 415")

            # Oversized bodies: refused from the declared length, before the body is read...
            head = (f"POST /api/inspect HTTP/1.1\r\nHost: {host}\r\nX-Svcid-Token: {token}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n").encode()
            reply = raw_exchange(port, head, b"object=")
            check(reply.startswith(b"HTTP/1.1 413"), "refuses a declared body of max+1 bytes with 413")
            # ... and when chunked, as soon as the chunks pass the cap.
            head = (f"POST /api/inspect HTTP/1.1\r\nHost: {host}\r\nX-Svcid-Token: {token}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
            chunk = b"a" * 65536
            chunks = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(MAX_BODY // len(chunk) + 1))
            reply = raw_exchange(port, head, chunks)
            check(reply.startswith(b"HTTP/1.1 413"), "refuses a chunked body past max bytes with 413")
            # A body just under the cap is read (and answered, here as not being form data).
            big = b"object=" + b"%zz" + b"a" * (MAX_BODY - 10)
            status, _, _ = request(port, "POST", "/api/inspect", api_headers, big)
            check(status == 400, "reads a body under the cap (400: broken form escape)")
            status, _, _ = request(port, "POST", "/api/inspect", api_headers, form)
            check(status == 200, "still serves after the refusals")
        finally:
            server.terminate()
            out, err = server.communicate(timeout=10)
        check(out == b"" and err == b"", "the server wrote nothing but its URL (no request, key or password logged)")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
