/* gn-rng.c - stub */
#include "gennas.h"
