#!/usr/bin/env bash
# The packages as an operator gets them (issue 10, points 6-8), on this machine, as root:
#   deb: lintian (no E:/W: beyond the shipped overrides), `apt-get install ./...deb`, the
#   installed sinkhost's version and `check` against the test servers (as the vibe-sink
#   user, production template: SASL_SSL + TLS), the unit's verify and security score, an
#   edited conffile kept across an upgrade to release 2, the maintainer scripts' systemd
#   calls (under a fake systemd), purge leaving nothing behind;
#   rpm: rpm -qip / -qlp / -qp --scripts / --requires (no soname only Debian has: those
#   libraries are bundled), and the extracted payload's sinkhost runs on the bundled ones.
# Needs the servers' env (scripts/test exports it: VSINK_KAFKA_SASL_BOOTSTRAP, ...).
set -euo pipefail
BUILD="$(cd "$1" && pwd -P)"
SRC="$(cd "$(dirname "$0")/../.." && pwd -P)"
fails=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fails=$((fails + 1)); }
must() { if "$@"; then :; else echo "FAIL (exit $?): $*"; exit 1; fi; }
lacks() { ! grep -qE "$1"; }   # stdin has no line matching the regex
expect() {  # expect DESCRIPTION COMMAND...: the command succeeds
    local what="$1"; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

[[ $(id -u) -eq 0 ]] || { echo "FAIL: installs packages: run as root (CI does)"; exit 1; }
for v in VSINK_KAFKA_SASL_BOOTSTRAP VSINK_KAFKA_SASL_USER VSINK_KAFKA_SASL_PASSWORD VSINK_TLS_CA \
         VSINK_DB_TLS_CA VSINK_DB_PORT VSINK_DB_USER VSINK_DB_PASSWORD VSINK_SERVERS_INSTANCE; do
    [[ -n "${!v:-}" ]] || { echo "FAIL: $v unset: run through scripts/test (or export scripts/servers env NAME)"; exit 1; }
done
if dpkg-query -W -f='${Status}' vibe-sink 2>/dev/null | grep -q "installed"; then
    echo "FAIL: vibe-sink is already installed here; this test installs and purges it"; exit 1
fi

work=$(mktemp -d)
tag="pkgtest$$"
db="vsink_$tag"
mysql_() { mysql -h 127.0.0.1 -P "$VSINK_DB_PORT" -u "$VSINK_DB_USER" "-p$VSINK_DB_PASSWORD" "$@"; }
cleanup() {
    if dpkg-query -W -f='${Status}' vibe-sink 2>/dev/null | grep -q "installed"; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q vibe-sink >/dev/null 2>&1 || true
    fi
    mysql_ -e "DROP DATABASE IF EXISTS \`$db\`" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
apt_() { DEBIAN_FRONTEND=noninteractive apt-get "$@" -y -q --no-install-recommends \
             -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold; }

echo "== packages, release 1 and 2 (cpack -D CPACK_VSINK_PACKAGE_RELEASE=N)"
for rel in 1 2; do
    (cd "$BUILD" && cpack -G "DEB;RPM" -B "$work/r$rel" -D CPACK_VSINK_PACKAGE_RELEASE=$rel >"$work/cpack$rel.log" 2>&1) \
        || { cat "$work/cpack$rel.log"; exit 1; }
done
version=$(sed -n 's/^project(vibe-sink VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
deb1="$work/r1/vibe-sink_${version}-1_amd64.deb"
deb2="$work/r2/vibe-sink_${version}-2_amd64.deb"
rpm1="$work/r1/vibe-sink-${version}-1.x86_64.rpm"
for f in "$deb1" "$deb2" "$rpm1" "$work/r1/vibe-sink-dbgsym_${version}-1_amd64.ddeb"; do
    expect "built $(basename "$f")" test -f "$f"
done
[[ -f "$deb1" && -f "$deb2" && -f "$rpm1" ]] || exit 1

echo "== lintian"
lintian --info "$deb1" >"$work/lintian.txt" 2>&1 || true
sed 's/^/     /' "$work/lintian.txt"
if grep -qE "^[EW]: " "$work/lintian.txt"; then bad "lintian: E:/W: lines above"; else ok "lintian: no E: and no W: line"; fi
# The debug info is in the -dbgsym package, keyed by build id, and the shipped binary is stripped.
dpkg-deb -x "$deb1" "$work/root1"
if readelf -S "$work/root1/usr/bin/sinkhost" | grep -qE "\.debug_(info|line)|\.symtab"; then
    bad "sinkhost is not stripped"
else
    ok "sinkhost stripped"
fi
# The binaries' RUNPATH to the rpm's private libraries is the rpm's only: the deb's use Debian's.
for f in usr/bin/sinkhost usr/lib/vibe-sink/plugins/libvsink-vibe.so; do
    expect "deb: $f has no RUNPATH" lacks 'RPATH|RUNPATH' < <(readelf -d "$work/root1/$f")
done
expect "deb bundles no library" test ! -e "$work/root1/usr/lib/vibe-sink/lib"
build_id=$(readelf -n "$work/root1/usr/bin/sinkhost" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
dpkg-deb -c "$work/r1/vibe-sink-dbgsym_${version}-1_amd64.ddeb" >"$work/dbgsym.txt"
expect "dbgsym holds /usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug" \
    grep -q "./usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug" "$work/dbgsym.txt"
expect "Depends: adduser" grep -q "^adduser," <(dpkg-deb -f "$deb1" Depends)
expect "Maintainer is no @localhost" lacks '@localhost' < <(dpkg-deb -f "$deb1" Maintainer)

echo "== install release 1"
apt_ install "$deb1" >"$work/install1.log" 2>&1 || { cat "$work/install1.log"; bad "apt-get install ./$(basename "$deb1")"; exit 1; }
ok "apt-get install ./$(basename "$deb1")"
expect "user vibe-sink, home /var/lib/vibe-sink, no login shell" \
    grep -q "^vibe-sink:x:[0-9]*:[0-9]*:[^:]*:/var/lib/vibe-sink:/usr/sbin/nologin$" <(getent passwd vibe-sink)
for f in /etc/vibe-sink/env /etc/vibe-sink/worker.yaml; do
    expect "$f is 640 root:vibe-sink" test "$(stat -c '%a %U:%G' "$f")" = "640 root:vibe-sink"
done
expect "/etc/vibe-sink is 750 root:vibe-sink" test "$(stat -c '%a %U:%G' /etc/vibe-sink)" = "750 root:vibe-sink"
expect "env has only comments" bash -c "! grep -qv '^#' /etc/vibe-sink/env"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' vibe-sink)
for c in /etc/vibe-sink/worker.yaml /etc/vibe-sink/env /etc/vibe-sink/mappings/vibe-tables.yaml \
         /etc/vibe-sink/mappings/orders.yaml /etc/vibe-sink/mappings/tickets.yaml /etc/vibe-sink/mappings/ticketscloud.yaml; do
    expect "conffile $c" grep -q " $c " <<<"$conffiles"
done
expect "worker.yaml points at the mapping copies in /etc" grep -q "^    - /etc/vibe-sink/mappings/orders.yaml" /etc/vibe-sink/worker.yaml
expect "pristine mappings in /usr/share" cmp /usr/share/vibe-sink/mappings/orders.yaml /etc/vibe-sink/mappings/orders.yaml
expect "enabled (multi-user.target.wants link)" test -L /etc/systemd/system/multi-user.target.wants/vibe-sink.service
expect "man page sinkhost.1.gz" gzip -t /usr/share/man/man1/sinkhost.1.gz
if command -v man >/dev/null; then
    expect "man sinkhost finds it" test "$(man -w sinkhost)" = /usr/share/man/man1/sinkhost.1.gz
    expect "man sinkhost renders without a warning" test -z "$(man --warnings -l /usr/share/man/man1/sinkhost.1.gz 2>&1 >/dev/null)"
fi
expect "copyright is DEP-5" grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" /usr/share/doc/vibe-sink/copyright
vout=$(/usr/bin/sinkhost version)
echo "     $vout"
expect "sinkhost version" grep -qE "^sinkhost $version \(plugin ABI [0-9]+, librdkafka [0-9.]+\)$" <<<"$vout"

echo "== the units"
for u in vibe-sink.service vibe-sink@.service; do
    # --man=no: the man page is checked above, and man-db may be absent here.
    out=$(systemd-analyze verify --man=no "/usr/lib/systemd/system/$u" 2>&1) && [[ -z "$out" ]] \
        && ok "systemd-analyze verify $u: clean" || bad "systemd-analyze verify $u: $out"
done
for u in vibe-sink.service vibe-sink@worker1.service; do
    score=$(cd /usr/lib/systemd/system && systemd-analyze security --offline=yes "$u" 2>/dev/null \
            | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
    echo "     $u exposure: $score"
    expect "$u exposure $score <= 2.5" awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.5) }'
done
expect "no restart on exit 2 3 4 6" grep -q "^RestartPreventExitStatus=2 3 4 6$" /usr/lib/systemd/system/vibe-sink.service

echo "== an operator edits the mapping copy (own topic names), then sinkhost check as vibe-sink"
sed -i "s/^  ticketland\.orders\./  $tag.orders./; 1i # edited by the packaging test" /etc/vibe-sink/mappings/orders.yaml
for t in organizers events orders refunds; do
    must "$VSINK_SERVERS_SCRIPT" create-topic "$VSINK_SERVERS_INSTANCE" "$tag.orders.$t" 1 >/dev/null 2>&1
done
must mysql_ -e "CREATE DATABASE \`$db\`"
install -m 0640 -g vibe-sink "$VSINK_TLS_CA" /etc/vibe-sink/kafka-ca.crt
install -m 0640 -g vibe-sink "$VSINK_DB_TLS_CA" /etc/vibe-sink/mysql-ca.crt
sed -e "s|:3306/vibe|:$VSINK_DB_PORT/$db|" -e "s|^  user: vibe_sink|  user: $VSINK_DB_USER|" \
    -e "s|^  group_id: vibe-sink|  group_id: $tag|" -e "s|^      topic: vibe-sink.dlq|      topic: $tag.dlq|" \
    /etc/vibe-sink/worker.yaml >/etc/vibe-sink/pkgtest.yaml
chgrp vibe-sink /etc/vibe-sink/pkgtest.yaml; chmod 0640 /etc/vibe-sink/pkgtest.yaml
cat >/etc/vibe-sink/pkgtest.env <<ENV
VIBE_KAFKA_BOOTSTRAP=$VSINK_KAFKA_SASL_BOOTSTRAP
VIBE_KAFKA_USER=$VSINK_KAFKA_SASL_USER
VIBE_KAFKA_PASSWORD=$VSINK_KAFKA_SASL_PASSWORD
VIBE_DB_HOST=127.0.0.1
VIBE_DB_PASSWORD=$VSINK_DB_PASSWORD
ENV
chmod 0600 /etc/vibe-sink/pkgtest.env
as_service() { (set -a; . /etc/vibe-sink/pkgtest.env; set +a; cd /; runuser -u vibe-sink -- "$@"); }
as_service /usr/bin/sinkhost schema --apply --config /etc/vibe-sink/pkgtest.yaml >"$work/schema.log" 2>&1 \
    && ok "installed sinkhost schema --apply (as vibe-sink)" || { cat "$work/schema.log"; bad "schema --apply"; }
set +e
as_service /usr/bin/sinkhost check --config /etc/vibe-sink/pkgtest.yaml >"$work/check.log" 2>&1
rc=$?
set -e
sed 's/^/     /' "$work/check.log"
expect "installed sinkhost check exits 0 (as vibe-sink, SASL_SSL + TLS, the edited mapping)" test "$rc" -eq 0
expect "check's output carries no password" \
    bash -c '! grep -qF -e "$1" -e "$2" "$3"' _ "$VSINK_DB_PASSWORD" "$VSINK_KAFKA_SASL_PASSWORD" "$work/check.log"
# The check must be able to fail: a wrong Kafka password is refused.
set +e
(set -a; . /etc/vibe-sink/pkgtest.env; VIBE_KAFKA_PASSWORD=wrong; set +a; cd /; \
    runuser -u vibe-sink -- /usr/bin/sinkhost check --config /etc/vibe-sink/pkgtest.yaml) >"$work/check-bad.log" 2>&1
rc=$?
set -e
sed 's/^/     /' "$work/check-bad.log"
expect "check with a wrong Kafka password exits 1 (got $rc)" test "$rc" -eq 1
expect "check says the cluster refused the login" grep -qi "kafka.*SASL authentication failed" "$work/check-bad.log"
echo "VIBE_DB_HOST=db.edited.example" >>/etc/vibe-sink/env
mkdir -p /var/lib/vibe-sink /var/log/vibe-sink && touch /var/lib/vibe-sink/state /var/log/vibe-sink/log
chown -R vibe-sink:vibe-sink /var/lib/vibe-sink /var/log/vibe-sink

echo "== the maintainer scripts under a (fake) running systemd"
# A private mount namespace where /run/systemd/system exists, and stubs that log the calls.
mkdir -p "$work/stubs"
for c in systemctl deb-systemd-invoke deb-systemd-helper; do
    printf '#!/bin/sh\necho "%s $*" >>%s/calls\n' "$c" "$work" >"$work/stubs/$c"; chmod +x "$work/stubs/$c"
done
fake_systemd() {
    : >"$work/calls"
    unshare -m sh -c 'mount -t tmpfs none /run && mkdir -p /run/systemd/system && shift && exec "$@"' \
        sh - env PATH="$work/stubs:$PATH" "$@" >/dev/null 2>&1
}
fake_systemd sh /var/lib/dpkg/info/vibe-sink.postinst configure "${version}-1"
sed 's/^/     /' "$work/calls"
expect "upgrade: postinst restarts the running workers" grep -qx "deb-systemd-invoke try-restart vibe-sink.service vibe-sink@\*.service" "$work/calls"
expect "upgrade: postinst reloads systemd" grep -qx "systemctl --system daemon-reload" "$work/calls"
fake_systemd sh /var/lib/dpkg/info/vibe-sink.postinst configure ""
expect "first install: postinst enables, starts nothing" bash -c "grep -q 'deb-systemd-helper enable vibe-sink.service' '$work/calls' && ! grep -q 'deb-systemd-invoke' '$work/calls'"
fake_systemd sh /var/lib/dpkg/info/vibe-sink.prerm remove
expect "remove: prerm stops the workers" grep -qx "deb-systemd-invoke stop vibe-sink.service vibe-sink@\*.service" "$work/calls"
fake_systemd sh /var/lib/dpkg/info/vibe-sink.prerm upgrade "${version}-2"
expect "upgrade: prerm stops nothing" test ! -s "$work/calls"

echo "== upgrade to release 2 (no systemd here: the scripts must not fail)"
apt_ install "$deb2" >"$work/install2.log" 2>&1 || { cat "$work/install2.log"; bad "apt-get install ./$(basename "$deb2")"; exit 1; }
ok "apt-get install ./$(basename "$deb2")"
expect "version ${version}-2 installed" test "$(dpkg-query -W -f='${Version}' vibe-sink)" = "${version}-2"
expect "the edited mapping copy is kept" grep -q "^  $tag.orders.orders:" /etc/vibe-sink/mappings/orders.yaml
expect "the edited env is kept" grep -qx "VIBE_DB_HOST=db.edited.example" /etc/vibe-sink/env
expect "env still 640 root:vibe-sink" test "$(stat -c '%a %U:%G' /etc/vibe-sink/env)" = "640 root:vibe-sink"
expect "the pristine mapping is the package's" cmp /usr/share/vibe-sink/mappings/orders.yaml "$SRC/mappings/orders.yaml"
expect "still enabled" test -L /etc/systemd/system/multi-user.target.wants/vibe-sink.service
expect "installed sinkhost check still passes after the upgrade" \
    as_service /usr/bin/sinkhost check --config /etc/vibe-sink/pkgtest.yaml >"$work/check2.log" 2>&1

echo "== purge"
files=$(dpkg -L vibe-sink | while read -r p; do [[ -d "$p" ]] || echo "$p"; done)
apt_ purge vibe-sink >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; bad "apt-get purge vibe-sink"; exit 1; }
ok "apt-get purge vibe-sink"
expect "dpkg -L vibe-sink knows nothing" bash -c "! dpkg -L vibe-sink >/dev/null 2>&1"
for d in /etc/vibe-sink /var/lib/vibe-sink /var/log/vibe-sink /usr/lib/vibe-sink /usr/share/vibe-sink /usr/share/doc/vibe-sink; do
    expect "$d gone" test ! -e "$d"
done
left=$(while read -r p; do if [[ -e "$p" || -L "$p" ]]; then echo "$p"; fi; done <<<"$files")
expect "no file of the package left${left:+: $left}" test -z "$left"
expect "no enablement link left" test ! -e /etc/systemd/system/multi-user.target.wants/vibe-sink.service -a ! -L /etc/systemd/system/multi-user.target.wants/vibe-sink.service
expect "no deb-systemd-helper state left" bash -c "! ls /var/lib/systemd/deb-systemd-helper-enabled/ 2>/dev/null | grep -q vibe-sink"

echo "== rpm"
info=$(rpm -qip "$rpm1" 2>/dev/null)
expect "rpm file name vibe-sink-${version}-1.x86_64.rpm" test -f "$rpm1"
expect "rpm -qip: Name vibe-sink" grep -q '^Name *: vibe-sink$' <<<"$info"
expect "rpm -qip: Version $version" grep -q "^Version *: $version\$" <<<"$info"
expect "rpm -qip: Release 1" grep -q '^Release *: 1$' <<<"$info"
expect "rpm -qip: License" grep -q '^License *: Proprietary$' <<<"$info"
expect "rpm -qip: a real description" grep -q "writes them into Vibe's MySQL" <<<"$info"
list=$(rpm -qlpv "$rpm1" 2>/dev/null)
for f in /etc/vibe-sink/env /etc/vibe-sink/worker.yaml; do
    expect "rpm: $f -rw-r----- root vibe-sink" grep -qE "^-rw-r----- +1 root +vibe-sin[k]? .* $f$" <<<"$list"
done
for f in /usr/bin/sinkhost /usr/lib/vibe-sink/plugins/libvsink-vibe.so /usr/lib/systemd/system/vibe-sink.service \
         /usr/lib/systemd/system/vibe-sink@.service /usr/share/man/man1/sinkhost.1.gz /etc/vibe-sink/mappings/orders.yaml \
         /usr/share/vibe-sink/mappings/orders.yaml; do
    expect "rpm holds $f" grep -q " $f$" <<<"$list"
done
expect "rpm owns no system directory" lacks ' (/etc|/usr|/usr/bin|/usr/lib|/usr/share|/usr/lib/systemd|/usr/lib/systemd/system|/usr/share/man|/usr/share/man/man1|/usr/share/doc)$' <<<"$list"
cfg=$(rpm -qpc "$rpm1" 2>/dev/null)
expect "rpm: 6 config files" test "$(wc -l <<<"$cfg")" -eq 6
scripts=$(rpm -qp --scripts "$rpm1" 2>/dev/null)
for s in "useradd -r -g vibe-sink" "groupadd -r vibe-sink" "systemctl --no-reload preset vibe-sink.service" \
         "systemctl --no-reload disable --now vibe-sink.service" "systemctl try-restart vibe-sink.service"; do
    expect "rpm scriptlet: $s" grep -qF "$s" <<<"$scripts"
done
for s in preinstall postinstall preuninstall postuninstall; do
    expect "rpm has a $s scriptlet" grep -q "^$s scriptlet" <<<"$scripts"
done
requires=$(rpm -qp --requires "$rpm1" 2>/dev/null)
sed 's/^/     /' <<<"$requires" | grep -vE '\((GLIBC|GLIBCXX|CXXABI|GCC)_' || true
for r in "libssl.so.3()(64bit)" "libcrypto.so.3()(64bit)" "libz.so.1()(64bit)" "libmariadb.so.3()(64bit)"; do
    expect "rpm requires $r (RPM distributions carry it)" grep -qxF "$r" <<<"$requires"
done
expect "rpm requires no Debian package" lacks 'libmysqlcppconn7v5|libprotobuf32|libyaml-cpp0|libssl3|zlib1g|librdkafka|adduser|\(>= ' <<<"$requires"
# Debian 12's sonames no RPM distribution carries: bundled in /usr/lib/vibe-sink/lib instead.
bundled="libprotobuf.so.32 libyaml-cpp.so.0.7 libmysqlcppconn.so.7 libcpp-httplib.so.0.11 libsimdjson.so.14 libspdlog.so.1.10 libfmt.so.9"
expect "rpm requires no Debian-only soname" lacks '^lib(protobuf|yaml-cpp|mysqlcppconn|cpp-httplib|simdjson|spdlog|fmt)[.]so' <<<"$requires"
provides=$(rpm -qp --provides "$rpm1" 2>/dev/null)
expect "rpm provides no library (the bundled ones are private)" lacks '[.]so' <<<"$provides"
for l in $bundled; do
    expect "rpm bundles /usr/lib/vibe-sink/lib/$l" grep -qE "^-rwxr-xr-x .* /usr/lib/vibe-sink/lib/$l$" <<<"$list"
done
echo "== the rpm's payload runs on its own libraries (RUNPATH), not this system's"
mkdir "$work/rpmroot"
rpm2archive - <"$rpm1" | tar -xzf - -C "$work/rpmroot"
payload="$work/rpmroot"
vout=$(env -u LD_LIBRARY_PATH "$payload/usr/bin/sinkhost" version 2>&1) || true
echo "     $vout"
expect "payload sinkhost version" grep -qE "^sinkhost $version \(plugin ABI [0-9]+, librdkafka [0-9.]+\)$" <<<"$vout"
deps=$(env -u LD_LIBRARY_PATH ldd "$payload/usr/bin/sinkhost" "$payload/usr/lib/vibe-sink/plugins/libvsink-vibe.so")
expect "ldd: every library found" lacks 'not found' <<<"$deps"
for l in $bundled; do
    expect "ldd: $l from the payload only" \
        bash -c 'grep -q "$1 => $2/usr/" <<<"$3" && ! grep "$1 => " <<<"$3" | grep -qv "$1 => $2/usr/"' _ "$l" "$payload" "$deps"
done
# The plugin loaded for real (RTLD_NOW, as the host does) maps the payload's libprotobuf.
maps=$(env -u LD_LIBRARY_PATH python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1]); print(open("/proc/self/maps").read())' \
       "$payload/usr/lib/vibe-sink/plugins/libvsink-vibe.so" 2>&1) || true
expect "dlopen of the payload's plugin maps the bundled libprotobuf" grep -q " $payload/usr/lib/vibe-sink/lib/libprotobuf.so.32$" <<<"$maps"
expect "and not this system's" lacks '/x86_64-linux-gnu/lib(protobuf|yaml-cpp|simdjson)' <<<"$maps"

echo "== $fails failure(s)"
exit $((fails > 0))
