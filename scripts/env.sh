# Sourced by the other scripts: finds a JDK >= 21 and Maven, or says how to get them.
# The default `java` on many machines (Debian 12: 17) is too old, so JAVA_HOME is chosen here.

slm_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

slm_find_jdk() {
  for java in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null)" \
              /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /usr/local/*/bin/java; do
    [ -x "$java" ] || continue
    [ -x "$(dirname "$java")/javac" ] || continue
    major=$(slm_java_major "$java")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      (cd "$(dirname "$java")/.." && pwd)
      return 0
    fi
  done
  return 1
}

if ! SLM_JDK=$(slm_find_jdk); then
  echo "error: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm)." >&2
  echo "       Install one, e.g. 'apt-get install openjdk-21-jdk-headless' (Debian 13) or Temurin 21+, then retry." >&2
  exit 1
fi
export JAVA_HOME="$SLM_JDK"
export PATH="$JAVA_HOME/bin:$PATH"

if ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Maven is missing: installing it with apt-get." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null) || {
      echo "error: could not install Maven; install it ('apt-get install maven') and retry." >&2; exit 1; }
  else
    echo "error: Maven (mvn) is missing: install it ('sudo apt-get install maven') and retry." >&2
    exit 1
  fi
fi

# slm's native library is built from llama.cpp's source (native-profiles/native/README.md).
slm_missing_tools=""
for tool in cmake c++ curl git openssl; do
  command -v "$tool" >/dev/null 2>&1 || slm_missing_tools="$slm_missing_tools $tool"
done
if [ -n "$slm_missing_tools" ] && [ "${SLM_NATIVE_SKIP:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "The native build needs$slm_missing_tools: installing them with apt-get." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++ curl git openssl >/dev/null) || {
      echo "error: could not install$slm_missing_tools; install them and retry." >&2; exit 1; }
  else
    echo "error: the native build needs$slm_missing_tools: 'sudo apt-get install cmake g++ curl git openssl', then retry." >&2
    exit 1
  fi
fi

# The linux-aarch64 archive (packaging/pom.xml) is cross-built with Debian's aarch64 compiler and
# tested under qemu-user; -Dslm.aarch64.skip=true builds without them.
if [ "${SLM_NATIVE_SKIP:-0}" != 1 ] && [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && \
   { ! command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || ! command -v qemu-aarch64-static >/dev/null 2>&1; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "The linux-aarch64 build needs g++-aarch64-linux-gnu and qemu-user-static: installing them with apt-get." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++-aarch64-linux-gnu qemu-user-static >/dev/null) || \
      echo "warning: could not install them; build with -Dslm.aarch64.skip=true" >&2
  else
    echo "note: no aarch64 cross compiler/qemu: 'sudo apt-get install g++-aarch64-linux-gnu qemu-user-static', or build with -Dslm.aarch64.skip=true" >&2
  fi
fi

# The Vulkan plug-in's test runs a model on Mesa's llvmpipe, a Vulkan device on the CPU
# (GpuPluginCliTest): the Vulkan loader and Mesa's drivers.
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && \
   { [ ! -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "The Vulkan plug-in's test needs libvulkan1 and mesa-vulkan-drivers: installing them with apt-get." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1 mesa-vulkan-drivers >/dev/null) || \
      echo "warning: could not install them; GpuPluginCliTest's Vulkan test will fail" >&2
  else
    echo "note: GpuPluginCliTest's Vulkan test needs 'sudo apt-get install libvulkan1 mesa-vulkan-drivers'" >&2
  fi
fi

# Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 24+; the flag exists from JDK 23 on.
if [ "$(slm_java_major "$JAVA_HOME/bin/java")" -ge 23 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
