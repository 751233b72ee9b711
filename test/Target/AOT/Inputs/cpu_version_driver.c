/* Prints which version of a multi-versioned object (qopt-compile
 * --cpu=multi, --name digits) this CPU runs. */
#include <stdio.h>

#include QOPT_MODEL_HEADER

int main(void) {
  puts(digits_cpu_version());
  return 0;
}
