#!/usr/bin/env python3
"""Turns shared/conformance/limbo-names.json (a subset of C2SP/x509-limbo, Apache-2.0)
into tests/data/limbo-names.txt, a line format the C++ tests read without a JSON parser.

Kept: every case whose expected result depends on the peer name (x_decided_by == "name") or
on the leaf's name profile ("profile"), and every SUCCESS case (its peer name must match
whatever decided it). Run from the
repository root:  python3 scripts/import_limbo.py ../shared/conformance/limbo-names.json
"""
import json
import sys

source = sys.argv[1] if len(sys.argv) > 1 else "../shared/conformance/limbo-names.json"
cases = json.load(open(source, encoding="utf-8"))
out = []
for case in cases:
    if case["x_decided_by"] not in ("name", "profile") and case["expected_result"] != "SUCCESS":
        continue
    out.append(f"case {case['id']}")
    out.append(f"expected {case['expected_result']}")
    out.append(f"decided {case['x_decided_by']}")
    out.append(f"features {','.join(case['features']) or '-'}")
    out.append(f"time {case['validation_time'] or '-'}")
    peer = case["expected_peer_name"]
    out.append(f"peer {peer['kind']} {peer['value']}")
    for role, pems in (("trusted", case["trusted_certs"]), ("intermediate", case["untrusted_intermediates"]),
                       ("leaf", [case["peer_certificate"]])):
        for pem in pems:
            out.append(role)
            out.extend(pem.strip().splitlines())
    out.append("end")
with open("tests/data/limbo-names.txt", "w", encoding="ascii") as f:
    f.write("\n".join(out) + "\n")
print(f"{sum(1 for l in out if l.startswith('case '))} cases written")
