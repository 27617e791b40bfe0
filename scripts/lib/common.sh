# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are used by the scripts that source this file.)
# Shared helpers for scripts/setup-deps and scripts/servers. Sourced, never executed.
# The caller sets SCRIPTS_DIR (the absolute path of scripts/) before sourcing.

: "${SCRIPTS_DIR:?SCRIPTS_DIR must be set before sourcing common.sh}"

KAFKA_POM="$SCRIPTS_DIR/kafka/pom.xml"
KAFKA_LOG4J2="$SCRIPTS_DIR/kafka/log4j2.properties"
# Single source of truth for the Kafka version: the pom.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "cannot read kafka.version from $KAFKA_POM" >&2; exit 1; }

VSINK_CACHE="${VSINK_CACHE:-${HOME:-/root}/.cache/vibe-sink}"
KAFKA_HOME="$VSINK_CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIB="$KAFKA_HOME/lib"
# Written after a complete copy; holds the pom's checksum so a changed pom re-fetches.
KAFKA_MARKER="$KAFKA_HOME/.complete"

VSINK_RUN_ROOT="${VSINK_RUN_ROOT:-/tmp/vibe-sink}"

log()  { printf '%s: %s\n' "${PROG:-vsink}" "$*" >&2; }
die()  { printf '%s: error: %s\n' "${PROG:-vsink}" "$*" >&2; exit 1; }

pom_checksum() { sha256sum "$KAFKA_POM" | cut -d' ' -f1; }

kafka_jars_present() {
    [[ -f "$KAFKA_MARKER" && -d "$KAFKA_LIB" ]] || return 1
    [[ "$(cat "$KAFKA_MARKER" 2>/dev/null)" == "$(pom_checksum)" ]]
}

# Seconds since the epoch with sub-second precision (bash 5 has EPOCHREALTIME).
now() { printf '%s' "${EPOCHREALTIME:-$(date +%s)}"; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

# is_port_free PORT: true when nothing listens on 127.0.0.1:PORT and it can be bound.
is_port_free() {
    local port=$1
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$port" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
        return
    fi
    # Fallback: a connect that succeeds means something listens there.
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# pick_free_port [EXCLUDED...]: a random free port in 20000-40000, outside the kernel's
# ephemeral range (outgoing connections borrow those ports and could take ours later).
pick_free_port() {
    local lo=20000 hi=40000 eph_lo eph_hi port i x skip
    read -r eph_lo eph_hi < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { eph_lo=32768; eph_hi=60999; }
    for ((i = 0; i < 200; i++)); do
        port=$(( lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1) ))
        (( port >= eph_lo && port <= eph_hi )) && continue
        skip=0
        for x in "$@"; do [[ "$x" == "$port" ]] && skip=1; done
        (( skip )) && continue
        if is_port_free "$port"; then printf '%s\n' "$port"; return 0; fi
    done
    die "no free port found in $lo-$hi"
}

# tcp_open PORT: true when something accepts connections on 127.0.0.1:PORT.
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# proc_alive PID: the process exists and is not a zombie (a child we killed but did not
# reap still answers kill -0).
proc_alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
    stat=${stat##*) }
    [[ "${stat%% *}" != Z ]]
}

# cmdline_has PID MARK: the command line of PID contains MARK (read without forking, so
# no helper process ever matches its own arguments).
cmdline_has() {
    local -a argv
    mapfile -d '' -t argv 2>/dev/null < "/proc/$1/cmdline" || return 1
    [[ "${argv[*]}" == *"$2"* ]]
}

# pid_alive PIDFILE [MARK]: the pid in PIDFILE runs and (if MARK is given) its command
# line contains MARK, which guards against a recycled pid.
pid_alive() {
    local f=$1 mark=${2:-} pid
    [[ -s "$f" ]] || return 1
    pid=$(<"$f")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    proc_alive "$pid" || return 1
    [[ -z "$mark" ]] || cmdline_has "$pid" "$mark"
}

# random_secret: 24 alphanumeric characters, safe unquoted in shell, SQL and URLs.
random_secret() {
    local s=""
    while (( ${#s} < 24 )); do
        s+=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    done
    printf '%s\n' "${s:0:24}"
}

# librdkafka: Debian 12 ships 2.0.2, whose SCRAM-SHA-512 login Kafka 4.x brokers reject
# (confluentinc/librdkafka#4895); 2.6.1 is the first release that logs in. scripts/setup-deps
# builds Debian $RDKAFKA_SUITE's source package once into $VSINK_CACHE/librdkafka-<version>
# (static libraries only); CMake reads RDKAFKA_MIN_VERSION from this line and links the newest
# complete prefix of at least that version.
RDKAFKA_MIN_VERSION=2.6.1
RDKAFKA_SUITE=trixie
# How the cached prefix was built. Written to <prefix>/.complete after a successful install; a
# prefix whose marker differs (another recipe, or an interrupted build) is rebuilt.
RDKAFKA_RECIPE="debian-source; configure --disable-gssapi --disable-curl; make libs; static only; strip-debug"

# version_ge A B: version A >= version B (dotted numbers, compared like `sort -V`).
version_ge() { [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$2" ]]; }

# rdkafka_cached_prefix: prints the newest complete cached librdkafka prefix of version
# >= RDKAFKA_MIN_VERSION built with the current recipe; fails when there is none.
rdkafka_cached_prefix() {
    local d v best="" best_v="" marker
    for d in "$VSINK_CACHE"/librdkafka-[0-9]*; do
        [[ -f "$d/.complete" && -f "$d/lib/pkgconfig/rdkafka++-static.pc" && -f "$d/lib/librdkafka++.a" ]] || continue
        marker=$(<"$d/.complete")
        [[ "$marker" == "$RDKAFKA_RECIPE" ]] || continue
        v=${d##*/librdkafka-}
        version_ge "$v" "$RDKAFKA_MIN_VERSION" || continue
        if [[ -z "$best" ]] || version_ge "$v" "$best_v"; then best=$d; best_v=$v; fi
    done
    [[ -n "$best" ]] && printf '%s\n' "$best"
}

# rdkafka_header_version RDKAFKA_H: the version in librdkafka's rdkafka.h (RD_KAFKA_VERSION
# 0xMMmmrrxx) as MAJOR.MINOR.REVISION.
rdkafka_header_version() {
    local hex
    hex=$(sed -n 's/^#define RD_KAFKA_VERSION *0x\([0-9a-fA-F]\{8\}\).*/\1/p' "$1" | head -n1)
    [[ -n "$hex" ]] || return 1
    printf '%d.%d.%d\n' "0x${hex:0:2}" "0x${hex:2:2}" "0x${hex:4:2}"
}

# debian_mirror: the Debian mirror the system's apt already uses (deb822 or one-line format),
# or VSINK_DEBIAN_MIRROR, or deb.debian.org.
debian_mirror() {
    local uri=""
    if [[ -n "${VSINK_DEBIAN_MIRROR:-}" ]]; then
        uri=$VSINK_DEBIAN_MIRROR
    elif [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
        uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources | tr ' ' '\n' \
              | grep -v -e security -e '^$' | head -n1)
    fi
    if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
        uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) [a-z]* .*/\2/p' /etc/apt/sources.list \
              | grep -v security | head -n1)
    fi
    printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}
