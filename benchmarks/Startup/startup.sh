#!/usr/bin/env bash
# Cold start of `exeseal exec -- /bin/true` against `dotnet hello.dll`, in the same hyperfine run: the build before the
# start-up work, each kept lever's commit, the final state (the working tree) and the runtime knobs. Needs root (the
# default chain begins with overlayfs), git, python3 and hyperfine (apt-get install hyperfine).
# Usage: benchmarks/Startup/startup.sh [OUTPUT-DIR]   (default artifacts/startup); results go to OUTPUT-DIR/*.md, *.json
# RUNS (default 40) runs per command and round, ROUNDS (default 3) rounds, the command order reversed every other round.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(realpath -m "${1:-artifacts/startup}")"
runs="${RUNS:-40}"
rounds="${ROUNDS:-3}"
mkdir -p "$out"

# name:commit, in the order the levers were applied; each build is the commit's tree, published as the product is.
levers=(
  "before:280ca3c"
  "mcmaster-builder:de90274"
  "no-value-type-linq:524e967"
)

publish() {
  dotnet publish "$1/host/Pluggable.Host" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$2" -v quiet -nologo
}

dotnet publish benchmarks/Startup/Hello -c Release -o "$out/hello" -v quiet -nologo
for lever in "${levers[@]}"; do
  name="${lever%%:*}"
  rm -rf "$out/src-$name" "$out/$name" && mkdir -p "$out/src-$name"
  git archive "${lever#*:}" | tar -x -C "$out/src-$name"
  publish "$out/src-$name" "$out/$name"
done
rm -rf "$out/final"
publish . "$out/final"
cp host/Pluggable.Runtime/Configuration/exeseal.defaults.json "$out/defaults.json"

# Levers: every build in the same run as the baseline; hyperfine runs one command after the other, so the order is
# reversed every other round to spread the drift of a shared machine over all of them.
names=("dotnet hello.dll")
commands=("dotnet $out/hello/Hello.dll")
for lever in "${levers[@]}" final; do
  names+=("exec ${lever%%:*}")
  commands+=("$out/${lever%%:*}/exeseal exec -- /bin/true")
done
for round in $(seq 1 "$rounds"); do
  arguments=()
  for i in "${!names[@]}"; do
    j=$(( round % 2 == 1 ? i : ${#names[@]} - 1 - i ))
    arguments+=(-n "${names[$j]}" "${commands[$j]}")
  done
  hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$out/levers-$round.md" --export-json "$out/levers-$round.json" \
    "${arguments[@]}"
done

# The final build: what each part costs, other selections, a configuration file, and each runtime knob.
final="$out/final/exeseal"
hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$out/final.md" --export-json "$out/final.json" \
  -n "dotnet hello.dll" "dotnet $out/hello/Hello.dll" \
  -n "exeseal --version (runtime + System.CommandLine)" "$final --version" \
  -n "exeseal modes (+ configuration, DI, discovery of 4 plugins, policy)" "$final modes" \
  -n "exec" "$final exec -- /bin/true" \
  -n "exec --mode independent-data-copy" "$final exec --mode independent-data-copy -- /bin/true" \
  -n "exec --config (the defaults as a file)" "$final --config $out/defaults.json exec -- /bin/true" \
  -n "exec, TieredPGO off" "env DOTNET_TieredPGO=0 $final exec -- /bin/true" \
  -n "exec, concurrent GC off" "env DOTNET_gcConcurrent=0 $final exec -- /bin/true" \
  -n "exec, diagnostics IPC off" "env DOTNET_EnableDiagnostics=0 $final exec -- /bin/true" \
  -n "exec, TC_QuickJitForLoops off" "env DOTNET_TC_QuickJitForLoops=0 $final exec -- /bin/true"

# Methods the JIT compiles in a start (seal exits normally, so the JIT's log is complete; exec replaces the process first).
: > "$out/jit-methods.txt"
for build in "${levers[@]%%:*}" final; do
  rm -f "$out/jit-$build.log"
  DOTNET_JitStdOutFile="$out/jit-$build.log" DOTNET_JitDisasmSummary=1 "$out/$build/exeseal" seal /bin/true > /dev/null
  echo "$build $(grep -c 'JIT compiled' "$out/jit-$build.log")" >> "$out/jit-methods.txt"
done

python3 - "$out" "$rounds" > "$out/summary.md" <<'EOF'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
medians = {}
for r in range(1, rounds + 1):
    for result in json.load(open(f"{out}/levers-{r}.json"))["results"]:
        medians.setdefault(result["command"], []).append(result["median"] * 1000)
hello = statistics.median(medians["dotnet hello.dll"])
print(f"Median of the per-round medians over {rounds} rounds; ratio to `dotnet hello.dll` of the same rounds.\n")
print("| build | median ms | ÷ hello | Δ ms to the row above |")
print("|---|---:|---:|---:|")
previous = None
for command, values in medians.items():
    median = statistics.median(values)
    delta = f"{median - previous:+.1f}" if previous is not None else ""
    print(f"| {command} | {median:.1f} | {median / hello:.2f} | {delta} |")
    previous = median if command != "dotnet hello.dll" else None
EOF
cat "$out/summary.md" "$out/jit-methods.txt"
