#!/bin/sh
# The 20-commit rebase of bench/burst.ts in ONE clone, the hooks swapped between samples (issue 9):
# what a hook costs a rebase without the differences between separate clones. Hand-run diagnostic;
# its figures are quoted in BENCHMARKS.md. Needs `git-backup` on PATH (a shim of this checkout).
#   sh bench/rebase-one-clone.sh [ROUNDS]     (default 41; prints median, min, max per variant)
set -eu
ROUNDS=${1:-41}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
unset NODE_EXTRA_CA_CERTS || :
git init -q -b main "$W/base"
cd "$W/base"
for d in $(seq -w 0 49); do
  mkdir "pkg0$d"
  for f in $(seq -w 000 099); do printf 'export const x%s = %s;\n// filler line for %s\n' "$f" "$f" "$d" >"pkg0$d/mod$f.ts"; done
done
git add -A && git commit -qm base
git checkout -qb topic
for i in $(seq 1 20); do echo "topic $i" >>"pkg000/mod00$((i % 10)).ts"; git commit -qam "topic $i"; done
git checkout -q main && echo "main moves" >>pkg001/mod000.ts && git commit -qam "main moves"
git clone -q "$W/base" "$W/repo" && cd "$W/repo"
git checkout -q -b work
HOOKS='post-commit post-merge post-rewrite pre-push pre-rebase'
git backup install >/dev/null
echo wip >pkg002/mod000.ts && git backup create -m bench >/dev/null && git checkout -q -- pkg002/mod000.ts
mkdir -p "$W/hooks/none" "$W/hooks/noop" "$W/hooks/ours"
for h in $HOOKS; do
  cp ".git/hooks/$h" "$W/hooks/ours/$h"
  printf '#!/bin/sh\nexit 0\n' >"$W/hooks/noop/$h" && chmod +x "$W/hooks/noop/$h"
done
VS="none noop ours"
for r in $(seq 0 "$ROUNDS"); do
  for v in $VS; do
    for h in $HOOKS; do rm -f ".git/hooks/$h"; done
    for h in $HOOKS; do [ -f "$W/hooks/$v/$h" ] && cp "$W/hooks/$v/$h" ".git/hooks/$h"; done
    git checkout -q -B rebasing origin/topic
    s=$(date +%s%N); git rebase -q main; e=$(date +%s%N)
    [ "$r" -gt 0 ] && echo "$v $(((e - s) / 1000000))" >>"$W/samples"
  done
  VS="$(echo $VS | awk '{for (i = 2; i <= NF; i++) printf "%s ", $i; print $1}')"
done
for v in none noop ours; do
  grep "^$v " "$W/samples" | cut -d' ' -f2 | sort -n | awk -v v="$v" '{x[NR] = $1} END {printf "%s: median %d ms, min %d, max %d\n", v, x[int((NR + 1) / 2)], x[1], x[NR]}'
done
