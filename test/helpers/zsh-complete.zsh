# What zsh's completion offers for each LINE, as an interactive zsh (on a pty, zsh/zpty) offers it
# after compinit with COMPDIR first on fpath: the candidates of each line, then "::end::".
# Usage: zsh -f zsh-complete.zsh COMPDIR LINE...   (test/cli/completion-zsh.test.ts)
# compadd is wrapped to print what it adds; the markers are spelled split in what we type, so the
# terminal's echo of our input never matches them.
# A zsh unpacked from Debian's packages (test/helpers/zsh.ts) looks for its modules and functions
# where it was built to: GB_ZSH_ROOT says where they are, for this shell and the one on the pty.
setup=
if [[ -n $GB_ZSH_ROOT ]]; then
  module_path=($GB_ZSH_ROOT/usr/lib/*/zsh/$ZSH_VERSION)
  fpath=($GB_ZSH_ROOT/usr/share/zsh/functions/*(/) $GB_ZSH_ROOT/usr/share/zsh/functions/*/*(/))
  setup="module_path=($module_path); fpath=($fpath); "
fi
zmodload zsh/zpty
compdir=$1; shift
zpty z ${GB_ZSH_BIN:-zsh} -f -i
zpty -w z "PROMPT=''; ${setup}fpath=($compdir \$fpath); autoload -Uz compinit; compinit -u -D"
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
