#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the end-to-end test guest: Debian's own kernel (downloaded, not installed) and a busybox
# initramfs with the virtio-fs modules and tests/tools/guest-init.sh as /init. For e2e.mode=agent
# it also holds Debian's real qemu-ga (package qemu-guest-agent, downloaded, not installed) with the
# shared libraries it links, virtio_console for its port, and a modules.dep for busybox modprobe.
#   tests/tools/build-guest.sh [OUTDIR]        (default: <repo>/output/guest)
# Writes OUTDIR/vmlinuz and OUTDIR/initrd.gz and reuses them while the init and this script are
# unchanged; the kernel's few files are kept in OUTDIR/kernel and qemu-ga's in OUTDIR/agent, so a
# rebuild needs no download.
# See /work/shared/docs/real-guest-notes.md, Step 1, for the facts behind each step.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../output/guest}
mkdir -p "$out"; out=$(cd "$out" && pwd)
need() { command -v "$1" >/dev/null || { echo "build-guest: '$1' is missing: apt-get install $2" >&2; exit 1; }; }
need apt-get apt; need dpkg dpkg; need cpio cpio; need gzip gzip; need ldd libc-bin
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || { echo "build-guest: a static /bin/busybox is missing: apt-get install busybox-static" >&2; exit 1; }

stamp=$(cat "$here/guest-init.sh" "$0" | sha256sum | cut -c1-16)
if [ -s "$out/initrd.gz" ] && [ -s "$out/vmlinuz" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "build-guest: reusing $out (stamp $stamp)"; exit 0
fi
tmps=(); trap 'rm -rf "${tmps[@]}"' EXIT
# newtmp: tmp= a scratch directory apt's _apt user may write into (apt-get download drops privileges).
newtmp() { tmp=$(mktemp -d); chmod 755 "$tmp"; tmps+=("$tmp"); }

# 1. The kernel and its modules, once, and again when the wanted modules change. Every mode
# insmods modules.order (virtio-pci and virtio-fs); e2e.mode=agent also needs virtio_console.
kdir=$out/kernel
base_mods="virtio_pci virtiofs"; agent_mods="virtio_console"
wanted="$base_mods | $agent_mods"
if [ ! -s "$kdir/modules.order" ] || [ "$(cat "$kdir/wanted" 2>/dev/null)" != "$wanted" ]; then
  # linux-image-amd64 is the metapackage; it depends on the current versioned image package.
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
  [ -n "$kpkg" ] || { echo "build-guest: apt-cache knows no linux-image-amd64; run apt-get update" >&2; exit 1; }
  newtmp
  (cd "$tmp" && apt-get download -q "$kpkg" >/dev/null) || { echo "build-guest: apt-get download $kpkg failed (network or sources.list)" >&2; exit 1; }
  dpkg -x "$tmp"/"$kpkg"_*.deb "$tmp/x"
  kver=$(ls "$tmp/x/lib/modules" | head -1)
  moddir=$tmp/x/lib/modules/$kver
  # The .deb has no modules.dep (depmod runs in postinst) and kmod is not needed: read each
  # module's .modinfo depends= and load dependencies first.
  declare -A seen deps file; order=(); names=()
  modpath() { find "$moddir/kernel" \( -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" \) | head -1; }
  resolve() {
    local name=$1 p d
    [ -n "${seen[$name]:-}" ] && return 0; seen[$name]=1
    p=$(modpath "$name")
    if [ -z "$p" ]; then
      grep -q "/$name.ko" "$moddir/modules.builtin" 2>/dev/null && return 0
      echo "build-guest: module $name is neither in $kpkg nor built in" >&2; exit 1
    fi
    file[$name]=$(basename "$p")
    deps[$name]=$(/bin/busybox strings -a "$p" | sed -n 's/^depends=//p' | tr ',' ' ')
    for d in ${deps[$name]}; do resolve "$d"; done
    order+=("$p"); names+=("$name")
  }
  for m in $base_mods; do resolve "$m"; done
  nbase=${#order[@]}
  for m in $agent_mods; do resolve "$m"; done
  rm -rf "$kdir"; mkdir -p "$kdir/modules"
  cp "$tmp/x/boot/vmlinuz-$kver" "$kdir/vmlinuz"
  : > "$kdir/modules.order"; : > "$kdir/modules.dep"; : > "$kdir/modules.alias"
  for i in "${!order[@]}"; do
    p=${order[$i]}; cp "$p" "$kdir/modules/"
    [ "$i" -lt "$nbase" ] && basename "$p" >> "$kdir/modules.order"
  done
  # modules.dep and modules.alias as depmod would write them, for busybox modprobe (and through it
  # the kernel's own request_module("fs-virtiofs")). A module's line lists all it needs, the one
  # to load first last; built-in dependencies have no file and no line.
  closure() {
    local d
    for d in ${deps[$1]:-}; do
      [ -n "${cl[$d]:-}" ] || [ -z "${file[$d]:-}" ] && continue
      cl[$d]=1; closure "$d"; post+=("${file[$d]}")
    done
  }
  for n in "${names[@]}"; do
    declare -A cl=(); post=(); closure "$n"
    line="${file[$n]}:"; for ((j=${#post[@]}-1; j>=0; j--)); do line+=" ${post[$j]}"; done
    echo "$line" >> "$kdir/modules.dep"
    /bin/busybox strings -a "$kdir/modules/${file[$n]}" | sed -n "s/^alias=\(.*\)$/alias \1 $n/p" >> "$kdir/modules.alias"
  done
  echo "$kpkg $kver" > "$kdir/version"
  echo "$wanted" > "$kdir/wanted"
fi
kver=$(cut -d' ' -f2 "$kdir/version")

# 2. qemu-ga and the shared libraries it links, once. ldd on the host resolves them: they are
# Debian 12's own (libglib2.0-0, libnuma1, liburing2, libudev1, libc6), the same the package depends on.
adir=$out/agent
if [ ! -s "$adir/version" ]; then
  newtmp
  (cd "$tmp" && apt-get download -q qemu-guest-agent >/dev/null) || { echo "build-guest: apt-get download qemu-guest-agent failed (network or sources.list)" >&2; exit 1; }
  deb=$(ls "$tmp"/qemu-guest-agent_*.deb)
  dpkg -x "$deb" "$tmp/x"
  ga=$tmp/x/usr/sbin/qemu-ga
  if ldd "$ga" | grep -q 'not found'; then
    echo "build-guest: qemu-ga needs libraries this host lacks: $(ldd "$ga" | grep 'not found' | tr -s '\t\n' '  '); apt-get install $(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/ *, */ /g')" >&2; exit 1
  fi
  rm -rf "$adir"; mkdir -p "$adir/root/usr/sbin"
  cp "$ga" "$adir/root/usr/sbin/qemu-ga"
  for lib in $(ldd "$ga" | sed -n 's/^.*=> \(\/[^ ]*\) (0x.*$/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p'); do
    mkdir -p "$adir/root$(dirname "$lib")"; cp -L "$lib" "$adir/root$lib"
  done
  echo "qemu-guest-agent $(dpkg-deb -f "$deb" Version)" > "$adir/version"
fi

# 3. The initramfs: static busybox, the modules in load order, device nodes, /init, and for
# e2e.mode=agent qemu-ga, its libraries and /lib/modules/<kernel>/modules.dep.
root=$(mktemp -d); tmps+=("$root")
mkdir -p "$root"/{bin,sbin,proc,sys,dev,mnt,etc,lib/modules}
cp /bin/busybox "$root/bin/busybox"
mknod -m 600 "$root/dev/console" c 5 1; mknod -m 666 "$root/dev/null" c 1 3
cp "$here/guest-init.sh" "$root/init"; chmod 755 "$root/init"
cp "$kdir"/modules/*.ko "$root/lib/modules/"
cp "$kdir/modules.order" "$root/modules.order.e2e"
: > "$root/etc/fstab"
mkdir -p "$root/lib/modules/$kver"
for f in "$kdir"/modules/*.ko; do ln -s "../$(basename "$f")" "$root/lib/modules/$kver/$(basename "$f")"; done
cp "$kdir/modules.dep" "$kdir/modules.alias" "$root/lib/modules/$kver/"
cp -a "$adir/root/." "$root/"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -9) > "$out/initrd.gz.tmp"
rm -rf "$root"
cp "$kdir/vmlinuz" "$out/vmlinuz.tmp"
chmod 644 "$out/initrd.gz.tmp" "$out/vmlinuz.tmp"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"; mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$stamp" > "$out/stamp"
echo "build-guest: built $out/vmlinuz and initrd.gz ($(cat "$kdir/version"); modules: $(tr '\n' ' ' < "$kdir/modules.order")+ $agent_mods; $(cat "$adir/version"))"
