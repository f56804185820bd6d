#!/bin/sh
# dunst's "dmenu": dunst writes one line per action of the open notifications
# ("#Done (@bob asks on Mastodon) [3,done]") and invokes the line this prints. Tests write
# the text of the line to pick into $EARSHOT_DUNST_CHOICE, then run `dunstctl context`:
# the real daemon then sends ActionInvoked, as it would when a person clicks the button.
grep -m1 -F -- "$(cat "$EARSHOT_DUNST_CHOICE")"
