/*
 * The unit tests' temporary directories (tmp_tree.c): removed whole at
 * teardown, or kept for a look when WICKET_KEEP_TMP is set.
 */
#ifndef WICKET_TEST_TMP_TREE_H
#define WICKET_TEST_TMP_TREE_H

/* Remove dir and all under it (symlinks not followed), or say it was kept. */
void tmp_tree_remove(const char *dir);

#endif
