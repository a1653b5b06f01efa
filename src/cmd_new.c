/*
 * cmd_new.c - folio new (being written).
 */
#include <stdio.h>

#include "cmd.h"

int cmd_new(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("folio: 'new' is not available yet\n", stderr);
	return 2;
}
