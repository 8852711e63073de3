/* gn-data.c - stub */
#include "config.h"
#include "gennas.h"
