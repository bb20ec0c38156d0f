/* ctl_query — the enterprise queries for operators (DOMAIN.md R6, R18,
 * R20–R24), answered by query.c exactly as the Query message answers them:
 * `query brokers|status|recent|stats|account|topups`.  --party CODE plays
 * the asking enterprise; `query status` without it looks across all.
 * Failure contract: CTL_USAGE for a missing or malformed option,
 * CTL_STORE on a store error; an empty answer is not an error. */
#ifndef CTL_QUERY_H
#define CTL_QUERY_H
#include "ctl_out.h"

int ctl_query_brokers(struct ctl *c);
int ctl_query_status(struct ctl *c);
int ctl_query_recent(struct ctl *c);
int ctl_query_stats(struct ctl *c);
int ctl_query_account(struct ctl *c);
int ctl_query_topups(struct ctl *c);
#endif
