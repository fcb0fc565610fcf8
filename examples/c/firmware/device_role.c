/*
 * Flash measurement: the calls a device (EDHOC initiator, one role) makes. Linked with
 * --gc-sections once as is and once with -DIOMT_BASELINE (same program, no iomt calls);
 * the difference in `arm-none-eabi-size` is the library's contribution. `cargo xtask
 * cexamples` prints it. This program is linked, not run.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef IOMT_BASELINE
#include "iomt.h"
#include "demo_creds.h"

static int32_t trng(void *userdata, uint8_t *out, size_t out_len) {
    (void)userdata;
    memset(out, 0x42, out_len); /* stand-in for the device's TRNG driver */
    return 0;
}
#endif

/* The transport: in a product, the radio or UART driver. */
static volatile uint8_t link_buffer[64];
static size_t transport(uint8_t *buf, size_t len) {
    size_t i;
    for (i = 0; i < len && i < sizeof link_buffer; i++) {
        link_buffer[i] = buf[i];
        buf[i] = link_buffer[(i + 1) % sizeof link_buffer];
    }
    return len;
}

int main(void) {
    static uint8_t msg[512];
    size_t n = 0;
    int rc = 0;
#ifndef IOMT_BASELINE
    static iomt_crypto crypto;
    static iomt_credential cred;
    static iomt_trust_store trust;
    static iomt_handshake dev;
    static iomt_session session;
    static const uint8_t suites[1] = {2};
    static const uint8_t c_i[1] = {0x37};
    iomt_initiator_config cfg;
    iomt_reading r;
    iomt_opened opened;
    uint8_t payload[64];
    size_t payload_len = 0;

    memset(&cfg, 0, sizeof cfg);
    cfg.method = 3;
    cfg.suites = suites;
    cfg.suites_len = 1;
    cfg.c_i = c_i;
    cfg.c_i_len = 1;
    rc |= (int)iomt_crypto_init(&crypto, trng, NULL);
    rc |= (int)iomt_credential_init(&cred, DEMO_SK_I, 32, DEMO_CRED_I, sizeof DEMO_CRED_I,
                                    DEMO_KID_I, 1);
    rc |= (int)iomt_trust_store_init(&trust);
    rc |= (int)iomt_trust_store_add(&trust, DEMO_CRED_R, sizeof DEMO_CRED_R, DEMO_KID_R, 1,
                                    (const uint8_t *)"gw", 2, 1u << IOMT_ROLE_GATEWAY);
    rc |= (int)iomt_handshake_init_initiator(&dev, &cfg);
    rc |= (int)iomt_handshake_write_message_1(&dev, &crypto, NULL, 0, msg, sizeof msg, &n);
    n = transport(msg, n);
    rc |= (int)iomt_handshake_read_message_2(&dev, &crypto, &trust, msg, n);
    rc |= (int)iomt_handshake_write_message_3(&dev, &crypto, &cred, NULL, 0, msg, sizeof msg, &n);
    n = transport(msg, n);
    rc |= (int)iomt_session_init(&session, &dev, &crypto);
    memset(&r, 0, sizeof r);
    r.kind = IOMT_VITAL_KIND_HEART_RATE;
    r.unit = IOMT_UNIT_BEATS_PER_MINUTE;
    r.mantissa = 72;
    rc |= (int)iomt_vitals_encode(&r, 1, payload, sizeof payload, &payload_len);
    rc |= (int)iomt_session_seal(&session, &crypto, IOMT_NO_CONSENT_SLOT, payload, payload_len,
                                 msg, sizeof msg, &n);
    n = transport(msg, n);
    rc |= (int)iomt_session_open(&session, &crypto, msg, n, &opened);
    rc |= (int)iomt_session_deinit(&session);
    rc |= (int)iomt_handshake_deinit(&dev);
#else
    n = transport(msg, sizeof msg);
    rc = (int)n;
#endif
    printf("rc %d\n", rc);
    return rc;
}
