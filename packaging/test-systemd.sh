#!/bin/sh
# Tests the slm service under a real systemd, not only `systemd-analyze verify`: debootstraps a
# Debian 12 root (once; kept in SLM_SYSTEMD_ROOT), puts the .deb, the .tar.gz, the fixture model and
# systemd-checks.sh in it, and boots it with systemd-nspawn. A oneshot unit inside runs the checks
# (see systemd-checks.sh) and powers the machine off; their results are printed here.
#
# Usage: packaging/test-systemd.sh [DEB] [ARCHIVE]   (default: those in packaging/target)
# Needs root, debootstrap and systemd-nspawn (apt-get install debootstrap systemd-container), and a
# Debian mirror the first time. Not run by scripts/test: it takes minutes and privileges.
set -eu
cd "$(dirname "$0")/.."
root=${SLM_SYSTEMD_ROOT:-/var/tmp/slm-systemd/root}
mirror=${SLM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
model=${SLM_FIXTURE_MODEL:-../shared/fixtures/models/stories260K.gguf}
deb=${1:-$(ls packaging/target/slm_*.deb 2>/dev/null | tail -1)}
archive=${2:-$(ls packaging/target/slm-*.tar.gz 2>/dev/null | tail -1)}

die() { echo "test-systemd.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap and systemd-nspawn)"
command -v systemd-nspawn >/dev/null || die "systemd-nspawn is missing: apt-get install systemd-container"
[ -f "$deb" ] && [ -f "$archive" ] || die "no .deb and .tar.gz in packaging/target: run mvn package"
[ -f "$model" ] || die "fixture model missing: $model"

if [ ! -x "$root/lib/systemd/systemd" ]; then
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
  echo "test-systemd.sh: debootstrapping Debian 12 into $root"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,libstdc++6,libgomp1,adduser,curl,ca-certificates,procps \
    bookworm "$root" "$mirror" > "$(dirname "$root")/debootstrap.log" 2>&1 \
    || die "debootstrap failed: see $(dirname "$root")/debootstrap.log"
fi

# What the machine needs: the packages, the model, the checks, and a unit that runs them once.
cp "$deb" "$root/root/slm.deb"
cp "$archive" "$root/root/slm.tar.gz"
mkdir -p "$root/srv" && cp "$model" "$root/srv/stories.gguf" && chmod 644 "$root/srv/stories.gguf" # readable by user slm
cp packaging/systemd-checks.sh "$root/root/systemd-checks.sh"
rm -f "$root/root/results"
cat > "$root/etc/systemd/system/slm-checks.service" <<'UNIT'
[Unit]
Description=slm service checks (packaging/test-systemd.sh)
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/systemd-checks.sh
StandardOutput=journal+console
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../slm-checks.service "$root/etc/systemd/system/multi-user.target.wants/slm-checks.service"
# A fresh machine each time: no slm left from an earlier run.
rm -rf "$root/opt/slm" "$root/var/lib/slm" "$root/etc/slm" "$root/etc/systemd/system/slm.service"
echo "test-systemd.sh: booting $root with systemd-nspawn (log: $(dirname "$root")/boot.log)"
start=$(date +%s)
timeout 1200 systemd-nspawn --quiet --boot --directory="$root" --machine=slm-test --private-network \
  --register=no --keep-unit --console=pipe < /dev/null > "$(dirname "$root")/boot.log" 2>&1 || true
echo "test-systemd.sh: the machine ran for $(( $(date +%s) - start )) s"
[ -f "$root/root/results" ] || die "no results: the machine did not run the checks (see $(dirname "$root")/boot.log)"
cat "$root/root/results"
grep -qx DONE "$root/root/results" || die "the checks did not finish"
! grep -q '^FAIL' "$root/root/results"
