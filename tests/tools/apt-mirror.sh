# SPDX-License-Identifier: MIT
# Debian's package mirror, as apt on this host is configured with it, for the scripts that fetch
# Debian packages beside apt's own state (tests/tools/get-rust-virtiofsd.sh). Meant to be sourced:
#
#     . "$here/apt-mirror.sh"
#     mirror=$(debian_mirror) || exit 1
#
# debian_mirror reads only apt's configured sources, wherever apt-config says they are (so
# APT_CONFIG and Dir::Etc settings are honoured): the one-line format in Dir::Etc::sourcelist
# (/etc/apt/sources.list) and Dir::Etc::sourceparts/*.list, and the deb822 format in
# Dir::Etc::sourceparts/*.sources (Types, URIs, Suites, Components, Enabled). It prints the URI,
# without a trailing slash, of the first enabled 'deb' entry for a Debian release suite (this
# host's codename from /etc/os-release, or stable, oldstable, testing, unstable, sid; not
# -security, -updates or -backports) that has the component main. When there is none it says
# which files it read on stderr and returns 1. There is deliberately no built-in fallback host:
# a host (or CI) that uses its own mirror must not quietly reach another one.

debian_mirror() {
  local list parts codename f
  if ! command -v apt-config >/dev/null; then
    echo "debian_mirror: 'apt-config' is missing (apt-get install apt); it says where apt's sources are" >&2
    return 2
  fi
  eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d)"
  parts=${parts%/}
  codename=$( (. /etc/os-release 2>/dev/null && [ "${ID:-}" = debian ] && printf '%s' "${VERSION_CODENAME:-}") || true)
  local mirror
  mirror=$(
    { [ -f "$list" ] && printf '%s\n' "$list"
      for f in "$parts"/*.list "$parts"/*.sources; do [ -f "$f" ] && printf '%s\n' "$f"; done; } |
    while IFS= read -r f; do
      case "$f" in
        *.sources)
          # deb822: paragraphs of 'Field: value', continuation lines start with a blank.
          awk -v codename="$codename" '
            function suite_ok(s) { return s == codename || s ~ /^(stable|oldstable|oldoldstable|testing|unstable|sid)$/ }
            function flush(   i, n, u, ok, c) {
              ok = 0
              if ((" " types " ") ~ / deb / && tolower(enabled) !~ /^(no|false|0)$/ && (" " comps " ") ~ / main /) {
                n = split(suites, s, " ")
                for (i = 1; i <= n; i++) if (suite_ok(s[i])) ok = 1
              }
              if (ok) { split(uris, u, " "); print u[1] }
              types = ""; uris = ""; suites = ""; comps = ""; enabled = ""; field = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/   { if (field != "") vals[field] = vals[field] " " $0; set(field, vals[field]); next }
            {
              field = tolower($0); sub(/:.*/, "", field)
              value = $0; sub(/^[^:]*:[ \t]*/, "", value)
              vals[field] = value; set(field, value)
            }
            function set(name, v) {
              gsub(/[ \t]+/, " ", v)
              if (name == "types") types = v
              else if (name == "uris") uris = v
              else if (name == "suites") suites = v
              else if (name == "components") comps = v
              else if (name == "enabled") enabled = v
            }
            END { flush() }' "$f" ;;
        *)
          # One-line: deb [options] uri suite component...; comments and [options] dropped.
          sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
            awk -v codename="$codename" '
              $1 == "deb" && ($3 == codename || $3 ~ /^(stable|oldstable|oldoldstable|testing|unstable|sid)$/) {
                for (i = 4; i <= NF; i++) if ($i == "main") { print $2; break }
              }' ;;
      esac
    done | grep -E '^(https?|file)://' | head -n 1
  ) || true
  if [ -z "$mirror" ]; then
    echo "debian_mirror: apt has no Debian package mirror configured: no enabled 'deb' entry for a Debian release suite" \
         "(${codename:+$codename, }stable, testing, unstable ...) with component main in $list, $parts/*.list or $parts/*.sources." \
         "Add one for Debian's package mirror, then run apt-get update." >&2
    return 1
  fi
  printf '%s\n' "${mirror%/}"
}
