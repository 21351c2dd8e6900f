# What zsh's completion offers for each LINE, as an interactive zsh (on a pty, zsh/zpty) offers it
# after compinit with COMPDIR first on fpath: the candidates of each line, then "::end::".
# Usage: zsh -f zsh-complete.zsh COMPDIR LINE...   (test/cli/completion-zsh.test.ts)
# compadd is wrapped to print what it adds; the markers are spelled split in what we type, so the
# terminal's echo of our input never matches them.
zmodload zsh/zpty
compdir=$1; shift
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=($compdir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) && print -rl -- ":h""it:"${^__hits}; builtin compadd "$@" }'
zpty -w z 'endmark () { print -r -- ":do""ne:" }; tabw () { comppostfuncs=( endmark ); zle complete-word }; zle -N tabw; bindkey "^I" tabw; print :rea""dy:'
zpty -r z out '*:ready:*'
for line in "$@"; do
  zpty -w -n z "$line"$'\t'
  zpty -r z out '*:done:*'
  for l in ${(f)${out//$'\r'/}}; do [[ $l == *:hit:* ]] && print -r -- ${l#*:hit:}; done
  print -r -- "::end::"
  zpty -w -n z $'\C-u'
done
zpty -d z
