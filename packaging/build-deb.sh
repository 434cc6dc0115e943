#!/bin/sh
# Builds a .deb from the staged image (packaging/pom.xml calls it after the .tar.gz): the same
# /opt/slm, plus /usr/bin/slm, /etc/slm/slm.conf and slm.env as conffiles, the systemd unit(s), and maintainer
# scripts that create the slm user and its state directory. apt then pulls in the C++ and OpenMP
# runtimes that llama.cpp needs, which the .tar.gz leaves to install.sh's warning.
#
# Usage: build-deb.sh STAGED-IMAGE-DIR OUTPUT-DIR VERSION PLATFORM
set -eu
stage=$1 out=$2 version=$3 platform=$4

if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "build-deb.sh: dpkg-deb is not installed: no .deb (the .tar.gz is complete without it)"
  exit 0
fi
case $platform in
  linux-x86_64) arch=amd64 depends="libc6 (>= 2.36), libgcc-s1" ;;
  # The arm64 runtime is Debian 13's OpenJDK, jlinked: it links the system's libstdc++ and zlib
  # and needs glibc 2.38.
  linux-aarch64) arch=arm64 depends="libc6 (>= 2.38), libgcc-s1, libstdc++6, zlib1g" ;;
  *) echo "build-deb.sh: no .deb for $platform"; exit 0 ;;
esac
# Debian orders 0.1.0~SNAPSHOT before 0.1.0.
debversion=$(echo "$version" | tr '-' '~')
root=$out/deb/slm_${debversion}_$arch
rm -rf "$out/deb"
mkdir -p "$root/opt" "$root/usr/bin" "$root/etc/slm" "$root/lib/systemd/system" "$root/DEBIAN"

cp -a "$stage" "$root/opt/slm"
rm -f "$root/opt/slm/install.sh" # dpkg installs and removes this package, not install.sh
ln -s /opt/slm/bin/slm "$root/usr/bin/slm"
cp -p "$stage/etc/slm.env" "$root/etc/slm/slm.env"
cp -p "$stage/etc/slm.conf" "$root/etc/slm/slm.conf"
units=
for unit in "$stage"/systemd/*.service; do
  [ -f "$unit" ] || continue
  cp -p "$unit" "$root/lib/systemd/system/"
  units="$units $(basename "$unit")"
done
rmdir "$root/lib/systemd/system" "$root/lib/systemd" "$root/lib" 2>/dev/null || true

cat > "$root/DEBIAN/control" <<EOF
Package: slm
Version: $debversion
Architecture: $arch
Maintainer: slm developers <slm@localhost>
Installed-Size: $(du -sk "$root" | cut -f1)
Depends: $depends, adduser
Section: utils
Priority: optional
Description: run small language models (GGUF) locally through llama.cpp
 slm runs GGUF models on the machine itself: slm run, slm chat, and the
 slm service. It carries its own Java runtime under /opt/slm.
EOF
printf '/etc/slm/slm.conf\n/etc/slm/slm.env\n' > "$root/DEBIAN/conffiles"

cat > "$root/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
  # The home directory first: adduser warns that it "can't be accessed" when it does not exist yet.
  mkdir -p /var/lib/slm/models
  if ! getent passwd slm >/dev/null; then
    adduser --system --group --home /var/lib/slm --no-create-home --shell /usr/sbin/nologin slm
  fi
  chown slm:slm /var/lib/slm /var/lib/slm/models
  chmod 750 /var/lib/slm /var/lib/slm/models
  if [ -n "$units" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable$units
  fi
fi
EOF
cat > "$root/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = remove ] && [ -n "$units" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now$units || true
fi
EOF
cat > "$root/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
# Models stay on remove; purge deletes them with the rest of the state.
if [ "\$1" = purge ]; then
  rm -rf /var/lib/slm /var/cache/slm
  # The user and group were made for this package and own nothing any more.
  if getent passwd slm >/dev/null; then deluser --system --quiet slm 2>/dev/null || userdel slm || true; fi
  if getent group slm >/dev/null; then delgroup --system --quiet slm 2>/dev/null || groupdel slm || true; fi
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
EOF
chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/slm_${debversion}_$arch.deb" >/dev/null
echo "build-deb.sh: $out/slm_${debversion}_$arch.deb: $(wc -c < "$out/slm_${debversion}_$arch.deb") bytes"
