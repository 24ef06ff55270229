/* wicketctl's main(): all of it is in wicketctl.c, which the tests link. */
#include "ctl.h"
#include "log.h"

int main(int argc, char **argv)
{
	log_init("wicketctl", 0, 0);
	return wicketctl_main(argc, argv);
}
