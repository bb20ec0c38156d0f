/* sealer — signs outbound documents ahead of their commit, on threads of its
 * own, so that the serial apply of a batch and the signing of its answers
 * overlap (issue #7).  The outbox still writes only committed rows: when it
 * emits a row it takes the signature made here if the document is, byte for
 * byte, the one offered, and signs it itself otherwise.  A signature nobody
 * takes (its transaction was rolled back) is dropped at the round's end.
 * Failure contract: sealer_new panics if threads cannot be made; the other
 * calls cannot fail (a document that could not be signed ahead is simply
 * not taken).  sealer_begin, sealer_offer and sealer_clear are for one
 * thread; sealer_take may be called from several. */
#ifndef SEALER_H
#define SEALER_H
#include <stddef.h>
#include "buf.h"

struct envelope_keys;
struct sealer;

struct sealer *sealer_new(int threads);
void sealer_free(struct sealer *s);
/* Start a round that signs with keys (dropping what the last one left). */
void sealer_begin(struct sealer *s, const struct envelope_keys *keys);
/* Start signing xml for receiver's file; returns at once.  A no-op on a NULL
 * sealer, outside a round, for a big document, or past the memory set aside. */
void sealer_offer(struct sealer *s, const char *receiver, const char *file, const struct buf *xml);
/* The signature with keys of exactly this document for receiver's file,
 * moved into der (waiting for it if it is being made): 0; -1 if none. */
int sealer_take(struct sealer *s, const struct envelope_keys *keys, const char *receiver,
    const char *file, const void *xml, size_t xlen, struct buf *der);
/* End the round: drop every signature not taken, after the work still running ends. */
void sealer_clear(struct sealer *s);
#endif
