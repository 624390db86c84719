# Sourced by the repository's scripts (set-up, main job, tests). It turns on strict mode and an ERR trap, so that any
# failure prints the step that was running, the command that failed with its exit code, and what to do, instead of a
# bare exit code. A script names its steps with: step "what it does" "what to do when it fails".
# Rule for every pipeline under pipefail: no reader may stop early (`| head`, `| grep -q`, `| awk '… exit'`): a writer
# still writing then dies of SIGPIPE and fails the pipeline. Capture the output first, or let the reader read it all.
set -Eeuo pipefail
STEP_SCRIPT="${STEP_SCRIPT:-$(basename "${BASH_SOURCE[1]:-script}" .sh)}"
STEP_NAME="starting"
STEP_HINT="run the command again; if it fails the same way, the failing command above says what broke."

step() {
  STEP_NAME="$1"
  STEP_HINT="$2"
}

_step_failed() {
  local rc=$? cmd=$BASH_COMMAND
  # Inside a subshell or command substitution the parent reports the failure once, with the same step.
  if [ "$BASH_SUBSHELL" -gt 0 ]; then exit "$rc"; fi
  printf '%s: FAILED in step "%s": `%s` exited with code %s.\n' "$STEP_SCRIPT" "$STEP_NAME" "$cmd" "$rc" >&2
  printf '%s: what to do: %s\n' "$STEP_SCRIPT" "$STEP_HINT" >&2
  exit "$rc"
}
trap _step_failed ERR
