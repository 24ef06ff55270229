#!/bin/sh
# Harness self-test: a deliberately broken test.
echo "FAIL: deliberately broken"
exit 1
