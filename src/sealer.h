/* sealer — signs outbound documents ahead of their commit, on threads of its
 * own, so that the serial apply of a batch and the signing of its answers
 * overlap (issue #7).  The outbox still writes only committed rows: when it
 * emits a row it takes the signature made here if the document is the one
 * offered (the same length and SHA-256: once signed, only the digest is
 * kept), and signs it itself otherwise.  A signature nobody
 * takes (its transaction was rolled back) is dropped at the round's end.
 * Failure contract: sealer_new panics if threads cannot be made; the other
 * calls cannot fail (a document that could not be signed ahead is simply
 * not taken).  sealer_begin and sealer_offer are for one thread;
 * sealer_take and sealer_end may be called from others. */
#ifndef SEALER_H
#define SEALER_H
#include <stddef.h>
#include "buf.h"

struct envelope_keys;
struct sealer;

struct sealer *sealer_new(int threads);
void sealer_free(struct sealer *s);
/* Open a round that signs with keys; its number, for sealer_end.  Rounds
 * overlap: one batch's answers may still be taken while the next offers. */
unsigned long sealer_begin(struct sealer *s, const struct envelope_keys *keys);
/* Start signing xml for receiver's file in the newest round; returns at
 * once.  A no-op on a NULL sealer, with no round open, for a big document,
 * or past the memory set aside. */
void sealer_offer(struct sealer *s, const char *receiver, const char *file, const struct buf *xml);
/* The signature with keys of exactly this document for receiver's file,
 * moved into der (waiting for it if it is being made): 0; -1 if none. */
int sealer_take(struct sealer *s, const struct envelope_keys *keys, const char *receiver,
    const char *file, const void *xml, size_t xlen, struct buf *der);
/* End the rounds up to this one: drop every signature of theirs not taken,
 * after the work still running on them ends. */
void sealer_end(struct sealer *s, unsigned long round);
#endif
