/*
 * wicketctl's table printer: a header row and rows of cells, each column
 * as wide as its widest cell (counted in characters, not bytes), two
 * spaces between columns, numbers right-aligned, no trailing blanks.
 */
#ifndef WICKET_CTL_TABLE_H
#define WICKET_CTL_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table_col {
	const char *name;
	int right; /* right-aligned (numbers, sizes, durations) */
};

struct table;

struct table *table_new(const struct table_col *cols, size_t ncols);
/* The next cell, row after row; a row is complete after ncols cells. */
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0, or -ENOMEM if a cell could not be stored (then nothing is printed). */
int table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif
