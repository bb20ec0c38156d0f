/* fuzz_xmlin — libFuzzer harness for xmlin_parse (src/xmlin.c): the DOCTYPE /
 * encoding / NUL prescan, libxml2 parsing with our flags, and validation
 * against the compiled xsd/entrust.xsd (FUZZ_XSD overrides the path); on
 * success it walks the document the way the message modules do.
 * Built by tests/fuzz/fuzz.mk with -fsanitize=fuzzer,address,undefined. */
#include "xmlin.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_XSD_DEFAULT
#define FUZZ_XSD_DEFAULT "xsd/entrust.xsd"
#endif

static struct xmlin *xin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *xsd = getenv("FUZZ_XSD") ? getenv("FUZZ_XSD") : FUZZ_XSD_DEFAULT;
	char err[512];

	(void)argc;
	(void)argv;
	xmlin_global_init();
	if ((xin = xmlin_load(xsd, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_xmlin: %s\n", err);
		abort();
	}
	return 0;
}

/* What msg_*.c do with a valid document: children, texts and attributes. */
static void walk(xmlNodePtr n, int depth)
{
	static const char *names[] = {"Header", "MessageId", "Sender", "Letter", "Agreement",
	    "Code", "GoodsName", "Decision", "Item", "Enterprise", "Declarant", "BrokerHalf"};
	char text[600];
	size_t i;

	if (n == NULL || depth > 8)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		xmlNodePtr c = xmlin_child(n, names[i]);

		xmlin_text(n, names[i], text, sizeof(text));
		xmlin_attr(c, "ref", text, sizeof(text));
		for (; c; c = xmlin_next(c, names[i]))
			walk(c, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlDocPtr doc = NULL;
	char detail[512];
	enum reason r;

	r = xmlin_parse(xin, (const char *)data, size, &doc, detail, sizeof(detail));
	if (memchr(detail, '\0', sizeof(detail)) == NULL)
		abort();
	if (((int)r == 0) != (doc != NULL))	/* the contract: a document exactly on success */
		abort();
	if (doc) {
		if (doc->intSubset || doc->extSubset)	/* never a DTD past the parser */
			abort();
		walk(xmlDocGetRootElement(doc), 0);
		xmlFreeDoc(doc);
	}
	return 0;
}
