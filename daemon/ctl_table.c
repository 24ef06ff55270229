/* wicketctl's table printer (ctl_table.h). */
#include "ctl_table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct table {
	const struct table_col *cols;
	size_t ncols;
	char **cells; /* row-major, the header row not included */
	size_t ncells, cap;
	int failed;
};

struct table *table_new(const struct table_col *cols, size_t ncols)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t) {
		t->cols = cols;
		t->ncols = ncols;
	}
	return t;
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *cell;

	if (!t || t->failed)
		return;
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **bigger = realloc(t->cells, cap * sizeof(*bigger));

		if (!bigger) {
			t->failed = 1;
			return;
		}
		t->cells = bigger;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&cell, fmt, ap) < 0) {
		t->failed = 1;
		cell = NULL;
	}
	va_end(ap);
	if (cell)
		t->cells[t->ncells++] = cell;
}

/* Characters of a UTF-8 string: every byte that does not continue one. */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void print_cell(const struct table *t, size_t col, const char *text, const size_t *widths, FILE *out)
{
	size_t pad = widths[col] - width(text);
	int last = col + 1 == t->ncols;

	if (col)
		fputs("  ", out);
	if (t->cols[col].right)
		fprintf(out, "%*s%s", (int)pad, "", text);
	else
		fprintf(out, "%s%*s", text, last ? 0 : (int)pad, "");
	if (last)
		fputc('\n', out);
}

int table_print(const struct table *t, FILE *out)
{
	size_t *widths;

	if (!t || t->failed)
		return -ENOMEM;
	widths = calloc(t->ncols, sizeof(*widths));
	if (!widths)
		return -ENOMEM;
	for (size_t c = 0; c < t->ncols; c++)
		widths[c] = width(t->cols[c].name);
	for (size_t i = 0; i < t->ncells; i++) {
		size_t w = width(t->cells[i]);

		if (w > widths[i % t->ncols])
			widths[i % t->ncols] = w;
	}
	for (size_t c = 0; c < t->ncols; c++)
		print_cell(t, c, t->cols[c].name, widths, out);
	for (size_t i = 0; i + t->ncols <= t->ncells; i += t->ncols)
		for (size_t c = 0; c < t->ncols; c++)
			print_cell(t, c, t->cells[i + c], widths, out);
	free(widths);
	return 0;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
