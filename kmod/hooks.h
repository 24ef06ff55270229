/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WICKET_HOOKS_H
#define _WICKET_HOOKS_H

#include "wicket.h"

/* FORWARD hooks go into a namespace with its first access port. */
int wicket_hooks_register(struct wicket_net *wn);
/* PRE_ROUTING hooks, for the captive mark, while it is configured. */
int wicket_mark_hooks(struct wicket_net *wn, bool on);
void wicket_hooks_unregister(struct wicket_net *wn);

#endif /* _WICKET_HOOKS_H */
