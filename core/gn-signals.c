/* gn-signals.c - stub */
#include "config.h"
#include "gennas.h"
