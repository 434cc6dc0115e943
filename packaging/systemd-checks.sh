#!/bin/sh
# The checks test-systemd.sh runs inside a booted Debian under a real systemd (as root, from a
# oneshot unit): the .deb and the archive installed as an operator would, the service started with
# the installed default config, a model imported and served, SIGKILL, a broken config, a drain.
# Results go to /root/results (PASS/FAIL lines, then DONE); the machine powers off at the end.
set -u
out=/root/results
: > "$out"
passed=0 failed=0
say() { echo "$*" >> "$out"; }
check() { # description command...
  what=$1; shift
  if "$@" >> /root/checks.log 2>&1; then passed=$((passed + 1)); say "PASS: $what"; else failed=$((failed + 1)); say "FAIL: $what"; fi
}
journal_has() { journalctl -u slm --no-pager -o cat | grep -q -- "$1"; }
prop() { systemctl show -p "$1" --value slm; }
ready() { curl -sf http://127.0.0.1:8080/ready >/dev/null; }
wait_for() { # seconds command...
  n=$1; shift
  while [ "$n" -gt 0 ]; do "$@" 2>/dev/null && return 0; sleep 1; n=$((n - 1)); done
  return 1
}
complete() {
  curl -s -H 'Content-Type: application/json' \
    -d '{"model":"stories","prompt":"Once upon a time","max_tokens":8,"temperature":0}' \
    http://127.0.0.1:8080/v1/completions | grep -q '"text_completion"'
}

# (Not `systemctl is-system-running --wait`: this unit is itself part of the boot it would wait for.)
say "systemd $(systemctl --version | head -1 | cut -d' ' -f2), $(uname -r)"

# 1. The .deb, as apt would install it (its dependencies are in the root already).
dpkg -i /root/slm.deb > /root/dpkg.log 2>&1
check "dpkg -i slm.deb exits 0" test $? = 0
check "no 'home directory can't be accessed' warning from postinst" sh -c "! grep -qi \"can't be accessed\" /root/dpkg.log"
check "the unit is enabled" systemctl is-enabled --quiet slm
check "the default /etc/slm/slm.conf and slm.env are installed" test -f /etc/slm/slm.conf -a -f /etc/slm/slm.env

# 2. It starts as installed (Type=notify: start returns at READY=1).
start=$(date +%s)
check "systemctl start slm with the installed default config reaches READY" timeout 300 systemctl start slm
say "    started in $(( $(date +%s) - start )) s"
check "slm is active" systemctl is-active --quiet slm
check "/ready answers 200" wait_for 10 ready
check "the journal says it listens and has no models yet" sh -c 'journalctl -u slm --no-pager -o cat | grep -q "listening on" && journalctl -u slm --no-pager -o cat | grep -q "no models to serve yet"'

# 3. slm import as the service's user fills the store the service reads; a restart serves it.
runuser -u slm -- env SLM_HOME=/var/lib/slm /opt/slm/bin/slm import /srv/stories.gguf --name stories > /root/import.log 2>&1
check "slm import as user slm (SLM_HOME=/var/lib/slm) exits 0" test $? = 0
check "the model landed in /var/lib/slm/models" test -f /var/lib/slm/models/manifests/stories.json
check "the service restarts" timeout 120 systemctl restart slm
check "the imported model is served (POST /v1/completions 200)" wait_for 30 complete
check "the access log line is in the journal" journal_has "POST /v1/completions 200 model=stories"

# 4. SIGKILL: systemd restarts it (Restart=on-failure, RestartSec=5s).
old=$(prop MainPID)
kill -9 "$old"
check "after SIGKILL of pid $old a new slm runs" wait_for 30 sh -c "[ \"\$(systemctl show -p MainPID --value slm)\" != 0 ] && [ \"\$(systemctl show -p MainPID --value slm)\" != $old ] && systemctl is-active --quiet slm"
check "NRestarts counts it ($(prop NRestarts))" test "$(prop NRestarts)" -ge 1
check "and it answers again" wait_for 60 complete

# 5. systemctl stop drains: a running stream ends with [DONE], then slm exits 0.
curl -sN -H 'Content-Type: application/json' \
  -d '{"model":"stories","prompt":"Once upon a time","max_tokens":1500,"temperature":0,"stream":true}' \
  http://127.0.0.1:8080/v1/completions > /root/stream.out 2>&1 &
curl_pid=$!
sleep 0.5
before=$(date +%s)
systemctl stop slm
say "    systemctl stop took $(( $(date +%s) - before )) s"
wait "$curl_pid"
check "the stream in flight during stop ended with [DONE]" grep -q 'data: \[DONE\]' /root/stream.out
check "the journal says it drained and stopped" sh -c 'journalctl -u slm --no-pager -o cat | grep -q "shutting down:" && journalctl -u slm --no-pager -o cat | grep -q "slm serve stopped"'
check "it exited 0 (ExecMainStatus=$(prop ExecMainStatus), Result=$(prop Result))" test "$(prop Result)" = success

# 6. A broken config: one clear journal line, exit 78, no restart loop.
cp /etc/slm/slm.conf /root/slm.conf.good
echo "port = seventy" >> /etc/slm/slm.conf
systemctl start slm > /dev/null 2>&1
sleep 12 # two RestartSec periods: a loop would have restarted by now
check "with a broken config the unit ends up failed" systemctl is-failed --quiet slm
check "exit status 78 ($(prop ExecMainStatus))" test "$(prop ExecMainStatus)" = 78
# A manual start resets NRestarts: anything above 0 now is systemd restarting on its own.
check "no restart loop (NRestarts $(prop NRestarts) 12 s later)" test "$(prop NRestarts)" = 0
check "the journal names the problem" journal_has "slm: error: /etc/slm/slm.conf:"
say "    journal: $(journalctl -u slm --no-pager -o cat | grep 'slm: error:' | tail -1)"
cp /root/slm.conf.good /etc/slm/slm.conf
systemctl reset-failed slm

# 7. The sandbox, rated by this systemd.
say "    $(systemd-analyze security slm 2>/dev/null | tail -1)"

# 8. dpkg --purge removes the state and the user.
dpkg --purge slm > /root/purge.log 2>&1
check "dpkg --purge exits 0" test $? = 0
check "purge removed the slm user and group" sh -c '! getent passwd slm && ! getent group slm'
check "purge removed /var/lib/slm" test ! -e /var/lib/slm

# 9. The archive with install.sh.
mkdir -p /root/archive && tar -xzf /root/slm.tar.gz -C /root/archive
/root/archive/slm-*/install.sh > /root/install.log 2>&1
check "install.sh from the archive exits 0" test $? = 0
check "systemctl start slm after install.sh reaches READY" timeout 300 systemctl start slm
check "/ready answers 200 (archive install)" wait_for 10 ready
runuser -u slm -- env SLM_HOME=/var/lib/slm /opt/slm/bin/slm import /srv/stories.gguf --name stories > /root/import2.log 2>&1
systemctl restart slm
check "the imported model is served (archive install)" wait_for 30 complete
/opt/slm/install.sh --uninstall --purge > /root/uninstall.log 2>&1
check "install.sh --uninstall --purge removes the unit and the user" sh -c '! test -e /etc/systemd/system/slm.service && ! getent passwd slm'

say "$passed passed, $failed failed"
say DONE
systemctl poweroff
