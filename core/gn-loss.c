/* gn-loss.c - stub */
#include "gennas.h"
