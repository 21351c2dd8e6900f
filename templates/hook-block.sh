# >>> git-backup >>>
# git-backup @VERSION@ (@HOOK@): records this git event for `git backup hook drain` (docs/hooks.md).
# Managed by `git backup install`; `git backup uninstall` removes exactly these lines. POSIX sh;
# never fails the hook (guarded, safe under sh -e and set -u), prints at most one line.
# The code is installed as one quoted word given to eval, which sh only reads when it runs: a commit
# a rebase replays (post-commit while rebase-merge holds author-script or rewritten-list) skips it.
__gb_hook() {
  __gb_name=@HOOK@ __gb_stdin=@STDIN@ __gb_t='@TAB@' __gb_nl='
'
  case ${GIT_BACKUP_HOOK_MODE-} in off) return 0 ;; esac
  __gb_dir= __gb_time= __gb_head= __gb_ref= __gb_h=
  # Fast path, no process at all: a plain repository (.git directory here, not a linked worktree)
  # whose branch is a loose ref, or whose HEAD is detached (a rebase). The time is left out (it would cost a fork; nothing needs it).
  case ${GIT_DIR-.git} in .git | "$PWD/.git") __gb_plain=1 ;; *) __gb_plain= ;; esac
  if [ -n "$__gb_plain" ] && [ -f .git/HEAD ] && [ ! -f .git/commondir ] && read -r __gb_h <.git/HEAD 2>/dev/null; then
    case $__gb_h in
      "ref: refs/heads/"*) __gb_ref=${__gb_h#ref: }
        [ -f ".git/$__gb_ref" ] && read -r __gb_head <".git/$__gb_ref" 2>/dev/null ;;
      # Detached HEAD (every commit a rebase replays): HEAD holds the commit itself.
      *[!0-9a-f]*) ;;
      ????????????????????????????????????????*) __gb_head=$__gb_h ;;
    esac
  fi
  __gb_gd=
  if [ -n "$__gb_head" ]; then
    __gb_dir=$PWD/.git __gb_gd=$PWD/.git
  else
    # Everything else (worktrees, packed refs, unborn HEAD, GIT_DIR): one git process
    # gives the store location, the time (--since=now prints it), HEAD and the branch.
    __gb_ref=
    __gb_out=$(git rev-parse --path-format=absolute --git-common-dir --since=now HEAD --symbolic-full-name HEAD 2>/dev/null) ||
      __gb_out=$(git rev-parse --path-format=absolute --git-common-dir --since=now 2>/dev/null &&
        echo && git symbolic-ref -q HEAD 2>/dev/null) || return 0
    { read -r __gb_dir; read -r __gb_time; read -r __gb_head; read -r __gb_ref; } <<__GB_EOF__
$__gb_out
__GB_EOF__
  fi
  __gb_store=$__gb_dir/backup
  # No store: git-backup was never set up in this clone (say, a teammate sharing husky files). Stay silent.
  [ -d "$__gb_store" ] || return 0
  __gb_time=${__gb_time#--max-age=}
  case $__gb_ref in refs/heads/*) __gb_branch=${__gb_ref#refs/heads/} ;; *) __gb_branch= ;; esac
  __gb_data=-
  if [ "$__gb_stdin" = 1 ]; then
    # Read stdin line by line with builtins only, then give it back to the code after this block.
    __gb_in= __gb_enc= __gb_sep= __gb_l=
    while IFS= read -r __gb_l || [ -n "$__gb_l" ]; do
      __gb_in=$__gb_in$__gb_l$__gb_nl
      __gb_esc "$__gb_l"
      __gb_enc=$__gb_enc$__gb_sep$__gb_r __gb_sep='\n' __gb_l=
    done
    if [ -n "$__gb_in" ]; then
      exec 0<<__GB_EOF__
${__gb_in%"$__gb_nl"}
__GB_EOF__
    else
      exec 0</dev/null
    fi
    __gb_data="=$__gb_enc" # quoted: zsh takes a word starting with = for a command path
  fi
  __gb_args=
  for __gb_a in "$@"; do __gb_esc "$__gb_a"; __gb_args=$__gb_args$__gb_t$__gb_r; done
  __gb_line=gb1$__gb_t$__gb_time$__gb_t$__gb_name$__gb_t$__gb_head$__gb_t$__gb_branch$__gb_t$__gb_data$__gb_args
  if [ ${#__gb_line} -gt 3800 ]; then
    # Too big for one atomic append (PIPE_BUF): stdin goes to its own file, named in the event.
    [ -n "$__gb_time" ] || __gb_time=$(git rev-parse --since=now 2>/dev/null) && __gb_time=${__gb_time#--max-age=}
    __gb_f=events.$__gb_time.$$.stdin
    (umask 077 && printf '%s' "$__gb_in" >"$__gb_store/$__gb_f") 2>/dev/null || return 0
    __gb_line=gb1$__gb_t$__gb_time$__gb_t$__gb_name$__gb_t$__gb_head$__gb_t$__gb_branch$__gb_t@$__gb_f$__gb_args
  fi
  # One printf, one write(2) on an O_APPEND descriptor: concurrent hooks never interleave. A FIFO
  # put in a file's place is never opened (the open would wait for a reader, and git with it).
  if [ -p "$__gb_store/events.log" ] || ! { printf '%s\n' "$__gb_line" >>"$__gb_store/events.log"; } 2>/dev/null; then
    # The store is not writable: keep the event beside it for the next drain that can write, and say so.
    [ -p "$__gb_dir/backup-events.missed" ] || { printf '%s\n' "$__gb_line" >>"$__gb_dir/backup-events.missed"; } 2>/dev/null
    echo "git-backup: cannot write $__gb_store/events.log; the $__gb_name event was not recorded there (git backup status)" >&2
    return 0
  fi
  if ! command -v git-backup >/dev/null 2>&1; then
    echo "git-backup: not on PATH; the $__gb_name event waits in $__gb_store/events.log" >&2
    return 0
  fi
  if [ "$__gb_name" = pre-rebase ] && __gb_may_set_pre_rebase; then
    # Opt-in automatic backup before a rebase; synchronous, since the rebase is about to change the tree.
    case $(git config --bool backup.hooks.preRebase 2>/dev/null) in
      true) git-backup hook pre-rebase "$@" </dev/null >/dev/null 2>&1 ||
        echo "git-backup: the automatic backup before this rebase failed; see $__gb_store/backup.log" >&2 ;;
    esac
  fi
  # No drain for pre-rebase, whose rebase's own events come next (one that stops at once changed
  # nothing), in sync mode too. (The post-commits of a rebase replaying commits never get here: the
  # guard before eval skips them, and the rebase's post-rewrite drains.)
  [ "$__gb_name" = pre-rebase ] && return 0
  # sync: drain in the foreground (after pre-push, the drain leaves a detached one to wait for the push).
  __gb_log=$__gb_store/backup.log
  [ -p "$__gb_log" ] && __gb_log=/dev/null
  if [ "${GIT_BACKUP_HOOK_MODE-}" = sync ]; then
    git-backup hook drain --repo "$PWD" </dev/null >/dev/null 2>>"$__gb_log" || :
    return 0
  fi
  # At most one drain: drain.pid names a drain that will read the log after now (it is due or
  # running). Builtins only (read, kill -0): a burst of commits starts one drain, not one each.
  # The boot id (Linux) rules out a pid left from before a reboot that now names another process.
  __gb_p= __gb_b= __gb_nb=
  { read -r __gb_nb </proc/sys/kernel/random/boot_id; } 2>/dev/null
  [ -p "$__gb_store/drain.pid" ] || { read -r __gb_p __gb_b <"$__gb_store/drain.pid"; } 2>/dev/null
  case $__gb_p in '' | *[!0-9]*) ;; *) [ "$__gb_b" = "$__gb_nb" ] && kill -0 "$__gb_p" 2>/dev/null && return 0 ;; esac
  # Detached, at low priority: nice 10 (on Linux the I/O priority follows: best-effort level 6).
  # The command as positional parameters (this function's own; the hook's were used above): a
  # command in a variable is not split into words by zsh, which may run this block too.
  set -- git-backup hook drain --detached --repo "$PWD"
  command -v nice >/dev/null 2>&1 && set -- nice -n 10 "$@"
  command -v setsid >/dev/null 2>&1 && set -- setsid "$@"
  "$@" </dev/null >/dev/null 2>>"$__gb_log" &
  [ -p "$__gb_store/drain.pid" ] || { echo "$! $__gb_nb" >|"$__gb_store/drain.pid"; } 2>/dev/null
  return 0
}
# Escape \, TAB and LF in $1 into $__gb_r, with shell builtins only (no forks on the commit path).
__gb_esc() {
  __gb_s=$1 __gb_r=
  while :; do
    case $__gb_s in
      *[\\"$__gb_t$__gb_nl"]*)
        __gb_p=${__gb_s%%[\\"$__gb_t$__gb_nl"]*}
        __gb_s=${__gb_s#"$__gb_p"}
        case $__gb_s in
          \\*) __gb_r=$__gb_r$__gb_p'\\' ;;
          "$__gb_t"*) __gb_r=$__gb_r$__gb_p'\t' ;;
          *) __gb_r=$__gb_r$__gb_p'\n' ;;
        esac
        __gb_s=${__gb_s#?} ;;
      *) __gb_r=$__gb_r$__gb_s; return 0 ;;
    esac
  done
}
# Whether git's configuration may set backup.hooks.preRebase. Asking git costs a process on every
# rebase, so it is skipped only when that is certain: no GIT_CONFIG* variable adds settings (git -c
# sets one), and no file git reads here names the key or an include (a key is always spelled out in
# its file, in any case). Unsure (a linked worktree, no HOME, an unreadable file): ask git.
__gb_may_set_pre_rebase() {
  [ -z "${GIT_CONFIG_PARAMETERS-}${GIT_CONFIG_COUNT-}${GIT_CONFIG_GLOBAL-}${GIT_CONFIG_SYSTEM-}${GIT_CONFIG-}" ] &&
    [ -n "$__gb_gd" ] && [ -n "${HOME-}" ] || return 0
  # git's system file is <prefix>/etc/gitconfig: known only for the git of /usr/bin or /bin
  # (/etc/gitconfig) and /usr/local/bin (/usr/local/etc/gitconfig), and not on macOS, whose git
  # keeps it inside Xcode. The first git on PATH, found with builtins (IFS left alone).
  [ ! -d /System/Library ] || return 0
  __gb_pd= __gb_rest=${PATH-}:
  while [ -n "$__gb_rest" ]; do
    __gb_f=${__gb_rest%%:*} __gb_rest=${__gb_rest#*:}
    [ -x "${__gb_f:-.}/git" ] && { __gb_pd=${__gb_f:-.}; break; }
  done
  case $__gb_pd in /usr/bin | /bin | /usr/local/bin) ;; *) return 0 ;; esac
  for __gb_f in /etc/gitconfig /usr/local/etc/gitconfig "${XDG_CONFIG_HOME:-$HOME/.config}/git/config" \
    "$HOME/.gitconfig" "$__gb_gd/config" "$__gb_gd/config.worktree"; do
    [ -e "$__gb_f" ] || continue
    [ -r "$__gb_f" ] || return 0
    while IFS= read -r __gb_l || [ -n "$__gb_l" ]; do
      case $__gb_l in *[pP][rR][eE][rR][eE][bB][aA][sS][eE]* | *[iI][nN][cC][lL][uU][dD][eE]*) return 0 ;; esac
    done <"$__gb_f"
  done
  return 1
}
__gb_hook "$@" || true
unset -f __gb_hook __gb_esc __gb_may_set_pre_rebase 2>/dev/null || true
# <<< git-backup <<<
