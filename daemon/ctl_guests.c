/*
 * wicketctl guests, guests import: the property's guest list, against
 * which guests charge internet to their room. The import replaces the
 * whole list, so a file with any bad line sends nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "ctl.h"
#include "ctl_csv.h"
#include "ctl_table.h"

#define GUESTS_FILE_MAX (16 << 20)
#define ERRORS_SHOWN 10

enum { COL_ROOM, COL_SURNAME, COL_ARRIVAL, COL_DEPARTURE, COL_FOLIO, NCOLS };
static const char *const col_names[NCOLS] = { "room", "surname", "arrival", "departure", "folio" };
#define COLUMNS_WANTED "room, surname and optionally arrival, departure, folio"

/* The problems found in the file: the first few are shown, all are counted. */
struct problems {
	struct ctl *ctl;
	const char *path;
	unsigned int count;
};

static void problem(struct problems *p, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct problems *p, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (p->count++ >= ERRORS_SHOWN)
		return;
	if (line)
		fprintf(p->ctl->err, "wicketctl: %s:%lu: ", p->path, line);
	else
		fprintf(p->ctl->err, "wicketctl: %s: ", p->path);
	va_start(ap, fmt);
	vfprintf(p->ctl->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->ctl->err);
}

/* The whole file, NUL-terminated (the CSV reader refuses NUL bytes inside): 0 or -errno. */
static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 65536, n;
	char *buf = NULL;
	int err = 0;

	if (!f)
		return -errno;
	*len = 0;
	for (;;) {
		if (!buf || *len == cap) {
			char *bigger;

			if (buf)
				cap *= 2;
			if (cap > GUESTS_FILE_MAX + 1 || !(bigger = realloc(buf, cap + 1))) {
				err = cap > GUESTS_FILE_MAX + 1 ? -EFBIG : -ENOMEM;
				break;
			}
			buf = bigger;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0) {
			err = ferror(f) ? -EIO : 0;
			break;
		}
	}
	fclose(f);
	if (!err && *len > GUESTS_FILE_MAX)
		err = -EFBIG;
	if (err) {
		free(buf);
		return err;
	}
	buf[*len] = '\0';
	*text = buf;
	return 0;
}

/* Blanks around a field are not part of it (some exports pad columns). */
static char *trim(char *s)
{
	size_t len;

	s += strspn(s, " \t");
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	return s;
}

/* Which field of a record is which column (-1: none); a bad header adds to the problems. */
static void read_header(struct problems *p, const struct csv_record *header, int col[NCOLS])
{
	for (int c = 0; c < NCOLS; c++)
		col[c] = -1;
	for (size_t i = 0; i < header->nfields; i++) {
		const char *name = trim(header->fields[i]);
		int c;

		for (c = 0; c < NCOLS && strcasecmp(name, col_names[c]); c++)
			;
		if (c == NCOLS)
			problem(p, header->line, "unknown column '%s' (the columns are " COLUMNS_WANTED ")",
				name);
		else if (col[c] >= 0)
			problem(p, header->line, "column '%s' twice", col_names[c]);
		else
			col[c] = (int)i;
	}
	for (int c = COL_ROOM; c <= COL_SURNAME; c++)
		if (col[c] < 0)
			problem(p, header->line,
				"no '%s' column: the first line names the columns, " COLUMNS_WANTED
				", in any order",
				col_names[c]);
}

/* A text field: its JSON string, JSON null when empty and optional, or NULL after the problem. */
static json_t *text_field(struct problems *p, unsigned long line, const char *name, char *value, size_t max,
			  int optional)
{
	int err;

	value = trim(value);
	if (!value[0] && optional)
		return json_null();
	err = ctl_parse_text(value, max);
	if (!err)
		return json_string(value);
	if (!value[0])
		problem(p, line, "%s: empty", name);
	else if (err == -EILSEQ)
		problem(p, line, "%s: not UTF-8 text (save the file as \"CSV UTF-8\")", name);
	else if (strlen(value) > max)
		problem(p, line, "%s: '%s' is longer than %zu bytes", name, value, max);
	else
		problem(p, line, "%s: has a control character (a line break inside quotes?)", name);
	return NULL;
}

/* arrival or departure: JSON null when empty, else the time; NULL after the problem. */
static json_t *time_field(struct problems *p, unsigned long line, const char *name, char *value, int end)
{
	time_t t;

	value = trim(value);
	if (!value[0])
		return json_null();
	if (end ? ctl_parse_time_end(value, &t) : ctl_parse_time(value, &t)) {
		problem(p, line, "%s: '%s' is not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM or unix seconds)",
			name, value);
		return NULL;
	}
	return json_integer((json_int_t)t);
}

/* One guest from a record, or NULL after its problem. */
static json_t *read_guest(struct problems *p, const struct csv_record *r, const int col[NCOLS], size_t ncols)
{
	json_t *room, *surname, *arrival, *departure, *folio;
	static char empty[] = "";

	if (r->nfields != ncols) {
		problem(p, r->line, "%zu field%s, but the first line names %zu columns", r->nfields,
			r->nfields == 1 ? "" : "s", ncols);
		return NULL;
	}
#define FIELD(c) (col[c] >= 0 ? r->fields[col[c]] : empty)
	room = text_field(p, r->line, "room", FIELD(COL_ROOM), CTL_ROOM_MAX, 0);
	surname = room ? text_field(p, r->line, "surname", FIELD(COL_SURNAME), CTL_NAME_MAX, 0) : NULL;
	arrival = surname ? time_field(p, r->line, "arrival", FIELD(COL_ARRIVAL), 0) : NULL;
	departure = arrival ? time_field(p, r->line, "departure", FIELD(COL_DEPARTURE), 1) : NULL;
	folio = departure ? text_field(p, r->line, "folio", FIELD(COL_FOLIO), CTL_NAME_MAX, 1) : NULL;
#undef FIELD
	if (folio && json_is_integer(arrival) && json_is_integer(departure) &&
	    json_integer_value(departure) <= json_integer_value(arrival)) {
		problem(p, r->line, "departure '%s' is not after arrival '%s'",
			trim(r->fields[col[COL_DEPARTURE]]), trim(r->fields[col[COL_ARRIVAL]]));
		json_decref(folio);
		folio = NULL;
	}
	if (!folio) {
		json_decref(room);
		json_decref(surname);
		json_decref(arrival);
		json_decref(departure);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "room", room, "surname", surname, "arrival", arrival,
			 "departure", departure, "folio", folio);
}

/* Every guest of the file, or NULL when it had a problem (all of them told). */
static json_t *read_guests(struct problems *p, const char *text, size_t len)
{
	char why[160];
	int col[NCOLS];
	json_t *guests;
	struct csv csv;

	if (csv_parse(text, len, &csv, why, sizeof(why))) {
		problem(p, 0, "%s", why);
		csv_free(&csv);
		return NULL;
	}
	if (!csv.nrecords) {
		problem(p, 0, "empty: the first line names the columns, " COLUMNS_WANTED);
		csv_free(&csv);
		return NULL;
	}
	read_header(p, &csv.records[0], col);
	guests = json_array();
	/* Every line is checked, so that one run names every line to fix. */
	for (size_t i = 1; i < csv.nrecords && !(i == 1 && p->count); i++) {
		json_t *g = read_guest(p, &csv.records[i], col, csv.records[0].nfields);

		if (g && !p->count)
			json_array_append_new(guests, g);
		else
			json_decref(g);
	}
	csv_free(&csv);
	if (p->count) {
		json_decref(guests);
		return NULL;
	}
	return guests;
}

static int guests_import(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct problems p = { .ctl = ctl };
	json_t *guests, *args, *r;
	size_t len = 0, size;
	char *text = NULL, *dump;
	int c, err, ret;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0)
		;
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind == argc)
		return ctl_usage_error(ctl, "FILE missing: which guest list (a .csv file)?");
	if (argc - optind > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind + 1]);
	p.path = argv[optind];
	err = read_file(p.path, &text, &len);
	if (err == -EFBIG) {
		fprintf(ctl->err, "wicketctl: %s: larger than %d MiB: is it the guest list?\n", p.path,
			GUESTS_FILE_MAX >> 20);
		return CTL_USAGE;
	}
	if (err) {
		fprintf(ctl->err, "wicketctl: cannot read %s: %s\n", p.path, strerror(-err));
		return CTL_USAGE;
	}
	guests = read_guests(&p, text, len);
	free(text);
	if (!guests) {
		if (p.count > ERRORS_SHOWN)
			fprintf(ctl->err, "wicketctl: %s: and %u more problems\n", p.path,
				p.count - ERRORS_SHOWN);
		fprintf(ctl->err,
			"wicketctl: nothing was imported: the guest list is as it was. Fix %s and run "
			"wicketctl guests import again.\n",
			p.path);
		return CTL_USAGE;
	}
	args = json_pack("{s:o}", "guests", guests);
	/* wicketd hangs up on a request longer than it takes: say why here instead. */
	dump = args ? json_dumps(args, JSON_COMPACT) : NULL;
	size = dump ? strlen(dump) + 64 : 0;
	free(dump);
	if (size > CONTROL_MAX_REQUEST) {
		fprintf(ctl->err,
			"wicketctl: %s: %zu guests are more than wicketd takes in one import (%zu KiB, at "
			"most "
			"%d KiB): nothing was imported\n",
			p.path, json_array_size(guests), size >> 10, CONTROL_MAX_REQUEST >> 10);
		json_decref(args);
		return CTL_FAILED;
	}
	if (!ctl_request(ctl, "guests_import", args, JSON_OBJECT, &r, &ret))
		return ret;
	fprintf(ctl->out, "imported %lld guest%s from %s (they replace the list there was)\n",
		ctl_int(r, "imported"), ctl_int(r, "imported") == 1 ? "" : "s", p.path);
	json_decref(r);
	return ret;
}

static int guests_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct table_col cols[] = {
		{ "ROOM", 0 }, { "SURNAME", 0 }, { "ARRIVAL", 0 }, { "DEPARTURE", 0 }, { "FOLIO", 0 },
	};
	char b[2][CTL_FMT_LEN];
	struct table *t;
	json_t *r, *g;
	size_t i;
	int ret;

	if (ctl_no_args(ctl, argc, argv, &ret))
		return ret;
	if (!ctl_request(ctl, "guests", json_object(), JSON_ARRAY, &r, &ret))
		return ret;
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(r, i, g)
	{
		table_cell(t, "%s", ctl_str(g, "room"));
		table_cell(t, "%s", ctl_str(g, "surname"));
		table_cell(t, "%s", ctl_fmt_time(b[0], json_object_get(g, "arrival")));
		table_cell(t, "%s", ctl_fmt_time(b[1], json_object_get(g, "departure")));
		table_cell(t, "%s", ctl_str(g, "folio"));
	}
	ret = ctl_print_table(ctl, t);
	json_decref(r);
	return ret;
}

/* guests lists them; guests import FILE replaces them. */
int ctl_guests(struct ctl *ctl, int argc, char **argv)
{
	static const char *const verbs[] = { "import", NULL };
	int v;

	if (argc < 2 || argv[1][0] == '-')
		return guests_list(ctl, argc, argv);
	v = ctl_verb(ctl, argc, argv, verbs, "guests");
	if (v < 0)
		return ctl_opt_exit(v);
	ctl->name = "guests import";
	ctl->synopsis = "guests import FILE.csv";
	return guests_import(ctl, argc - 1, argv + 1);
}
