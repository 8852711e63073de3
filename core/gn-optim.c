/* gn-optim.c - stub */
#include "gennas.h"
