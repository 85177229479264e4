#!/bin/bash
# usage: run.sh EXESEAL OUTFILE
X=$1; OUT=$2; : > $OUT
d=$(mktemp -d)
i=0
conf() { i=$((i+1)); printf '%s' "$1" > $d/c$i.json; echo "== case $i: $1" >> $OUT; shift; env "$@" $X modes --format json --config $d/c$i.json >> $OUT 2>&1; echo "exit $?" >> $OUT; }
echo "== none" >> $OUT; $X modes --format json >> $OUT 2>&1; echo "exit $?" >> $OUT
conf '{"modes":{"vendor-x":["memfd"],"Vendor-Y":["tmpfile"],"10":["memfd"],"9":["memfd"]},"allowedModes":["vendor-x","independent-data-copy","10"]}'
conf '{}' EXESEAL_ALLOWEXPERIMENTAL=true EXESEAL_MODES__vendor-z__0=memfd EXESEAL_DEFAULTCHAIN__0=memfd
conf '{"defaultChain": ["overlayfs","memfd","tmpfile"]}' EXESEAL_DEFAULTCHAIN__0=memfd
conf '{ "defaultChain": [ '
conf '[1]'
conf '{"stateRoot":"/a","STATEROOT":"/b"}'
conf '{ // c
 "verifyContent": true, }'
conf '{"defaultChain": null}'
conf '{"allowExperimental": null}'
conf '{"modes": {}}'
conf '{"pluginDirectories": []}'
conf '{"allowExperimental": 1}'
conf '{"allowExperimental": "True"}'
conf '{"defaultChain": [{"a":1}]}'
conf '{}' EXESEAL_STATEROOT=relative
conf '{"defaultChain": ["memfd", ""]}'
conf '{"DefaultChain": ["memfd"], "ALLOWEDMODES": ["ro-shared-page"]}'
conf '{"modes": {"independent-data-copy": ["tmpfile"], "x": ["memfd"]}, "allowedModes": ["x"]}' EXESEAL_MODES__X__1=tmpfile
conf '{"modes": {"a:b": ["memfd"]}}'
conf '{"modes": {"independent-data-copy": "memfd"}}'
conf '{"unknown": 1}'
conf '{"defaultChain": [1, true]}'
conf '"str"'
conf ''
conf '{}' EXESEAL_UNKNOWN=1
conf '{}' EXESEAL_CONFIG=/nonexistent
i=$((i+1)); echo "== case $i: env config" >> $OUT; printf '{"verifyContent": true}' > $d/e.json; EXESEAL_CONFIG=$d/e.json $X seal /bin/true --format json 2>&1 | grep -v microseconds >> $OUT; echo "exit $?" >> $OUT
sed -i "s#$d#DIR#g" $OUT
rm -rf $d
