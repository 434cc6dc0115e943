#!/bin/sh
# Installs slm from its archive: the program under /opt/slm, the `slm` system user, its state and
# config directories, and the systemd unit(s), enabled. Running it again changes nothing; every
# action it takes is printed. `--uninstall` removes what it added but keeps the models.
#
# Usage: install.sh [--prefix DIR] [--bindir DIR] [ARCHIVE.tar.gz]
#        install.sh --uninstall [--purge] [--prefix DIR] [--bindir DIR]
# Without ARCHIVE it installs the unpacked archive it sits in. DESTDIR (environment) installs into a
# staging root instead of / (no user is created and systemctl is not called then).
set -eu

prefix=/opt/slm
bindir=/usr/local/bin
mode=install
purge=
archive=
user=slm
statedir=/var/lib/slm
confdir=/etc/slm
unitdir=/etc/systemd/system
destdir=${DESTDIR:-}
destdir=${destdir%/}
changes=0

say() { echo "install.sh: $*"; }
die() { echo "install.sh: error: $*" >&2; exit 1; }
changed() { changes=$((changes + 1)); say "$*"; }

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --bindir) [ $# -ge 2 ] || die "--bindir needs a directory"; bindir=$2; shift 2 ;;
    --bindir=*) bindir=${1#--bindir=}; shift ;;
    --uninstall) mode=uninstall; shift ;;
    --purge) purge=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$archive" ] || die "one archive at a time"; archive=$1; shift ;;
  esac
done
case $prefix in
  /?*) prefix=${prefix%/} ;;
  *) die "--prefix must be an absolute directory other than /, not '$prefix'" ;;
esac
case $bindir in /*) ;; *) die "--bindir must be an absolute directory, not '$bindir'" ;; esac
[ -z "$purge" ] || [ "$mode" = uninstall ] || die "--purge goes with --uninstall"

root=$destdir$prefix
manifest=$root/.install-manifest
# Kept with the models, so that --purge (which removes both) knows whether the user was ours.
user_record=$destdir$statedir/.created-user

# systemctl only acts on the running system, never on a staging root.
systemd_reason=
if [ -n "$destdir" ]; then
  systemd_reason="DESTDIR is set"
elif ! command -v systemctl >/dev/null 2>&1; then
  systemd_reason="systemctl is not installed"
elif [ ! -d /run/systemd/system ]; then
  systemd_reason="systemd is not running on this machine"
fi
as_root() { [ "$(id -u)" = 0 ]; }

file_mode() { stat -c %a "$1"; }

# Copies one entry of the image unless the installed one is already the same (content, mode, time).
install_entry() { # relative path
  s=$src/$1 d=$root/$1
  if [ -L "$s" ]; then
    t=$(readlink "$s")
    if [ -L "$d" ] && [ "$(readlink "$d")" = "$t" ]; then return 0; fi
    mkdir -p "$(dirname "$d")"
    rm -rf "$d"
    ln -s "$t" "$d"
    written=$((written + 1))
    return 0
  fi
  if [ -f "$d" ] && [ ! -L "$d" ] && cmp -s "$s" "$d" && [ "$(file_mode "$s")" = "$(file_mode "$d")" ] \
      && ! [ "$s" -nt "$d" ] && ! [ "$s" -ot "$d" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$d")"
  # A temporary file and a rename: a running slm never sees a half-written jar. Times are kept
  # because the class-data archive checks the jars' times; owner is whoever installs (root).
  cp -p "$s" "$d.install-tmp"
  if as_root; then chown 0:0 "$d.install-tmp"; fi
  mv -f "$d.install-tmp" "$d"
  written=$((written + 1))
}

write_if_different() { # content-file target description
  if [ -f "$2" ] && cmp -s "$1" "$2"; then return 0; fi
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.install-tmp"
  chmod 644 "$2.install-tmp"
  mv -f "$2.install-tmp" "$2"
  changed "$3"
}

ensure_dir() { # path mode [owner]
  if [ ! -d "$1" ]; then
    mkdir -p "$1"
    changed "create directory ${1#"$destdir"}"
  fi
  if [ "$(file_mode "$1")" != "$2" ]; then
    chmod "$2" "$1"
    changed "chmod $2 ${1#"$destdir"}"
  fi
  if [ -n "${3:-}" ] && [ -z "$destdir" ] && as_root; then
    if [ "$(stat -c %U:%G "$1")" != "$3" ]; then
      chown "$3" "$1"
      changed "chown $3 ${1#"$destdir"}"
    fi
  fi
}

# slm's llama.cpp libraries carry their own libstdc++ and use no OpenMP; they need the system's
# libgcc_s and a glibc of 2.36 or newer (native-profiles/native/README.md).
check_system_libraries() {
  [ -z "$destdir" ] || return 0
  cache=$( { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null) || true
  [ -n "$cache" ] || return 0
  warn_if_missing "$cache" libgcc_s.so.1 libgcc-s1 libgcc
  glibc=$(ldd --version 2>/dev/null | sed -n '1s/.* \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p')
  case $glibc in
    2.[0-9]|2.[0-2][0-9]|2.3[0-5]) say "warning: this system has glibc $glibc; slm's llama.cpp needs 2.36 or newer (Debian 12, Ubuntu 23.04)" ;;
  esac
}

warn_if_missing() { # ldconfig-cache soname debian-package fedora-package
  case $1 in *"$2 "*) return 0 ;; esac
  say "warning: $2 is missing and llama.cpp needs it: install it (Debian, Ubuntu, Raspberry Pi OS: apt-get install $3; Fedora: dnf install $4)"
}

install_slm() {
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if [ -n "$archive" ]; then
    [ -f "$archive" ] || die "no archive at $archive"
    tar -xzf "$archive" -C "$tmp" || die "cannot unpack $archive: is it an slm .tar.gz?"
    set -- "$tmp"/slm-*/
    [ -d "$1" ] || die "$archive holds no slm-*/ folder: is it an slm archive?"
    src=${1%/}
  else
    src=$(cd "$(dirname "$0")" && pwd)
  fi
  [ -x "$src/bin/slm" ] && [ -d "$src/lib" ] \
    || die "$src is not an unpacked slm archive: pass the slm-*.tar.gz to install"
  [ "$src" != "$root" ] || die "run the install.sh of an unpacked archive, not the installed copy"
  if [ -z "$destdir" ] && ! as_root; then
    die "installing into $prefix needs root: run it with sudo (or set DESTDIR for a staging root)"
  fi
  say "installing $(basename "$src") into $root"

  # 1. The program. Files that an earlier version installed and this one lacks are removed; files
  #    that install.sh never installed are left alone, whatever the prefix.
  (cd "$src" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) > "$tmp/files"
  written=0
  while IFS= read -r f; do install_entry "$f"; done < "$tmp/files"
  total=$(wc -l < "$tmp/files")
  if [ "$written" -gt 0 ]; then
    changed "write $written of $total files under $prefix ($((total - written)) already up to date)"
  fi
  if [ -f "$manifest" ]; then
    LC_ALL=C sort "$manifest" | LC_ALL=C comm -23 - "$tmp/files" > "$tmp/stale"
    while IFS= read -r f; do
      if [ -e "$root/$f" ] || [ -L "$root/$f" ]; then rm -f "$root/$f"; changed "remove $prefix/$f (not in this version)"; fi
    done < "$tmp/stale"
  fi
  write_if_different "$tmp/files" "$manifest" "record the installed files in $prefix/.install-manifest"

  # 2. The command on PATH.
  link=$destdir$bindir/slm
  if [ "$(readlink "$link" 2>/dev/null || true)" != "$prefix/bin/slm" ]; then
    if [ -e "$link" ] && [ ! -L "$link" ]; then
      say "keep $bindir/slm: it is not a link made by install.sh (run $prefix/bin/slm)"
    else
      mkdir -p "$destdir$bindir"
      ln -sfn "$prefix/bin/slm" "$link"
      changed "link $bindir/slm -> $prefix/bin/slm"
    fi
  fi

  # 3. The system user that runs the service and owns the models.
  created_user=
  if [ -n "$destdir" ]; then
    say "skip creating user $user: DESTDIR is set (on the target: useradd --system --user-group --home-dir $statedir --shell /usr/sbin/nologin $user)"
  elif id "$user" >/dev/null 2>&1; then
    :
  elif command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$statedir" --no-create-home --shell /usr/sbin/nologin "$user"
    created_user=created-user
    changed "create system user $user"
  elif command -v adduser >/dev/null 2>&1; then # BusyBox
    addgroup -S "$user" 2>/dev/null || true
    adduser -S -D -H -h "$statedir" -s /sbin/nologin -G "$user" "$user"
    created_user=created-user
    changed "create system user $user"
  else
    die "cannot create user $user: neither useradd nor adduser is installed"
  fi

  # 4. State and config. The config file is the shipped default until someone edits it; an edited
  #    one is never overwritten.
  ensure_dir "$destdir$statedir" 750 "$user:$user"
  ensure_dir "$destdir$statedir/models" 750 "$user:$user"
  if [ -n "$created_user" ]; then
    echo "$user" > "$user_record"
    changed "record in $statedir/.created-user that install.sh created user $user (--purge removes it)"
  fi
  ensure_dir "$destdir$confdir" 755
  # slm.conf is what the unit's ExecStart reads (a default that serves the model store), slm.env
  # its environment: without them the service could not start.
  for f in slm.conf slm.env; do
    if [ -f "$src/etc/$f" ] && [ ! -f "$destdir$confdir/$f" ]; then
      write_if_different "$src/etc/$f" "$destdir$confdir/$f" "install default config $confdir/$f"
    fi
  done

  # 5. The systemd unit(s), with this prefix in their paths.
  units=
  unit_changed=
  for unit in "$src"/systemd/*.service; do
    [ -f "$unit" ] || continue
    name=$(basename "$unit")
    units="$units $name"
    sed "s|/opt/slm|$prefix|g" "$unit" > "$tmp/$name"
    before=$changes
    write_if_different "$tmp/$name" "$destdir$unitdir/$name" "install unit $unitdir/$name"
    [ "$before" = "$changes" ] || unit_changed=1
  done
  if [ -z "$units" ]; then
    say "this archive ships no systemd unit: no service to set up"
  elif [ -n "$systemd_reason" ]; then
    say "skip systemctl daemon-reload/enable:$units ($systemd_reason)"
  else
    if [ -n "$unit_changed" ]; then systemctl daemon-reload; changed "systemctl daemon-reload"; fi
    for name in $units; do
      if ! systemctl is-enabled --quiet "$name" 2>/dev/null; then
        systemctl enable --quiet "$name"
        changed "systemctl enable $name (start it with: systemctl start $name)"
      elif [ "$changes" -gt 0 ] && systemctl is-active --quiet "$name"; then
        systemctl restart "$name"
        changed "systemctl restart $name (new files)"
      fi
    done
  fi


  check_system_libraries

  if [ "$changes" = 0 ]; then say "nothing to do: slm is installed and up to date in $root"
  else say "done: $changes change(s); run: $bindir/slm --version"; fi
}

uninstall_slm() {
  [ -f "$manifest" ] || die "no slm installed by install.sh in $root (no $prefix/.install-manifest)"
  if [ -z "$destdir" ] && ! as_root; then die "uninstalling from $prefix needs root: run it with sudo"; fi
  created_user=$(cat "$user_record" 2>/dev/null || true)

  for unit in "$root"/systemd/*.service; do
    [ -f "$unit" ] || continue
    name=$(basename "$unit")
    if [ -z "$systemd_reason" ] && systemctl is-enabled --quiet "$name" 2>/dev/null; then
      systemctl disable --now --quiet "$name"
      changed "systemctl disable --now $name"
    fi
    if [ -f "$destdir$unitdir/$name" ]; then
      rm -f "$destdir$unitdir/$name"
      changed "remove unit $unitdir/$name"
    fi
  done
  if [ -n "$systemd_reason" ] && [ -n "$(ls "$root"/systemd/*.service 2>/dev/null)" ]; then
    say "skip systemctl disable/daemon-reload ($systemd_reason)"
  fi
  if [ -z "$systemd_reason" ] && [ "$changes" -gt 0 ]; then systemctl daemon-reload; fi

  if [ "$(readlink "$destdir$bindir/slm" 2>/dev/null || true)" = "$prefix/bin/slm" ]; then
    rm -f "$destdir$bindir/slm"
    changed "remove link $bindir/slm"
  fi

  for f in slm.conf slm.env; do
    conf=$destdir$confdir/$f
    [ -f "$conf" ] || continue
    if [ -n "$purge" ] || cmp -s "$conf" "$root/etc/$f"; then
      rm -f "$conf"
      changed "remove $confdir/$f"
    else
      say "keep $confdir/$f: it was edited (--purge removes it)"
    fi
  done
  rmdir "$destdir$confdir" 2>/dev/null && changed "remove directory $confdir" || true

  while IFS= read -r f; do
    rm -f "$root/$f"
  done < "$manifest"
  rm -f "$manifest"
  changed "remove the files of $prefix"
  # Then the directories that became empty, deepest first; anything not installed here stays.
  find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  [ ! -d "$root" ] || say "keep $prefix: it holds files install.sh did not install"

  if [ -n "$purge" ]; then
    if [ -d "$destdir$statedir" ]; then
      rm -rf "$destdir$statedir"
      changed "remove $statedir (models included: --purge)"
    fi
    if [ -n "$created_user" ] && [ -z "$destdir" ] && id "$user" >/dev/null 2>&1; then
      userdel "$user" 2>/dev/null || deluser "$user"
      changed "remove system user $user"
    fi
  else
    [ ! -d "$destdir$statedir" ] || say "keep $statedir (models; --uninstall --purge removes it)"
    [ -z "$created_user" ] || [ -n "$destdir" ] || say "keep system user $user (it owns $statedir; --purge removes it)"
  fi
  say "done: $changes change(s)"
}

if [ "$mode" = install ]; then install_slm; else uninstall_slm; fi
