#!/usr/bin/env bash
# Builds the .deb with CPack and checks that it installs what an operator
# needs where the systemd unit and the default config expect it.
set -euo pipefail
BUILD="$1"
cd "$BUILD"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/*.deb)
contents=$(dpkg-deb -c "$deb")
fail=0
for path in ./usr/bin/sinkhost ./usr/lib/vibe-sink/plugins/libvsink-vibe.so \
            ./usr/share/vibe-sink/mappings/vibe-tables.yaml ./usr/share/vibe-sink/mappings/orders.yaml \
            ./usr/share/vibe-sink/mappings/tickets.yaml ./usr/share/vibe-sink/mappings/ticketscloud.yaml \
            ./etc/vibe-sink/worker.yaml ./usr/lib/systemd/system/vibe-sink.service; do
    if grep -q " $path\$" <<<"$contents"; then echo "ok   $path"; else echo "MISSING $path"; fail=1; fi
done
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# librdkafka is linked statically (>= 2.6.1; Debian 12's librdkafka1 2.0.2 cannot log in to
# Kafka 4.x): what it needs from Debian, and never librdkafka1 itself.
for lib in libmysqlcppconn7v5 libyaml-cpp0.7 libprotobuf32 libssl3 libzstd1 liblz4-1 zlib1g; do
    grep -q "$lib" <<<"$depends" || { echo "MISSING dependency $lib"; fail=1; }
done
if grep -q "librdkafka" <<<"$depends"; then echo "UNEXPECTED dependency on librdkafka"; fail=1; fi
dpkg-deb -x "$deb" "$out/root"
if objdump -p "$out/root/usr/bin/sinkhost" | grep -q "NEEDED.*librdkafka"; then
    echo "UNEXPECTED: sinkhost links librdkafka dynamically"; fail=1
fi
dpkg-deb -e "$deb" "$out/control"
[[ -x "$out/control/postinst" ]] || { echo "MISSING postinst"; fail=1; }
grep -q "/etc/vibe-sink/worker.yaml" <(dpkg-deb -f "$deb" Conffiles 2>/dev/null; cat "$out/control/conffiles" 2>/dev/null) \
    || { echo "MISSING conffile /etc/vibe-sink/worker.yaml"; fail=1; }
# The shipped config parses: the plugin path it names is the installed one.
grep -q "plugin: /usr/lib/vibe-sink/plugins/libvsink-vibe.so" "$(dirname "$0")/../../yaml/production.yaml" || fail=1
exit $fail
