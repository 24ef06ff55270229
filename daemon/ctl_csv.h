/*
 * wicketctl's CSV: a small, strict reader of RFC 4180 (the guest list a
 * property system exports) and the writer of wicketctl's --csv output.
 *
 * Reading: fields separated by commas, records by LF or CRLF (the last
 * one may lack it); a field that starts with a double quote runs to the
 * closing one and may hold commas, line breaks and doubled quotes ("").
 * A UTF-8 byte order mark at the start is skipped, and so are empty
 * lines. Refused, with the line it is on: a quote inside an unquoted
 * field, text after a closing quote, a quote never closed, a carriage
 * return alone, a NUL byte. Fields are taken as they are (no trimming,
 * no character set check: the caller knows what each column holds).
 */
#ifndef WICKET_CTL_CSV_H
#define WICKET_CTL_CSV_H

#include <stddef.h>
#include <stdio.h>

struct csv_record {
	char **fields;
	size_t nfields;
	unsigned long line; /* the line it starts on, from 1 */
};

struct csv {
	struct csv_record *records;
	size_t nrecords;
};

/*
 * Parse len bytes of text into *csv (csv_free() it, also after an
 * error). 0; -EINVAL with err "line N: what is wrong"; -ENOMEM.
 */
int csv_parse(const char *text, size_t len, struct csv *csv, char *err, size_t errlen);
void csv_free(struct csv *csv);

/*
 * Write one field, quoted when it holds a comma, a quote or a line break,
 * then a comma, or the end of the line (LF) when last.
 */
void csv_put(FILE *out, const char *field, int last);

#endif
