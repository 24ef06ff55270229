#!/bin/sh
# Harness self-test: a test that never ends; the per-test timeout kills it.
exec sleep 100000
