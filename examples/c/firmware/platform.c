/*
 * What examples/c/aaa.c needs from the platform when it runs as Cortex-M4 firmware
 * (QEMU mps2-an386, built with -DIOMT_FIRMWARE): the RNG callback and a log line.
 * The host build gets them from getrandom(2) and stderr instead.
 */
#include <stdint.h>
#include <stdio.h>

#include "demo.h"

/* DEMO ONLY, NOT SECURE: xorshift64* in place of the device's TRNG. */
static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

int32_t demo_rng(void *userdata, uint8_t *out, size_t out_len) {
    (void)userdata;
    while (out_len > 0) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        *out++ = (uint8_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 56);
        out_len--;
    }
    return 0;
}

void demo_log(const char *line) { puts(line); }
