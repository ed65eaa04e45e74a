#!/bin/sh
# Seeds for build/fuzz/fuzz_host_parsers: one small valid file per parser, each behind the
# byte that selects the parser (0 IDX, 1 dataset blob, 2 CIFAR-10, 3 sweep YAML, 4 JSON,
# 5 journal line, 6 model blob, 7 metrics.csv). Usage: tests/fuzz_host_seeds.sh CORPUS_DIR (run from the project root).
set -eu
out=$1
tmp=$out/.tmp
mkdir -p "$out" "$tmp"

# Two 2x2 images and their labels, as IDX.
printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\000\001\002\003\377\000\177\200' > "$tmp/images.idx"
printf '\000\000\010\001\000\000\000\002\000\001' > "$tmp/labels.idx"
{ printf '\000'; cat "$tmp/images.idx"; } > "$out/idx_images"
{ printf '\000'; cat "$tmp/labels.idx"; } > "$out/idx_labels"

./fnnpack dataset --images "$tmp/images.idx" --labels "$tmp/labels.idx" --names no,yes \
    -o "$tmp/tiny.fnnd" > /dev/null
{ printf '\001'; cat "$tmp/tiny.fnnd"; } > "$out/dataset_blob"

{ printf '\002'; printf '\007'; head -c 3072 /dev/zero; } > "$out/cifar_record"

{ printf '\003'; cat data/sweeps/course.yaml; } > "$out/yaml_course"
{ printf '\003'; cat data/sweeps/course-corner.yaml; } > "$out/yaml_corner"

{ printf '\004'; printf '{"a":[1,-2.5e-3,true,false,null],"b":{"c":"x\\u00e9\\n"}}'; } > "$out/json"

./fnn train -q -e 1 -nhl 1 -sz 2 --limit_train 300 --out "$tmp/run" --journal "$tmp/journal.jsonl" \
    --trial 3 > /dev/null
{ printf '\005'; cat "$tmp/journal.jsonl"; } > "$out/journal_line"
{ printf '\006'; cat "$tmp/run/model.fnn"; } > "$out/model_fp32"
./fnnpack model "$tmp/run/model.fnn" --to int8 -o "$tmp/int8.fnn" > /dev/null
{ printf '\006'; cat "$tmp/int8.fnn"; } > "$out/model_int8"
{ printf '\007'; cat "$tmp/run/metrics.csv"; } > "$out/metrics_csv"
./fnn train -q -e 1 --limit_train 300 --arch conv2k3psame,bn,relu,pool2,dropout0.1,dense3 \
    --out "$tmp/cnn" > /dev/null
{ printf '\006'; cat "$tmp/cnn/model.fnn"; } > "$out/model_cnn"

rm -rf "$tmp"
