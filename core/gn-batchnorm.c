/* gn-batchnorm.c - stub */
#include "gennas.h"
