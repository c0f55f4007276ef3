/* messages.c - how the command layer speaks to the user. */
#include <stdio.h>

#include "cli/commands.h"

void cr_cli_error(const char *msg)
{
	fprintf(stderr, "costrank: error: %s\n", msg);
}
