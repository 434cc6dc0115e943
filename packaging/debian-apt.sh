# Debian 13 (trixie) packages of another architecture, fetched with an apt configuration of its own
# (the machine's sources and state are untouched) and checked against Debian's signed index like any
# package. Sourced by target-jmods.sh and test-image-aarch64.sh:
#   debian_apt ARCH          sets cache, apt_dir and apt_opts (the index refreshed once a day)
#   debian_fetch ARCH DEST PACKAGE...   downloads the newest of each and unpacks them all into DEST
debian_apt() {
  local arch=$1
  cache=${SLM_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slm-build}/jdk
  apt_dir=$cache/apt-$arch
  mkdir -p "$apt_dir"/{lists/partial,archives/partial,etc/preferences.d,etc/apt.conf.d}
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] || { echo "Debian's archive keyring is missing (apt-get install debian-archive-keyring)" >&2; return 1; }
  cat > "$apt_dir/etc/sources.list" <<SOURCES
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian trixie main
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian-security trixie-security main
SOURCES
  [ -f "$apt_dir/status" ] || : > "$apt_dir/status"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list" -o "Dir::Etc::SourceParts=-"
            -o "Dir::Etc::Preferences=$apt_dir/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
            -o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=$apt_dir/status"
            -o "Dir::Cache=$apt_dir" -o "Dir::Cache::Archives=$apt_dir/archives"
            -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o "Debug::NoLocking=1"
            -o "Acquire::Languages=none")
  if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 || echo "could not refresh Debian's index ($apt_dir/update.log)" >&2
  fi
}

debian_fetch() {
  local arch=$1 dest=$2
  shift 2
  debian_apt "$arch" || return 1
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get "${apt_opts[@]}" -qq download "${@/%/:$arch}" >"$tmp/download.log" 2>&1) \
    || { cat "$tmp/download.log" >&2; rm -rf "$tmp"; return 1; }
  mkdir -p "$dest"
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dest"; done
  rm -rf "$tmp"
}
