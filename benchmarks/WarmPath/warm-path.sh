#!/usr/bin/env bash
# Container start with and without the exeseal wrapper, in the same hyperfine run: `runc run` and `crun run` of a
# busybox container that runs `true`, alone, through the least a copying wrapper can do (raw-memfd-exec.c), and through
# exeseal-runtime (warm: exeseald running) for each value of
# the clone-self-exe annotation, and through the managed `exeseal runtime` (cold) for comparison. Also reports the
# memfd copy time of the runtime on this host (`exeseal bench`), which independent-data-copy cannot avoid.
# Needs root, runc, crun, busybox (static), gcc and hyperfine.
# Usage: benchmarks/WarmPath/warm-path.sh [OUTPUT-DIR]   (default artifacts/warm-path)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(realpath -m "${1:-artifacts/warm-path}")"
runs="${RUNS:-40}" rounds="${ROUNDS:-3}"
mkdir -p "$out"

# ReadyToRun, as the cold path would be deployed; exeseal-runtime is published beside it, Native AOT.
dotnet publish host/Pluggable.Host -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$out/exeseal" -v quiet -nologo
runc=$(command -v runc) crun=$(command -v crun) busybox=$(command -v busybox)
gcc -O2 -o "$out/raw-memfd-exec" benchmarks/WarmPath/raw-memfd-exec.c
raw="$out/raw-memfd-exec"

bundle() { # bundle NAME VALUE: a runc spec bundle whose process is `true`, with the annotation when VALUE is not empty
  local dir="$out/bundles/$1"
  rm -rf "$dir" && mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/sys" "$dir/rootfs/tmp"
  cp "$busybox" "$dir/rootfs/bin/busybox" && ln -s busybox "$dir/rootfs/bin/true"
  (cd "$dir" && "$runc" spec)
  python3 - "$dir/config.json" "$2" <<'PY'
import json, sys
path, value = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["true"]
config["annotations"] = {"org.opencontainers.runc.clone-self-exe": value} if value else {}
json.dump(config, open(path, "w"))
PY
}
bundle absent "" && bundle copy independent-data-copy && bundle shared ro-shared-page

socket="$out/exeseald.sock"
"$out/exeseal/exeseal" daemon --socket "$socket" 2>"$out/exeseald.log" &
daemon=$!
trap 'kill -TERM $daemon; wait $daemon || true; rm -f /dev/shm/exeseal-bench-runc' EXIT
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done

client="$out/exeseal/exeseal-runtime --socket $socket"
run() { echo "$1 run --bundle $out/bundles/$2 exeseal-bench-$3"; }
# crun 1.8 refuses hybrid cgroups: both sides of its comparison run in a private mount namespace without them.
private() { echo "unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec $1'"; }

# Running from a sealed memfd means running from shared memory: a copy of runc on /dev/shm shows what that costs
# by itself, without exeseal.
cp "$runc" /dev/shm/exeseal-bench-runc
# The machine's load drifts over a minute: each set runs in several rounds, and the summary pools their runs.
for round in $(seq "$rounds"); do
hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$out/runc-$round.md" --export-json "$out/runc-$round.json" \
  -n "runc run (no wrapper)" "$(run "$runc" absent a)" \
  -n "runc run from a copy on tmpfs (no wrapper)" "$(run /dev/shm/exeseal-bench-runc absent t)" \
  -n "raw-memfd-exec → runc run (C: sendfile into a memfd, 4 seals, execveat)" "$raw $(run "$runc" absent r)" \
  -n "exeseal-runtime → runc run, annotation absent (default chain)" "$client --runtime $runc -- $(run '' absent b)" \
  -n "exeseal-runtime → runc run, ro-shared-page" "$client --runtime $runc -- $(run '' shared c)" \
  -n "exeseal-runtime → runc run, independent-data-copy" "$client --runtime $runc -- $(run '' copy d)" \
  -n "exeseal runtime (managed CLI, ReadyToRun) → runc run, independent-data-copy" "$out/exeseal/exeseal runtime --runtime $runc -- $(run '' copy e)"

hyperfine -N --warmup 5 --runs "$runs" --export-markdown "$out/crun-$round.md" --export-json "$out/crun-$round.json" \
  -n "crun run (no wrapper)" "$(private "$(run "$crun" absent f)")" \
  -n "raw-memfd-exec → crun run (C: sendfile into a memfd, 4 seals, execveat)" "$(private "$raw $(run "$crun" absent s)")" \
  -n "exeseal-runtime → crun run, annotation absent (default chain)" "$(private "$client --runtime $crun -- $(run '' absent g)")" \
  -n "exeseal-runtime → crun run, ro-shared-page" "$(private "$client --runtime $crun -- $(run '' shared h)")" \
  -n "exeseal-runtime → crun run, independent-data-copy" "$(private "$client --runtime $crun -- $(run '' copy i)")"
done
python3 benchmarks/WarmPath/summarize.py "$out" | tee "$out/summary.md"

# What independent-data-copy costs by itself: one memfd copy of each runtime, and the overlay view for comparison.
"$out/exeseal/exeseal" bench "$runc" --provider memfd --provider overlayfs --iterations 50 | tee "$out/bench-runc.txt"
"$out/exeseal/exeseal" bench "$crun" --provider memfd --provider overlayfs --iterations 50 | tee "$out/bench-crun.txt"
