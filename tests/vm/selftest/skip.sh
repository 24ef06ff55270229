#!/bin/sh
# Harness self-test: a test that cannot run here (exit 4).
echo "SKIP: deliberately skipped"
exit 4
