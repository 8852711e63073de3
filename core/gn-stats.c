/* gn-stats.c - stub */
#include "config.h"
#include "gennas.h"
