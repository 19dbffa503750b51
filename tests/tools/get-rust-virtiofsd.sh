#!/bin/bash
# SPDX-License-Identifier: MIT
# Fetches the real Rust virtiofsd for the tests: Debian 12 packages only the legacy C daemon, and
# Debian 13's virtiofsd package (the Rust one every current distribution ships) needs glibc 2.39.
# So take both virtiofsd and libc6 from trixie, keep the binary byte-for-byte but point its ELF
# interpreter and library path at trixie's glibc beside it (patchelf). The daemon's code is the
# distribution's own; only where it finds libc changes.
#   tests/tools/get-rust-virtiofsd.sh [OUTDIR]     (default: <repo>/output/rust-virtiofsd)
# Writes OUTDIR/bin/virtiofsd, OUTDIR/lib/ (trixie's loader, libc, libm), OUTDIR/version (what
# the binary prints for --version) and OUTDIR/vhost-user/50-virtiofsd.json (the package's
# descriptor, naming OUTDIR/bin/virtiofsd). Reused while it runs and this script is unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../output/rust-virtiofsd}
mkdir -p "$out"; out=$(cd "$out" && pwd)
need() { command -v "$1" >/dev/null || { echo "get-rust-virtiofsd: '$1' is missing: apt-get install $2" >&2; exit 1; }; }
need apt-get apt; need dpkg-deb dpkg; need patchelf patchelf

stamp=$(sha256sum < "$0" | cut -c1-16)
if [ -x "$out/bin/virtiofsd" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ] && "$out/bin/virtiofsd" --version >/dev/null 2>&1; then
  echo "get-rust-virtiofsd: reusing $out ($(cat "$out/version"))"; exit 0
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
# Debian's package mirror as this host's apt is configured with it (CI may have its own); none is an error.
. "$here/apt-mirror.sh"
mirror=$(debian_mirror) || { echo "get-rust-virtiofsd: cannot fetch Debian 13's virtiofsd without Debian's package mirror (above)" >&2; exit 1; }
echo "deb $mirror trixie main" > "$tmp/sources.list"
# A private apt state: the host's sources, lists and cache stay as they are.
apt_opts=(-o "Dir::Etc::sourcelist=$tmp/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$tmp/lists"
          -o "Dir::Cache=$tmp/cache" -o "APT::Sandbox::User=root" -q)
apt-get "${apt_opts[@]}" update >"$tmp/update.log" 2>&1 ||
  { echo "get-rust-virtiofsd: apt-get update of Debian trixie from $mirror failed (it needs network access to Debian's package mirror):" >&2; tail -5 "$tmp/update.log" >&2; exit 1; }
(cd "$tmp" && apt-get "${apt_opts[@]}" download virtiofsd libc6 >"$tmp/download.log" 2>&1) ||
  { echo "get-rust-virtiofsd: apt-get download virtiofsd libc6 (trixie) failed:" >&2; tail -5 "$tmp/download.log" >&2; exit 1; }
dpkg-deb -x "$tmp"/virtiofsd_*.deb "$tmp/vfs"
dpkg-deb -x "$tmp"/libc6_*.deb "$tmp/libc"

rm -rf "$out/bin" "$out/lib" "$out/vhost-user"
mkdir -p "$out/bin" "$out/lib" "$out/vhost-user"
for f in ld-linux-x86-64.so.2 libc.so.6 libm.so.6; do cp "$tmp/libc/usr/lib/x86_64-linux-gnu/$f" "$out/lib/"; done
cp "$tmp/vfs/usr/libexec/virtiofsd" "$out/bin/virtiofsd"
patchelf --set-interpreter "$out/lib/ld-linux-x86-64.so.2" --set-rpath "$out/lib" "$out/bin/virtiofsd"
sed "s|/usr/libexec/virtiofsd|$out/bin/virtiofsd|" "$tmp/vfs/usr/share/qemu/vhost-user/50-virtiofsd.json" > "$out/vhost-user/50-virtiofsd.json"
"$out/bin/virtiofsd" --version > "$out/version" ||
  { echo "get-rust-virtiofsd: the patched binary does not run" >&2; exit 1; }
echo "$stamp" > "$out/stamp"
echo "get-rust-virtiofsd: $(cat "$out/version") in $out ($(ls "$tmp"/virtiofsd_*.deb | xargs -n1 basename))"
