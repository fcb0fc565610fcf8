/*
 * Cortex-M4 firmware (QEMU mps2-an386): a device (initiator) and a gateway (responder)
 * in one process over libiomt_ffi.a (thumbv7em-none-eabihf). Reports through
 * semihosting; the exit code is the verdict.
 */
#include <stdint.h>
#include <stdio.h>

#include "demo.h"

/* DEMO ONLY, NOT SECURE: xorshift64* in place of the device's TRNG. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

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

/* Peak stack: paint the stack below this frame, run, find the deepest overwritten word. */
#define PAINT_BYTES (64u * 1024u)
#define PAINT 0xA5A5A5A5u

static uint32_t *paint_stack(void) {
    uint32_t here;
    uint32_t *top = (uint32_t *)((uintptr_t)&here & ~(uintptr_t)3) - 64;
    uint32_t *p;
    for (p = top - PAINT_BYTES / 4; p < top; p++) {
        *p = PAINT;
    }
    return top;
}

static size_t stack_used(const uint32_t *top) {
    const uint32_t *p = top - PAINT_BYTES / 4;
    while (p < top && *p == PAINT) {
        p++;
    }
    return (size_t)(top - p) * 4u;
}

/*
 * CMSDK TIMER0 at 25 MHz. Under `qemu -icount shift=0` one instruction takes 1 ns, so one
 * tick is 40 instructions: deterministic instruction counts (not cycles).
 */
#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)

static void timer_start(void) {
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = 1u;
}

static unsigned long instructions_since_start(void) {
    return (unsigned long)(0xFFFFFFFFu - TIMER0_VALUE) * 40ul;
}

int main(void) {
    demo_stats st = {0, 0};
    int rc1, rc2;
    uint32_t *top = paint_stack();

    timer_start();
    rc1 = demo_run(&st, 3, 2, 0); /* static DH both sides, AES-CCM: the smallest messages */
    printf("method 3 suite 2: %s (%lu instructions, both roles, handshake and frames)\n",
           rc1 == 0 ? "ok" : "FAILED", instructions_since_start());
    timer_start();
    rc2 = demo_run(&st, 0, 5, 1); /* signatures, ChaCha20-Poly1305, message_4 */
    printf("method 0 suite 5 message_4: %s (%lu instructions)\n", rc2 == 0 ? "ok" : "FAILED",
           instructions_since_start());
    printf("peak stack below main (demo: both roles' objects and buffers on the stack): %u bytes\n",
           (unsigned)stack_used(top));
    printf("c-firmware: %u passed, %u failed\n", st.passed, st.failed);
    return st.failed == 0 ? 0 : 1;
}
