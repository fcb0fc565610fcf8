/*
 * Host example: a device and a gateway in C. Every method (0-3) and suite (2, 5), with
 * and without message_4; suite negotiation; and the documented answers to bad input
 * (NULL, huge lengths, misaligned storage, wrong order, double deinit, failed objects).
 * Built with -std=c11 -Wall -Wextra -Wpedantic -Werror and run under ASan+UBSan and
 * valgrind by `cargo xtask cexamples`.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "demo.h"
#include "demo_creds.h"

int32_t demo_rng(void *userdata, uint8_t *out, size_t out_len) {
    (void)userdata;
    while (out_len > 0) {
        ssize_t n = getrandom(out, out_len, 0);
        if (n <= 0) {
            return -1;
        }
        out += n;
        out_len -= (size_t)n;
    }
    return 0;
}

static int32_t failing_rng(void *userdata, uint8_t *out, size_t out_len) {
    (void)userdata;
    (void)out;
    (void)out_len;
    return 1;
}

void demo_log(const char *line) { fprintf(stderr, "%s\n", line); }

#define CHECK(stats, cond) demo_check((stats), (cond), #cond)
#define EXPECT(stats, call, code) demo_check((stats), (call) == (code), #call " == " #code)

static void initiator_config(iomt_initiator_config *cfg, const uint8_t *suites, size_t n) {
    static const uint8_t c_i[1] = {0x37};
    memset(cfg, 0, sizeof *cfg);
    cfg->method = 3;
    cfg->suites = suites;
    cfg->suites_len = n;
    cfg->c_i = c_i;
    cfg->c_i_len = 1;
}

static void responder_config(iomt_responder_config *cfg, const uint8_t *suites, size_t n) {
    static const uint8_t c_r[1] = {0x27};
    memset(cfg, 0, sizeof *cfg);
    cfg->methods = 0x0F;
    cfg->suites = suites;
    cfg->suites_len = n;
    cfg->c_r = c_r;
    cfg->c_r_len = 1;
}

/* The responder supports only suite 2; the initiator prefers 5: ERR_CODE 2, retry. */
static void suite_negotiation(demo_stats *st) {
    static const uint8_t prefs[2] = {5, 2};
    static const uint8_t only2[1] = {2};
    iomt_crypto c;
    iomt_handshake dev;
    iomt_handshake gw;
    iomt_initiator_config icfg;
    iomt_responder_config rcfg;
    iomt_handshake_state state;
    uint8_t m[IOMT_MAX_MESSAGE_LEN], err[64];
    size_t n = 0, err_len = 0;

    EXPECT(st, iomt_crypto_init(&c, demo_rng, NULL), IOMT_RESULT_OK);
    initiator_config(&icfg, prefs, 2);
    responder_config(&rcfg, only2, 1);
    EXPECT(st, iomt_handshake_init_initiator(&dev, &icfg), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_init_responder(&gw, &rcfg), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_write_message_1(&dev, &c, NULL, 0, m, sizeof m, &n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_read_message_1(&gw, &c, m, n),
           IOMT_RESULT_HANDSHAKE_WRONG_SELECTED_SUITE);
    EXPECT(st, iomt_handshake_error_message(&gw, err, sizeof err, &err_len), IOMT_RESULT_OK);
    CHECK(st, err_len > 0);
    /* A failed responder stays failed. */
    EXPECT(st, iomt_handshake_read_message_1(&gw, &c, m, n), IOMT_RESULT_OBJECT_FAILED);
    EXPECT(st, iomt_handshake_get_state(&gw, &state), IOMT_RESULT_OK);
    CHECK(st, state == IOMT_HANDSHAKE_STATE_FAILED);
    /* The initiator reads the error (with SUITES_R) and goes back to START with suite 2. */
    EXPECT(st, iomt_trust_store_init(NULL), IOMT_RESULT_NULL_PARAMETER);
    {
        iomt_trust_store t;
        EXPECT(st, iomt_trust_store_init(&t), IOMT_RESULT_OK);
        EXPECT(st, iomt_handshake_read_message_2(&dev, &c, &t, err, err_len),
               IOMT_RESULT_HANDSHAKE_RETRY_SUITE);
        EXPECT(st, iomt_trust_store_deinit(&t), IOMT_RESULT_OK);
    }
    EXPECT(st, iomt_handshake_get_state(&dev, &state), IOMT_RESULT_OK);
    CHECK(st, state == IOMT_HANDSHAKE_STATE_START);
    EXPECT(st, iomt_handshake_deinit(&gw), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_init_responder(&gw, &rcfg), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_write_message_1(&dev, &c, NULL, 0, m, sizeof m, &n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_read_message_1(&gw, &c, m, n), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_deinit(&dev), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_deinit(&gw), IOMT_RESULT_OK);
    EXPECT(st, iomt_crypto_deinit(&c), IOMT_RESULT_OK);
}

static void bad_input(demo_stats *st) {
    static const uint8_t suites[1] = {2};
    iomt_crypto c;
    iomt_handshake dev;
    iomt_initiator_config icfg;
    iomt_consent_tag tag;
    iomt_reading r;
    iomt_handshake_state state;
    iomt_peer_info peer;
    uint8_t buf[IOMT_MAX_MESSAGE_LEN];
    uint8_t garbage[40];
    size_t n = 0;
    _Alignas(16) uint8_t raw[sizeof(iomt_handshake) + 16];
    iomt_handshake *misaligned = (iomt_handshake *)(void *)(raw + 4);
    iomt_handshake zeroed;

    /* NULL pointers. */
    EXPECT(st, iomt_crypto_init(NULL, demo_rng, NULL), IOMT_RESULT_NULL_PARAMETER);
    EXPECT(st, iomt_crypto_init(&c, NULL, NULL), IOMT_RESULT_NULL_PARAMETER);
    EXPECT(st, iomt_handshake_init_initiator(&dev, NULL), IOMT_RESULT_NULL_PARAMETER);
    EXPECT(st, iomt_consent_tag_encode(NULL, buf, sizeof buf, &n), IOMT_RESULT_NULL_PARAMETER);
    EXPECT(st, iomt_vitals_decode(NULL, 5, &r, 1, &n), IOMT_RESULT_NULL_PARAMETER);
    EXPECT(st, iomt_credential_init(NULL, DEMO_SK_I, 32, DEMO_CRED_I, sizeof DEMO_CRED_I, NULL, 0),
           IOMT_RESULT_NULL_PARAMETER);

    /* Huge lengths are rejected before anything is read. */
    EXPECT(st, iomt_vitals_decode(buf, SIZE_MAX, &r, 1, &n), IOMT_RESULT_INVALID_ARGUMENT);
    EXPECT(st, iomt_consent_tag_decode(buf, SIZE_MAX / 2 + 1, &tag), IOMT_RESULT_INVALID_ARGUMENT);

    /* Misaligned and uninitialized storage, wrong order, double deinit. */
    EXPECT(st, iomt_crypto_init(&c, demo_rng, NULL), IOMT_RESULT_OK);
    initiator_config(&icfg, suites, 1);
    EXPECT(st, iomt_handshake_init_initiator(misaligned, &icfg), IOMT_RESULT_MISALIGNED_STORAGE);
    memset(&zeroed, 0, sizeof zeroed);
    EXPECT(st, iomt_handshake_write_message_1(&zeroed, &c, NULL, 0, buf, sizeof buf, &n),
           IOMT_RESULT_NOT_INITIALIZED);
    EXPECT(st, iomt_handshake_init_initiator(&dev, &icfg), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_write_message_3(&dev, &c, NULL, NULL, 0, buf, sizeof buf, &n),
           IOMT_RESULT_NULL_PARAMETER); /* NULL credential */
    EXPECT(st, iomt_handshake_read_message_4(&dev, &c, buf, 10), IOMT_RESULT_WRONG_STATE);
    EXPECT(st, iomt_handshake_peer(&dev, &peer), IOMT_RESULT_WRONG_STATE);
    EXPECT(st, iomt_handshake_export(&dev, &c, 1, NULL, 0, buf, 16), IOMT_RESULT_WRONG_STATE);
    /* A short buffer reports the size needed (and fails the handshake object). */
    EXPECT(st, iomt_handshake_write_message_1(&dev, &c, NULL, 0, buf, 4, &n),
           IOMT_RESULT_BUFFER_TOO_SMALL);
    CHECK(st, n > 4 && n <= IOMT_MAX_MESSAGE_LEN);
    EXPECT(st, iomt_handshake_deinit(&dev), IOMT_RESULT_OK);
    /* Garbage instead of message_2 fails the object, which stays failed. */
    EXPECT(st, iomt_handshake_init_initiator(&dev, &icfg), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_write_message_1(&dev, &c, NULL, 0, buf, sizeof buf, &n),
           IOMT_RESULT_OK);
    memset(garbage, 0xA5, sizeof garbage);
    {
        iomt_trust_store t;
        EXPECT(st, iomt_trust_store_init(&t), IOMT_RESULT_OK);
        CHECK(st, iomt_handshake_read_message_2(&dev, &c, &t, garbage, sizeof garbage) !=
                      IOMT_RESULT_OK);
        EXPECT(st, iomt_handshake_read_message_2(&dev, &c, &t, garbage, sizeof garbage),
               IOMT_RESULT_OBJECT_FAILED);
        EXPECT(st, iomt_trust_store_deinit(&t), IOMT_RESULT_OK);
    }
    EXPECT(st, iomt_handshake_get_state(&dev, &state), IOMT_RESULT_OK);
    CHECK(st, state == IOMT_HANDSHAKE_STATE_FAILED);
    EXPECT(st, iomt_handshake_error_message(&dev, buf, sizeof buf, &n), IOMT_RESULT_OK);
    CHECK(st, n > 0);
    EXPECT(st, iomt_handshake_deinit(&dev), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_deinit(&dev), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_deinit(NULL), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_get_state(&dev, &state), IOMT_RESULT_NOT_INITIALIZED);

    /* A failing RNG is reported, not ignored. */
    EXPECT(st, iomt_crypto_deinit(&c), IOMT_RESULT_OK);
    EXPECT(st, iomt_crypto_init(&c, failing_rng, NULL), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_init_initiator(&dev, &icfg), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_write_message_1(&dev, &c, NULL, 0, buf, sizeof buf, &n),
           IOMT_RESULT_CRYPTO_RNG);
    EXPECT(st, iomt_handshake_deinit(&dev), IOMT_RESULT_OK);
    EXPECT(st, iomt_crypto_deinit(&c), IOMT_RESULT_OK);

    /* Data model: a short buffer tells the size needed; invalid codes are errors. */
    memset(&tag, 0, sizeof tag);
    tag.version = 1;
    tag.permit = 1;
    tag.valid_until = 10;
    EXPECT(st, iomt_consent_tag_encode(&tag, buf, 4, &n), IOMT_RESULT_BUFFER_TOO_SMALL);
    CHECK(st, n > 4);
    EXPECT(st, iomt_consent_tag_encode(&tag, buf, n, &n), IOMT_RESULT_OK);
    tag.permit = 7;
    EXPECT(st, iomt_consent_tag_encode(&tag, buf, sizeof buf, &n), IOMT_RESULT_INVALID_CODE);
    memset(&r, 0, sizeof r);
    r.kind = IOMT_VITAL_KIND_SPO2;
    r.unit = IOMT_UNIT_PERCENT;
    r.mantissa = 150;
    EXPECT(st, iomt_vitals_encode(&r, 1, buf, sizeof buf, &n), IOMT_RESULT_IMPLAUSIBLE);
    EXPECT(st, iomt_vitals_decode(garbage, sizeof garbage, &r, 1, &n), IOMT_RESULT_MALFORMED);
    CHECK(st, strcmp(iomt_result_str(12345), "unknown result code") == 0);
    CHECK(st, strcmp(iomt_result_str(IOMT_RESULT_OK), "success") == 0);
}

int main(void) {
    demo_stats st = {0, 0};
    uint8_t method, suite;
    int m4;
    char line[96];

    for (method = 0; method < 4; method++) {
        for (suite = 2; suite <= 5; suite += 3) {
            for (m4 = 0; m4 <= 1; m4++) {
                int rc = demo_run(&st, method, suite, m4);
                snprintf(line, sizeof line, "method %u suite %u message_4 %d: %s", method, suite,
                         m4, rc == 0 ? "ok" : "FAILED");
                demo_log(line);
            }
        }
    }
    suite_negotiation(&st);
    bad_input(&st);
    printf("c-host: %u passed, %u failed\n", st.passed, st.failed);
    return st.failed == 0 ? 0 : 1;
}
