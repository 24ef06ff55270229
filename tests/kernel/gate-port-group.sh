#!/bin/bash
# vm: every kernel
# The port_group module parameter: an interface in that netdev group is
# closed until it is made an access port, both ways, from the moment the
# module is loaded (boot, or a reload before wicketd has started), and
# again once it is no longer a port. Interfaces outside the group, and the
# group without the parameter, are not touched.
. "$(dirname "$0")/../lib.sh"

group=7
load_wicket port_group=$group || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
add_guest other 2 || exit 1
mac=$(mac_of "$guest" eth0)
blocked() { wnl stats | tr ' ' '\n' | sed -n 's/^drop_port_blocked=//p'; }

check "the parameter is visible" test "$(cat /sys/module/wicket/parameters/port_group)" = $group
check "no port, no group: the guest's traffic is not the gate's business" ping_ok "$guest" 10.99.0.2
ip -n "$router" link set r1 group $group || exit 1
before=$(blocked)
check_fails "r1 in the group, not a port: the guest is out" ping_ok "$guest" 10.99.0.2
check_fails "... over IPv6 too" ping_ok "$guest" fd00:99::2
check_fails "... and the internet cannot reach it" ping_ok "$upstream" 10.0.1.2
check "... counted as port-blocked" test "$(blocked)" -gt "$before"
check "an interface outside the group is untouched" ping_ok "$other" 10.99.0.2

wnl port set r1 charge || exit 1
wnl client add r1 "$mac" addr 10.0.1.2 state authorized session 1 || exit 1
check "made a charge port: the authorized guest passes" ping_ok "$guest" 10.99.0.2
wnl port del r1 || exit 1
check_fails "no longer a port: closed again by its group" ping_ok "$guest" 10.99.0.2

# A reload: the interface is still in the group, so it is closed as soon
# as the module is in, before anything has configured it.
rmmod wicket || exit 1
insmod "$(wicket_module)" port_group=$group || exit 1
check_fails "reloaded with the parameter: closed before any port is set" ping_ok "$guest" 10.99.0.2
rmmod wicket || exit 1
insmod "$(wicket_module)" || exit 1
check "loaded without it: the group means nothing" ping_ok "$guest" 10.99.0.2
lib_exit
