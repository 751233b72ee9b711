/* Calls the entry compiled from make_hostile_names.py through its sanitized
 * parameter names and prints the outputs and the tensor-info names (as
 * bytes, so the test can check them). */
#include <stdio.h>
#include <string.h>

#include "hostile.h"

int main(void) {
  float x[4] = {1, 2, 3, 4}, y[4] = {5, 6, 7, 8}, s[4], p[4];
  hostile_run(x, y, s, p, 1);
  for (int i = 0; i < 4; ++i)
    printf("%g %g\n", s[i], p[i]);
  for (int i = 0; i < HOSTILE_NUM_INPUTS; ++i)
    printf("input %d: %zu bytes\n", i, strlen(hostile_inputs[i].name));
  for (int i = 0; i < HOSTILE_NUM_OUTPUTS; ++i)
    printf("output %d: %s\n", i, hostile_outputs[i].name);
  return 0;
}
