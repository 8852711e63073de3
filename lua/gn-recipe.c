/* gn-recipe.c - stub until the recipe loader lands */
#include "config.h"
#include "gennas.h"
