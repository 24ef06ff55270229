/* See tmp_tree.h. */
#define _XOPEN_SOURCE 700
#include "tmp_tree.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tmp_tree_remove(const char *dir)
{
	if (!dir[0])
		return;
	if (getenv("WICKET_KEEP_TMP"))
		fprintf(stderr, "# kept %s\n", dir);
	else
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
