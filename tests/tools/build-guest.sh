#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the end-to-end test guest: Debian's own kernel (downloaded, not installed) and a busybox
# initramfs with the virtio-fs modules and tests/tools/guest-init.sh as /init.
#   tests/tools/build-guest.sh [OUTDIR]        (default: <repo>/output/guest)
# Writes OUTDIR/vmlinuz and OUTDIR/initrd.gz and reuses them while the init and this script are
# unchanged; the kernel's few files are kept in OUTDIR/kernel, so a rebuild needs no download.
# See /work/shared/docs/real-guest-notes.md, Step 1, for the facts behind each step.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../output/guest}
mkdir -p "$out"; out=$(cd "$out" && pwd)
need() { command -v "$1" >/dev/null || { echo "build-guest: '$1' is missing: apt-get install $2" >&2; exit 1; }; }
need apt-get apt; need dpkg dpkg; need cpio cpio; need gzip gzip
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || { echo "build-guest: a static /bin/busybox is missing: apt-get install busybox-static" >&2; exit 1; }

stamp=$(cat "$here/guest-init.sh" "$0" | sha256sum | cut -c1-16)
if [ -s "$out/initrd.gz" ] && [ -s "$out/vmlinuz" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "build-guest: reusing $out (stamp $stamp)"; exit 0
fi

# 1. The kernel and its virtio-fs modules, once.
kdir=$out/kernel
if [ ! -s "$kdir/modules.order" ]; then
  # linux-image-amd64 is the metapackage; it depends on the current versioned image package.
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
  [ -n "$kpkg" ] || { echo "build-guest: apt-cache knows no linux-image-amd64; run apt-get update" >&2; exit 1; }
  tmp=$(mktemp -d); chmod 755 "$tmp"; trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download -q "$kpkg" >/dev/null) || { echo "build-guest: apt-get download $kpkg failed (network or sources.list)" >&2; exit 1; }
  dpkg -x "$tmp"/"$kpkg"_*.deb "$tmp/x"
  kver=$(ls "$tmp/x/lib/modules" | head -1)
  moddir=$tmp/x/lib/modules/$kver
  # The .deb has no modules.dep (depmod runs in postinst) and kmod is not needed: read each
  # module's .modinfo depends= and load dependencies first.
  declare -A seen; order=()
  modpath() { find "$moddir/kernel" \( -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" \) | head -1; }
  resolve() {
    local name=$1 p d
    [ -n "${seen[$name]:-}" ] && return 0; seen[$name]=1
    p=$(modpath "$name")
    if [ -z "$p" ]; then
      grep -q "/$name.ko" "$moddir/modules.builtin" 2>/dev/null && return 0
      echo "build-guest: module $name is neither in $kpkg nor built in" >&2; exit 1
    fi
    for d in $(/bin/busybox strings -a "$p" | sed -n 's/^depends=//p' | tr ',' ' '); do resolve "$d"; done
    order+=("$p")
  }
  for m in virtio_pci virtiofs; do resolve "$m"; done
  rm -rf "$kdir"; mkdir -p "$kdir/modules"
  cp "$tmp/x/boot/vmlinuz-$kver" "$kdir/vmlinuz"
  for p in "${order[@]}"; do cp "$p" "$kdir/modules/"; basename "$p" >> "$kdir/modules.order"; done
  echo "$kpkg $kver" > "$kdir/version"
fi

# 2. The initramfs: static busybox, the modules in load order, device nodes, /init.
root=$(mktemp -d)
mkdir -p "$root"/{bin,sbin,proc,sys,dev,mnt,etc,lib/modules}
cp /bin/busybox "$root/bin/busybox"
mknod -m 600 "$root/dev/console" c 5 1; mknod -m 666 "$root/dev/null" c 1 3
cp "$here/guest-init.sh" "$root/init"; chmod 755 "$root/init"
cp "$kdir"/modules/*.ko "$root/lib/modules/"
cp "$kdir/modules.order" "$root/modules.order.e2e"
: > "$root/etc/fstab"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -9) > "$out/initrd.gz.tmp"
rm -rf "$root"
cp "$kdir/vmlinuz" "$out/vmlinuz.tmp"
chmod 644 "$out/initrd.gz.tmp" "$out/vmlinuz.tmp"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"; mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$stamp" > "$out/stamp"
echo "build-guest: built $out/vmlinuz and initrd.gz ($(cat "$kdir/version"); modules: $(tr '\n' ' ' < "$kdir/modules.order"))"
