/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WICKET_HOOKS_H
#define _WICKET_HOOKS_H

#include "wicket.h"

/* Hooks go into a namespace with its first access port. */
int wicket_hooks_register(struct wicket_net *wn);
void wicket_hooks_unregister(struct wicket_net *wn);

#endif /* _WICKET_HOOKS_H */
