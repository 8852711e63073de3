#!/bin/sh
# check-layers.sh - the arrows between libgennas's layers point down, and
# the proxy plugins stand on the plugin API alone.
#
#   engine  <-  script  <-  search  <-  report
#
# A layer may include and call what its own folder and the folders below
# it declare, never what a folder above declares.  Checked three ways:
#   includes  no "gn-x.h" of a higher layer in a layer's .c or .h;
#   names     no gn_/gn__/Gn/GN_ name that only a higher layer's headers
#             declare, in a layer's code (comments stripped by cpp);
#   symbols   no undefined symbol of a layer's convenience library that a
#             higher layer's library defines (nm), when the build has them.
#
# The plugins (plugins/) see one set of headers, GN_PLUGIN_API in
# core/plugin-api.am.  Checked three ways:
#   includes  of libgennas, only "gennas.h" (besides config.h, the
#             plugins' own headers and system headers);
#   names     no gn_/Gn/GN_ name that the set does not declare;
#   abi       tests/test-abi.c pins the size of every struct the set
#             declares and the offset of every member, and nothing else.
# Prints TAP; exits 1 on any violation.  Usage (make check sets both):
#   srcdir=SRC/tests builddir=BUILD/tests check-layers.sh
set -u
core=${srcdir:-.}/../core
plugins=${srcdir:-.}/../plugins
libs=${builddir:-.}/../core/.libs
layers="engine script search report"
CPP=${CPP:-cc -E}

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

above () {  # the layers above $1
  seen=no
  for l in $layers; do
    [ $seen = yes ] && printf '%s ' "$l"
    [ "$l" = "$1" ] && seen=yes
  done
}
upto () {  # $1 and the layers below it
  for l in $layers; do
    printf '%s ' "$l"
    [ "$l" = "$1" ] && return
  done
}
code () {  # the files' text without comments or string literals
  for f in "$@"; do
    $CPP -fpreprocessed -dD -P "$f" 2>/dev/null | sed 's/"[^"]*"/""/g'
  done
}
names () {  # the gennas names in the files
  code "$@" | grep -oE '\b(gn__?[a-z0-9_]+|Gn[A-Z][A-Za-z0-9]*|GN_[A-Z0-9_]+)\b' | sort -u
}

for layer in $layers; do
  up=$(above "$layer")
  [ -n "$up" ] || continue
  files=$(ls "$core/$layer"/*.[ch])

  # includes
  bad=""
  for l in $up; do
    for h in "$core/$l"/*.h; do
      hit=$(grep -l "#include *[\"<]$(basename "$h")[\">]" $files 2>/dev/null)
      [ -n "$hit" ] && bad="$bad $(echo $hit | sed "s|$core/||g") includes $l/$(basename "$h");"
    done
  done
  if [ -z "$bad" ]; then ok "$layer includes nothing of: $up"
  else not_ok "$layer includes headers of a higher layer" "$bad"; fi

  # names
  below=$(for l in $(upto "$layer"); do ls "$core/$l"/*.h; done)
  higher=$(for l in $up; do ls "$core/$l"/*.h; done)
  names $below > "${TMPDIR:-/tmp}/gn-layers-own.$$"
  names $higher | grep -vxF -f "${TMPDIR:-/tmp}/gn-layers-own.$$" \
    > "${TMPDIR:-/tmp}/gn-layers-up.$$"
  used=$(names $files | grep -xF -f "${TMPDIR:-/tmp}/gn-layers-up.$$" | tr '\n' ' ')
  rm -f "${TMPDIR:-/tmp}/gn-layers-own.$$" "${TMPDIR:-/tmp}/gn-layers-up.$$"
  if [ -z "$used" ]; then ok "$layer uses no name declared only by: $up"
  else not_ok "$layer uses names of a higher layer" "$used"; fi

  # symbols
  lib="$libs/libgn-$layer.a"
  if [ -f "$lib" ] && command -v nm >/dev/null 2>&1; then
    undef=$(nm -u "$lib" | awk '{print $NF}' | sort -u)
    bad=""
    for l in $up; do
      defs=$(nm --defined-only -g "$libs/libgn-$l.a" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
      hits=$(printf '%s\n' "$undef" | grep -xF "$defs" | tr '\n' ' ')
      [ -n "$hits" ] && bad="$bad $l: $hits"
    done
    if [ -z "$bad" ]; then ok "libgn-$layer calls nothing defined by: $up"
    else not_ok "libgn-$layer calls into a higher layer" "$bad"; fi
  else
    ok "# SKIP libgn-$layer.a not built here"
  fi
done

# ---- the plugins and their headers

# the set, from the one place that lists it
api=$(sed -n '/^GN_PLUGIN_API *=/,/^[^\t]/p' "$core/plugin-api.am" \
      | grep -oE '[a-z]+/gn-[a-z0-9-]+\.h|gennas\.h' | sed "s|^|$core/|")
missing=""
for h in $api; do [ -f "$h" ] || missing="$missing $h"; done
if [ -n "$api" ] && [ -z "$missing" ]; then ok "GN_PLUGIN_API lists $(echo $api | wc -w) headers, all present"
else not_ok "GN_PLUGIN_API in core/plugin-api.am is empty or lists missing headers" "$missing"; fi

plugin_files=$(find "$plugins" -name '*.[ch]' | sort)
own=" config.h gennas.h $(for f in $plugin_files; do basename "$f"; done | tr '\n' ' ')"
libgennas=" $(cd "$core" && ls *.h */*.h | sed 's|.*/||' | grep -vx gennas.h | tr '\n' ' ')"
bad=""
for f in $plugin_files; do
  for inc in $(sed -n 's/^#include *["<]\([^">]*\)[">].*/\1/p' "$f"); do
    case "$libgennas" in *" $(basename "$inc") "*)
      bad="$bad ${f#$plugins/}: $inc (a libgennas header);"; continue ;;
    esac
    grep -q "^#include *\"$inc\"" "$f" || continue   # <system.h>
    case "$own" in *" $inc "*) ;; *) bad="$bad ${f#$plugins/}: \"$inc\";" ;; esac
  done
done
if [ -z "$bad" ]; then ok "plugins include of libgennas only gennas.h"
else not_ok "plugins include libgennas headers other than gennas.h" "$bad"; fi

names $api > "${TMPDIR:-/tmp}/gn-plugin-api.$$"
used=$(names $plugin_files | grep -E '^(gn_|Gn|GN_)' \
       | grep -vxF -f "${TMPDIR:-/tmp}/gn-plugin-api.$$" | tr '\n' ' ')
rm -f "${TMPDIR:-/tmp}/gn-plugin-api.$$"
if [ -z "$used" ]; then ok "plugins use no libgennas name outside GN_PLUGIN_API"
else not_ok "plugins use names the plugin API does not declare" "$used"; fi

# "Type" for each struct the set declares, "Type member" for each member
declared=$(code $api | awk '
  /^typedef struct[ A-Za-z0-9_]*\{/ { inb = 1; body = ""; next }
  inb && /^\} *[A-Za-z_][A-Za-z0-9_]* *;/ {
    type = $0; sub(/^\} */, "", type); sub(/ *;.*/, "", type)
    print type
    n = split(body, decls, ";")
    for (i = 1; i <= n; i++) {
      d = decls[i]
      if (d ~ /\(\*/) {          # a function pointer: (*name) (...)
        m = d; sub(/^[^(]*\(\*/, "", m); sub(/\).*/, "", m)
        print type, m; continue
      }
      k = split(d, parts, ",")   # int n, c; float mean[3], std[3]
      for (j = 1; j <= k; j++) {
        p = parts[j]; gsub(/\[[^]]*\]/, "", p); sub(/[ \t]+$/, "", p)
        if (match(p, /[A-Za-z_][A-Za-z0-9_]*$/))
          print type, substr(p, RSTART, RLENGTH)
      }
    }
    inb = 0; next
  }
  inb { body = body " " $0 }' | sort)
pinned=$(sed -n -e 's/^ *SIZE (\([A-Za-z0-9_]*\), *[0-9]*),.*/\1/p' \
                -e 's/^ *OFFSET (\([A-Za-z0-9_]*\), *\([A-Za-z0-9_]*\), *[0-9]*),.*/\1 \2/p' \
                "${srcdir:-.}/test-abi.c" | sort)
unpinned=$(printf '%s\n' "$declared" | grep -vxF "$pinned" | tr '\n' ';')
stale=$(printf '%s\n' "$pinned" | grep -vxF "$declared" | tr '\n' ';')
if [ -n "$declared" ] && [ -z "$unpinned" ] && [ -z "$stale" ]; then
  ok "test-abi.c pins every struct and member of the plugin API ($(printf '%s\n' "$declared" | wc -l) entries)"
else
  not_ok "test-abi.c and the plugin API's structs disagree" \
    "not in test-abi.c: $unpinned" "in test-abi.c, not declared: $stale"
fi

echo "1..$n"
exit $failed
