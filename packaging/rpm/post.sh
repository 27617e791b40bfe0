# %post, as %systemd_post does: on a first install ($1 = 1) apply the preset
# (distribution policy decides whether the unit is enabled; the worker needs
# /etc/vibe-sink/env filled in before it can start anyway).
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null 2>&1; then
    systemctl --no-reload preset vibe-sink.service >/dev/null 2>&1 || :
fi
exit 0
