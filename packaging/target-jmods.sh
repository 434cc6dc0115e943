#!/usr/bin/env bash
# Prints the jmods folder of a JDK for another platform, fetching it first when it is not cached:
# jlink links a runtime for that platform from it (packaging/pom.xml, when -Dslm.platform names a
# platform other than the build machine's and -Dslm.jmods is not given).
#
#   packaging/target-jmods.sh PLATFORM FEATURE     e.g. linux-aarch64 25
#
# jlink links only java.base of its own feature version, so FEATURE is the major version of the JDK
# running the build. linux-aarch64: Debian 13's openjdk-FEATURE-jdk-headless:arm64, whose jmods/
# are read as data (nothing of it runs here). apt fetches it with a configuration of its own (the
# machine's sources and state are untouched) and checks it against Debian's signed package index, as
# for any package; the newest of trixie and trixie-security is taken. Cached under
# $SLM_BUILD_CACHE/jdk (default ~/.cache/slm-build/jdk), one folder per package version.
set -euo pipefail
platform=${1:?usage: target-jmods.sh PLATFORM FEATURE}
feature=${2:?usage: target-jmods.sh PLATFORM FEATURE}
case $platform in
  linux-aarch64) arch=arm64 ;;
  *) echo "target-jmods: no JDK source for $platform: give -Dslm.jmods=/path/to/its/jdk/jmods" >&2; exit 1 ;;
esac
for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "target-jmods: '$tool' is needed to fetch the $platform JDK (a Debian or Ubuntu build machine); or give -Dslm.jmods=DIR" >&2; exit 1; }
done
package=openjdk-$feature-jdk-headless
source "$(dirname "$0")/debian-apt.sh"
debian_apt "$arch"
exec 9>"$cache/.lock-$arch"
flock 9
version=$(apt-cache "${apt_opts[@]}" policy "$package:$arch" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  cached=$(ls -d "$cache/$package-$arch-"*/jmods 2>/dev/null | tail -1 || true)
  [ -n "$cached" ] && { echo "$cached"; exit 0; }
  echo "target-jmods: Debian 13 has no $package for $arch (the JDK running the build is $feature: use one whose feature version Debian 13 ships, e.g. 21 or 25, or give -Dslm.jmods=DIR)" >&2
  exit 1
fi
dest=$cache/$package-$arch-${version//[^A-Za-z0-9.+~-]/_}
if [ ! -f "$dest/.complete" ]; then
  echo "target-jmods: fetching $package:$arch $version from Debian 13" >&2
  tmp=$(mktemp -d "$cache/fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get "${apt_opts[@]}" -qq download "$package:$arch=$version" >"$tmp/download.log" 2>&1) \
    || { cat "$tmp/download.log" >&2; echo "target-jmods: could not fetch $package:$arch" >&2; exit 1; }
  dpkg-deb -x "$tmp"/*.deb "$tmp/x"
  jmods=$(find "$tmp/x" -type d -name jmods | head -1)
  [ -n "$jmods" ] && [ -f "$jmods/java.base.jmod" ] \
    || { echo "target-jmods: $package:$arch $version has no jmods/java.base.jmod" >&2; exit 1; }
  rm -rf "$dest"
  mkdir -p "$dest"
  mv "$jmods" "$dest/jmods"
  echo "$package:$arch=$version" > "$dest/source"
  touch "$dest/.complete"
fi
echo "$dest/jmods"
