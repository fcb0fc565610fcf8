/*
 * The smallest iomt program: a provider over the platform's RNG, a fresh device key, its
 * public key and its CCS credential. Built by `cargo xtask cmake` through the CMake package
 * (host and Cortex-M4) and through pkg-config (host). Exit code 0 = every call succeeded.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "iomt.h"

/* Stand-in for the platform's TRNG (a product uses its hardware RNG or sys_csrand_get()). */
static int32_t rng(void *userdata, uint8_t *out, size_t out_len) {
    uint32_t *state = (uint32_t *)userdata;
    size_t i;
    for (i = 0; i < out_len; i++) {
        *state = *state * 1664525u + 1013904223u;
        out[i] = (uint8_t)(*state >> 24);
    }
    return 0;
}

static int check(const char *what, iomt_result rc) {
    printf("%-32s %s\n", what, iomt_result_str((uint32_t)rc));
    return rc == IOMT_RESULT_OK ? 0 : 1;
}

int main(void) {
    static iomt_crypto crypto;
    static uint32_t state = 0x1234567u;
    static const uint8_t subject[] = "cmake-consumer";
    static const uint8_t kid[1] = {0x2a};
    uint8_t sk[IOMT_PRIVATE_KEY_LEN];
    uint8_t pk[IOMT_PUBLIC_KEY_LEN];
    uint8_t ccs[IOMT_MAX_ENCODED_CCS_LEN];
    size_t ccs_len = 0;
    int failures = 0;

    printf("iomt %d.%d.%d\n", IOMT_VERSION_MAJOR, IOMT_VERSION_MINOR, IOMT_VERSION_PATCH);
    failures += check("iomt_crypto_init", iomt_crypto_init(&crypto, rng, &state));
    failures += check("iomt_private_key_generate", iomt_private_key_generate(&crypto, sk, sizeof sk));
    failures += check("iomt_public_key_from_private",
                      iomt_public_key_from_private(sk, sizeof sk, pk, sizeof pk));
    failures += check("iomt_ccs_encode", iomt_ccs_encode(subject, sizeof subject - 1, kid, sizeof kid,
                                                         pk, sizeof pk, ccs, sizeof ccs, &ccs_len));
    failures += check("iomt_crypto_deinit", iomt_crypto_deinit(&crypto));
    memset(sk, 0, sizeof sk);
    printf("CCS %u bytes, %s\n", (unsigned)ccs_len, failures == 0 ? "ok" : "FAILED");
    return failures == 0 && pk[0] == 0x04 && ccs_len > sizeof pk ? 0 : 1;
}
