#!/bin/sh
# check-layers.sh - the arrows between libgennas's layers point down.
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
# Prints TAP; exits 1 on any violation.  Usage (make check sets both):
#   srcdir=SRC/tests builddir=BUILD/tests check-layers.sh
set -u
core=${srcdir:-.}/../core
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

echo "1..$n"
exit $failed
