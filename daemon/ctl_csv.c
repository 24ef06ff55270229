/* wicketctl's CSV reader and writer (ctl_csv.h). */
#include "ctl_csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The record and field being read. */
struct parser {
	struct csv *csv;
	char *field;
	size_t len, cap;
	char **fields;
	size_t nfields, cap_fields;
	unsigned long line, record_line;
};

static int add_char(struct parser *p, char c)
{
	if (p->len + 1 >= p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char *bigger = realloc(p->field, cap);

		if (!bigger)
			return -ENOMEM;
		p->field = bigger;
		p->cap = cap;
	}
	p->field[p->len++] = c;
	return 0;
}

static int end_field(struct parser *p)
{
	char *f;

	if (p->nfields == p->cap_fields) {
		size_t cap = p->cap_fields ? p->cap_fields * 2 : 8;
		char **bigger = realloc(p->fields, cap * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		p->fields = bigger;
		p->cap_fields = cap;
	}
	f = malloc(p->len + 1);
	if (!f)
		return -ENOMEM;
	memcpy(f, p->field, p->len);
	f[p->len] = '\0';
	p->fields[p->nfields++] = f;
	p->len = 0;
	return 0;
}

static void free_fields(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}

static int end_record(struct parser *p)
{
	struct csv *csv = p->csv;
	struct csv_record *bigger;
	int err = end_field(p);

	if (err)
		return err;
	/* An empty line is no record. */
	if (p->nfields == 1 && !p->fields[0][0]) {
		free(p->fields[0]);
		p->nfields = 0;
		return 0;
	}
	bigger = realloc(csv->records, (csv->nrecords + 1) * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	csv->records = bigger;
	csv->records[csv->nrecords++] = (struct csv_record){
		.fields = p->fields,
		.nfields = p->nfields,
		.line = p->record_line,
	};
	p->fields = NULL;
	p->nfields = p->cap_fields = 0;
	return 0;
}

static int syntax(char *err, size_t errlen, unsigned long line, const char *what)
{
	snprintf(err, errlen, "line %lu: %s", line, what);
	return -EINVAL;
}

int csv_parse(const char *text, size_t len, struct csv *csv, char *err, size_t errlen)
{
	struct parser p = { .csv = csv, .line = 1, .record_line = 1 };
	unsigned long quote_line = 0;
	int quoted = 0, after_quote = 0, at_field_start = 1, ret = 0;
	size_t i = 0;

	memset(csv, 0, sizeof(*csv));
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	for (; i < len && !ret; i++) {
		char c = text[i];

		if (c == '\0') {
			ret = syntax(err, errlen, p.line, "a NUL byte: this is not a text file");
		} else if (quoted) {
			if (c == '"' && i + 1 < len && text[i + 1] == '"') {
				ret = add_char(&p, '"');
				i++;
			} else if (c == '"') {
				quoted = 0;
				after_quote = 1;
			} else {
				p.line += c == '\n';
				ret = add_char(&p, c);
			}
		} else if (c == ',') {
			ret = end_field(&p);
			after_quote = 0;
			at_field_start = 1;
		} else if (c == '\n' || (c == '\r' && i + 1 < len && text[i + 1] == '\n')) {
			i += c == '\r';
			ret = end_record(&p);
			after_quote = 0;
			at_field_start = 1;
			p.record_line = ++p.line;
		} else if (c == '\r') {
			ret = syntax(err, errlen, p.line, "a carriage return without a line feed after it");
		} else if (after_quote) {
			ret = syntax(err, errlen, p.line,
				     "text after a closing quote (a quoted field ends at a comma or the "
				     "line's end)");
		} else if (c == '"' && at_field_start) {
			quoted = 1;
			quote_line = p.line;
			at_field_start = 0;
		} else if (c == '"') {
			ret = syntax(err, errlen, p.line,
				     "a quote inside a field (quote the whole field and double the quote: "
				     "\"a \"\"b\"\"\")");
		} else {
			at_field_start = 0;
			ret = add_char(&p, c);
		}
	}
	if (!ret && quoted)
		ret = syntax(err, errlen, quote_line, "a quoted field is never closed");
	/* The last record, when no line break ends it. */
	if (!ret && (p.len || p.nfields || after_quote))
		ret = end_record(&p);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free_fields(p.fields, p.nfields);
	free(p.field);
	return ret;
}

void csv_free(struct csv *csv)
{
	for (size_t i = 0; i < csv->nrecords; i++)
		free_fields(csv->records[i].fields, csv->records[i].nfields);
	free(csv->records);
	memset(csv, 0, sizeof(*csv));
}

void csv_put(FILE *out, const char *field, int last)
{
	if (strpbrk(field, ",\"\r\n")) {
		fputc('"', out);
		for (; *field; field++) {
			if (*field == '"')
				fputc('"', out);
			fputc(*field, out);
		}
		fputc('"', out);
	} else {
		fputs(field, out);
	}
	fputc(last ? '\n' : ',', out);
}
