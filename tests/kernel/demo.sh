#!/bin/bash
# `make demo`, the README's first command, as a test: its guest half
# (scripts/demo-guest) must run to the end: a voucher guest and a helper
# guest online, the captive one kept out, the accounting Stop at the
# RADIUS server, the helper guest's own settings back.
exec "$(dirname "$0")/../../scripts/demo-guest"
