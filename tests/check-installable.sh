#!/bin/sh
# check-installable.sh - what `make install` installs is fit to install:
#   exports   libgennas exports only the public API (gn_ names, no gn__),
#             each proxy plugin only its gn_proxy_NAME_get_desc;
#   pkg-config gennas.pc names the folder the plugins are installed in;
#   paths     libgennas, the gennas program and the plugins name no folder
#             of this machine's source or build tree (debug information
#             included), so that where they were built does not matter
#             where they run.
# Checked on the build tree's objects in .libs/, which are what gets
# installed, except for the run path libtool gives them to run from the
# build tree and replaces when it installs them, and for the installed
# folders compiled in (which `make distcheck` puts inside the source
# tree): those are left out.
# Prints TAP; exits 1 on any failure.  Usage (make check sets them all):
#   srcdir=SRC/tests builddir=BUILD/tests proxydir=DIR pkgdatadir=DIR \
#     check-installable.sh
set -u
top_srcdir=$(cd "${srcdir:-.}/.." && pwd)
top_builddir=$(cd "${builddir:-.}/.." && pwd)
lib=$top_builddir/core/.libs/libgennas.so
program=$top_builddir/cli/.libs/gennas
plugins=$top_builddir/plugins/.libs

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip () { n=$((n + 1)); echo "ok $n # SKIP $1"; }

for tool in nm strings readelf; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "1..0 # SKIP no $tool (binutils)"
    exit 0
  fi
done
if [ ! -f "$lib" ] || [ ! -f "$program" ]; then
  echo "1..0 # SKIP no shared libgennas or no program in .libs (static build?)"
  exit 0
fi

not_installed () {  # the lines that do not begin with an installed folder
  awk -v a="${proxydir:-//}" -v b="${pkgdatadir:-//}" \
    'index($0, a) != 1 && index($0, b) != 1'
}

exported () {  # the dynamic symbols $1 defines
  nm -D --defined-only "$1" | awk 'NF == 3 {print $3}' | sort -u
}

# exports
syms=$(exported "$lib")
bad=$(printf '%s\n' "$syms" | grep -v '^gn_[^_]' | tr '\n' ' ')
if ! printf '%s\n' "$syms" | grep -qx 'gn_net_new'; then
  not_ok "libgennas exports its public API" "gn_net_new is not exported"
elif [ -n "$bad" ]; then
  not_ok "libgennas exports only gn_ names" "$bad"
else
  ok "libgennas exports only gn_ names ($(printf '%s\n' "$syms" | wc -l) of them)"
fi
found=no
for so in "$plugins"/gennas-proxy-*.so; do
  [ -f "$so" ] || continue
  found=yes
  name=$(basename "$so" .so)
  want=gn_proxy_${name#gennas-proxy-}_get_desc
  got=$(exported "$so" | tr '\n' ' ')
  if [ "$got" = "$want " ]; then ok "$name exports $want alone"
  else not_ok "$name exports $want alone" "it exports: $got"; fi
done
[ $found = yes ] || not_ok "the proxy plugins are built" "none in $plugins"

# pkg-config
pc=$top_builddir/core/gennas.pc
if [ -z "${proxydir:-}" ] || ! command -v pkg-config >/dev/null 2>&1; then
  skip "gennas.pc names the plugin folder (no pkg-config, or proxydir unset)"
else
  got=$(pkg-config --variable=proxydir "$pc")
  if [ "$got" = "$proxydir" ]; then ok "gennas.pc names the plugin folder, $got"
  else not_ok "gennas.pc names the plugin folder" "proxydir=$got, not $proxydir"; fi
fi

# paths
trees=$(printf '%s\n' "$top_srcdir" "$top_builddir" \
          "$(cd "$top_srcdir" && pwd -P)" "$(cd "$top_builddir" && pwd -P)" |
        sort -u)
for f in "$lib" "$program" "$plugins"/gennas-proxy-*.so; do
  [ -f "$f" ] || continue
  runpath=$(readelf -d "$f" | sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]$/\1/p')
  hits=$(strings -a "$f" | grep -vxF "${runpath:-/nonexistent}" |
         not_installed | grep -F "$trees" | sort -u | head -n 5 | tr '\n' ' ')
  what=${f#"$top_builddir"/}
  if [ -z "$hits" ]; then ok "$what names no folder of the trees"
  else not_ok "$what names a folder of the trees" "$hits"; fi
done

echo "1..$n"
exit $failed
