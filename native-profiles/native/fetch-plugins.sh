#!/usr/bin/env bash
# Fetches the GPU plug-in packages pinned in gpu-plugins.lock into the build cache, once, checked
# against the registry's integrity: the tests install them from there (they never download), as a
# user without network would with `slm profile install NAME --from TARBALL`.
#
#   native-profiles/native/fetch-plugins.sh          prints nothing when all are cached
#   SLM_BUILD_CACHE    cache root (default: $XDG_CACHE_HOME/slm-build, else ~/.cache/slm-build);
#                      each tarball lies at gpu-plugins/<sha256>.tgz, so a changed pin is a new file
#   SLM_PLUGINS_SKIP=1 fetch nothing (the tests that install a plug-in then fail, saying so)
# A failed fetch (no network) is a warning, not a failed build: only those tests need the files.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${SLM_PLUGINS_SKIP:-0}" = 1 ] || [ "${SLM_NATIVE_SKIP:-0}" = 1 ]; then
  exit 0
fi
cache=${SLM_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slm-build}/gpu-plugins
mkdir -p "$cache"
# "[plugin.NAME]" sections: url, integrity and sha256 of each.
awk -F' = ' '/^\[plugin\.[a-z0-9]+\]$/ {name=substr($0, 9, length($0) - 9)} /^(url|integrity|sha256) = / {gsub(/"/,"",$2); v[name,$1]=$2}
  END {for (k in v) {split(k, p, SUBSEP); if (p[2]=="url") print p[1], v[p[1],"url"], v[p[1],"integrity"], v[p[1],"sha256"]}}' \
  "$here/gpu-plugins.lock" | sort | while read -r name url integrity sha256; do
  target=$cache/$sha256.tgz
  [ -f "$target" ] && continue
  tmp=$(mktemp "$cache/fetch.XXXXXX")
  echo "native: fetching $name plug-in package ($url)" >&2
  if ! curl -fsSL --retry 3 -o "$tmp" "$url"; then
    echo "native: WARNING: cannot fetch $url: the GPU plug-in tests will fail until it is cached" >&2
    rm -f "$tmp"; continue
  fi
  actual="sha512-$(openssl dgst -sha512 -binary "$tmp" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "native: WARNING: $url does not match gpu-plugins.lock's integrity ($actual); not cached" >&2
    rm -f "$tmp"; continue
  fi
  mv "$tmp" "$target"
done
exit 0
