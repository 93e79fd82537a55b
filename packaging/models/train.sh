#!/usr/bin/env bash
# Train, evaluate and install one of the shipped models, exactly as it was made.
#
#   bash packaging/models/train.sh folk-abc|macnet-folk|piano-lstm [DATA_DIR]
#
# DATA_DIR (default ../shared/data beside the checkout) holds nottingham/ and
# piano-midi/ (see that folder's README). The run goes to runs/NAME (resumable: run the
# same command again after a stop); the test-split metrics are written into the card;
# the weights, vocabulary and card are then copied into models/NAME. Each default trains
# in under 30 minutes on a 2-core CPU (see each card's training.seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."
NAME=${1:?usage: train.sh folk-abc|macnet-folk|piano-lstm [DATA_DIR]}
DATA=${2:-../shared/data}
PY=.venv/bin/python
COMPOSER=.venv/bin/composer
RUN=runs/$NAME
NOTT=$DATA/nottingham
mkdir -p runs

case $NAME in
  folk-abc)
    M21=$($PY -c "import music21, pathlib; print(pathlib.Path(music21.__file__).parent / 'corpus')")
    $COMPOSER train --preset folk --data "$NOTT/abc" --splits "$NOTT/splits.json" \
      --extra "$M21/oneills1850" "$M21/ryansMammoth" "$M21/airdsAirs" \
      --card packaging/models/folk-abc.card.json --out "$RUN"
    $COMPOSER eval "$RUN" --abc "$NOTT/abc" --splits "$NOTT/splits.json" --split test \
      --samples 47 --seed 0 --write-card --json
    FILES="card.json model.safetensors vocab.json"
    ;;
  macnet-folk)
    $COMPOSER train --preset macnet-folk --data "$NOTT/midi" --splits "$NOTT/splits.json" \
      --out "$RUN"
    $COMPOSER eval "$RUN" --midi "$NOTT/midi" --splits "$NOTT/splits.json" --split test \
      --write-card --json
    FILES="card.json model.safetensors vocab.json"
    ;;
  piano-lstm)
    $COMPOSER train --preset piano-lstm --data "$DATA/piano-midi" --out "$RUN"
    $PY - "$RUN" <<'EOF'
import json, sys, pathlib
run = pathlib.Path(sys.argv[1])
split = json.loads((run / "card.json").read_text())["data"]["split"]
(run / "splits.json").write_text(json.dumps(split, indent=1) + "\n")
EOF
    $COMPOSER eval "$RUN" --midi "$DATA/piano-midi" --splits "$RUN/splits.json" --split test \
      --write-card --json
    FILES="card.json model.safetensors vocab.json splits.json"
    ;;
  *)
    echo "unknown model $NAME (folk-abc, macnet-folk or piano-lstm)" >&2
    exit 2
    ;;
esac

mkdir -p "models/$NAME"
for f in $FILES; do
  if [ -f "$RUN/$f" ]; then cp "$RUN/$f" "models/$NAME/$f"; fi
done
echo "installed models/$NAME ($(du -sh "models/$NAME" | cut -f1))"
