/* Calls the concat_2gib model (1 + 1 KiB of inputs, a 2 GiB intermediate)
 * with little address space. With -DRECOVER it defines
 * big_allocation_failed and longjmps out; otherwise the object's default
 * handler prints a message and aborts. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "big.h"

#ifdef RECOVER
static jmp_buf recover;
void big_allocation_failed(int64_t bytes) {
  printf("recovered: %lld bytes\n", (long long)bytes);
  longjmp(recover, 1);
}
#endif

int main(void) {
  static float a[16384], b[16384], out[2];
  for (int i = 0; i < 16384; ++i)
    a[i] = b[i] = 1.0f;
#ifdef RECOVER
  if (setjmp(recover))
    return 3;
#endif
  big_run(a, b, out, 1);
  printf("ran: %f %f\n", out[0], out[1]);
  return 0;
}
