#!/usr/bin/env python3
"""Fails if any log the sink wrote during the integration and robustness tests
holds a secret or a customer's personal data (issue 7, point 4).

ctest runs it after every test that needs the `sink_logs` fixture. It reads
every sinkhost and CLI log under $VSINK_RUN_DIR (the test servers' instance
folder, where the tests keep their logs) and looks for:
  - the test servers' passwords (database, Kafka SASL, the TLS-only user) and
    any password the tests make up ("Vs-" + 20 letters and digits);
  - anything shaped like an e-mail address or a phone number;
  - the customer names of the test fixtures (tests/integration/*.cpp,
    tests/fixtures/json/*.json).
"""
import os
import pathlib
import re
import sys

run_dir = os.environ.get("VSINK_RUN_DIR")
source = os.environ.get("VSINK_SOURCE_DIR")
if not run_dir or not source:
    sys.exit("VSINK_RUN_DIR and VSINK_SOURCE_DIR must be set: run through scripts/test")

logs = [p for p in pathlib.Path(run_dir).rglob("*.log") if re.match(r"(sinkhost|cli)-", p.name)]
if not logs:
    sys.exit(f"no sink log under {run_dir}: the tests did not run, nothing was checked")

secrets = {os.environ.get(v, "") for v in ("VSINK_DB_PASSWORD", "VSINK_KAFKA_SASL_PASSWORD", "VSINK_DB_TLS_PASSWORD")}
secrets = {s for s in secrets if len(s) >= 4}
patterns = {
    "a made-up test password": re.compile(r"Vs-[A-Za-z0-9]{20}"),
    "an e-mail address": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    "a phone number": re.compile(r"\+[0-9][0-9 ()-]{8,}[0-9]"),
}

# Customer names of the fixtures: JSON customer objects and protobuf set_name
# calls on a customer.
names = set()
sources = list(pathlib.Path(source, "tests/integration").glob("*.cpp"))
sources += list(pathlib.Path(source, "tests/fixtures/json").glob("*.json"))
for path in sources:
    text = path.read_text(encoding="utf-8", errors="replace")
    for block in re.findall(r'"customer"\s*:\s*\{([^}]*)\}', text):
        names.update(m for m in re.findall(r'"(?:name|first_name|last_name)"\s*:\s*"([^"]+)"', block))
    names.update(re.findall(r'customer\(\)->set_name\("([^"]+)"\)', text))
    names.update(re.findall(r'c->set_name\("([^"]+)"\)', text))
names = {n for n in names if len(n) >= 4}
if not names:
    sys.exit("found no customer names in the fixtures: the scan would prove nothing")

found = []
for log in logs:
    text = log.read_text(encoding="utf-8", errors="replace")
    for n, line in enumerate(text.splitlines(), 1):
        hits = [f"a server password" for s in secrets if s in line]
        hits += [what for what, rx in patterns.items() if rx.search(line)]
        hits += ["a fixture customer's name" for name in names if name in line]
        for h in hits:
            found.append(f"{log}:{n}: {h}")

print(f"scanned {len(logs)} sink logs for {len(secrets)} server passwords, {len(names)} customer names, "
      f"e-mail addresses, phone numbers and made-up passwords")
if found:
    print("\n".join(found[:50]))
    print(f"{len(found)} finding(s)")
    sys.exit(1)
print("1 passed, 0 failed: no secret or personal data in any sink log")
