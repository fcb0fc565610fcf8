/*
 * iomt on Zephyr: a provider over the board's CSPRNG, a fresh device key, its public key
 * and its CCS credential (what a factory line provisions, docs/PROVISIONING.md).
 */
#include <stdint.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/random/random.h>
#include <zephyr/sys/printk.h>

#include "iomt.h"

static int32_t board_rng(void *userdata, uint8_t *out, size_t out_len) {
    (void)userdata;
    return sys_csrand_get(out, out_len) == 0 ? 0 : -1;
}

int main(void) {
    static iomt_crypto crypto;
    static const uint8_t subject[] = "zephyr-device";
    static const uint8_t kid[1] = {0x01};
    uint8_t sk[IOMT_PRIVATE_KEY_LEN];
    uint8_t pk[IOMT_PUBLIC_KEY_LEN];
    uint8_t ccs[IOMT_MAX_ENCODED_CCS_LEN];
    size_t ccs_len = 0;
    iomt_result rc;

    printk("iomt %d.%d.%d\n", IOMT_VERSION_MAJOR, IOMT_VERSION_MINOR, IOMT_VERSION_PATCH);
    rc = iomt_crypto_init(&crypto, board_rng, NULL);
    if (rc == IOMT_RESULT_OK) {
        rc = iomt_private_key_generate(&crypto, sk, sizeof sk);
    }
    if (rc == IOMT_RESULT_OK) {
        rc = iomt_public_key_from_private(sk, sizeof sk, pk, sizeof pk);
    }
    if (rc == IOMT_RESULT_OK) {
        rc = iomt_ccs_encode(subject, sizeof subject - 1, kid, sizeof kid, pk, sizeof pk, ccs,
                             sizeof ccs, &ccs_len);
    }
    (void)iomt_crypto_deinit(&crypto);
    memset(sk, 0, sizeof sk); /* a product stores it in protected flash or a secure element */
    printk("iomt hello: %s (CCS %u bytes)\n", iomt_result_str((uint32_t)rc), (unsigned)ccs_len);
    return rc == IOMT_RESULT_OK ? 0 : 1;
}
