#!/bin/sh
# Tests the archive that `mvn package` built, as an integrator gets it: unpacked on a machine with no
# JDK (JAVA_HOME unset, no java on PATH), it runs the fixture model; install.sh lays it out under a
# temporary root (DESTDIR), a second run changes nothing, and --uninstall removes what it added.
#
# Usage: packaging/test-image.sh [ARCHIVE.tar.gz]   (default: the one in packaging/target)
# Needs the fixture model: SLM_FIXTURE_MODEL or ../shared/fixtures/models/stories260K.gguf.
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # description command...
  what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit $?
}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x86_64 ;;
  Linux-aarch64) platform=linux-aarch64 ;;
  *) echo "test-image.sh runs on Linux x86_64 or aarch64 (install.sh targets systemd)"; exit 1 ;;
esac
archive=${1:-}
if [ -z "$archive" ]; then
  for a in packaging/target/slm-*-$platform.tar.gz; do archive=$a; done
fi
model=${SLM_FIXTURE_MODEL:-../shared/fixtures/models/stories260K.gguf}
if [ ! -f "$archive" ]; then fail "archive built (none in packaging/target: run mvn package)"; finish; fi
if [ ! -f "$model" ]; then fail "fixture model at $model (set SLM_FIXTURE_MODEL)"; finish; fi
archive=$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")
model=$(cd "$(dirname "$model")" && pwd)/$(basename "$model")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "testing $archive ($(wc -c < "$archive") bytes) in $tmp"

# A PATH with only what the launcher itself uses: no java, no JDK anywhere on it.
mkdir -p "$tmp/tools" "$tmp/home" "$tmp/out"
for tool in sh dirname readlink sed; do ln -s "$(command -v $tool)" "$tmp/tools/$tool"; done
bare() { env -i HOME="$tmp/home" PATH="$tmp/tools" SLM_NATIVE_DIR="$tmp/native" "$@"; } # [VAR=value...] command

tar -xzf "$archive" -C "$tmp" || { fail "unpack $archive"; finish; }
image=$(echo "$tmp"/slm-*/)
image=${image%/}
check "archive unpacks to one slm-*/ folder with bin/slm and its own runtime" \
  test -x "$image/bin/slm" -a -x "$image/runtime/bin/java"
no_jdk() { ! bare sh -c 'command -v java || command -v javac || [ -n "${JAVA_HOME:-}" ]'; }
check "no java on the test PATH and no JAVA_HOME" no_jdk

# 1. The image runs by itself.
bare "$image/bin/slm" --version > "$tmp/out/version" 2> "$tmp/out/version.err"
rc=$?
check "bin/slm --version exits 0 (exit $rc; stderr: $(head -c 300 "$tmp/out/version.err"))" test "$rc" = 0
check "bin/slm --version names slm and the bundled Java ($(tr '\n' ' ' < "$tmp/out/version"))" \
  grep -q '^slm [0-9]' "$tmp/out/version"
# One thread and a token cap keep it to seconds on a busy 2-core CI machine.
bare "$image/bin/slm" run "$model" "Once upon a time" --temperature 0 --threads 1 -n 48 > "$tmp/out/story" 2> "$tmp/out/story.err"
rc=$?
check "bin/slm run <fixture> exits 0 (exit $rc; stderr: $(head -c 300 "$tmp/out/story.err"))" test "$rc" = 0
check "the story mentions Lily: $(head -c 100 "$tmp/out/story")" grep -q 'Lily' "$tmp/out/story"
# slm bench measures in child JVMs started from the image's own runtime and class path.
bare "$image/bin/slm" bench "$model" -p 16 -n 8 -r 1 -t 1 > "$tmp/out/bench" 2> "$tmp/out/bench.err"
rc=$?
check "bin/slm bench <fixture> exits 0 (exit $rc; stderr: $(head -c 300 "$tmp/out/bench.err"))" test "$rc" = 0
check "bin/slm bench reports pp16 and tg8 rows" sh -c "grep -q '| pp16 |' '$tmp/out/bench' && grep -q '| tg8 |' '$tmp/out/bench'"
bare SLM_JAVA_OPTS=-Xlog:class+load "$image/bin/slm" --version > "$tmp/out/classes" 2>&1
check "slm's classes come from the image's class-data archive (lib/slm.jsa)" \
  grep -q 'dev.slm.cli.Main source: shared objects file (top)' "$tmp/out/classes"
check "the runtime holds only the chosen JDK modules (no java.desktop)" \
  sh -c "! '$image/runtime/bin/java' --list-modules | grep -q java.desktop"
natives=$(grep -aoE 'de/kherud/llama/[A-Za-z-]+/[a-z0-9_]+/[a-z]*jllama\.[a-z]+' "$image"/lib/llama-*.jar | sort -u)
check "the llama.cpp binding jar keeps only this platform's native library: $(echo $natives)" \
  test "$(echo "$natives" | wc -l)" = 1

# 2. install.sh into a temporary root, twice.
root=$tmp/root
snapshot() { (cd "$1" && find . -printf '%p %y %m %s %T@ %l\n' | LC_ALL=C sort); }
DESTDIR=$root "$image/install.sh" > "$tmp/out/install1" 2>&1
rc=$?
sed 's/^/    /' "$tmp/out/install1"
check "install.sh into DESTDIR exits 0" test "$rc" = 0
check "program under /opt/slm" test -x "$root/opt/slm/bin/slm" -a -x "$root/opt/slm/runtime/bin/java" \
  -a -f "$root/opt/slm/lib/slm.jsa" -a -f "$root/opt/slm/models.lock" -a -x "$root/opt/slm/install.sh"
check "every file of the archive installed, same content" diff -rq -x .install-manifest "$image" "$root/opt/slm"
check "/usr/local/bin/slm links to /opt/slm/bin/slm" test "$(readlink "$root/usr/local/bin/slm")" = /opt/slm/bin/slm
check "default config /etc/slm/slm.env" cmp -s "$image/etc/slm.env" "$root/etc/slm/slm.env"
check "default config /etc/slm/slm.conf, the file the unit's ExecStart reads" cmp -s "$image/etc/slm.conf" "$root/etc/slm/slm.conf"
for unit in "$image"/systemd/*.service; do
  [ -f "$unit" ] || continue
  check "$(basename "$unit") reads the installed files" sh -c "grep -q 'slm serve --config /etc/slm/slm.conf' '$unit' && grep -qx 'EnvironmentFile=-/etc/slm/slm.env' '$unit'"
  check "$(basename "$unit") and slm.env agree on SLM_HOME and SLM_NATIVE_DIR" sh -c \
    "for v in SLM_HOME SLM_NATIVE_DIR; do u=\$(sed -n \"s/^Environment=\$v=//p\" '$unit'); e=\$(sed -n \"s/^\$v=//p\" '$image/etc/slm.env'); [ -n \"\$u\" ] && [ \"\$u\" = \"\$e\" ] || exit 1; done"
done
check "the service's model store (SLM_HOME/models) is the one the installer made and slm.conf names" sh -c \
  "grep -qx 'SLM_HOME=/var/lib/slm' '$image/etc/slm.env' && grep -qx 'models_dir = /var/lib/slm/models' '$image/etc/slm.conf'"
sed "s|/var/lib/slm/models|$root/var/lib/slm/models|" "$root/etc/slm/slm.conf" > "$tmp/installed.conf"
bare "$root/opt/slm/bin/slm" serve --config "$tmp/installed.conf" --check-config > "$tmp/out/check-config" 2>&1
rc=$?
check "the installed default config starts with an empty store (exit $rc: $(head -c 300 "$tmp/out/check-config"))" test "$rc" = 0
# The installed slm serve answers a request (curl on the test machine stands in for a client).
if command -v curl >/dev/null 2>&1; then
  port=$((20000 + $$ % 20000))
  # Not through bare(): a function in the background is a subshell, and $! would not be slm.
  env -i HOME="$tmp/home" PATH="$tmp/tools" SLM_NATIVE_DIR="$tmp/native" \
    "$root/opt/slm/bin/slm" serve --config /dev/null --model "stories=$model" --port "$port" > "$tmp/out/serve" 2>&1 &
  serve_pid=$!
  i=0
  while [ $i -lt 60 ] && ! curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.5; i=$((i + 1)); done
  curl -s -H 'Content-Type: application/json' -d '{"model":"stories","prompt":"Once upon a time","max_tokens":4}' \
    "http://127.0.0.1:$port/v1/completions" > "$tmp/out/completion" 2>&1
  check "the installed slm serve answers a completion ($(head -c 300 "$tmp/out/completion"); log: $(tail -c 300 "$tmp/out/serve"))" \
    grep -q '"text_completion"' "$tmp/out/completion"
  kill "$serve_pid" 2>/dev/null
  wait "$serve_pid"
  check "it drains and exits 0 on SIGTERM" test "$?" = 0
else
  echo "SKIP: no curl: the installed slm serve is not exercised"
fi
check "state directory /var/lib/slm/models" test -d "$root/var/lib/slm/models"
check "it says it skips the user and systemctl under DESTDIR" \
  sh -c "grep -q 'skip creating user slm: DESTDIR' '$tmp/out/install1' && grep -qE 'skip systemctl|ships no systemd unit' '$tmp/out/install1'"
for unit in "$image"/systemd/*.service; do
  [ -f "$unit" ] || continue
  check "unit $(basename "$unit") installed in /etc/systemd/system" cmp -s "$unit" "$root/etc/systemd/system/$(basename "$unit")"
done
bare "$root/opt/slm/bin/slm" --version > "$tmp/out/installed-version" 2>&1
check "the installed bin/slm runs" grep -q '^slm [0-9]' "$tmp/out/installed-version"
ln -s "$root/opt/slm/bin/slm" "$tmp/tools/slm" # what /usr/local/bin/slm is on the target
bare SLM_JAVA_OPTS=-Xlog:class+load slm --version > "$tmp/out/installed-classes" 2>&1
check "the installed slm, run through a link on PATH, uses its class-data archive (times kept)" \
  grep -q 'dev.slm.cli.Main source: shared objects file (top)' "$tmp/out/installed-classes"

snapshot "$root" > "$tmp/out/tree1"
DESTDIR=$root packaging/install.sh "$archive" > "$tmp/out/install2" 2>&1
rc=$?
sed 's/^/    /' "$tmp/out/install2"
snapshot "$root" > "$tmp/out/tree2"
check "second install.sh (from the .tar.gz) exits 0" test "$rc" = 0
check "second run says there is nothing to do" grep -q 'nothing to do' "$tmp/out/install2"
check "second run changed no file, mode or time" cmp -s "$tmp/out/tree1" "$tmp/out/tree2"

# 3. An upgrade drops files the old version had; files install.sh never installed stay; a unit
#    gets the --prefix in its paths. (Built on a copy of the image, with a unit if it ships none.)
next=$tmp/next/$(basename "$image")
mkdir -p "$tmp/next" && cp -a "$image" "$next"
echo extra > "$next/lib/extra.txt"
[ -n "$(ls "$next"/systemd/*.service 2>/dev/null)" ] || mkdir -p "$next/systemd" && printf '[Service]\nExecStart=/opt/slm/bin/slm serve\n' > "$next/systemd/slm.service"
other=$tmp/other
DESTDIR=$other "$next/install.sh" --prefix /srv/slm > "$tmp/out/other1" 2>&1
check "install with --prefix /srv/slm" test -x "$other/srv/slm/bin/slm" -a -f "$other/srv/slm/lib/extra.txt"
check "its unit runs /srv/slm/bin/slm" sh -c "grep -q '/srv/slm/bin/slm' '$other'/etc/systemd/system/*.service && ! grep -q /opt/slm '$other'/etc/systemd/system/*.service"
echo mine > "$other/srv/slm/lib/local-note.txt"
rm "$next/lib/extra.txt"
DESTDIR=$other "$next/install.sh" --prefix /srv/slm > "$tmp/out/other2" 2>&1
check "a file the new version lacks is removed" sh -c "! test -e '$other/srv/slm/lib/extra.txt' && grep -q 'remove /srv/slm/lib/extra.txt' '$tmp/out/other2'"
check "a file install.sh never installed stays" test -f "$other/srv/slm/lib/local-note.txt"

# 4. --uninstall keeps models and an edited config; --purge removes them.
echo "fake model" > "$root/var/lib/slm/models/kept.gguf"
DESTDIR=$root "$root/opt/slm/install.sh" --uninstall > "$tmp/out/uninstall" 2>&1
rc=$?
sed 's/^/    /' "$tmp/out/uninstall"
check "--uninstall exits 0" test "$rc" = 0
check "/opt/slm is gone" test ! -e "$root/opt/slm"
check "/usr/local/bin/slm is gone" test ! -e "$root/usr/local/bin/slm" -a ! -L "$root/usr/local/bin/slm"
check "the unedited default configs are gone" test ! -e "$root/etc/slm/slm.env" -a ! -e "$root/etc/slm/slm.conf"
check "no unit left" sh -c "! ls '$root'/etc/systemd/system/*.service >/dev/null 2>&1"
check "models are kept" test -f "$root/var/lib/slm/models/kept.gguf"
DESTDIR=$root "$image/install.sh" > /dev/null 2>&1
echo "SLM_JAVA_OPTS=-Xmx128m" >> "$root/etc/slm/slm.env"
DESTDIR=$root "$root/opt/slm/install.sh" --uninstall > "$tmp/out/uninstall2" 2>&1
check "an edited config survives --uninstall" grep -q Xmx128m "$root/etc/slm/slm.env"
DESTDIR=$root "$image/install.sh" > /dev/null 2>&1
DESTDIR=$root "$root/opt/slm/install.sh" --uninstall --purge > "$tmp/out/purge" 2>&1
check "--uninstall --purge removes models and config too" test ! -e "$root/var/lib/slm" -a ! -e "$root/etc/slm" -a ! -e "$root/opt/slm"

# 5. The .deb (built where dpkg-deb exists) carries the same program and declares the libraries.
deb=
case $platform in linux-x86_64) debarch=amd64 ;; *) debarch=arm64 ;; esac
for d in "$(dirname "$archive")"/slm_*_$debarch.deb; do [ -f "$d" ] && deb=$d; done
if [ -n "$deb" ] && command -v dpkg-deb >/dev/null 2>&1; then
  dpkg-deb -x "$deb" "$tmp/deb"
  check "the .deb's /opt/slm holds the archive's files" diff -rq -x install.sh "$image" "$tmp/deb/opt/slm"
  bare SLM_JAVA_OPTS=-Xlog:class+load "$tmp/deb/opt/slm/bin/slm" --version > "$tmp/out/deb-version" 2>&1
  check "the .deb's slm runs with its class-data archive" \
    grep -q 'dev.slm.cli.Main source: shared objects file (top)' "$tmp/out/deb-version"
  check "the .deb depends on glibc 2.36 and libgcc_s, what slm's llama.cpp libraries need" \
    sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libc6 (>= 2.36)' && dpkg-deb -f '$deb' Depends | grep -q libgcc-s1"
  check "the .deb's /etc/slm/slm.env and slm.conf are conffiles" \
    sh -c "dpkg-deb -I '$deb' conffiles | grep -qx /etc/slm/slm.env && dpkg-deb -I '$deb' conffiles | grep -qx /etc/slm/slm.conf"
  check "the .deb installs /etc/slm/slm.conf" cmp -s "$image/etc/slm.conf" "$tmp/deb/etc/slm/slm.conf"
  dpkg-deb -e "$deb" "$tmp/deb-control"
  check "postinst makes the home directory before the user (no 'can't be accessed' warning)" \
    sh -c "awk '/mkdir -p \/var\/lib\/slm/ {m=NR} /adduser/ {a=NR} END {exit !(m && a && m < a)}' '$tmp/deb-control/postinst'"
  check "postrm purge removes the slm user and group" \
    sh -c "grep -q 'deluser --system' '$tmp/deb-control/postrm' && grep -q 'delgroup --system' '$tmp/deb-control/postrm'"
else
  echo "SKIP: no .deb next to the archive (dpkg-deb missing when it was built)"
fi

finish
