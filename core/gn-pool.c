/* gn-pool.c - stub */
#include "gennas.h"
