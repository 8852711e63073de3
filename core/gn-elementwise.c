/* gn-elementwise.c - stub */
#include "gennas.h"
