# bash completion for `git backup`, in git's own style: git's completion (git-completion.bash, which
# ships with git) calls _git_backup for `git backup <TAB>`. Load it after git's, e.g. in ~/.bashrc:
#   source "$(npm root --global)/git-backup/completion/git-backup.bash"
# Ids come from refs/backups/* (one git call, no Node start); test/cli/completion.test.ts keeps the
# commands and flags here in step with each command's --help.

__git_backup_commands="init create list show status transition confirm cleanup archive delete pin unpin restore diff run undo redo log reconcile tick emergency sync push fetch recover verify gc ci config install uninstall"

__git_backup_ids ()
{
	git for-each-ref --format='%(refname:strip=2)' refs/backups/ 2>/dev/null
}

__git_backup_flags ()
{
	case "$1" in
	init|show|log|sync|fetch|verify) echo "--json" ;;
	status) echo "--json --prometheus --prometheus-file" ;;
	push) echo "--allow-legacy-paths --json" ;;
	create) echo "--message --include-ignored --pin --label --allow-empty --json" ;;
	list) echo "--state --sort --limit --label --branch --grep --since --json" ;;
	transition) echo "--reason --force --yes --json" ;;
	confirm|cleanup|archive|delete) echo "--yes --force --dry-run --reason --json" ;;
	restore) echo "--to --no-sparse --json" ;;
	diff) echo "--stat --json" ;;
	run) echo "--message --label --watch" ;;
	undo|redo) echo "--yes --dry-run --json" ;;
	reconcile|tick) echo "--dry-run --json" ;;
	emergency) echo "--yes --force --json" ;;
	recover) echo "--rebuild --json" ;;
	gc) echo "--now --json" ;;
	ci) echo "--max-age --json" ;;
	config) echo "--json" ;;
	install) echo "--force --agent --json" ;;
	uninstall) echo "--agent --json" ;;
	esac
}

_git_backup ()
{
	local subcommand="$(__git_find_on_cmdline "$__git_backup_commands")"
	if [ -z "$subcommand" ]; then
		__gitcomp "$__git_backup_commands"
		return
	fi
	case "$prev" in
	--state) __gitcomp "CREATED PENDING CONFIRMED CLEANABLE ARCHIVED DELETED"; return ;;
	--sort) __gitcomp "age size confidence"; return ;;
	--agent) __gitcomp "claude-code"; return ;;
	--branch) __gitcomp_nl "$(__git_heads)"; return ;;
	--to) _filedir -d 2>/dev/null; return ;;
	--prometheus-file) _filedir 2>/dev/null; return ;;
	--message|-m|--label|--limit|--grep|--since|--reason|--max-age) return ;;
	esac
	case "$cur" in
	--*) __gitcomp "$(__git_backup_flags "$subcommand")"; return ;;
	esac
	case "$subcommand" in
	transition)
		# transition ID STATE: the state once an id is there
		if [ "$prev" != transition ] && [ "${prev#-}" = "$prev" ]; then
			__gitcomp "CREATED PENDING CONFIRMED CLEANABLE ARCHIVED DELETED"
		else
			__gitcomp_nl "$(__git_backup_ids)"
		fi
		;;
	show|confirm|cleanup|archive|delete|pin|unpin|diff|undo|verify|log)
		__gitcomp_nl "$(__git_backup_ids)" ;;
	restore)
		if [ "$prev" = restore ]; then __gitcomp_nl "$(__git_backup_ids)"; else _filedir 2>/dev/null; fi ;;
	config)
		__gitcomp "get set unset list export import template" ;;
	esac
}
