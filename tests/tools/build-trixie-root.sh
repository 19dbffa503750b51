#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds a Debian 13 (trixie) root with its own libvirt 11, QEMU 10 and Rust virtiofsd, so the
# module can be tested against the stack current distributions ship, beside the host's libvirt 9.
#   tests/tools/build-trixie-root.sh [OUTDIR]       (default: <repo>/output/trixie)
# Writes OUTDIR/root (the tree), OUTDIR/versions and OUTDIR/stamp; reused while this script is
# unchanged. tests/tools/start-trixie-libvirt.sh runs its daemons in a private namespace.
#
# Why it is built this way (/work/shared/docs/real-guest-notes.md, item 9):
# - The packages are installed with no host /dev in the root: the QEMU packages' scripts chgrp
#   /dev/kvm to the root's kvm group, and with the host's /dev bound that broke the host's libvirt.
#   They run in a private mount namespace with a small /dev of our own, so nothing can reach
#   the host's device nodes, and a policy-rc.d forbids every service start.
# - The root keeps its own users and groups, except kvm, which gets the host's gid before any
#   package creates it: sockets made with --socket-group=kvm on either side, /dev/hugepages and
#   the files QEMU creates then mean the same group on both sides.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../output/trixie}
mkdir -p "$out"; out=$(cd "$out" && pwd)
fail() { echo "build-trixie-root: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || fail "'debootstrap' is missing: apt-get install debootstrap"
for cmd in unshare chroot mount mknod apt-config sha256sum; do
  command -v "$cmd" >/dev/null || fail "'$cmd' is missing"
done

root=$out/root
stamp=$(sha256sum < "$0" | cut -c1-16)
if [ -x "$root/usr/sbin/libvirtd" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "build-trixie-root: reusing $root ($(tr '\n' ' ' < "$out/versions"))"; exit 0
fi
# Never rebuild under running daemons; their mounts live in their own namespace, so this
# namespace only sees plain directories under $root, but the daemons would lose their files.
if [ -s "$out/state/init.pid" ] && kill -0 "$(cat "$out/state/init.pid")" 2>/dev/null; then
  fail "the daemons of $root are running: tests/tools/stop-trixie-libvirt.sh first"
fi
if grep -q " $out/" /proc/self/mounts; then fail "something is mounted under $out: unmount it first"; fi

# Debian's package mirror apt on this host is configured with (tests/tools/apt-mirror.sh, the one
# reader of apt's sources); it says what it read when there is none.
. "$here/apt-mirror.sh"
mirror=$(debian_mirror) || fail "apt has no Debian mirror configured (see above); add one, then run apt-get update"

new=$out/root.new
rm -rf --one-file-system "$new"
t0=$(date +%s)
echo "build-trixie-root: debootstrap trixie from Debian's package mirror apt uses ($mirror) into $new"
# In a private mount namespace: whatever debootstrap mounts in the target goes away with it.
unshare --mount --propagation private debootstrap --variant=minbase trixie "$new" "$mirror" > "$out/debootstrap.log" 2>&1 ||
  { tail -20 "$out/debootstrap.log" >&2; fail "debootstrap failed; full log in $out/debootstrap.log"; }
t1=$(date +%s)

printf '#!/bin/sh\n# No service starts in this root: start-trixie-libvirt.sh starts the daemons.\nexit 101\n' > "$new/usr/sbin/policy-rc.d"
chmod 755 "$new/usr/sbin/policy-rc.d"
if kvm_gid=$(getent group kvm | cut -d: -f3) && [ -n "$kvm_gid" ]; then
  if clash=$(chroot "$new" getent group "$kvm_gid"); then
    fail "the new root already has group '${clash%%:*}' with the host's kvm gid $kvm_gid"
  fi
  chroot "$new" groupadd --system --gid "$kvm_gid" kvm
fi

# The install, in a private mount namespace with a /dev of its own (no kvm node at all).
install_pkgs=(libvirt-daemon-system libvirt-clients qemu-system-x86 virtiofsd uidmap procps)
unshare --mount --propagation private /bin/bash -euc '
  r=$1; shift
  mount -t proc proc "$r/proc"
  mount -t tmpfs -o mode=0755 vfs-trixie-dev "$r/dev"
  for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
    read -r name maj min <<< "$n"; mknod -m 666 "$r/dev/$name" c "$maj" "$min"
  done
  mkdir "$r/dev/pts" "$r/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"; ln -s pts/ptmx "$r/dev/ptmx"
  ln -s /proc/self/fd "$r/dev/fd"
  chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
    apt-get install -y -q --no-install-recommends "$@"
  chroot "$r" apt-get clean
' vfs-trixie-install "$new" "${install_pkgs[@]}" > "$out/install.log" 2>&1 ||
  { tail -20 "$out/install.log" >&2; fail "apt-get install in the trixie root failed; full log in $out/install.log"; }
t2=$(date +%s)

# The qemu driver must be there (libvirt-daemon-system does not always pull it in), and no
# network may autostart: it would create a bridge in the host's network namespace.
[ -e "$new/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so" ] ||
  fail "the root has no libvirt qemu driver (libvirt-daemon-driver-qemu)"
rm -f "$new"/etc/libvirt/qemu/networks/autostart/*.xml
if [ -n "${kvm_gid:-}" ] && [ "$(chroot "$new" getent group kvm | cut -d: -f3)" != "$kvm_gid" ]; then
  fail "the root's kvm group does not have the host's gid $kvm_gid after the install"
fi

{ chroot "$new" libvirtd --version
  chroot "$new" qemu-system-x86_64 --version | head -1
  echo "virtiofsd $(chroot "$new" /usr/libexec/virtiofsd --version | awk '{print $NF}')"
  chroot "$new" dpkg-query -W -f='${Package} ${Version}\n' libvirt-daemon qemu-system-x86 virtiofsd
} > "$out/versions.new"
rm -rf --one-file-system "$root"
mv "$new" "$root"; mv "$out/versions.new" "$out/versions"
echo "$stamp" > "$out/stamp"
echo "build-trixie-root: $root in $(( $(date +%s) - t0 )) s (debootstrap $(( t1 - t0 )) s, packages $(( t2 - t1 )) s): $(head -3 "$out/versions" | tr '\n' ';')"
