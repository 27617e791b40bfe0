"""Helpers shared by bench/peer/run-peer and bench/peer/produce-test-tickets."""
import hashlib
import os
import re
import subprocess
import sys
import fcntl

PEER_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(PEER_DIR))
CACHE = os.environ.get("VSINK_CACHE") or os.path.join(os.environ.get("HOME") or "/root",
                                                      ".cache", "vibe-sink")
KAFKA_POM = os.path.join(ROOT, "scripts", "kafka", "pom.xml")
WORKER_POM = os.path.join(PEER_DIR, "worker-pom.xml")
CONNECTOR_POM = os.path.join(PEER_DIR, "connector-pom.xml")
MVN_DEP = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies"
PROG = "run-peer"


class PeerError(Exception):
    pass


def log(msg):
    print("%s: %s" % (PROG, msg), file=sys.stderr, flush=True)


def kafka_version():
    with open(KAFKA_POM) as f:
        m = re.search(r"<kafka.version>([^<]+)</kafka.version>", f.read())
    if not m:
        raise PeerError("cannot read kafka.version from " + KAFKA_POM)
    return m.group(1).strip()


def kafka_lib():
    """The broker's jars (scripts/setup-deps fetches them); kafka-tools' TopicCommand is there."""
    lib = os.path.join(CACHE, "kafka-" + kafka_version(), "lib")
    if not os.path.isdir(lib):
        raise PeerError("no Kafka jars in %s (run scripts/setup-deps --jars-only)" % lib)
    return lib


def topic_command(bootstrap, args, timeout=60):
    cmd = ["java", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", kafka_lib() + "/*",
           "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap] + args
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PeerError("TopicCommand %s: no answer within %d s" % (" ".join(args[:3]), timeout))
    if r.returncode != 0:
        raise PeerError("TopicCommand %s failed: %s" % (" ".join(args[:3]),
                                                        (r.stderr or r.stdout).strip()[-600:]))
    return r.stdout


def create_topic(bootstrap, topic, partitions):
    topic_command(bootstrap, ["--create", "--if-not-exists", "--topic", topic,
                              "--partitions", str(partitions), "--replication-factor", "1"])


def delete_topic(bootstrap, topic):
    topic_command(bootstrap, ["--delete", "--if-exists", "--topic", topic])


def _fetch(pom, out, extra):
    tmp = out + ".tmp.%d" % os.getpid()
    subprocess.run(["rm", "-rf", tmp], check=True)
    mvnlog = out + ".mvn.log"
    with open(mvnlog, "w") as lf:
        try:
            r = subprocess.run(["mvn", "-B", "-q", "-Dstyle.color=never", "-f", pom, MVN_DEP,
                                "-DincludeScope=runtime", "-DoutputDirectory=" + tmp] + extra,
                               stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                               timeout=1200)
        except subprocess.TimeoutExpired:
            raise PeerError("maven: no result within 1200 s (log: %s)" % mvnlog)
    if r.returncode != 0:
        raise PeerError("maven could not fetch the jars of %s (log: %s)" % (pom, mvnlog))
    subprocess.run(["rm", "-rf", out], check=True)
    os.rename(tmp, out)


def peer_jars():
    """Fetches (once, cached under $VSINK_CACHE like the Kafka jars) the Connect worker's
    classpath and the connector's plugin folder. Returns (worker_lib, plugin_path)."""
    kv = kafka_version()
    if not kv.startswith("4.1."):
        log("scripts/kafka/pom.xml has Kafka %s; the peer stays on worker-pom.xml's 4.1.x" % kv)
        kv = None
    h = hashlib.sha256()
    for p in (WORKER_POM, CONNECTOR_POM):
        with open(p, "rb") as f:
            h.update(f.read())
    h.update((kv or "").encode())
    home = os.path.join(CACHE, "connect-peer-" + h.hexdigest()[:12])
    worker = os.path.join(home, "worker")
    plugins = os.path.join(home, "plugins")
    marker = os.path.join(home, ".complete")
    if os.path.exists(marker):
        return worker, plugins
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs at once: one fetch, the other waits
        if os.path.exists(marker):
            return worker, plugins
        log("fetching Kafka Connect and Debezium JDBC sink jars from Maven Central into " + home)
        _fetch(WORKER_POM, worker, ["-Dkafka.version=" + kv] if kv else [])
        os.makedirs(plugins, exist_ok=True)
        # The connector's own folder: without Kafka, Jackson, SLF4J (and Kafka's compression
        # codecs), which the worker's classpath holds; a second copy here makes its tasks die
        # on a class clash. Only MariaDB's JDBC driver is kept of the bundled drivers.
        _fetch(CONNECTOR_POM, os.path.join(plugins, "debezium-connector-jdbc"), [
            "-DexcludeGroupIds=org.apache.kafka,com.fasterxml.jackson.core,"
            "com.fasterxml.jackson.datatype,org.slf4j,org.lz4,org.xerial.snappy,com.github.luben,"
            "com.microsoft.sqlserver,com.oracle.database.jdbc,org.postgresql,com.mysql"])
        with open(marker, "w") as f:
            f.write("ok\n")
    return worker, plugins


def sink_table(name, mapping=os.path.join(ROOT, "mappings", "vibe-tables.yaml")):
    """The sink's table `name` as mappings/vibe-tables.yaml declares it: (columns as
    [(column, SQL type)], key columns, indexes as [(name, columns, unique)]). A reader of
    just this file's layout (PyYAML is not among the project's packages)."""
    cols, key, idx = [], [], []
    section = table = sub = None
    with open(mapping) as f:
        for raw in f:
            line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
            if not line.strip():
                continue
            ind = len(line) - len(line.lstrip())
            text = line.strip()
            if ind == 0:
                section, table, sub = text.rstrip(":"), None, None
            elif section == "tables" and ind == 2:
                table, sub = text.rstrip(":"), None
            elif section == "tables" and table == name and ind == 4:
                k, _, v = text.partition(":")
                sub = k
                if k == "key":
                    key = [c.strip() for c in v.strip().strip("[]").split(",") if c.strip()]
            elif section == "tables" and table == name and ind == 6 and sub == "columns":
                k, _, v = text.partition(":")
                cols.append((k.strip(), v.strip()))
            elif section == "tables" and table == name and ind == 6 and sub == "indexes":
                m = re.match(r"-\s*\{name:\s*([\w]+),\s*columns:\s*\[([^\]]*)\]"
                             r"(?:,\s*unique:\s*(true|false))?\s*\}$", text)
                if not m:
                    raise PeerError("%s: cannot read the index line '%s'" % (mapping, text))
                idx.append((m.group(1), [c.strip() for c in m.group(2).split(",")],
                            m.group(3) == "true"))
    if not cols or not key or any(k not in dict(cols) for k in key):
        raise PeerError("%s: no table %s with columns and a key" % (mapping, name))
    return cols, key, idx
