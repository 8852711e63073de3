/* gn-net.c - stub */
#include "gennas.h"
