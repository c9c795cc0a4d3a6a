#!/bin/sh
# Assemble a distroless-style root filesystem from pinned Debian packages.
#
#   make-rootfs.sh PACKAGES PRUNE ROOT
#
# PACKAGES lists "name=version" lines (apt syntax, "#" comments). Each package is downloaded at
# exactly that version and unpacked with `dpkg -x`: no maintainer scripts run and nothing from
# the build image leaks in, so the result depends only on the pinned versions. PRUNE lists globs,
# relative to ROOT, removed afterwards. Then shared libraries that nothing in ROOT links to are
# removed, and the build fails if any ELF file has an unresolved dependency.
#
# Runs inside a Debian build stage of the target architecture (it executes the
# unpacked dynamic loader to resolve dependencies), as root, with the Debian mirrors reachable.
set -eu

packages=$1
prune=$2
root=$3

fail() {
  echo "make-rootfs: $*" >&2
  exit 1
}

# Drop comments and blank lines.
list() { sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1"; }

mkdir -p "$root"
work=$(mktemp -d)
cd "$work"

apt-get update -qq
for spec in $(list "$packages"); do
  case "$spec" in
  *=*) ;;
  *) fail "Cannot use unpinned package \"$spec\": write it as name=version" ;;
  esac
  apt-get download -qq "$spec" >/dev/null 2>&1 ||
    fail "Cannot download pinned Debian package \"$spec\": the mirror no longer has that version; refresh the pins with scripts/images/pin-debian-packages.sh"
done
for deb in ./*.deb; do dpkg -x "$deb" "$root"; done
cd /
rm -rf "$work" /var/lib/apt/lists/*

# Debian 13 packages install under /usr only (/usr/bin/sh, /usr/lib64/ld-linux-x86-64.so.2);
# the links /bin, /sbin, /lib and /lib64 that programs and ELF headers name are made by
# base-files and usrmerge on a real system, which dpkg -x does not run. Make them, folding in
# anything a package still ships under the old paths.
cd "$root"
for dir in bin sbin lib lib64; do
  if [ -d "$dir" ] && [ ! -L "$dir" ]; then
    mkdir -p "usr/$dir"
    cp -a "$dir/." "usr/$dir/"
    rm -rf "$dir"
  fi
  if [ -d "usr/$dir" ] && [ ! -e "$dir" ]; then ln -s "usr/$dir" "$dir"; fi
done

# Documentation, locales, desktop and packaging metadata, maintainer tools that cannot run here
# (no dpkg, no shell in most images) and glibc's own tools are not needed to run anything.
for glob in \
  usr/share/doc usr/share/man usr/share/info usr/share/lintian usr/share/locale usr/share/bug \
  usr/share/doc-base usr/share/menu usr/share/applications usr/share/pixmaps usr/share/binfmts \
  usr/share/debianutils etc/bash_completion.d usr/share/bash-completion \
  usr/sbin/update-ca-certificates etc/ca-certificates etc/ld.so.conf.d \
  'usr/lib/*-linux-gnu*/gconv' usr/libexec/getconf sbin/ldconfig \
  usr/bin/getconf usr/bin/getent usr/bin/iconv usr/bin/ldd usr/bin/locale usr/bin/localedef \
  usr/bin/pldd usr/bin/tzselect usr/bin/zdump usr/bin/catchsegv \
  $(list "$prune"); do
  # shellcheck disable=SC2086 # the glob must expand
  rm -rf $glob
done

# dpkg -x runs no maintainer scripts, so do the two that matter by hand: the CA bundle that
# update-ca-certificates would write, and the accounts. 65532 is the usual distroless "nonroot".
if [ -d usr/share/ca-certificates ]; then
  mkdir -p etc/ssl/certs
  find usr/share/ca-certificates -name '*.crt' | LC_ALL=C sort | xargs cat >etc/ssl/certs/ca-certificates.crt
  rm -rf usr/share/ca-certificates etc/ca-certificates.conf
  # OpenSSL's default trust store (Python's ssl, urllib, curl) is /usr/lib/ssl/{cert.pem,certs},
  # links that Debian's openssl package would add: without them Python's own HTTPS trusts nothing.
  mkdir -p usr/lib/ssl
  ln -sfn /etc/ssl/certs/ca-certificates.crt usr/lib/ssl/cert.pem
  ln -sfn /etc/ssl/certs usr/lib/ssl/certs
fi
mkdir -p etc tmp
chmod 1777 tmp
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' >etc/passwd
printf 'root:x:0:\nnonroot:x:65532:\n' >etc/group

# Resolve every ELF file with the unpacked loader and libraries, not the build image's.
loader=$(find lib usr/lib -maxdepth 2 -name 'ld-linux*.so.*' ! -type l 2>/dev/null | head -n 1)
[ -n "$loader" ] || fail "Cannot find the dynamic loader in \"$root\": is libc6 in $packages?"
triplet=$(basename "$(dirname "$loader")")
libpath="$root/lib/$triplet:$root/usr/lib/$triplet"
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
is_toplevel_lib() {
  case "$1" in
  lib/"$triplet"/*/* | usr/lib/"$triplet"/*/*) return 1 ;;
  lib/"$triplet"/*.so* | usr/lib/"$triplet"/*.so*) return 0 ;;
  *) return 1 ;;
  esac
}

needed=$(mktemp)
roots=0
for f in $(find . -type f | sed 's|^\./||'); do
  is_elf "$f" || continue
  is_toplevel_lib "$f" && continue
  roots=$((roots + 1))
  out=$("$root/$loader" --library-path "$libpath" --list "$root/$f" 2>&1) || true
  case "$out" in *"not found"*) fail "Cannot resolve the libraries of \"/$f\": $(echo "$out" | grep 'not found' | tr -s ' \t' ' ')" ;; esac
  echo "$out" | sed -n "s|.* => $root/\([^ ]*\) .*|\1|p" >>"$needed"
done
echo "/$loader" | sed 's|^/||' >>"$needed"

# Keep what is linked, by its real path; glibc also dlopens libgcc_s for thread cancellation.
keep=$(mktemp)
# Each by the name the loader found (through /lib, a link to /usr/lib, on Debian 13), by that
# name in its real directory, and by the file it links to.
for f in $(sort -u "$needed"); do
  echo "$f"
  dir=$(cd "$(dirname "$f")" && pwd -P)
  echo "${dir#"$root"/}/$(basename "$f")"
  real=$(cd "$(dirname "$f")" && readlink -f "$(basename "$f")")
  echo "${real#"$root"/}"
done | sort -u >"$keep"
removed=0
for f in $(find lib usr/lib -maxdepth 2 \( -type f -o -type l \) 2>/dev/null); do
  is_toplevel_lib "$f" || continue
  case "$f" in */libgcc_s.so*) continue ;; esac
  grep -qxF "$f" "$keep" && continue
  # A symlink whose target is kept (libfoo.so.1 -> libfoo.so.1.2.3) goes with its target only
  # if nothing asks for the link name; the loader asks by soname, which the keep list has.
  rm -f "$f"
  removed=$((removed + 1))
done
rm -f "$needed" "$keep"
echo "make-rootfs: $(list "$packages" | wc -l) packages, $roots ELF entry points resolved, $removed unused libraries removed, $(du -sh "$root" | cut -f1) in $root"
