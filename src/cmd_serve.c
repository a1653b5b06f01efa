/*
 * cmd_serve.c - folio serve (being written).
 */
#include <stdio.h>

#include "cmd.h"

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("folio: 'serve' is not available yet\n", stderr);
	return 2;
}
