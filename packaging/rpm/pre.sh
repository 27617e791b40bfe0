# %pre: the service's system user and group, before the files (owned by that group) land.
getent group vibe-sink >/dev/null || groupadd -r vibe-sink
getent passwd vibe-sink >/dev/null || \
    useradd -r -g vibe-sink -d /var/lib/vibe-sink -s /sbin/nologin -c "vibe-sink worker" vibe-sink
exit 0
