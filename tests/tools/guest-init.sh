#!/bin/busybox sh
# /init of the end-to-end test guest (tests/tools/build-guest.sh puts it in the initramfs).
# Every case passes its parameters on the kernel command line, so one initramfs serves them all:
#   e2e.tag=<tag>      mount this tag with mount -t virtiofs (default mode)
#   e2e.mode=fstab     mount with the guest's own `mount -a` from /etc/fstab instead (e2e.mp = mount point)
#   e2e.mp=<dir>       mount point (default /mnt/e2e)
#   e2e.token=<token>  written back to the host, to prove this boot wrote the file
#   e2e.tag2=<tag>     afterwards, wait up to 60 s for a hot-plugged second share with this tag
# The host checks <share>/guest-wrote.txt (token plus the content of host-prepared.txt, which only a
# guest that read the host's file can know) and the E2E_* markers on the serial console.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /mnt /etc
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "E2E_INIT_START uptime=$(cut -d' ' -f1 /proc/uptime)"

TAG=; TOKEN=none; TAG2=; MODE=tag; MP=/mnt/e2e
for a in $(cat /proc/cmdline); do
  case "$a" in
    e2e.tag=*)   TAG="${a#e2e.tag=}" ;;
    e2e.token=*) TOKEN="${a#e2e.token=}" ;;
    e2e.tag2=*)  TAG2="${a#e2e.tag2=}" ;;
    e2e.mode=*)  MODE="${a#e2e.mode=}" ;;
    e2e.mp=*)    MP="${a#e2e.mp=}" ;;
  esac
done

for m in $(cat /modules.order.e2e); do
  insmod "/lib/modules/$m" || echo "E2E_INSMOD_FAIL $m"
done

# check_share DIR SUFFIX: write the token and what the host wrote, show what the host wrote.
check_share() {
  host=$(cat "$1/host-prepared.txt" 2>/dev/null)
  if [ -n "$host" ]; then
    echo "E2E_HOSTFILE_BEGIN$2"; echo "$host"; echo "E2E_HOSTFILE_END$2"
  else
    echo "E2E_HOSTFILE_MISSING$2"
  fi
  printf 'hello-from-guest token=%s host-said=[%s] kernel=%s\n' "$TOKEN" "$host" "$(uname -r)" > "$1/guest-wrote$2.txt" && sync
  if [ -s "$1/guest-wrote$2.txt" ]; then echo "E2E_WRITE_OK$2"; else echo "E2E_WRITE_FAIL$2"; fi
}

mkdir -p "$MP"
if [ "$MODE" = fstab ]; then
  echo "E2E_FSTAB_BEGIN"; cat /etc/fstab; echo "E2E_FSTAB_END"
  mount -a; echo "E2E_MOUNT_A_RC $?"
else
  mount -t virtiofs "$TAG" "$MP"
fi
if grep -q " $MP virtiofs " /proc/mounts; then
  echo "E2E_MOUNT_OK mode=$MODE"
  grep " $MP " /proc/mounts
  check_share "$MP" ""
  umount "$MP" && echo "E2E_UMOUNT_OK"
else
  echo "E2E_MOUNT_FAIL mode=$MODE tag=$TAG"
  dmesg | tail -20
fi

if [ -n "$TAG2" ]; then
  echo "E2E_WAIT_TAG2 $TAG2"
  mkdir -p /mnt/e2e2; i=0
  while [ $i -lt 120 ]; do
    if mount -t virtiofs "$TAG2" /mnt/e2e2 2>/dev/null; then
      echo "E2E_TAG2_MOUNT_OK after ${i}x0.5s"
      check_share /mnt/e2e2 "-2"
      umount /mnt/e2e2; break
    fi
    sleep 0.5; i=$((i+1))
  done
  [ $i -ge 120 ] && { echo "E2E_TAG2_TIMEOUT"; dmesg | grep -iE "pcie|hotplug|virtio|fuse" | tail -20; }
fi
echo "E2E_DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
