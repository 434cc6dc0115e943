#!/usr/bin/env bash
# Builds slm's libjllama (and the llama.cpp/ggml libraries beside it) from the release pinned in
# llama.cpp.lock, and copies them into OUT_DIR/<os>-<arch>/ with an index (files.txt).
#
#   native-profiles/native/build.sh OUT_DIR
#   native-profiles/native/build.sh --llama-bench OUT_DIR   also llama.cpp's own llama-bench, from the
#                                                           same tree and flags (scripts/bench-engines)
#   native-profiles/native/build.sh --llama-server OUT_DIR  also llama.cpp's own llama-server, in a tree of
#                                                           its own (scripts/bench-serve)
#   native-profiles/native/build.sh --gpu cuda OUT_DIR
#                                   also ggml's CUDA backend as a plug-in (libggml-cuda.so) beside
#                                   libjllama, built with the CUDA toolkit of this machine: the Jetson
#                                   recipe (JetPack's CUDA; SLM_CUDA_ARCHITECTURES, default 87 = Orin)
#   native-profiles/native/build.sh --platform linux-aarch64 OUT_DIR
#                                   for another platform: on an x86-64 Linux host, linux-aarch64 is
#                                   cross-built with Debian's aarch64 cross compiler
#                                   (toolchains/linux-aarch64.cmake, patches/linux-aarch64/)
#
# The pinned source and the CMake build tree live in a cache outside the work tree, keyed by what
# they are built from (the lock, CMakeLists.txt, the flags, the compiler), so a clean clone builds
# llama.cpp once per pin and later builds only recompile jllama.cpp when it changed.
#   SLM_BUILD_CACHE   cache root (default: $XDG_CACHE_HOME/slm-build, else ~/.cache/slm-build)
#   SLM_NATIVE_JOBS   parallel compile jobs (default: nproc)
#   SLM_NATIVE_SKIP=1 build nothing (the Java side then falls back to the binding's b4916 library)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
targets=(jllama)
platform=
llama_server=
gpu=
while [ $# -gt 1 ]; do
  case "$1" in
    --llama-bench) targets+=(llama-bench); shift ;;
    --llama-server) llama_server=1; shift ;;
    --gpu) gpu=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    *) break ;;
  esac
done
out=${1:?usage: build.sh [--llama-bench] [--llama-server] [--gpu cuda] [--platform PLATFORM] OUT_DIR}

if [ "${SLM_NATIVE_SKIP:-0}" = 1 ]; then
  echo "native: SLM_NATIVE_SKIP=1, not building slm's native library" >&2
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=linux-x86_64 ;;
  Linux-aarch64) host=linux-aarch64 ;;
  *) host= ;;
esac
platform=${platform:-$host}
if [ -z "$platform" ]; then
  echo "native: no native build for $(uname -s)-$(uname -m) yet; the binding's own library is used" >&2
  exit 0
fi

# The compiler, and for a cross build the CMake toolchain file and the patches it needs.
cxx=c++ strip=strip toolchain= cxx_package=g++
if [ "$platform" != "$host" ]; then
  case "$host>$platform" in
    linux-x86_64\>linux-aarch64) cxx=aarch64-linux-gnu-g++ strip=aarch64-linux-gnu-strip cxx_package=g++-aarch64-linux-gnu ;;
    *) echo "native: cannot build for $platform on ${host:-$(uname -s)-$(uname -m)} (cross builds: linux-x86_64 to linux-aarch64)" >&2; exit 1 ;;
  esac
  toolchain=$here/toolchains/$platform.cmake
fi
patches=()
if [ -d "$here/patches/$platform" ]; then
  patches=("$here/patches/$platform"/*.patch)
fi

for tool in cmake curl openssl git; do
  command -v "$tool" >/dev/null || { echo "native: '$tool' is needed to build slm's native library (apt-get install $tool)" >&2; exit 1; }
done
command -v "$cxx" >/dev/null || { echo "native: a C++ compiler for $platform is needed (apt-get install $cxx_package)" >&2; exit 1; }

# JNI's headers come from a JDK: JAVA_HOME, else the one whose javac is on the PATH.
if [ -z "${JAVA_HOME:-}" ] || [ ! -f "$JAVA_HOME/include/jni.h" ]; then
  javac_path=$(command -v javac || true)
  [ -n "$javac_path" ] || { echo "native: set JAVA_HOME to a JDK (JNI headers are needed)" >&2; exit 1; }
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$javac_path")")")
fi

lock_value() { sed -n "s/^$1 *= *\"\(.*\)\"/\1/p" "$here/llama.cpp.lock"; }
release=$(lock_value release)
url=$(lock_value url)
integrity=$(lock_value integrity)
commit=$(lock_value commit)
[ -n "$release" ] && [ -n "$url" ] && [ -n "$integrity" ] && [ -n "$commit" ] \
  || { echo "native: llama.cpp.lock must set release, url, integrity and commit" >&2; exit 1; }

# How the libraries are configured. Part of the cache key: change a flag, get a fresh build tree.
#  - GGML_CPU_ALL_VARIANTS: one library from plain x86-64 (or ARMv8.0) to AVX-512/AMX (or SVE2),
#    ggml picks the best variant for the CPU at load time.
#  - GGML_OPENMP=OFF: ggml's own thread pool, whose threads poll briefly and then sleep, as
#    llama.cpp's tools use it (docs/performance.md has the measurements behind this choice).
flags=(-DCMAKE_BUILD_TYPE=Release -DGGML_CPU_ALL_VARIANTS=ON -DGGML_OPENMP=OFF -DSLM_LLAMA_RELEASE="$release")
#  - --gpu cuda: ggml's CUDA backend, a plug-in like the CPU variants (GGML_BACKEND_DL), for the GPU
#    architectures of SLM_CUDA_ARCHITECTURES. x86-64 machines take the prebuilt plug-in instead
#    (`slm profile install cuda`: compiling every architecture takes hours on 2 cores); a Jetson
#    builds for its own one (87: Orin, 72: Xavier) with JetPack's toolkit, on the board.
case "$gpu" in
  "") ;;
  cuda)
    command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] \
      || { echo "native: --gpu cuda needs the CUDA toolkit (nvcc; on a Jetson: JetPack's cuda-toolkit)" >&2; exit 1; }
    flags+=(-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="${SLM_CUDA_ARCHITECTURES:-87}")
    [ -x /usr/local/cuda/bin/nvcc ] && flags+=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc) ;;
  *) echo "native: --gpu takes cuda (Vulkan and CUDA on x86-64 come prebuilt: slm profile install)" >&2; exit 1 ;;
esac

cache=${SLM_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slm-build}/native
compiler=$("$cxx" --version | head -1)
# (A cross build's toolchain file and patches join the key; a native build's key is what it was.)
key=$( { cat "$here/llama.cpp.lock" "$here/CMakeLists.txt" ${toolchain:+"$toolchain"} ${patches[@]+"${patches[@]}"}
         echo "${flags[*]}"; echo "$compiler"; echo "$platform"; } | sha256sum | cut -c1-16)
src=$cache/llama.cpp-$release-${commit:0:12}
work=$cache/build-$platform-$key
mkdir -p "$cache" "$work"
exec 9>"$work/.lock"
flock 9   # one build per tree at a time (parallel checkouts share the cache)

# 1. The pinned source, verified.
if [ ! -f "$src/.slm-verified" ]; then
  tmp=$(mktemp -d "$cache/fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "native: fetching llama.cpp $release ($url)" >&2
  curl -fsSL --retry 3 -o "$tmp/pkg.tgz" "$url"
  actual="sha512-$(openssl dgst -sha512 -binary "$tmp/pkg.tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "native: $url does not match llama.cpp.lock's integrity ($actual)" >&2
    exit 1
  fi
  tar -xzf "$tmp/pkg.tgz" -C "$tmp" package/llama/gitRelease.bundle
  git clone -q --no-checkout "$tmp/package/llama/gitRelease.bundle" "$tmp/src"
  git -C "$tmp/src" -c advice.detachedHead=false checkout -q "$commit"
  rm -rf "$src"
  mv "$tmp/src" "$src"
  touch "$src/.slm-verified"
  rm -rf "$tmp"
  trap - EXIT
fi

# 1b. Patches for this platform go to a copy of the source inside this build tree.
if [ ${#patches[@]} -gt 0 ]; then
  if [ ! -f "$work/llama.cpp/.slm-patched" ]; then
    rm -rf "$work/llama.cpp"
    mkdir -p "$work/llama.cpp"
    git -C "$src" archive --format=tar "$commit" | tar -x -C "$work/llama.cpp"
    for p in "${patches[@]}"; do
      git -C "$work/llama.cpp" apply -p1 "$p" 2>/dev/null || (cd "$work/llama.cpp" && patch -s -p1 <"$p")
    done
    touch "$work/llama.cpp/.slm-patched"
  fi
  src=$work/llama.cpp
fi

# 2. slm's sources, copied only where they changed so that make sees real changes only.
mkdir -p "$work/slm/src"
sync_file() { cmp -s "$1" "$2" || cp "$1" "$2"; }
sync_file "$here/CMakeLists.txt" "$work/slm/CMakeLists.txt"
for f in "$here"/src/*; do sync_file "$f" "$work/slm/src/$(basename "$f")"; done
# The toolchain file too: the configured tree keeps its path, and a checkout's path does not last
# (a tree configured from one worktree failed to build once that worktree was removed).
if [ -n "$toolchain" ]; then
  sync_file "$toolchain" "$work/slm/toolchain.cmake"
  toolchain=$work/slm/toolchain.cmake
fi

# 3. Configure once, build incrementally.
if [ ! -f "$work/build/CMakeCache.txt" ]; then
  echo "native: configuring ($work)" >&2
  cmake -S "$work/slm" -B "$work/build" -DLLAMA_SRC="$src" -DJAVA_HOME="$JAVA_HOME" "${flags[@]}" \
        ${toolchain:+-DCMAKE_TOOLCHAIN_FILE="$toolchain"} >"$work/configure.log" 2>&1 \
    || { cat "$work/configure.log" >&2; exit 1; }
fi
jobs=${SLM_NATIVE_JOBS:-$(nproc)}
start=$(date +%s)
if ! cmake --build "$work/build" --target "${targets[@]}" -j "$jobs" >"$work/build.log" 2>&1; then
  grep -E "error|Error" -A3 "$work/build.log" | head -40 >&2
  echo "native: build failed; the whole log is $work/build.log" >&2
  exit 1
fi
echo "native: built in $(( $(date +%s) - start )) s" >&2

# 4. The libraries, stripped, with an index the Java side extracts by (a class path cannot be listed).
dest=$out/$platform
rm -rf "$dest"
mkdir -p "$dest"
# Each library under the name the others ask for (its SONAME: libllama.so.0, ...); the CPU
# variants are plain modules, named as ggml looks for them (libggml-cpu-*.so).
# (ggml's own libraries land in build/ggml/src, the CPU variants and libjllama in build/bin.)
for f in "$work/build/bin"/*.so* "$work/build/ggml/src"/*.so*; do
  [ -L "$f" ] && continue
  name=$(readelf -d "$f" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  "$strip" --strip-unneeded -o "$dest/${name:-$(basename "$f")}" "$f"
done
if [ -x "$work/build/llama-bench/llama-bench" ] && [[ " ${targets[*]} " == *" llama-bench "* ]]; then
  cp "$work/build/llama-bench/llama-bench" "$dest/"
fi
(
  cd "$dest"
  {
    echo "release=$release"
    echo "commit=$commit"
    for f in *.so*; do echo "file=$f $(sha256sum "$f" | cut -c1-64) $(stat -c %s "$f")"; done
    # The architectures this llama.cpp loads, from its own table (a test checks them against the
    # loaded library's llm_arch_all()); "clip" is a placeholder used only by llama-quantize.
    sed -n '/LLM_ARCH_NAMES = {/,/^};/p' "$src/src/llama-arch.cpp" \
      | sed -n 's/^ *{ *LLM_ARCH_[A-Z0-9_]*, *"\([a-z0-9._-]*\)" *}.*/arch=\1/p' | grep -v '^arch=clip$'
  } > files.txt
)
echo "native: $(ls "$dest" | wc -l) files in $dest ($(du -sh "$dest" | cut -f1))" >&2

# 5. On request, llama.cpp's own llama-server from the same source and flags, for scripts/bench-serve.
# Its own tree (llama.cpp's top-level CMake with the server; slm's CMakeLists.txt stays what libjllama
# is built from, so its cache key does not move), built with one plain CPU backend only: at run time
# that one is replaced by slm's CPU variants from step 4, so both run the very same kernels. (ggml
# builds every variant a library asks for, which would double the 10-15 minutes of step 3.)
if [ -n "$llama_server" ]; then
  [ "$platform" = "$host" ] || { echo "native: --llama-server is built for this machine only" >&2; exit 1; }
  server_work=$work-llama-server
  if [ ! -f "$server_work/build/CMakeCache.txt" ]; then
    echo "native: configuring llama-server ($server_work)" >&2
    mkdir -p "$server_work"
    cmake -S "$src" -B "$server_work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
          -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF \
          -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
          -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
          -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON -DCMAKE_BUILD_RPATH='$ORIGIN' \
          >"$server_work/configure.log" 2>&1 || { cat "$server_work/configure.log" >&2; exit 1; }
  fi
  if ! cmake --build "$server_work/build" --target llama-server -j "$jobs" >"$server_work/build.log" 2>&1; then
    grep -E "error|Error" -A3 "$server_work/build.log" | head -40 >&2
    echo "native: llama-server build failed; the whole log is $server_work/build.log" >&2
    exit 1
  fi
  server_dest=$dest/llama-server
  mkdir -p "$server_dest"
  cp "$server_work/build/bin/llama-server" "$server_dest/"
  for f in "$server_work/build/bin"/*.so*; do
    case "$(basename "$f")" in libggml-cpu*) continue ;; esac
    cp -P "$f" "$server_dest/"
  done
  cp "$dest"/libggml-cpu-*.so "$server_dest/"
  echo "native: llama-server in $server_dest" >&2
fi
