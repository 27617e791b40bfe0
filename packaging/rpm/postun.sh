# %postun, as %systemd_postun_with_restart does: reload units; on upgrade ($1 >= 1)
# restart the workers that run. On erase, %config files you edited stay as .rpmsave;
# /var/lib/vibe-sink and the vibe-sink user are kept (RPM practice).
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart vibe-sink.service 'vibe-sink@*.service' >/dev/null 2>&1 || :
    fi
fi
exit 0
