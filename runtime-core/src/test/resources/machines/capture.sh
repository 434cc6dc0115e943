#!/usr/bin/env bash
# Records what slm's hardware detection reads on this machine into a fixture directory, so that a
# test can replay it anywhere: ./capture.sh NAME  ->  NAME/root/..., NAME/machine.properties,
# NAME/nvidia.json (from nvidia-smi, when there is one), NAME/sysctl.properties (macOS).
# Nothing else is copied: no serial numbers, no host names.
set -euo pipefail
out=${1:?usage: capture.sh NAME}
mkdir -p "$out/root"
copy() { # copy FILE if readable, keeping its path under root/
  for f in "$@"; do
    [ -r "$f" ] && [ -f "$f" ] || continue
    mkdir -p "$out/root$(dirname "$f")"
    case "$f" in
      /proc/cpuinfo) grep -v -E '^(Serial|serial)' "$f" > "$out/root$f" ;;
      *) cat "$f" > "$out/root$f" ;;
    esac
  done
}
os=$(uname -s)
if [ "$os" = Darwin ]; then
  printf 'os.name=Mac OS X\nos.arch=%s\njvm.processors=%s\n' "$(uname -m | sed 's/arm64/aarch64/')" "$(sysctl -n hw.logicalcpu)" > "$out/machine.properties"
  sysctl hw.memsize hw.pagesize hw.logicalcpu hw.physicalcpu hw.nperflevels hw.optional.arm64 hw.optional.neon \
    hw.optional.AdvSIMD hw.optional.arm.FEAT_DotProd hw.optional.arm.FEAT_I8MM hw.optional.arm.FEAT_FP16 \
    hw.optional.arm.FEAT_BF16 machdep.cpu.brand_string iogpu.wired_limit_mb vm.page_free_count \
    vm.page_speculative_count vm.page_purgeable_count vm.page_pageable_external_count \
    'hw.perflevel0.name' hw.perflevel0.physicalcpu hw.perflevel0.logicalcpu \
    'hw.perflevel1.name' hw.perflevel1.physicalcpu hw.perflevel1.logicalcpu 2>/dev/null \
    | sed 's/: /=/' > "$out/sysctl.properties" || true
  exit 0
fi
printf 'os.name=Linux\nos.arch=%s\njvm.processors=%s\n' "$(uname -m)" "$(nproc)" > "$out/machine.properties"
copy /proc/cpuinfo /proc/meminfo /proc/self/cgroup /proc/self/auxv /proc/driver/nvidia/version \
  /proc/device-tree/model /proc/device-tree/compatible /sys/devices/system/cpu/online \
  /sys/fs/cgroup/cgroup.controllers
# Display GPUs (the vulkan profile's requirement): PCI vendor and device of each DRM card.
for card in /sys/class/drm/card[0-9]*; do
  [ -e "$card/device/vendor" ] && copy "$card/device/vendor" "$card/device/device"
done
for cpu in /sys/devices/system/cpu/cpu[0-9]*; do
  copy "$cpu/topology/thread_siblings_list" "$cpu/cpufreq/cpuinfo_max_freq"
done
# The process's cgroup and its ancestors (v2 unified, else v1 memory and cpu controllers).
while IFS=: read -r _ controllers path; do
  case ",$controllers," in
    ,,) base=/sys/fs/cgroup; files="memory.max memory.high memory.current memory.stat cpu.max" ;;
    *,memory,*) base=/sys/fs/cgroup/memory; files="memory.limit_in_bytes memory.usage_in_bytes memory.stat" ;;
    *,cpu,*) base=/sys/fs/cgroup/$controllers; files="cpu.cfs_quota_us cpu.cfs_period_us" ;;
    *) continue ;;
  esac
  p=$path
  while :; do
    for f in $files; do copy "$base${p%/}/$f"; done
    [ "$p" = / ] || [ -z "$p" ] && break
    p=$(dirname "$p")
  done
done < /proc/self/cgroup
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=index,name,memory.total,memory.free,driver_version,compute_cap --format=csv,noheader,nounits |
    awk -F', ' -v cuda="$(nvidia-smi | sed -n 's/.*CUDA Version: \([0-9.]*\).*/\1/p')" '
      BEGIN { printf "{\n  \"source\": \"NVML\",\n  \"cudaVersion\": \"%s\",\n  \"gpus\": [", cuda }
      { if (NR > 1) printf ","; driver = $5
        printf "\n    {\"index\": %d, \"name\": \"%s\", \"memoryTotal\": %d, \"memoryFree\": %d, \"integrated\": false, \"computeCapability\": \"%s\"}",
          $1, $2, $3 * 1048576, $4 * 1048576, $6 }
      END { printf "\n  ],\n  \"driverVersion\": \"%s\"\n}\n", driver }' > "$out/nvidia.json"
fi
echo "recorded into $out" >&2
