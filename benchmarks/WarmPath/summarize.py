"""Pools the runs of every round of warm-path.sh and prints, per command, the median and what it adds to the
first command of its set (the runtime alone), as a markdown table."""
import glob
import json
import statistics
import sys

out = sys.argv[1]
for runtime in ("runc", "crun"):
    pooled = {}
    for path in sorted(glob.glob(f"{out}/{runtime}-*.json")):
        for result in json.load(open(path))["results"]:
            pooled.setdefault(result["command"], []).extend(result["times"])
    if not pooled:
        continue
    commands = list(pooled)
    base = statistics.median(pooled[commands[0]])
    print(f"\n{runtime}: {len(glob.glob(f'{out}/{runtime}-*.json'))} rounds, medians of all runs pooled\n")
    print("| command | runs | median ms | added ms | ratio |")
    print("|:---|---:|---:|---:|---:|")
    for command in commands:
        median = statistics.median(pooled[command])
        print(f"| {command} | {len(pooled[command])} | {median * 1000:.1f} | {(median - base) * 1000:+.1f} | {median / base:.2f} |")
