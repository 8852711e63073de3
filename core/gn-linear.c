/* gn-linear.c - stub */
#include "gennas.h"
