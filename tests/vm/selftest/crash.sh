#!/bin/sh
# Harness self-test: the guest kernel panics in the middle of the plan.
echo 1 > /proc/sys/kernel/sysrq
echo c > /proc/sysrq-trigger
sleep 60
