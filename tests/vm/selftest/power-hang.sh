#!/bin/sh
# vm: power cut
# Harness self-test: a power-cut test that hangs at boot 1 instead of
# asking for its cut; the per-test timeout kills it.
exec sleep 100000
