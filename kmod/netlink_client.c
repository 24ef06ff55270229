// SPDX-License-Identifier: GPL-2.0
/*
 * Client commands: batched add, update and delete, get and dump.
 *
 * A batch changes the table in three steps so that a refused request
 * changes nothing: check every entry against the table and allocate what
 * it needs; insert the new clients and addresses (undone in reverse if an
 * insert fails, e.g. one client listed twice); then set every field, which
 * cannot fail.
 */

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "compat.h"
#include "netlink.h"
#include "ports.h"
#include "table.h"

static const struct nla_policy wicket_addr_policy[WICKET_ADDR_A_MAX + 1] = {
	[WICKET_ADDR_A_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[WICKET_ADDR_A_IPV6] = NLA_POLICY_EXACT_LEN(16),
};

static const struct nla_policy wicket_client_policy[WICKET_CLIENT_A_MAX + 1] = {
	[WICKET_CLIENT_A_PORT] = NLA_POLICY_MIN(NLA_U32, 1),
	[WICKET_CLIENT_A_MAC] = NLA_POLICY_ETH_ADDR,
	[WICKET_CLIENT_A_ADDRS] = NLA_POLICY_NESTED(wicket_addr_policy),
	[WICKET_CLIENT_A_STATE] = NLA_POLICY_RANGE(NLA_U8, 1, WICKET_STATE_MAX),
	[WICKET_CLIENT_A_SESSION] = { .type = NLA_U64 },
	[WICKET_CLIENT_A_TIMEOUT_MS] = { .type = NLA_U64 },
	[WICKET_CLIENT_A_BYTE_CAP] = { .type = NLA_U64 },
};

const struct nla_policy wicket_client_cmd_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
	[WICKET_A_CLIENTS] = NLA_POLICY_NESTED_ARRAY(wicket_client_policy),
};

const struct nla_policy wicket_client_get_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
	[WICKET_A_CLIENT] = NLA_POLICY_NESTED(wicket_client_policy),
	[WICKET_A_FLAGS] = { .type = NLA_U32 },
};

/* One entry of a batch, parsed. */
struct wicket_client_req {
	struct nlattr *nest;
	struct wicket_client_key key;
	u32 has;			/* BIT(WICKET_CLIENT_A_x) of given fields */
	u8 state;
	u64 session;
	u64 timeout_ms;
	u64 byte_cap;
	unsigned int naddrs;
	struct in6_addr addrs[WICKET_MAX_ADDRS];

	struct wicket_client *client;	/* found (update) or new (add) */
	bool is_new;
	bool inserted;
	unsigned int nnew;		/* addresses to bind */
	struct wicket_addr *new_addrs[WICKET_MAX_ADDRS];
	unsigned int nbound;		/* of those, bound already */
};

enum wicket_batch_op { WICKET_BATCH_ADD, WICKET_BATCH_UPDATE, WICKET_BATCH_DEL };

static bool wicket_has(const struct wicket_client_req *req, int attr)
{
	return req->has & BIT(attr);
}

/* Addresses a guest can own: no unspecified, loopback or multicast. */
static bool wicket_addr_usable(const struct in6_addr *a)
{
	if (ipv6_addr_v4mapped(a)) {
		__be32 v4 = a->s6_addr32[3];

		return !ipv4_is_zeronet(v4) && !ipv4_is_loopback(v4) &&
		       !ipv4_is_multicast(v4) && !ipv4_is_lbcast(v4);
	}
	return !ipv6_addr_any(a) && !ipv6_addr_loopback(a) &&
	       !ipv6_addr_is_multicast(a);
}

static int wicket_parse_addrs(struct nlattr *addrs,
			      struct wicket_client_req *req,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *attr;
	unsigned int i;
	int rem;

	nla_for_each_nested(attr, addrs, rem) {
		struct in6_addr a;

		if (req->naddrs == WICKET_MAX_ADDRS) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "too many addresses for one client");
			return -E2BIG;
		}
		if (nla_type(attr) == WICKET_ADDR_A_IPV4) {
			ipv6_addr_set_v4mapped(nla_get_in_addr(attr), &a);
		} else {
			a = nla_get_in6_addr(attr);
			if (ipv6_addr_v4mapped(&a)) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "give IPv4 addresses as IPV4");
				return -EINVAL;
			}
		}
		if (!wicket_addr_usable(&a)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "not an address a client can own");
			return -EINVAL;
		}
		for (i = 0; i < req->naddrs; i++) {
			if (ipv6_addr_equal(&req->addrs[i], &a)) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "address listed twice");
				return -EINVAL;
			}
		}
		req->addrs[req->naddrs++] = a;
	}
	return 0;
}

/* Parse one client nest; only the key when @key_only. */
static int wicket_parse_client(struct nlattr *nest,
			       struct wicket_client_req *req, bool key_only,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[WICKET_CLIENT_A_MAX + 1];
	int ret, i;

	ret = nla_parse_nested(tb, WICKET_CLIENT_A_MAX, nest,
			       wicket_client_policy, extack);
	if (ret)
		return ret;
	req->nest = nest;
	if (WICKET_NL_REQUIRE(extack, nest, tb, WICKET_CLIENT_A_PORT,
			      "a client needs PORT and MAC") ||
	    WICKET_NL_REQUIRE(extack, nest, tb, WICKET_CLIENT_A_MAC,
			      "a client needs PORT and MAC"))
		return -EINVAL;
	req->key.ifindex = nla_get_u32(tb[WICKET_CLIENT_A_PORT]);
	memcpy(req->key.mac, nla_data(tb[WICKET_CLIENT_A_MAC]), ETH_ALEN);
	if (!is_valid_ether_addr(req->key.mac)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[WICKET_CLIENT_A_MAC],
				    "a client's MAC is a unicast address");
		return -EINVAL;
	}
	for (i = WICKET_CLIENT_A_ADDRS; i <= WICKET_CLIENT_A_MAX; i++) {
		if (!tb[i])
			continue;
		if (key_only) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "this command takes only PORT and MAC");
			return -EINVAL;
		}
		req->has |= BIT(i);
	}
	if (tb[WICKET_CLIENT_A_ADDRS]) {
		ret = wicket_parse_addrs(tb[WICKET_CLIENT_A_ADDRS], req, extack);
		if (ret)
			return ret;
	}
	if (tb[WICKET_CLIENT_A_STATE])
		req->state = nla_get_u8(tb[WICKET_CLIENT_A_STATE]);
	if (tb[WICKET_CLIENT_A_SESSION])
		req->session = nla_get_u64(tb[WICKET_CLIENT_A_SESSION]);
	if (tb[WICKET_CLIENT_A_TIMEOUT_MS])
		req->timeout_ms = nla_get_u64(tb[WICKET_CLIENT_A_TIMEOUT_MS]);
	if (tb[WICKET_CLIENT_A_BYTE_CAP])
		req->byte_cap = nla_get_u64(tb[WICKET_CLIENT_A_BYTE_CAP]);
	return 0;
}

static bool wicket_req_has_addr(const struct wicket_client_req *req,
				const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < req->naddrs; i++)
		if (ipv6_addr_equal(&req->addrs[i], a))
			return true;
	return false;
}

/* Step 1: check an entry against the table and allocate what it needs. */
static int wicket_prepare(struct wicket_net *wn, struct wicket_client_req *req,
			  enum wicket_batch_op op,
			  struct netlink_ext_ack *extack)
{
	struct wicket_client *c;
	bool will_expire;
	unsigned int i;

	if (!wicket_port_mode(wn, req->key.ifindex)) {
		NL_SET_ERR_MSG_ATTR(extack, req->nest, "not an access port");
		return -ENODEV;
	}
	c = rhashtable_lookup_fast(&wn->clients, &req->key,
				   wicket_client_params);
	if (op == WICKET_BATCH_ADD && c) {
		NL_SET_ERR_MSG_ATTR(extack, req->nest, "the client exists");
		return -EEXIST;
	}
	if (op != WICKET_BATCH_ADD && !c) {
		NL_SET_ERR_MSG_ATTR(extack, req->nest, "no such client");
		return -ENOENT;
	}
	if (op == WICKET_BATCH_DEL) {
		req->client = c;
		return 0;
	}

	/* A temporary approval that never ends would be a free pass. */
	will_expire = wicket_has(req, WICKET_CLIENT_A_TIMEOUT_MS) ?
		      req->timeout_ms : c && READ_ONCE(c->has_deadline);
	if (req->state == WICKET_STATE_PROVISIONAL && !will_expire) {
		NL_SET_ERR_MSG_ATTR(extack, req->nest,
				    "a provisional client needs a deadline");
		return -EINVAL;
	}

	for (i = 0; i < req->naddrs; i++) {
		struct wicket_addr *bound;

		bound = rhashtable_lookup_fast(&wn->addrs, &req->addrs[i],
					       wicket_addr_params);
		if (bound && bound->client == c)
			continue;
		if (bound) {
			NL_SET_ERR_MSG_ATTR(extack, req->nest,
					    "an address is bound to another client");
			return -EADDRINUSE;
		}
		req->new_addrs[req->nnew] = wicket_addr_alloc(&req->addrs[i]);
		if (!req->new_addrs[req->nnew])
			return -ENOMEM;
		req->nnew++;
	}

	if (!c) {
		c = wicket_client_alloc(wn, &req->key);
		if (!c)
			return -ENOMEM;
		req->is_new = true;
	}
	req->client = c;
	return 0;
}

/* Free what step 1 allocated and the table does not own. */
static void wicket_release(struct wicket_client_req *req)
{
	unsigned int i;

	for (i = req->nbound; i < req->nnew; i++)
		if (req->new_addrs[i])
			wicket_addr_free(req->new_addrs[i]);
	if (req->client && req->is_new && !req->inserted)
		wicket_client_free(req->client);
}

/* Step 2: insert; -EEXIST here means the batch names something twice. */
static int wicket_insert(struct wicket_net *wn, struct wicket_client_req *req,
			 struct netlink_ext_ack *extack)
{
	int ret;

	if (req->is_new) {
		ret = wicket_client_insert(wn, req->client);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG_ATTR(extack, req->nest,
					    "the client is listed twice");
		else if (ret)
			NL_SET_ERR_MSG_ATTR(extack, req->nest,
					    "cannot insert the client");
		if (ret)
			return ret;
		req->inserted = true;
	}
	for (; req->nbound < req->nnew; req->nbound++) {
		ret = wicket_addr_insert(wn, req->client,
					 req->new_addrs[req->nbound]);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG_ATTR(extack, req->nest,
					    "an address is listed twice in the batch");
		else if (ret)
			NL_SET_ERR_MSG_ATTR(extack, req->nest,
					    "cannot bind an address");
		if (ret)
			return ret;
	}
	return 0;
}

/* Undo step 2 for one entry: the table frees what it owned. */
static void wicket_uninsert(struct wicket_net *wn,
			    struct wicket_client_req *req)
{
	unsigned int i;

	if (req->inserted) {
		/* Takes the addresses bound to the new client with it. */
		wicket_client_remove(wn, req->client);
		req->inserted = false;
		req->is_new = false;
	} else {
		for (i = 0; i < req->nbound; i++)
			wicket_addr_remove(wn, req->new_addrs[i]);
	}
	for (i = 0; i < req->nbound; i++)
		req->new_addrs[i] = NULL;
	req->nbound = 0;
}

/* Step 3: set the fields; cannot fail. */
static void wicket_apply(struct wicket_net *wn, struct wicket_client_req *req)
{
	struct wicket_client *c = req->client;
	struct wicket_addr *a, *tmp;
	bool reopen = false;

	if (wicket_has(req, WICKET_CLIENT_A_ADDRS)) {
		list_for_each_entry_safe(a, tmp, &c->addrs, list)
			if (!wicket_req_has_addr(req, &a->addr))
				wicket_addr_remove(wn, a);
	}
	if (wicket_has(req, WICKET_CLIENT_A_SESSION))
		WRITE_ONCE(c->session, req->session);
	if (wicket_has(req, WICKET_CLIENT_A_TIMEOUT_MS)) {
		wicket_client_set_deadline(c, req->timeout_ms);
		reopen = true;
	}
	if (wicket_has(req, WICKET_CLIENT_A_BYTE_CAP)) {
		wicket_client_set_cap(c, req->byte_cap);
		reopen = true;
	}
	if (wicket_has(req, WICKET_CLIENT_A_STATE)) {
		WRITE_ONCE(c->state, req->state);
		reopen = true;
	}
	if (reopen && test_bit(WICKET_CLIENT_CLOSED_BIT, &c->flags)) {
		WRITE_ONCE(c->close_reason, 0);
		/* The new deadline, cap and state are seen before the gate opens. */
		smp_mb__before_atomic();
		clear_bit(WICKET_CLIENT_CLOSED_BIT, &c->flags);
	}
}

static int wicket_nl_client_batch(struct genl_info *info,
				  enum wicket_batch_op op)
{
	struct wicket_net *wn = wicket_pernet(genl_info_net(info));
	struct nlattr *clients = info->attrs[WICKET_A_CLIENTS];
	struct wicket_client_req *reqs;
	unsigned int n = 0, i, done = 0, added = 0;
	struct nlattr *nest;
	int rem, ret;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	if (WICKET_NL_REQUIRE(info->extack, NULL, info->attrs, WICKET_A_CLIENTS,
			      "WICKET_A_CLIENTS is required"))
		return -EINVAL;
	nla_for_each_nested(nest, clients, rem)
		n++;
	if (!n || n > WICKET_MAX_BATCH) {
		NL_SET_ERR_MSG_ATTR(info->extack, clients,
				    "a batch has 1 to WICKET_MAX_BATCH clients");
		return -EINVAL;
	}
	reqs = kvcalloc(n, sizeof(*reqs), GFP_KERNEL_ACCOUNT);
	if (!reqs)
		return -ENOMEM;

	i = 0;
	nla_for_each_nested(nest, clients, rem) {
		ret = wicket_parse_client(nest, &reqs[i++], op == WICKET_BATCH_DEL,
					  info->extack);
		if (ret)
			goto out_free;
	}

	mutex_lock(&wn->lock);
	for (i = 0; i < n; i++) {
		ret = wicket_prepare(wn, &reqs[i], op, info->extack);
		if (ret)
			goto out_release;
		added += reqs[i].is_new;
	}
	if (wn->nclients + added > wn->max_clients) {
		NL_SET_ERR_MSG_ATTR(info->extack, clients,
				    "the client table is full (MAX_CLIENTS)");
		ret = -ENOSPC;
		goto out_release;
	}

	if (op == WICKET_BATCH_DEL) {
		for (i = 0; i < n; i++) {
			struct wicket_client *c;

			/* Look again: the batch may name a client twice. */
			c = rhashtable_lookup_fast(&wn->clients, &reqs[i].key,
						   wicket_client_params);
			if (c)
				wicket_client_remove(wn, c);
		}
		goto out_unlock;
	}

	for (done = 0; done < n; done++) {
		ret = wicket_insert(wn, &reqs[done], info->extack);
		if (ret)
			goto out_uninsert;
	}
	for (i = 0; i < n; i++)
		wicket_apply(wn, &reqs[i]);
	wicket_net_changed(wn);
	goto out_unlock;

out_uninsert:
	for (i = done + 1; i-- > 0;)
		wicket_uninsert(wn, &reqs[i]);
out_release:
	for (i = 0; i < n; i++)
		wicket_release(&reqs[i]);
out_unlock:
	mutex_unlock(&wn->lock);
out_free:
	kvfree(reqs);
	return ret;
}

int wicket_nl_client_add(struct sk_buff *skb, struct genl_info *info)
{
	return wicket_nl_client_batch(info, WICKET_BATCH_ADD);
}

int wicket_nl_client_update(struct sk_buff *skb, struct genl_info *info)
{
	return wicket_nl_client_batch(info, WICKET_BATCH_UPDATE);
}

int wicket_nl_client_del(struct sk_buff *skb, struct genl_info *info)
{
	return wicket_nl_client_batch(info, WICKET_BATCH_DEL);
}

/* --- replies */

int wicket_nl_put_client_key(struct sk_buff *skb, struct wicket_client *c)
{
	return nla_put_u32(skb, WICKET_CLIENT_A_PORT, c->key.ifindex) ||
	       nla_put(skb, WICKET_CLIENT_A_MAC, ETH_ALEN, c->key.mac);
}

/* Counters since the last reset, from totals @now read by the caller. */
int wicket_nl_put_counters(struct sk_buff *skb, struct wicket_client *c,
			   const struct wicket_counters *now)
{
	struct wicket_counters base = c->base;

	return nla_put_u64_64bit(skb, WICKET_CLIENT_A_UP_PACKETS,
				 now->up_packets - base.up_packets,
				 WICKET_CLIENT_A_PAD) ||
	       nla_put_u64_64bit(skb, WICKET_CLIENT_A_UP_BYTES,
				 now->up_bytes - base.up_bytes,
				 WICKET_CLIENT_A_PAD) ||
	       nla_put_u64_64bit(skb, WICKET_CLIENT_A_DOWN_PACKETS,
				 now->down_packets - base.down_packets,
				 WICKET_CLIENT_A_PAD) ||
	       nla_put_u64_64bit(skb, WICKET_CLIENT_A_DOWN_BYTES,
				 now->down_bytes - base.down_bytes,
				 WICKET_CLIENT_A_PAD);
}

/* Bytes of the cap still to use: the pool and what the CPUs hold. */
static u64 wicket_cap_left(struct wicket_client *c)
{
	u32 gen = READ_ONCE(c->cap_gen);
	s64 left = atomic64_read(&c->cap_pool);
	int cpu;

	for_each_possible_cpu(cpu) {
		struct wicket_stats *s = per_cpu_ptr(c->stats, cpu);

		if (READ_ONCE(s->cap_gen) == gen)
			left += READ_ONCE(s->cap_slice);
	}
	return left > 0 ? left : 0;
}

/*
 * Milliseconds from @last_seen (wicket_jiffies32()) to @now_j; 0 when a
 * packet on another CPU came after @now_j was read.
 */
static u64 wicket_idle_ms(u32 last_seen, unsigned long now_j)
{
	s32 ago = (s32)(((u32)now_j | 1) - last_seen);

	return ago > 0 ? jiffies64_to_msecs((u32)ago) : 0;
}

static int wicket_nl_put_client(struct sk_buff *skb, struct wicket_client *c,
				struct wicket_counters *now)
{
	unsigned long now_j = jiffies;
	u32 last_seen;
	struct nlattr *nest, *addrs;
	struct wicket_addr *a;
	u32 flags = 0;

	nest = nla_nest_start(skb, WICKET_A_CLIENT);
	if (!nest || wicket_nl_put_client_key(skb, c))
		return -EMSGSIZE;
	addrs = nla_nest_start(skb, WICKET_CLIENT_A_ADDRS);
	if (!addrs)
		return -EMSGSIZE;
	list_for_each_entry(a, &c->addrs, list)
		if (wicket_nl_put_addr(skb, &a->addr))
			return -EMSGSIZE;
	nla_nest_end(skb, addrs);
	if (test_bit(WICKET_CLIENT_CLOSED_BIT, &c->flags))
		flags |= WICKET_CLIENT_F_CLOSED;
	if (nla_put_u8(skb, WICKET_CLIENT_A_STATE, READ_ONCE(c->state)) ||
	    nla_put_u64_64bit(skb, WICKET_CLIENT_A_SESSION, c->session,
			      WICKET_CLIENT_A_PAD) ||
	    nla_put_u32(skb, WICKET_CLIENT_A_FLAGS, flags))
		return -EMSGSIZE;
	if (READ_ONCE(c->has_deadline)) {
		unsigned long deadline = READ_ONCE(c->deadline);
		u64 left = time_after(deadline, now_j) ?
			   jiffies64_to_msecs(deadline - now_j) : 0;

		if (nla_put_u64_64bit(skb, WICKET_CLIENT_A_TIMEOUT_MS, left,
				      WICKET_CLIENT_A_PAD))
			return -EMSGSIZE;
	}
	if (READ_ONCE(c->has_cap) &&
	    nla_put_u64_64bit(skb, WICKET_CLIENT_A_BYTE_CAP, wicket_cap_left(c),
			      WICKET_CLIENT_A_PAD))
		return -EMSGSIZE;
	wicket_client_read(c, now, &last_seen);
	if (wicket_nl_put_counters(skb, c, now))
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, WICKET_CLIENT_A_IDLE_MS,
			      wicket_idle_ms(last_seen, now_j),
			      WICKET_CLIENT_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int wicket_nl_get_flags(struct nlattr **attrs, u32 *flags,
			       struct netlink_ext_ack *extack)
{
	*flags = attrs[WICKET_A_FLAGS] ? nla_get_u32(attrs[WICKET_A_FLAGS]) : 0;
	if (*flags & ~__WICKET_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WICKET_A_FLAGS],
				    "unknown request flags");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The client a GET names: by port and MAC, or by its one address. */
static struct wicket_client *wicket_nl_find(struct wicket_net *wn,
					    struct nlattr *nest,
					    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[WICKET_CLIENT_A_MAX + 1];
	struct wicket_client_req req = {};
	struct wicket_client_key key = {};
	struct wicket_addr *a;

	if (nla_parse_nested(tb, WICKET_CLIENT_A_MAX, nest,
			     wicket_client_policy, extack))
		return ERR_PTR(-EINVAL);
	if (tb[WICKET_CLIENT_A_PORT] && tb[WICKET_CLIENT_A_MAC] &&
	    !tb[WICKET_CLIENT_A_ADDRS]) {
		key.ifindex = nla_get_u32(tb[WICKET_CLIENT_A_PORT]);
		memcpy(key.mac, nla_data(tb[WICKET_CLIENT_A_MAC]), ETH_ALEN);
		return rhashtable_lookup_fast(&wn->clients, &key,
					      wicket_client_params);
	}
	if (tb[WICKET_CLIENT_A_ADDRS] && !tb[WICKET_CLIENT_A_PORT] &&
	    !tb[WICKET_CLIENT_A_MAC]) {
		if (wicket_parse_addrs(tb[WICKET_CLIENT_A_ADDRS], &req, extack))
			return ERR_PTR(-EINVAL);
		if (req.naddrs == 1) {
			a = rhashtable_lookup_fast(&wn->addrs, &req.addrs[0],
						   wicket_addr_params);
			return a ? a->client : NULL;
		}
	}
	NL_SET_ERR_MSG_ATTR(extack, nest,
			    "name a client by PORT and MAC, or by one address");
	return ERR_PTR(-EINVAL);
}

int wicket_nl_client_get(struct sk_buff *skb, struct genl_info *info)
{
	struct wicket_net *wn = wicket_pernet(genl_info_net(info));
	struct wicket_counters now;
	struct wicket_client *c;
	struct sk_buff *msg;
	u32 flags;
	void *hdr;
	int ret;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	ret = wicket_nl_get_flags(info->attrs, &flags, info->extack);
	if (ret)
		return ret;
	if (WICKET_NL_REQUIRE(info->extack, NULL, info->attrs, WICKET_A_CLIENT,
			      "WICKET_A_CLIENT is required"))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&wn->lock);
	c = wicket_nl_find(wn, info->attrs[WICKET_A_CLIENT], info->extack);
	if (IS_ERR_OR_NULL(c)) {
		ret = c ? PTR_ERR(c) : -ENOENT;
		if (!c)
			NL_SET_ERR_MSG(info->extack, "no such client");
		goto err;
	}
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &wicket_genl_family, 0,
				WICKET_CMD_CLIENT_GET);
	if (!hdr || wicket_nl_put_client(msg, c, &now))
		goto err;
	if (flags & WICKET_F_RESET_COUNTERS)
		c->base = now;
	mutex_unlock(&wn->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	mutex_unlock(&wn->lock);
	nlmsg_free(msg);
	return ret;
}

/*
 * Dumps walk the table with an rhashtable walker kept in cb->args[0];
 * cb->args[1] holds the request flags and cb->args[2] counts restarts of
 * the walk (a resize), which make the dump torn just like a change does.
 */
int wicket_nl_client_dump_start(struct netlink_callback *cb)
{
	struct wicket_net *wn = wicket_pernet(sock_net(cb->skb->sk));
	struct nlattr **attrs = wicket_nl_dump_attrs(cb);
	struct rhashtable_iter *iter;
	u32 flags;
	int ret;

	ret = wicket_nl_check_protocol(attrs, cb->extack);
	if (ret)
		return ret;
	ret = wicket_nl_get_flags(attrs, &flags, cb->extack);
	if (ret)
		return ret;
	if (attrs[WICKET_A_CLIENT]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[WICKET_A_CLIENT],
				    "a dump takes no client");
		return -EINVAL;
	}
	iter = kmalloc(sizeof(*iter), GFP_KERNEL);
	if (!iter)
		return -ENOMEM;
	rhashtable_walk_enter(&wn->clients, iter);
	cb->args[0] = (long)iter;
	cb->args[1] = flags;
	cb->args[2] = 0;
	return 0;
}

int wicket_nl_client_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct wicket_net *wn = wicket_pernet(sock_net(skb->sk));
	struct rhashtable_iter *iter = (struct rhashtable_iter *)cb->args[0];
	bool reset = cb->args[1] & WICKET_F_RESET_COUNTERS;
	struct wicket_counters now;
	struct wicket_client *c;
	int ret = 0;
	void *hdr;

	mutex_lock(&wn->lock);
	/* A resize since the last call restarts the walk: a torn dump. */
	if (rhashtable_walk_start_check(iter) == -EAGAIN)
		cb->args[2]++;
	cb->seq = wn->generation + cb->args[2];
	for (;;) {
		c = rhashtable_walk_peek(iter);
		if (IS_ERR(c)) {
			if (PTR_ERR(c) != -EAGAIN) {
				ret = PTR_ERR(c);
				break;
			}
			cb->seq = wn->generation + ++cb->args[2];
			continue;
		}
		if (!c)
			break;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &wicket_genl_family,
				  NLM_F_MULTI, WICKET_CMD_CLIENT_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (wicket_nl_put_client(skb, c, &now)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		if (reset)
			c->base = now;
		rhashtable_walk_next(iter);
	}
	rhashtable_walk_stop(iter);
	mutex_unlock(&wn->lock);
	return ret ? ret : skb->len;
}

int wicket_nl_client_dump_done(struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (struct rhashtable_iter *)cb->args[0];

	if (iter) {
		rhashtable_walk_exit(iter);
		kfree(iter);
	}
	return 0;
}
