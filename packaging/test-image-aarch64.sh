#!/usr/bin/env bash
# Tests the linux-aarch64 archive that `mvn package` cross-built, on this x86-64 machine, under
# qemu-user (qemu-aarch64-static, called directly: no binfmt_misc needed). The archive runs on its own
# jlinked arm64 runtime (not this machine's JDK), with Debian 13's arm64 C libraries as the target's
# system (a sysroot, fetched like the jmods through debian-apt.sh):
#   - slm --version names slm's own linux-aarch64 build;
#   - the fixture's greedy "Once upon a time" continuation equals the x86-64 archive's, word for word;
#   - slm profile chooses raspberry-pi on the recorded Pi 4 and Pi 5 (SLM_MACHINE_REPLAY), and live
#     under qemu reads the emulated CPU's features from HWCAP, not the host's x86 /proc/cpuinfo.
#
# Usage: packaging/test-image-aarch64.sh [--short] [ARM64-ARCHIVE [X86_64-ARCHIVE]]   (default: packaging/target)
# Needs qemu-user-static (apt-get install qemu-user-static) and the fixture model. Each JVM start under
# qemu takes about a minute on 2 cores: the whole test 4-9 minutes (9 with four other builds running),
# so scripts/test (and CI) runs --short: --version, the story, the Pi 4 recording (about half).
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

short=false
[ "${1:-}" = --short ] && { short=true; shift; }
arm=${1:-} x86=${2:-}
[ -n "$arm" ] || for a in packaging/target/slm-*-linux-aarch64.tar.gz; do arm=$a; done
[ -n "$x86" ] || for a in packaging/target/slm-*-linux-x86_64.tar.gz; do x86=$a; done
model=${SLM_FIXTURE_MODEL:-../shared/fixtures/models/stories260K.gguf}
qemu=$(command -v qemu-aarch64-static || true)
[ -n "$qemu" ] || { fail "qemu-aarch64-static installed (apt-get install qemu-user-static)"; finish; }
for f in "$arm" "$x86" "$model"; do
  [ -f "$f" ] || { fail "$f exists (run mvn package; set SLM_FIXTURE_MODEL)"; finish; }
done
model=$(readlink -f "$model")

# The target's system libraries: glibc, libgcc, libstdc++ and zlib of Debian 13 (the runtime's floor).
source packaging/debian-apt.sh
sysroot=$(dirname "$(debian_apt arm64 >/dev/null; echo "$apt_dir")")/sysroot-arm64
if [ ! -f "$sysroot/.complete" ]; then
  rm -rf "$sysroot"
  debian_fetch arm64 "$sysroot" libc6 libgcc-s1 libstdc++6 zlib1g || { fail "fetch the arm64 sysroot from Debian 13"; finish; }
  ln -s usr/lib "$sysroot/lib" # Debian 13's merged /usr (base-files makes this link on a real system)
  touch "$sysroot/.complete"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/arm" "$tmp/x86" "$tmp/home" "$tmp/out"
tar -xzf "$arm" -C "$tmp/arm" && tar -xzf "$x86" -C "$tmp/x86" || { fail "unpack the archives"; finish; }
image=$(echo "$tmp"/arm/slm-*) x86image=$(echo "$tmp"/x86/slm-*)
check "the arm64 archive's runtime is an aarch64 JVM" sh -c "file -L '$image/runtime/lib/server/libjvm.so' | grep -q 'ARM aarch64'"
check "its libjllama is slm's own aarch64 build" sh -c "unzip -l '$image'/lib/native-profiles-*.jar | grep -q 'dev/slm/native/linux-aarch64/libjllama.so'"
# The launcher (bin/slm, a shell script) runs as shipped; only the JVM binary it execs goes through
# qemu, since nothing here makes the kernel run arm64 executables by itself.
mv "$image/runtime/bin/java" "$image/runtime/bin/java.aarch64"
printf '#!/bin/sh\nexec %s -L %s "$(dirname "$0")/java.aarch64" "$@"\n' "$qemu" "$sysroot" > "$image/runtime/bin/java"
chmod 755 "$image/runtime/bin/java"
# No JDK on the PATH and no JAVA_HOME: what runs is the archive's own runtime.
bare() { env -i HOME="$tmp/home" PATH=/usr/bin:/bin SLM_NATIVE_DIR="$tmp/native-$1" "${@:2}"; }

bare arm "$image/bin/slm" --version > "$tmp/out/version" 2> "$tmp/out/version.err"
check "slm --version under qemu ($(tr '\n' ' ' < "$tmp/out/version"); $(head -c 300 "$tmp/out/version.err"))" \
  grep -q "slm's own build (linux-aarch64)" "$tmp/out/version"
check "the JVM is the archive's arm64 runtime, not this machine's JDK" grep -q "Linux aarch64" "$tmp/out/version"

args=(run "$model" "Once upon a time" --temperature 0 --threads 1 -n 48)
bare x86 "$x86image/bin/slm" "${args[@]}" > "$tmp/out/story-x86" 2> "$tmp/out/story-x86.err"
bare arm "$image/bin/slm" "${args[@]}" > "$tmp/out/story-arm" 2> "$tmp/out/story-arm.err"
check "x86-64 greedy story is a story ($(head -c 120 "$tmp/out/story-x86"))" grep -q "Lily" "$tmp/out/story-x86"
check "aarch64 greedy story equals x86-64's ($(head -c 120 "$tmp/out/story-arm"); $(tail -c 300 "$tmp/out/story-arm.err"))" \
  cmp -s "$tmp/out/story-x86" "$tmp/out/story-arm"

machines=runtime-core/src/test/resources/machines
pis="pi4 pi5"
$short && pis=pi4
for pi in $pis; do
  bare arm env SLM_MACHINE_REPLAY="$PWD/$machines/$pi" "$image/bin/slm" profile > "$tmp/out/profile-$pi" 2>&1
  check "slm profile on the recorded $pi chooses raspberry-pi ($(grep -m1 '^Profile' "$tmp/out/profile-$pi"))" \
    grep -q "^Profile raspberry-pi (detected)" "$tmp/out/profile-$pi"
done
check "the Pi 4's features come from its HWCAP: no dotprod ($(grep -m1 ' cpu ' "$tmp/out/profile-pi4"))" \
  sh -c "grep -m1 ' cpu ' '$tmp/out/profile-pi4' | grep -q neon && ! grep -m1 ' cpu ' '$tmp/out/profile-pi4' | grep -q dotprod"
$short && finish
bare arm "$image/bin/slm" profile > "$tmp/out/profile-qemu" 2>&1
check "live under qemu: aarch64, features from HWCAP, not the host's x86 flags ($(grep -m1 ' cpu ' "$tmp/out/profile-qemu"))" \
  sh -c "grep -q 'linux aarch64' '$tmp/out/profile-qemu' && grep -m1 ' cpu ' '$tmp/out/profile-qemu' | grep -q dotprod && ! grep -m1 ' cpu ' '$tmp/out/profile-qemu' | grep -q avx"
finish
