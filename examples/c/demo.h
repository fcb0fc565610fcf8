/*
 * A device (EDHOC initiator) and a gateway (EDHOC responder) in one process: handshake,
 * consent frame, vital-sign frames, key update, close. Shared by the host program
 * (host.c) and the Cortex-M4 firmware (firmware/main.c).
 */
#ifndef IOMT_DEMO_H
#define IOMT_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "iomt.h"

/* The platform's RNG (getrandom on the host, a demo generator on the firmware). */
int32_t demo_rng(void *userdata, uint8_t *out, size_t out_len);

/* The platform's line output. */
void demo_log(const char *line);

/* Counters of checks. */
typedef struct demo_stats {
    unsigned passed;
    unsigned failed;
} demo_stats;

/* Checks `cond`, logging `what` on failure. */
void demo_check(demo_stats *stats, int cond, const char *what);

/*
 * One full run: handshake with `method` (0-3) and `suite` (2 or 5), optionally with
 * message_4, EAD items in messages 1 and 3, then frames both ways. Returns 0 if every
 * check passed.
 */
int demo_run(demo_stats *stats, uint8_t method, uint8_t suite, int message_4);

#endif /* IOMT_DEMO_H */
