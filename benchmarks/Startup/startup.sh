#!/usr/bin/env bash
# Cold start of `exeseal exec -- /bin/true` against `dotnet hello.dll`, in the same hyperfine run, for each
# start-up lever. Needs root (the default chain begins with overlayfs) and hyperfine (apt-get install hyperfine).
# Usage: benchmarks/Startup/startup.sh [OUTPUT-DIR]   (default artifacts/startup); results go to OUTPUT-DIR/*.md
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(realpath -m "${1:-artifacts/startup}")"
mkdir -p "$out"

dotnet publish benchmarks/Startup/Hello -c Release -o "$out/hello" -v quiet -nologo
# JIT only: what `dotnet publish` gives today.
dotnet publish host/Pluggable.Host -c Release -o "$out/jit" -v quiet -nologo
# ReadyToRun: the host, its packages and the plugins precompiled for linux-x64 (still framework-dependent).
dotnet publish host/Pluggable.Host -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$out/r2r" -v quiet -nologo

runs="${RUNS:-40}"
hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$out/startup.md" --export-json "$out/startup.json" \
  -n "dotnet hello.dll" "dotnet $out/hello/Hello.dll" \
  -n "exeseal --version (JIT: runtime + System.CommandLine)" "$out/jit/exeseal --version" \
  -n "exeseal modes (JIT: + configuration, DI, discovery of 4 plugins, policy)" "$out/jit/exeseal modes" \
  -n "exeseal exec (JIT)" "$out/jit/exeseal exec -- /bin/true" \
  -n "exeseal exec (JIT, TieredPGO off)" "env DOTNET_TieredPGO=0 $out/jit/exeseal exec -- /bin/true" \
  -n "exeseal --version (ReadyToRun)" "$out/r2r/exeseal --version" \
  -n "exeseal modes (ReadyToRun)" "$out/r2r/exeseal modes" \
  -n "exeseal exec (ReadyToRun)" "$out/r2r/exeseal exec -- /bin/true" \
  -n "exeseal exec (ReadyToRun, TieredPGO off)" "env DOTNET_TieredPGO=0 $out/r2r/exeseal exec -- /bin/true" \
  -n "exeseal exec (ReadyToRun, TC_QuickJitForLoops off)" "env DOTNET_TC_QuickJitForLoops=0 $out/r2r/exeseal exec -- /bin/true" \
  -n "exeseal exec (ReadyToRun, TieredCompilation off)" "env DOTNET_TieredCompilation=0 $out/r2r/exeseal exec -- /bin/true" \
  -n "exeseal exec (ReadyToRun) --mode independent-data-copy" "$out/r2r/exeseal exec --mode independent-data-copy -- /bin/true"

# Where the time goes: the same ReadyToRun build without any plugin, and without the experimental one.
rm -rf "$out/r2r-none" "$out/r2r-three"
cp -a "$out/r2r" "$out/r2r-none" && rm -rf "$out/r2r-none/plugins"
cp -a "$out/r2r" "$out/r2r-three" && rm -rf "$out/r2r-three/plugins/Pluggable.Providers.Experimental"
hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$out/attribution.md" \
  -n "dotnet hello.dll" "dotnet $out/hello/Hello.dll" \
  -n "R2R exeseal --version (runtime + CLI)" "$out/r2r/exeseal --version" \
  -n "R2R exeseal providers, no plugins (+ configuration, logging, DI)" "$out/r2r-none/exeseal providers" \
  -n "R2R exeseal modes, 4 plugins (+ discovery, policy)" "$out/r2r/exeseal modes" \
  -n "R2R exeseal exec, 3 plugins" "$out/r2r-three/exeseal exec -- /bin/true" \
  -n "R2R exeseal exec, 4 plugins" "$out/r2r/exeseal exec -- /bin/true"
