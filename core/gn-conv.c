/* gn-conv.c - stub */
#include "gennas.h"
