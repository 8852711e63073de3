/* gn-space.c - stub, see gn-space.h */
#include "config.h"
#include "gennas.h"
