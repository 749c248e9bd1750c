#!/usr/bin/env bash
# The shipped landmark embedder (models/landmark-embedder), from data to model folder, on the CPU
# with fixed seeds: round 1 on task questions and sentences with BM25-mined hard negatives, then
# round 2 on longer haystacks whose negatives round 1 confuses with the answer. About an hour of
# one core, niced (the machine is shared). Each step resumes if interrupted.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=/usr/bin/python3
round1=training/.runs/landmark-embedder/export

nice -n 10 npx tsx training/landmark/make-data.ts
nice -n 10 "$python" training/landmark/train_embedder.py training/configs/landmark-embedder.json --out "$round1"
nice -n 10 npx tsx training/landmark/mine-negatives.ts --model "$round1"
nice -n 10 "$python" training/landmark/train_embedder.py training/configs/landmark-embedder-mined.json --out models/landmark-embedder
