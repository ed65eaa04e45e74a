#!/usr/bin/python3
"""Checks `fnn eval --json` against scikit-learn computed from `fnn predict`'s CSV (a manual
check; fnn does not depend on Python). Usage, from the source tree:
    ./fnn predict --model M -d fashion_mnist > pred.csv
    ./fnn eval --model M --json > eval.json
    python3 tools/check_sklearn.py pred.csv eval.json      # needs python3-sklearn
"""
import csv, json, sys
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

rows = list(csv.DictReader(open(sys.argv[1])))
y = [int(r["label"]) for r in rows]
p = [int(r["predicted"]) for r in rows]
e = json.load(open(sys.argv[2]))
assert confusion_matrix(y, p).tolist() == e["confusion_matrix"], "confusion matrices differ"
P, R, F, S = precision_recall_fscore_support(y, p, zero_division=0)
pairs = []
for k, c in enumerate(e["classes"]):
    pairs += [(P[k], c["precision"]), (R[k], c["recall"]), (F[k], c["f1"])]
    assert S[k] == c["support"]
for avg, key in (("macro", "macro_avg"), ("weighted", "weighted_avg")):
    pa, ra, fa, _ = precision_recall_fscore_support(y, p, average=avg, zero_division=0)
    pairs += [(pa, e[key]["precision"]), (ra, e[key]["recall"]), (fa, e[key]["f1"])]
pairs.append((accuracy_score(y, p), e["accuracy"]))
bad = [(a, b) for a, b in pairs if round(a, 4) != round(b, 4)]
assert not bad, bad
print("scikit-learn agrees: confusion matrix identical; %d precision/recall/F1/accuracy values equal to 4 decimals "
      "(largest difference %.1e)" % (len(pairs), max(abs(a - b) for a, b in pairs)))
