/* gn-plan.c - stub */
#include "gennas.h"
