/* ctl_show — entrustctl show agreement|letter: one record from the store,
 * as labelled lines or JSON (keys fixed by tests/e2e/CONTRACT.md).
 * Failure contract: returns CTL_NOTFOUND when the number is unknown,
 * CTL_STORE on a store error. */
#ifndef CTL_SHOW_H
#define CTL_SHOW_H
#include "ctl_out.h"
#include "entrust.h"

int ctl_show_agreement(struct ctl *c);
int ctl_show_letter(struct ctl *c);
/* The agreement's fields as members of the JSON object or lines already open. */
void ctl_show_agreement_fields(struct ctl *c, const struct agreement *a);
#endif
