# bash completion for topsim: commands, options, option values and scenario field paths.
#
# Nothing here lists a command or an option: the topsim being completed is asked, so the
# completion follows the binary (cli.h's command table and help texts):
#   topsim --help          the commands (its Commands: section)
#   topsim help COMMAND    the command's options; an option written "--opt WORD" takes a
#                          value, a file or directory when WORD is FILE, DB, DIR or FILE.*;
#                          "[a|b|c]" in the synopsis and the items of a "KIND is one of:"
#                          list are the command's words
#   topsim schema --paths  the field paths --set can assign
# Installed as share/bash-completion/completions/topsim (loaded on demand by
# bash-completion); source it by hand to try it from a checkout.

_topsim_help()
{
    "$1" help "$2" 2>/dev/null
}

_topsim()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local bin=${COMP_WORDS[0]} cmd="" i w
    bin=${bin/#\~/$HOME}
    command -v "$bin" >/dev/null 2>&1 || return 0
    # "--set a=b" arrives as "--set" "a" "=" "b" when = breaks words: rejoin the current one.
    if [[ $cur == "=" || $prev == "=" ]]; then
        return 0
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w != -* ]]; then
            cmd=$w
            break
        fi
    done
    if [[ -z $cmd ]]; then
        local cmds
        cmds=$("$bin" --help 2>/dev/null | sed -n '/^Commands:$/,/^[A-Z]/p' |
               awk '/^  [a-z]/ {print $1}')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return 0
    fi
    if [[ $cmd == help ]]; then
        local cmds
        cmds=$("$bin" --help 2>/dev/null | sed -n '/^Commands:$/,/^[A-Z]/p' |
               awk '/^  [a-z]/ {print $1}')
        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return 0
    fi
    local help
    help=$(_topsim_help "$bin" "$cmd") || return 0
    if [[ $prev == --set ]]; then
        local paths
        paths=$("$bin" schema --paths 2>/dev/null | sed 's/$/=/')
        compopt -o nospace 2>/dev/null
        COMPREPLY=($(compgen -W "$paths" -- "$cur"))
        return 0
    fi
    if [[ $prev == -* ]]; then
        # The word after an option that takes one: a file, a directory, or free text.
        local arg
        arg=$(grep -oE -- "(^|[ ,\[])$prev [A-Z][A-Za-z.|]*" <<<"$help" | head -1 |
              awk '{print $NF}')
        case $arg in
            DIR) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
            FILE* | DB) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
            "") ;;
            *) return 0 ;;
        esac
    fi
    if [[ $cur == -* ]]; then
        local opts
        opts=$(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return 0
    fi
    local words
    words=$(head -3 <<<"$help" | grep -oE '\[[a-z]+(\|[a-z]+)+\]' | tr '[]|' '   ')
    words+=" "$(sed -n '/is one of:$/,/^[A-Z]/p' <<<"$help" | awk '/^  [a-z]/ {print $1}')
    COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))
    return 0
}
complete -F _topsim topsim
