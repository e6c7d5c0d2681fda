#!/usr/bin/env bash
# The C/C++ SDK: builds libqonto_webhooks (release, in target/dist-c) and installs it.
#
#   bindings-c/dist.sh install PREFIX   # PREFIX/lib (static, shared with soname), include, pkg-config, CMake
#   bindings-c/dist.sh tarball OUTDIR   # the same prefix as OUTDIR/qonto-webhooks-c-<version>-<os>-<arch>.tar.gz
#   bindings-c/dist.sh lib              # only build; prints the static library's path
#
# TARGET (a Rust triple; default: this machine) picks the platform, and .ci/platforms.py its file
# names: libqonto_webhooks.a + .so (Linux, with a soname), .a + .dylib (macOS, @rpath install
# name), qonto_webhooks.lib + .dll (Windows; the DLL in bin/, its import library in lib/).
# The prefix is relocatable: the pkg-config files use ${pcfiledir} and the CMake package its own
# location, so the tarball works wherever it is unpacked. The system libraries the static library
# needs come from rustc (--print native-static-libs) into Libs.private and the CMake target.
# Works from any directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cmd=${1:-}
build="$root/target/dist-c"
eval "$(python3 "$root/.ci/platforms.py" env)"
cross=()
release="$build/release"
if [ "$QW_HOST_BUILD" != 1 ]; then
  cross=(--target "$QW_TARGET")
  release="$build/$QW_TARGET/release"
fi
version=$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "qonto-webhooks-c"))')
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
# The soname, as cargo-c names it: before 1.0 every minor version may break the ABI.
if [ "$major" = 0 ]; then soname="libqonto_webhooks.so.0.$minor"; else soname="libqonto_webhooks.so.$major"; fi
case "$QW_C_SHARED" in
  *.so) link_name=(-C "link-arg=-Wl,-soname,$soname") ;;
  *.dylib) link_name=(-C "link-arg=-Wl,-install_name,@rpath/$QW_C_SHARED") ;;
  *) link_name=() ;;
esac

build_lib() {
  local log
  log=$(mktemp)
  # Its own target directory: the soname flag must not touch the development build.
  (cd "$root" && cargo rustc --quiet --release -p qonto-webhooks-clib --target-dir "$build" ${cross[@]+"${cross[@]}"} -- \
    --print native-static-libs ${link_name[@]+"${link_name[@]}"}) 2>"$log" || { cat "$log" >&2; exit 1; }
  # "note: native-static-libs: -lgcc_s -lutil ..." (printed when the crate is rebuilt; kept).
  if grep -q 'native-static-libs:' "$log"; then
    grep 'native-static-libs:' "$log" | tail -1 | sed 's/.*native-static-libs: *//' >"$build/native-static-libs"
  fi
  rm -f "$log"
  [ -s "$build/native-static-libs" ] || {
    echo "no native-static-libs recorded: remove $build and run again" >&2
    exit 1
  }
}

install_prefix() {
  local prefix=$1 libs
  libs=$(cat "$build/native-static-libs")
  mkdir -p "$prefix/lib/pkgconfig" "$prefix/lib/cmake/qonto_webhooks" "$prefix/include"
  install -m 644 "$release/$QW_C_STATIC" "$prefix/lib/"
  # shared: the file CMake imports; shared_props: its extra CMake properties.
  local shared shared_props=""
  case "$QW_C_SHARED" in
    *.so)
      shared="lib/libqonto_webhooks.so.$version"
      install -m 755 "$release/$QW_C_SHARED" "$prefix/$shared"
      ln -sfn "libqonto_webhooks.so.$version" "$prefix/lib/$soname"
      ln -sfn "$soname" "$prefix/lib/libqonto_webhooks.so"
      shared_props="IMPORTED_SONAME \"$soname\""
      ;;
    *.dylib)
      shared="lib/$QW_C_SHARED"
      install -m 755 "$release/$QW_C_SHARED" "$prefix/$shared"
      ;;
    *.dll)
      shared="bin/$QW_C_SHARED"
      mkdir -p "$prefix/bin"
      install -m 755 "$release/$QW_C_SHARED" "$prefix/$shared"
      install -m 644 "$release/$QW_C_SHARED.lib" "$prefix/lib/"
      shared_props="IMPORTED_IMPLIB \"\${_qonto_webhooks_prefix}/lib/$QW_C_SHARED.lib\""
      ;;
  esac
  install -m 644 "$root/include/qonto_webhooks.h" "$root/include/qonto_webhooks.hpp" "$prefix/include/"
  cat >"$prefix/lib/pkgconfig/qonto_webhooks.pc" <<PC
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: qonto_webhooks
Description: Verify Qonto webhook signatures (the C ABI of qonto-webhooks; shared library)
Version: $version
Libs: -L\${libdir} -lqonto_webhooks
Libs.private: $libs
Cflags: -I\${includedir}
PC
  cat >"$prefix/lib/pkgconfig/qonto_webhooks-static.pc" <<PC
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: qonto_webhooks-static
Description: Verify Qonto webhook signatures (the C ABI of qonto-webhooks; static library, use --static)
Version: $version
Libs: \${libdir}/$QW_C_STATIC
Libs.private: $libs
Cflags: -I\${includedir}
PC
  local cmake_libs
  cmake_libs=$(echo "$libs" | sed 's/-l//g; s/ \+/;/g')
  cat >"$prefix/lib/cmake/qonto_webhooks/qonto_webhooks-config.cmake" <<CMAKE
# find_package(qonto_webhooks CONFIG REQUIRED) gives:
#   qonto_webhooks::qonto_webhooks  the static library, or the shared one when
#                                   QONTO_WEBHOOKS_SHARED is ON (or BUILD_SHARED_LIBS is)
#   qonto_webhooks::static          $QW_C_STATIC (and the system libraries it needs)
#   qonto_webhooks::shared          $QW_C_SHARED
# The headers: qonto_webhooks.h (C) and qonto_webhooks.hpp (C++17).
get_filename_component(_qonto_webhooks_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(qonto_webhooks_VERSION $version)
if(NOT TARGET qonto_webhooks::qonto_webhooks)
  add_library(qonto_webhooks::static STATIC IMPORTED)
  set_target_properties(qonto_webhooks::static PROPERTIES
    IMPORTED_LOCATION "\${_qonto_webhooks_prefix}/lib/$QW_C_STATIC"
    IMPORTED_LINK_INTERFACE_LANGUAGES "C"
    INTERFACE_INCLUDE_DIRECTORIES "\${_qonto_webhooks_prefix}/include"
    INTERFACE_LINK_LIBRARIES "$cmake_libs")
  add_library(qonto_webhooks::shared SHARED IMPORTED)
  set_target_properties(qonto_webhooks::shared PROPERTIES
    IMPORTED_LOCATION "\${_qonto_webhooks_prefix}/$shared"
    $shared_props
    INTERFACE_INCLUDE_DIRECTORIES "\${_qonto_webhooks_prefix}/include")
  add_library(qonto_webhooks::qonto_webhooks INTERFACE IMPORTED)
  if(QONTO_WEBHOOKS_SHARED OR BUILD_SHARED_LIBS)
    set_target_properties(qonto_webhooks::qonto_webhooks PROPERTIES
      INTERFACE_LINK_LIBRARIES qonto_webhooks::shared)
  else()
    set_target_properties(qonto_webhooks::qonto_webhooks PROPERTIES
      INTERFACE_LINK_LIBRARIES qonto_webhooks::static)
  endif()
endif()
unset(_qonto_webhooks_prefix)
CMAKE
  cat >"$prefix/lib/cmake/qonto_webhooks/qonto_webhooks-config-version.cmake" <<CMAKE
# Same major version (same minor before 1.0, as the soname), and at least the one asked for.
set(PACKAGE_VERSION $version)
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
elseif(NOT PACKAGE_FIND_VERSION_MAJOR STREQUAL "$major")
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
elseif("$major" STREQUAL "0" AND NOT PACKAGE_FIND_VERSION_MINOR STREQUAL "$minor")
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
if(NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} (64-bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
CMAKE
}

case "$cmd" in
  lib)
    build_lib
    echo "$release/$QW_C_STATIC"
    ;;
  install)
    [ $# -eq 2 ] || { echo "usage: $0 install PREFIX" >&2; exit 2; }
    build_lib
    mkdir -p "$2"
    install_prefix "$(cd "$2" && pwd)"
    echo "installed qonto_webhooks $version into $2"
    ;;
  tarball)
    [ $# -eq 2 ] || { echo "usage: $0 tarball OUTDIR" >&2; exit 2; }
    build_lib
    name="qonto-webhooks-c-$version-$QW_C_NAME"
    stage="$build/stage/$name"
    rm -rf "$stage"
    install_prefix "$stage"
    mkdir -p "$2"
    out=$(cd "$2" && pwd)/$name.tar.gz
    tar -C "$build/stage" --owner=0 --group=0 --sort=name -czf "$out" "$name"
    echo "$out"
    ;;
  *)
    echo "usage: $0 install PREFIX | tarball OUTDIR | lib" >&2
    exit 2
    ;;
esac
