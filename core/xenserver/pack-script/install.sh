#!/bin/sh
# Supplemental pack installer: placed on every legacy pack ISO as both `install` and `install.sh`.
# Run it from the mounted ISO on a XenServer host:   ./install [-b|--batch]
# (`xe-install-supplemental-pack <iso> [-b]` mounts the ISO and runs ./install.sh or ./install $2.)
# Behaviour follows docs/formats/xenserver.md section 1.8; metadata format 1.4 (XS-REPOSITORY), 1.5 (XS-PACKAGES);
# version rule 1.11. Written for POSIX sh (dash, busybox ash, bash) + coreutils, sed, awk,
# md5sum, rpm, rpm2cpio and cpio.
#
# Exit codes:
#   0  success (also -h/--help)
#   1  fatal: bad option, unreadable metadata or inventory, missing dependency, missing file,
#      md5/size mismatch, rpm failure, registration or `xe` failure
#   2  product mismatch or unsatisfied dependency version, in batch mode or answered N
#   3  pack already installed and the user answered N (this check is skipped in batch mode)
#   4  EULA declined
# A requirement on xs:main / xcp:main reads installed-repos/<id>/XS-REPOSITORY like any other
# pack (present on real hosts); when that directory is absent, the inventory's PRODUCT_VERSION /
# PLATFORM_VERSION stands in for it. Versions that are not numeric dotted arcs: fatal (exit 1).
# Prompts read one line from stdin; Y/y... accepts, N/n... declines, anything else asks again.
# End of input counts as N, so a non-interactive run with empty stdin stops at a prompt:
# an EULA (shown even in batch mode) then exits 4.
#
# Test / chroot hooks (environment; leave unset on a real host):
#   SUPPACK_ROOT  prefix for every host path ($SUPPACK_ROOT/etc/xensource-inventory,
#                 $SUPPACK_ROOT/etc/xensource/installed-repos); when non-empty, every rpm call
#                 gets --root "$SUPPACK_ROOT" (database: rpm's %_dbpath under that root,
#                 /var/lib/rpm on dom0).
#   XE            the xe command to run (default: xe).
#   SUPPACK_INSTALL_LIB=1  only define the functions (for `. ./install.sh` in tests).
set -u

SUPPACK_ROOT=${SUPPACK_ROOT:-}
XE=${XE:-xe}
INVENTORY="$SUPPACK_ROOT/etc/xensource-inventory"
REPOS_DIR="$SUPPACK_ROOT/etc/xensource/installed-repos"
BATCH=0
TMP=
ALNUM=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789

say() { printf '%s\n' "$*"; }
err() { printf 'Error: %s\n' "$*" >&2; }
warn() { printf 'Warning: %s\n' "$*" >&2; }
fatal() { printf 'FATAL: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<'EOF'
Usage: ./install [-b|--batch] [-h|--help]
Install the supplemental pack in this directory on this XenServer host.
  -b, --batch  do not ask questions: stop (exit 2) on a product or dependency mismatch
               and do not warn about a pack that is already installed. EULAs are still shown
               and must be accepted on stdin.
  -h, --help   show this help.
Exit codes: 0 ok, 1 fatal error, 2 product/dependency mismatch, 3 already installed
(declined), 4 EULA declined.
EOF
}

# rpm, inside $SUPPACK_ROOT when it is set.
rpmq() {
  if [ -n "$SUPPACK_ROOT" ]; then rpm --root "$SUPPACK_ROOT" "$@"; else rpm "$@"; fi
}

# ask PROMPT CODE: return when the answer starts with Y/y, exit CODE on N/n or end of input.
ask() {
  while :; do
    printf '%s' "$1"
    answer='' eof=0
    IFS= read -r answer || eof=1
    case $answer in
      [Yy]*) return 0 ;;
      [Nn]*) exit "$2" ;;
    esac
    if [ "$eof" = 1 ]; then printf '\n'; exit "$2"; fi
  done
}

# continue_or_exit CODE: exit CODE in batch mode, otherwise let the user decide.
continue_or_exit() {
  if [ "$BATCH" = 1 ]; then exit "$1"; fi
  ask 'Do you want to continue? (Y/N) ' "$1"
}

# --- XML (docs/formats/xenserver.md section 1.4/1.5) -------------------------------------------------------------
# xml_records FILE: one line per element start tag, "name attr="v" ...>text" (or ".../>"):
# split at '<', fold newlines/tabs to spaces, drop closing tags, comments and declarations.
xml_records() {
  awk 'BEGIN { RS = "<" }
    NR > 1 {
      gsub(/[\r\n\t]/, " ")
      if ($0 ~ /^[\/?!]/) next
      i = index($0, ">"); if (i == 0) next
      text = substr($0, i + 1); sub(/^ +/, "", text); sub(/ +$/, "", text)
      print substr($0, 1, i) text
    }' "$1"
}

# unescape TEXT: undo the serialiser's entity escaping (&amp; last).
unescape() {
  case $1 in
    *'&'*) printf '%s\n' "$1" | sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' \
      -e "s/&apos;/'/g" -e "s/&#39;/'/g" -e 's/&amp;/\&/g' ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# attr RECORD NAME: print the unescaped value of attribute NAME; status 1 when absent.
attr() (
  tag=" ${1%%>*}"
  pat=" $2=\""
  case $tag in *"$pat"*) ;; *) exit 1 ;; esac
  v=${tag#*"$pat"}
  unescape "${v%%\"*}"
)

# text RECORD: the element's unescaped text.
text() { unescape "${1#*>}"; }

# need RECORD NAME FILE: a mandatory attribute, or FATAL.
need() {
  attr "$1" "$2" || fatal "Failed to parse pack metadata: $3: <${1%%[ />]*}> has no $2 attribute"
}

# --- Versions (docs/formats/xenserver.md section 1.11) ------------------------------------------------------------
# numcmp A B: compare two digit strings of any length; print -1, 0 or 1.
numcmp() (
  a=$1 b=$2
  while [ "${#a}" -gt 1 ] && [ "${a#0}" != "$a" ]; do a=${a#0}; done
  while [ "${#b}" -gt 1 ] && [ "${b#0}" != "$b" ]; do b=${b#0}; done
  if [ "$a" = "$b" ]; then echo 0
  elif [ "${#a}" -ne "${#b}" ]; then
    if [ "${#a}" -lt "${#b}" ]; then echo -1; else echo 1; fi
  elif [ "$(printf '%s\n%s\n' "$a" "$b" | LC_ALL=C sort | head -n 1)" = "$a" ]; then echo -1
  else echo 1
  fi
)

# vercmp A B: print -1, 0 or 1. The build (after the first '-') is ignored; dotted arcs are
# compared numerically; when one list is a prefix of the other the shorter is smaller.
# Status 2 when a compared arc is not all digits (the vendor's comparison raises there).
vercmp() (
  a=${1%%-*} b=${2%%-*}
  while :; do
    x=${a%%.*} y=${b%%.*}
    case $x in '' | *[!0-9]*) exit 2 ;; esac
    case $y in '' | *[!0-9]*) exit 2 ;; esac
    c=$(numcmp "$x" "$y")
    if [ "$c" != 0 ]; then echo "$c"; exit 0; fi
    case $a in *.*) a=${a#*.} ma=1 ;; *) ma=0 ;; esac
    case $b in *.*) b=${b#*.} mb=1 ;; *) mb=0 ;; esac
    if [ "$ma" = 0 ] && [ "$mb" = 0 ]; then echo 0; exit 0; fi
    if [ "$ma" = 0 ]; then echo -1; exit 0; fi
    if [ "$mb" = 0 ]; then echo 1; exit 0; fi
  done
)

# vertest HAVE TEST WANT: status 0 when "HAVE TEST WANT" holds, 1 when not, 2 when incomparable.
vertest() {
  c=$(vercmp "$1" "$3") || return 2
  case $2 in
    eq) [ "$c" = 0 ] ;; ne) [ "$c" != 0 ] ;;
    lt) [ "$c" = -1 ] ;; gt) [ "$c" = 1 ] ;;
    le) [ "$c" != 1 ] ;; ge) [ "$c" != -1 ] ;;
    *) return 2 ;;
  esac
}

# --- Host state ------------------------------------------------------------------------------
# inventory KEY: the value of KEY='value' in the inventory; status 1 when KEY is absent.
inventory() {
  grep -q "^$1=" "$INVENTORY" || return 1
  v=$(sed -n "s/^$1=//p" "$INVENTORY" | head -n 1 | tr -d '\r')
  v=${v#\'} v=${v%\'}
  printf '%s\n' "$v"
}

# installed_version ID: the version of the installed pack ID (from its XS-REPOSITORY). For the
# host's own pack (xs:main / xcp:main) fall back to the inventory when that file is absent.
installed_version() {
  f="$REPOS_DIR/$1/XS-REPOSITORY"
  if [ -r "$f" ]; then
    rec=$(xml_records "$f" | awk '/^repository[ \/>]/ { print; exit }')
    attr "$rec" version && return 0
  fi
  case $1 in
    xs:main) inventory PRODUCT_VERSION ;;
    xcp:main) inventory PLATFORM_VERSION ;;
    *) return 1 ;;
  esac
}

# run_rpm LIST MODE: one `rpm MODE` transaction over the files listed in $TMP/LIST, if any.
run_rpm() {
  mode=$2 list="$TMP/$1"
  set --
  while IFS= read -r file; do set -- "$@" "./$file"; done < "$list"
  [ "$#" -eq 0 ] || rpmq "$mode" "$@"
}

main() {
  for arg in "$@"; do
    case $arg in
      -b | --batch) BATCH=1 ;;
      -h | --help) usage; exit 0 ;;
      '') ;;
      *) printf 'Error: unknown option: %s\n' "$arg" >&2; usage >&2; exit 1 ;;
    esac
  done

  # The pack's files sit next to this script (the ISO mount point).
  case $0 in */*) dir=${0%/*} ;; *) dir=. ;; esac
  cd "${dir:-/}" || fatal "cannot change to the pack directory ${dir:-/}"
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/suppack-install.XXXXXX") || fatal 'cannot create a temporary directory'
  trap 'rm -rf "$TMP"' EXIT
  trap 'exit 1' HUP INT TERM

  # 1. Metadata.
  for f in XS-REPOSITORY XS-PACKAGES; do
    [ -r "$f" ] || fatal "Failed to parse pack metadata: cannot read $f in $(pwd)"
  done
  xml_records XS-REPOSITORY > "$TMP/repo" || fatal 'Failed to parse pack metadata: XS-REPOSITORY'
  xml_records XS-PACKAGES > "$TMP/pkgs" || fatal 'Failed to parse pack metadata: XS-PACKAGES'
  repo=$(awk '/^repository[ \/>]/ { print; exit }' "$TMP/repo")
  [ -n "$repo" ] || fatal 'Failed to parse pack metadata: XS-REPOSITORY has no <repository> element'
  originator=$(need "$repo" originator XS-REPOSITORY) || exit 1
  name=$(need "$repo" name XS-REPOSITORY) || exit 1
  product=$(need "$repo" product XS-REPOSITORY) || exit 1
  need "$repo" version XS-REPOSITORY > /dev/null || exit 1
  drec=$(awk '/^description[ >]/ { print; exit }' "$TMP/repo")
  [ -n "$drec" ] || fatal 'Failed to parse pack metadata: XS-REPOSITORY has no <description>'
  description=$(text "$drec")
  id="$originator:$name"

  # 2. Product.
  [ -r "$INVENTORY" ] || fatal "Cannot read inventory $INVENTORY"
  if brand=$(inventory PRODUCT_BRAND); then
    platform=$(inventory PLATFORM_NAME) || platform=
    if [ "$product" != "$brand" ] && [ "$product" != "$platform" ]; then
      err "Repository is not compatible with installed product ($product expected)"
      continue_or_exit 2
    fi
  fi

  # 3. Already installed (interactive only).
  if [ "$BATCH" = 0 ] && [ -e "$REPOS_DIR/$id" ]; then
    warn "'$description' is already installed"
    ask 'Do you want to continue? (Y/N) ' 3
  fi

  # 4. Dependencies.
  bad=0
  grep '^requires[ />]' "$TMP/repo" > "$TMP/requires"
  while IFS= read -r req <&3; do
    ro=$(need "$req" originator XS-REPOSITORY) || exit 1
    rn=$(need "$req" name XS-REPOSITORY) || exit 1
    rid="$ro:$rn"
    op=$(need "$req" test XS-REPOSITORY) || exit 1
    want=$(need "$req" version XS-REPOSITORY) || exit 1
    build=$(attr "$req" build) || build=
    [ -n "$build" ] && want="$want-$build"
    have=$(installed_version "$rid") || {
      [ -e "$REPOS_DIR/$rid" ] || fatal "missing dependency $rid"
      fatal "cannot read the version of installed pack $rid ($REPOS_DIR/$rid/XS-REPOSITORY)"
    }
    vertest "$have" "$op" "$want"
    case $? in
      0) ;;
      1) err "unsatisfied dependency $rid $op $want (installed: $have)"; bad=1 ;;
      *) fatal "cannot compare dependency $rid: installed $have, required $op $want (numeric arcs only)" ;;
    esac
  done 3< "$TMP/requires"
  [ "$bad" = 0 ] || continue_or_exit 2

  # 5. Package files: present, md5 and size as recorded.
  bad=0
  : > "$TMP/rpms"
  grep '^package[ />]' "$TMP/pkgs" > "$TMP/packages"
  while IFS= read -r rec <&3; do
    file=$(text "$rec")
    case $file in '' | /* | */*) fatal "Failed to parse pack metadata: XS-PACKAGES: bad file name '$file'" ;; esac
    md5=$(need "$rec" md5 XS-PACKAGES) || exit 1
    size=$(need "$rec" size XS-PACKAGES) || exit 1
    type=$(need "$rec" type XS-PACKAGES) || exit 1
    if [ ! -f "$file" ]; then printf 'FATAL: %s missing\n' "$file" >&2; bad=1; continue; fi
    got=$(md5sum < "$file") || fatal "cannot read $file"
    got=${got%% *}
    if [ "$got" != "$md5" ]; then
      printf 'FATAL: MD5 mismatch on %s (expected %s, got %s)\n' "$file" "$md5" "$got" >&2; bad=1
    fi
    got=$(wc -c < "$file" | tr -d ' ')
    if [ "$got" != "$size" ]; then
      printf 'FATAL: size mismatch on %s (expected %s, got %s)\n' "$file" "$size" "$got" >&2; bad=1
    fi
    case $type in
      rpm | driver-rpm) # two lines per RPM: the file, then "+options" or "-" (no options)
        if opts=$(attr "$rec" options); then opts="+$opts"; else opts=-; fi
        printf '%s\n%s\n' "$file" "$opts" >> "$TMP/rpms" ;;
      tbz2 | driver | firmware) warn "$file: package type '$type' is not installed by this script" ;;
      *) fatal "Failed to parse pack metadata: XS-PACKAGES: $file has unknown type '$type'" ;;
    esac
  done 3< "$TMP/packages"
  [ "$bad" = 0 ] || exit 1

  # 6. Sort the RPMs: options containing "-i" (a substring test, as the vendor's) are installed
  # side by side (kernels), the others upgraded; without options only kernel-xen/kernel-kdump
  # are installed. An RPM whose NAME is installed at the same VERSION-RELEASE is skipped.
  # The installed packages are listed once, "NAME VERSION-RELEASE" per line: no string from a
  # package header is ever an argument of rpm (rpm 4.4 reads options even after `--`), and each
  # NAME and VERSION-RELEASE must follow rpmbuild's rules (docs/security.md).
  : > "$TMP/install" ; : > "$TMP/upgrade"
  rpmq -qa --nosignature --qf '%{NAME} %{VERSION}-%{RELEASE}\n' > "$TMP/installed" 2> /dev/null || : > "$TMP/installed"
  while IFS= read -r file <&3 && IFS= read -r opts <&3; do
    pname=$(rpmq -qp --nosignature --qf '%{NAME}' "./$file" 2> /dev/null) || fatal "cannot read the RPM header of $file"
    pver=$(rpmq -qp --nosignature --qf '%{VERSION}-%{RELEASE}' "./$file" 2> /dev/null) || fatal "cannot read the RPM header of $file"
    case $pname in
      '' | [!_$ALNUM]* | *[!$ALNUM._+-]* | *..*) fatal "$file: bad package NAME in the RPM header (expected letters, digits and . - _ +)" ;;
    esac
    case $pver in
      '' | -* | *[!$ALNUM._+~^-]* | *..*) fatal "$file: bad VERSION-RELEASE in the RPM header (expected letters, digits and . _ + ~ ^)" ;;
    esac
    case $opts in
      -) case $pname in kernel-xen | kernel-kdump) list=install ;; *) list=upgrade ;; esac ;;
      +*-i*) list=install ;;
      *) list=upgrade ;;
    esac
    if grep -qxF -e "$pname $pver" "$TMP/installed"; then
      say "Skipping $file: $pname $pver is already installed"
    else
      printf '%s\n' "$file" >> "$TMP/$list"
    fi
  done 3< "$TMP/rpms"

  # 7.
  say "Installing '$description'..."
  say ''

  # 8. EULAs: any file ending in EULA inside any RPM of the pack, shown even in batch mode.
  while IFS= read -r file <&3 && IFS= read -r opts <&3; do
    rpm2cpio "./$file" | cpio -i --to-stdout --quiet '*EULA' > "$TMP/eula" 2> /dev/null
    if [ -s "$TMP/eula" ]; then
      cat "$TMP/eula"
      ask 'Accept? (Y/N) ' 4
    fi
  done 3< "$TMP/rpms"

  # 9. Install, then upgrade (one rpm transaction each).
  run_rpm install -ihv || fatal 'packages failed to install'
  run_rpm upgrade -Uhv || fatal 'packages failed to install'

  # 10. Register the pack for xapi (docs/formats/xenserver.md section 1.10).
  mkdir -p "$REPOS_DIR/$id" || fatal "Failed to update metadata: cannot create $REPOS_DIR/$id"
  cp XS-REPOSITORY XS-PACKAGES "$REPOS_DIR/$id/" || fatal "Failed to update metadata in $REPOS_DIR/$id"

  # 11. Tell xapi.
  uuid=$(inventory INSTALLATION_UUID) || uuid=''
  [ -n "$uuid" ] || fatal "cannot determine host UUID (INSTALLATION_UUID in $INVENTORY)"
  "$XE" host-refresh-pack-info "host-uuid=$uuid" || fatal 'packages failed to update software versions'
  say 'Pack installation successful.'
  exit 0
}

[ "${SUPPACK_INSTALL_LIB:-}" = 1 ] || main "$@"
