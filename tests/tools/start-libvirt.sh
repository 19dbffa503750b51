#!/bin/bash
# Starts virtlogd and libvirtd for the tests (no systemd on the test machines), and waits until
# qemu:///system answers. Idempotent: leaves already running daemons alone.
# hugetlbfs is mounted first because libvirtd reads the mount table only at start.
set -euo pipefail
for cmd in libvirtd virtlogd virsh; do
  command -v "$cmd" >/dev/null || { echo "start-libvirt: '$cmd' is missing: apt-get install libvirt-daemon-system libvirt-clients" >&2; exit 1; }
done
state=/run/virtiofs-tests
mkdir -p "$state"
if ! mountpoint -q /dev/hugepages; then
  [ -d /dev/hugepages ] || { mkdir -p /dev/hugepages; touch "$state/created-hugepages-dir"; }
  mount -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages
  touch "$state/mounted-hugetlbfs"
fi
# /dev/kvm as udev would leave it (group kvm, mode 0660), before libvirtd probes QEMU. Without
# udev it is root:root 0600: libvirt then logs "KVM was enabled when probing, but it is not
# available now", re-probes QEMU on every call and each define takes minutes. stop-libvirt.sh
# puts the node back as it was.
if [ -c /dev/kvm ] && getent group kvm >/dev/null; then
  kvm_gid=$(getent group kvm | cut -d: -f3)
  if [ "$(stat -c %g /dev/kvm)" != "$kvm_gid" ] || [ $(( 0$(stat -c %a /dev/kvm) & 060 )) -ne $(( 060 )) ]; then
    [ -f "$state/kvm-was" ] || stat -c '%u:%g %a' /dev/kvm > "$state/kvm-was"
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
fi
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! alive /run/virtlogd.pid; then virtlogd -d; touch "$state/started-virtlogd"; fi
if ! alive /run/libvirtd.pid; then libvirtd -d; touch "$state/started-libvirtd"; fi
for _ in $(seq 1 300); do
  if virsh -c qemu:///system version >/dev/null 2>&1; then exit 0; fi
  sleep 0.1
done
echo "start-libvirt: libvirtd did not answer on qemu:///system within 30 s; see /var/log/libvirt/libvirtd.log" >&2
exit 1
