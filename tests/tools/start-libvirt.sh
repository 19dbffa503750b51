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
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! alive /run/virtlogd.pid; then virtlogd -d; touch "$state/started-virtlogd"; fi
if ! alive /run/libvirtd.pid; then libvirtd -d; touch "$state/started-libvirtd"; fi
for _ in $(seq 1 300); do
  if virsh -c qemu:///system version >/dev/null 2>&1; then exit 0; fi
  sleep 0.1
done
echo "start-libvirt: libvirtd did not answer on qemu:///system within 30 s; see /var/log/libvirt/libvirtd.log" >&2
exit 1
