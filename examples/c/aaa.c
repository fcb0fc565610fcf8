/*
 * Authorization and accounting end to end, in C: an infusion pump (EDHOC responder) that
 * operators' apps (EDHOC initiators) connect to.
 *
 *   1. Trust: the pump knows a technician/administrator ("tech-alice") and an emergency
 *      nurse ("er-nurse-7") with their roles; the apps know the pump.
 *   2. Operator factor: the pump stores a PIN verifier (never the PIN); the app derives it
 *      from the PIN typed in and proves it with a MAC over TH_3 in message_3's EAD.
 *   3. RBAC (default policy) over an audit log in "flash" (a RAM ring of 8 slots):
 *      privileged operations permitted with the factor, others denied and audited.
 *   4. Wrong PIN: mismatch, privileged operations denied, lockout.
 *   5. Consent enforcement: permit, audited denial, audited time-limited break-glass.
 *   6. Signed audit export verified by a gateway; tampering, a dropped chunk and a replay
 *      are caught; a corrupted flash slot is detected on the device.
 *   7. Firmware update under the technician's permit: a vendor-signed manifest, the image
 *      streamed and checked, the rollback counter advanced; a corrupted image, a forged
 *      manifest and a downgrade are refused (and audited).
 *   8. Incident: the nurse's app is stolen. The pump installs the authority's signed
 *      revocation list naming her credential; her next handshake fails with
 *      CREDENTIAL_REVOKED (audited with that code); a replayed or forged list is refused.
 *
 * Built with -std=c11 -Wall -Wextra -Wpedantic -Werror and run under ASan+UBSan and
 * valgrind by `cargo xtask cexamples host`, and with -DIOMT_FIRMWARE (RNG and log from
 * firmware/platform.c) as Cortex-M4 firmware on QEMU by `cargo xtask cexamples firmware`.
 * Every object lives in caller storage.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifndef IOMT_FIRMWARE
#include <sys/random.h>
#endif

#include "aaa_creds.h"
#include "aaa_revocation.h"
#include "aaa_update.h"
#include "demo.h"
#include "demo_creds.h"

/* Codes of iomt-core (Role, Operation, Purpose, Action, DataClass) and iomt-auth
 * (AuditEvent, Outcome). */
enum {
    ROLE_NURSE = 2,
    ROLE_TECHNICIAN = 3,
    ROLE_ADMINISTRATOR = 5,
    ROLE_EMERGENCY = 6,
    ROLE_DEVICE = 7,
    ROLE_CLINICIAN = 1,
    OP_READ_VITALS = 0,
    OP_CHANGE_THERAPY = 3,
    OP_FIRMWARE_UPDATE = 4,
    OP_READ_AUDIT_LOG = 5,
    OP_CLEAR_AUDIT_LOG = 6,
    PURPOSE_TREATMENT = 0,
    PURPOSE_EMERGENCY_TREATMENT = 1,
    PURPOSE_RESEARCH = 5,
    ACTION_ACCESS = 1,
    CLASS_VITALS = 0,
    CONFIDENTIALITY_RESTRICTED = 4,
    EVENT_HANDSHAKE_SUCCEEDED = 1,
    EVENT_HANDSHAKE_FAILED = 2,
    EVENT_FACTOR_FAILED = 3,
    EVENT_FACTOR_VERIFIED = 4,
    EVENT_LOCKOUT = 5,
    EVENT_CONSENT_DENIED = 7,
    EVENT_BREAK_GLASS = 8,
    EVENT_PRIVILEGED_OPERATION = 9,
    EVENT_KEY_UPDATE = 11,
    EVENT_OPERATION_DENIED = 10,
    EVENT_UPDATE_ACCEPTED = 12,
    EVENT_UPDATE_REJECTED = 13,
    EVENT_LOG_CLEARED = 14,
    OUTCOME_SUCCESS = 0,
    OUTCOME_FAILURE = 1,
    OUTCOME_DENIED = 2
};

/* Small on purpose: the ring overwrites its oldest records during the run. */
#define AUDIT_CAPACITY 8u
#define RECORDS_PER_CHUNK 3u
#define CHUNK_CAP (IOMT_AUDIT_RECORDS_HEADER_LEN + RECORDS_PER_CHUNK * IOMT_AUDIT_RECORD_LEN)
#define MAX_CHUNKS 4u
#define LOCK_SECS 60u

static const char DEVICE_ID[] = "pump-0042";
static const char GOOD_PIN[] = "482916";
static const char BAD_PIN[] = "000000";

#ifndef IOMT_FIRMWARE
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

void demo_log(const char *line) { fprintf(stderr, "%s\n", line); }
#endif /* on the Cortex-M4 firmware, examples/c/firmware/platform.c provides both */

#define CHECK(stats, cond) demo_check((stats), (cond), #cond)
#define EXPECT(stats, call, code) demo_check((stats), (call) == (code), #call " == " #code)

/* ---- The pump's non-volatile memory, simulated in RAM ----------------------------- */

/* The audit ring: AUDIT_CAPACITY slots of IOMT_AUDIT_ENTRY_LEN bytes and one metadata
 * record. A real device writes the slot, then the metadata, each durably. */
typedef struct audit_flash {
    uint8_t slots[AUDIT_CAPACITY][IOMT_AUDIT_ENTRY_LEN];
    iomt_audit_meta meta;
    uint8_t present;
} audit_flash;

static audit_flash g_audit_flash;

static int32_t audit_read_slot(void *userdata, uint32_t slot, uint8_t *entry) {
    audit_flash *f = userdata;
    if (slot >= AUDIT_CAPACITY) {
        return -1;
    }
    memcpy(entry, f->slots[slot], IOMT_AUDIT_ENTRY_LEN);
    return 0;
}

static int32_t audit_write_slot(void *userdata, uint32_t slot, const uint8_t *entry) {
    audit_flash *f = userdata;
    if (slot >= AUDIT_CAPACITY) {
        return -1;
    }
    memcpy(f->slots[slot], entry, IOMT_AUDIT_ENTRY_LEN);
    return 0;
}

static int32_t audit_load_meta(void *userdata, iomt_audit_meta *meta, uint8_t *present) {
    audit_flash *f = userdata;
    *present = f->present;
    if (f->present) {
        *meta = f->meta;
    }
    return 0;
}

static int32_t audit_store_meta(void *userdata, const iomt_audit_meta *meta) {
    audit_flash *f = userdata;
    f->meta = *meta;
    f->present = 1;
    return 0;
}

/* The factor lockout table: per-subject counters and the device-wide ceiling (survives
 * reboots on a real device; the library reads and writes it whole). */
typedef struct factor_flash {
    iomt_lockout_table table;
    unsigned stores;
} factor_flash;

static factor_flash g_factor_flash;

static int32_t factor_load(void *userdata, iomt_lockout_table *table) {
    const factor_flash *f = userdata;
    *table = f->table;
    return 0;
}

static int32_t factor_store(void *userdata, const iomt_lockout_table *table) {
    factor_flash *f = userdata;
    f->table = *table;
    f->stores++;
    return 0;
}

/* ---- The actors ----------------------------------------------------------------------- */

typedef struct pump {
    iomt_crypto crypto;
    iomt_credential cred;
    iomt_trust_store trust;
    iomt_audit_log log;
    iomt_rbac_policy policy;
    iomt_factor_verifier factor;
    uint8_t pin_verifier[IOMT_PIN_VERIFIER_LEN];
    uint8_t id[IOMT_SUBJECT_LEN];
} pump;

typedef struct app {
    iomt_crypto crypto;
    iomt_credential cred;
    iomt_trust_store trust;
    uint8_t subject[IOMT_SUBJECT_LEN];
} app;

static int same(const void *a, const void *b, size_t n) { return memcmp(a, b, n) == 0; }

/* The newest audit record. */
static iomt_result last_record(pump *p, iomt_audit_record *rec) {
    iomt_audit_meta meta;
    iomt_result r = iomt_audit_log_meta(&p->log, &meta);
    if (r != IOMT_RESULT_OK) {
        return r;
    }
    if (meta.next_seq == 0) {
        return IOMT_RESULT_NOT_FOUND;
    }
    return iomt_audit_log_read(&p->log, meta.next_seq - 1, rec);
}

static uint32_t next_seq(pump *p) {
    iomt_audit_meta meta;
    memset(&meta, 0, sizeof meta);
    (void)iomt_audit_log_meta(&p->log, &meta);
    return meta.next_seq;
}

static int is_record(const iomt_audit_record *rec, uint8_t event, uint8_t outcome,
                     const uint8_t *subject) {
    return rec->event == event && rec->outcome == outcome &&
           same(rec->subject, subject, IOMT_SUBJECT_LEN);
}

static void pump_setup(demo_stats *st, pump *p) {
    static const iomt_lockout_policy lockout = {
        .free_attempts = 1, .reserved = 0, .base_secs = LOCK_SECS, .max_secs = 3600};
    iomt_audit_store_ops ops;
    iomt_factor_store_ops fops;

    EXPECT(st, iomt_crypto_init(&p->crypto, demo_rng, NULL), IOMT_RESULT_OK);
    EXPECT(st,
           iomt_credential_init(&p->cred, DEMO_SK_R, sizeof DEMO_SK_R, DEMO_CRED_R,
                                sizeof DEMO_CRED_R, DEMO_KID_R, sizeof DEMO_KID_R),
           IOMT_RESULT_OK);
    /* Roles: bit n = iomt_core::Role code n. */
    EXPECT(st, iomt_trust_store_init(&p->trust), IOMT_RESULT_OK);
    EXPECT(st,
           iomt_trust_store_add(&p->trust, DEMO_CRED_I, sizeof DEMO_CRED_I, DEMO_KID_I,
                                sizeof DEMO_KID_I, (const uint8_t *)"tech-alice", 10,
                                (1u << ROLE_TECHNICIAN) | (1u << ROLE_ADMINISTRATOR)),
           IOMT_RESULT_OK);
    EXPECT(st,
           iomt_trust_store_add(&p->trust, AAA_CRED_NURSE, sizeof AAA_CRED_NURSE, AAA_KID_NURSE,
                                sizeof AAA_KID_NURSE, (const uint8_t *)"er-nurse-7", 10,
                                (1u << ROLE_NURSE) | (1u << ROLE_EMERGENCY)),
           IOMT_RESULT_OK);

    /* The audit log over the RAM "flash", identified by the pump's own subject id. */
    EXPECT(st, iomt_subject_of(&p->crypto, (const uint8_t *)DEVICE_ID, strlen(DEVICE_ID), p->id),
           IOMT_RESULT_OK);
    memset(&g_audit_flash, 0, sizeof g_audit_flash);
    ops.userdata = &g_audit_flash;
    ops.capacity = AUDIT_CAPACITY;
    ops.read_slot = audit_read_slot;
    ops.write_slot = audit_write_slot;
    ops.load_meta = audit_load_meta;
    ops.store_meta = audit_store_meta;
    EXPECT(st, iomt_audit_log_init(&p->log, &p->crypto, &ops, p->id), IOMT_RESULT_OK);
    ops.capacity = 0;
    {
        iomt_audit_log bad;
        EXPECT(st, iomt_audit_log_init(&bad, &p->crypto, &ops, p->id),
               IOMT_RESULT_INVALID_ARGUMENT);
    }

    /* Events the library does not record itself go through iomt_audit_log_append, e.g. a
     * session key update to epoch 1 (NULL subject = the pump itself). */
    {
        static const uint8_t epoch[4] = {0, 0, 0, 1};
        uint32_t seq = 99;
        EXPECT(st, iomt_audit_log_append(&p->log, &p->crypto, 1850000000u, EVENT_KEY_UPDATE,
                                         OUTCOME_SUCCESS, NULL, epoch, sizeof epoch, &seq),
               IOMT_RESULT_OK);
        CHECK(st, seq == 0);
        EXPECT(st, iomt_audit_log_append(&p->log, &p->crypto, 1850000000u, 99, OUTCOME_SUCCESS,
                                         NULL, NULL, 0, &seq),
               IOMT_RESULT_INVALID_CODE);
    }
    EXPECT(st, iomt_rbac_policy_init_default(&p->policy), IOMT_RESULT_OK);

    /* Provisioning: the PIN verifier (salted with the device id), and the lockout counter
     * (one free failure, then 60 s doubling). */
    EXPECT(st,
           iomt_pin_verifier_derive(&p->crypto, (const uint8_t *)DEVICE_ID, strlen(DEVICE_ID),
                                    (const uint8_t *)GOOD_PIN, strlen(GOOD_PIN), p->pin_verifier),
           IOMT_RESULT_OK);
    memset(&g_factor_flash, 0, sizeof g_factor_flash);
    fops.userdata = &g_factor_flash;
    fops.load = factor_load;
    fops.store = factor_store;
    EXPECT(st, iomt_factor_verifier_init(&p->factor, &fops, &lockout), IOMT_RESULT_OK);
}

static void pump_teardown(demo_stats *st, pump *p) {
    EXPECT(st, iomt_factor_verifier_deinit(&p->factor), IOMT_RESULT_OK);
    EXPECT(st, iomt_rbac_policy_deinit(&p->policy), IOMT_RESULT_OK);
    EXPECT(st, iomt_audit_log_deinit(&p->log), IOMT_RESULT_OK);
    EXPECT(st, iomt_audit_log_deinit(&p->log), IOMT_RESULT_OK);
    EXPECT(st, iomt_trust_store_deinit(&p->trust), IOMT_RESULT_OK);
    EXPECT(st, iomt_credential_deinit(&p->cred), IOMT_RESULT_OK);
    EXPECT(st, iomt_crypto_deinit(&p->crypto), IOMT_RESULT_OK);
    memset(p->pin_verifier, 0, sizeof p->pin_verifier);
}

static void app_setup(demo_stats *st, app *a, const uint8_t *sk, const uint8_t *ccs,
                      size_t ccs_len, const uint8_t *kid, const char *identity) {
    EXPECT(st, iomt_crypto_init(&a->crypto, demo_rng, NULL), IOMT_RESULT_OK);
    EXPECT(st, iomt_credential_init(&a->cred, sk, 32, ccs, ccs_len, kid, 1), IOMT_RESULT_OK);
    EXPECT(st, iomt_trust_store_init(&a->trust), IOMT_RESULT_OK);
    EXPECT(st,
           iomt_trust_store_add(&a->trust, DEMO_CRED_R, sizeof DEMO_CRED_R, DEMO_KID_R,
                                sizeof DEMO_KID_R, (const uint8_t *)DEVICE_ID, strlen(DEVICE_ID),
                                1u << ROLE_DEVICE),
           IOMT_RESULT_OK);
    /* The subject id sessions, permits and audit records use for this identity
     * (iomt_subject_of pads it to IOMT_IDENTITY_LEN as the trust store does). */
    EXPECT(st,
           iomt_subject_of(&a->crypto, (const uint8_t *)identity, strlen(identity), a->subject),
           IOMT_RESULT_OK);
}

static void app_teardown(demo_stats *st, app *a) {
    EXPECT(st, iomt_trust_store_deinit(&a->trust), IOMT_RESULT_OK);
    EXPECT(st, iomt_credential_deinit(&a->cred), IOMT_RESULT_OK);
    EXPECT(st, iomt_crypto_deinit(&a->crypto), IOMT_RESULT_OK);
}

/*
 * One EDHOC handshake, app (initiator, method 3, suite 2) to pump (responder). With a
 * `pin`, the app derives the verifier from it and sends the factor tag in message_3. The
 * pump then sets up `auth` for the app and checks the factor; returns that check's result.
 */
/* A handshake pair, app (initiator, method 3, suite 2) and pump (responder). */
static void init_pair(demo_stats *st, iomt_handshake *ini, iomt_handshake *resp) {
    static const uint8_t suites[1] = {2};
    static const uint8_t c_i[1] = {0x0a};
    static const uint8_t c_r[1] = {0x0b};
    iomt_initiator_config icfg;
    iomt_responder_config rcfg;

    memset(&icfg, 0, sizeof icfg);
    icfg.method = 3;
    icfg.suites = suites;
    icfg.suites_len = 1;
    icfg.c_i = c_i;
    icfg.c_i_len = 1;
    memset(&rcfg, 0, sizeof rcfg);
    rcfg.methods = 1u << 3;
    rcfg.suites = suites;
    rcfg.suites_len = 1;
    rcfg.c_r = c_r;
    rcfg.c_r_len = 1;
    EXPECT(st, iomt_handshake_init_initiator(ini, &icfg), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_init_responder(resp, &rcfg), IOMT_RESULT_OK);
}

static iomt_result handshake(demo_stats *st, pump *p, app *a, const char *pin,
                             iomt_session_auth *auth, uint64_t now) {
    iomt_handshake ini;
    iomt_handshake resp;
    iomt_handshake_state state;
    iomt_ead_item item;
    iomt_peer_info peer;
    uint8_t m[IOMT_MAX_MESSAGE_LEN];
    uint8_t verifier[IOMT_PIN_VERIFIER_LEN], tag[IOMT_FACTOR_TAG_LEN];
    size_t n = 0;
    uint32_t seq = 0;
    iomt_result r;

    init_pair(st, &ini, &resp);

    EXPECT(st, iomt_handshake_write_message_1(&ini, &a->crypto, NULL, 0, m, sizeof m, &n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_read_message_1(&resp, &p->crypto, m, n), IOMT_RESULT_OK);
    EXPECT(st,
           iomt_handshake_write_message_2(&resp, &p->crypto, &p->cred, NULL, 0, m, sizeof m, &n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_read_message_2(&ini, &a->crypto, &a->trust, m, n), IOMT_RESULT_OK);

    if (pin != NULL) {
        /* The app: the PIN typed in becomes the verifier, the verifier a tag over TH_3. */
        EXPECT(st,
               iomt_pin_verifier_derive(&a->crypto, (const uint8_t *)DEVICE_ID, strlen(DEVICE_ID),
                                        (const uint8_t *)pin, strlen(pin), verifier),
               IOMT_RESULT_OK);
        EXPECT(st, iomt_handshake_factor_tag(&ini, &a->crypto, verifier, tag), IOMT_RESULT_OK);
        memset(verifier, 0, sizeof verifier);
        item.label = IOMT_FACTOR_EAD_LABEL;
        item.value = tag;
        item.value_len = IOMT_FACTOR_TAG_LEN;
    }
    EXPECT(st,
           iomt_handshake_write_message_3(&ini, &a->crypto, &a->cred, pin != NULL ? &item : NULL,
                                          pin != NULL ? 1 : 0, m, sizeof m, &n),
           IOMT_RESULT_OK);
    /* Too late for a tag: TH_3 is only available right after message_2. */
    EXPECT(st, iomt_handshake_factor_tag(&ini, &a->crypto, p->pin_verifier, tag),
           IOMT_RESULT_WRONG_STATE);
    EXPECT(st, iomt_handshake_read_message_3(&resp, &p->crypto, &p->trust, m, n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_get_state(&resp, &state), IOMT_RESULT_OK);
    CHECK(st, state == IOMT_HANDSHAKE_STATE_COMPLETE);
    EXPECT(st, iomt_handshake_get_state(&ini, &state), IOMT_RESULT_OK);
    CHECK(st, state == IOMT_HANDSHAKE_STATE_COMPLETE);
    EXPECT(st, iomt_handshake_peer(&resp, &peer), IOMT_RESULT_OK);

    /* The pump: who is this, and did they prove the PIN? (Once per handshake.) */
    EXPECT(st, iomt_session_auth_init(auth, &p->crypto, &resp), IOMT_RESULT_OK);
    EXPECT(st, iomt_audit_log_record_handshake(&p->log, &p->crypto, &resp, now, &seq),
           IOMT_RESULT_OK);
    {
        iomt_audit_record rec;
        EXPECT(st, iomt_audit_log_read(&p->log, seq, &rec), IOMT_RESULT_OK);
        CHECK(st, is_record(&rec, EVENT_HANDSHAKE_SUCCEEDED, OUTCOME_SUCCESS, a->subject));
        CHECK(st, rec.detail[0] == peer.suite && rec.detail[1] == peer.method);
    }
    r = iomt_session_auth_verify_factor(auth, &resp, &p->crypto, &p->factor, &p->log,
                                        p->pin_verifier, now);
    EXPECT(st,
           iomt_session_auth_verify_factor(auth, &resp, &p->crypto, &p->factor, &p->log,
                                           p->pin_verifier, now),
           IOMT_RESULT_WRONG_STATE);

    EXPECT(st, iomt_handshake_deinit(&ini), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_deinit(&resp), IOMT_RESULT_OK);
    memset(tag, 0, sizeof tag);
    return r;
}

/* ---- 1-3: operator with the factor, RBAC, audited decisions ----------------------------- */

static void authorized_operator(demo_stats *st, pump *p, app *tech, uint64_t now) {
    iomt_session_auth auth;
    iomt_session_auth_info info;
    iomt_permit fw, clear;
    iomt_audit_record rec;
    iomt_audit_meta before, after;
    uint8_t op = 0xff, subject[IOMT_SUBJECT_LEN];
    uint32_t discarded = 0, seq;

    EXPECT(st, handshake(st, p, tech, GOOD_PIN, &auth, now), IOMT_RESULT_OK);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_FACTOR_VERIFIED, OUTCOME_SUCCESS, tech->subject));
    EXPECT(st, iomt_session_auth_get_info(&auth, &info), IOMT_RESULT_OK);
    CHECK(st, same(info.subject, tech->subject, IOMT_SUBJECT_LEN));
    CHECK(st, info.roles == ((1u << ROLE_TECHNICIAN) | (1u << ROLE_ADMINISTRATOR)));
    CHECK(st, info.factor == IOMT_FACTOR_OUTCOME_VERIFIED);
    CHECK(st, g_factor_flash.table.device.failures == 0 && g_factor_flash.stores >= 2);

    /* Firmware update (privileged: technician + factor) is permitted, and audited first. */
    EXPECT(st, iomt_rbac_decide(&p->policy, &auth, OP_FIRMWARE_UPDATE), IOMT_RESULT_OK);
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, &auth, OP_FIRMWARE_UPDATE,
                                   now, &fw),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_permit_get(&fw, &op, subject), IOMT_RESULT_OK);
    CHECK(st, op == OP_FIRMWARE_UPDATE && same(subject, tech->subject, IOMT_SUBJECT_LEN));
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_PRIVILEGED_OPERATION, OUTCOME_SUCCESS, tech->subject));
    CHECK(st, rec.detail[0] == OP_FIRMWARE_UPDATE);

    /* Reading the log needs no factor and is not audited; therapy is not theirs. */
    seq = next_seq(p);
    EXPECT(st, iomt_rbac_decide(&p->policy, &auth, OP_READ_AUDIT_LOG), IOMT_RESULT_OK);
    CHECK(st, next_seq(p) == seq);
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, &auth, OP_CHANGE_THERAPY, now,
                                   &clear),
           IOMT_RESULT_AUTHZ_NOT_PERMITTED);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_OPERATION_DENIED, OUTCOME_DENIED, tech->subject));
    CHECK(st, next_seq(p) == seq + 1);
    EXPECT(st, iomt_rbac_decide(&p->policy, &auth, 99), IOMT_RESULT_INVALID_CODE);

    /* Clearing the log (administrator + factor) needs the right permit. */
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, &auth, OP_CLEAR_AUDIT_LOG,
                                   now, &clear),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_audit_log_meta(&p->log, &before), IOMT_RESULT_OK);
    EXPECT(st, iomt_audit_log_clear(&p->log, &p->crypto, &auth, &fw, now, &discarded),
           IOMT_RESULT_AUTHZ_WRONG_PERMIT);
    EXPECT(st, iomt_audit_log_clear(&p->log, &p->crypto, &auth, &clear, now, &discarded),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_audit_log_meta(&p->log, &after), IOMT_RESULT_OK);
    CHECK(st, discarded == before.count && after.count == 1 && after.cleared == discarded);
    CHECK(st, after.next_seq == before.next_seq + 1);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_LOG_CLEARED, OUTCOME_SUCCESS, tech->subject));
    EXPECT(st, iomt_audit_log_read(&p->log, before.next_seq - 1, &rec),
           IOMT_RESULT_AUDIT_NOT_HELD);
    EXPECT(st, iomt_audit_log_verify(&p->log, &p->crypto), IOMT_RESULT_OK);

    EXPECT(st, iomt_permit_deinit(&fw), IOMT_RESULT_OK);
    EXPECT(st, iomt_permit_deinit(&clear), IOMT_RESULT_OK);
    EXPECT(st, iomt_permit_get(&fw, &op, subject), IOMT_RESULT_NOT_INITIALIZED);
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);
}

/* ---- 4: wrong PIN, lockout ---------------------------------------------------------- */

static void wrong_pin(demo_stats *st, pump *p, app *tech, uint64_t now) {
    iomt_session_auth auth;
    iomt_session_auth_info info;
    iomt_factor_state fs;
    iomt_audit_record rec;
    iomt_permit permit;

    /* One free failure: the first wrong PIN is a mismatch (and starts the lockout). */
    EXPECT(st, handshake(st, p, tech, BAD_PIN, &auth, now), IOMT_RESULT_FACTOR_MISMATCH);
    EXPECT(st, iomt_session_auth_get_info(&auth, &info), IOMT_RESULT_OK);
    CHECK(st, info.factor == IOMT_FACTOR_OUTCOME_FAILED);
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, &auth, OP_FIRMWARE_UPDATE,
                                   now, &permit),
           IOMT_RESULT_AUTHZ_FACTOR_REQUIRED);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_OPERATION_DENIED, OUTCOME_DENIED, tech->subject));
    /* Non-privileged operations are still fine without the factor. */
    EXPECT(st, iomt_rbac_decide(&p->policy, &auth, OP_READ_AUDIT_LOG), IOMT_RESULT_OK);
    EXPECT(st, iomt_factor_verifier_state(&p->factor, tech->subject, &fs), IOMT_RESULT_OK);
    CHECK(st, fs.failures == 1 && fs.locked_until == now + LOCK_SECS);
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);

    /* Locked: the next attempt is not even evaluated, the right PIN neither. */
    EXPECT(st, handshake(st, p, tech, BAD_PIN, &auth, now + 1), IOMT_RESULT_FACTOR_LOCKED_OUT);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_LOCKOUT, OUTCOME_DENIED, tech->subject));
    EXPECT(st, iomt_session_auth_get_info(&auth, &info), IOMT_RESULT_OK);
    CHECK(st, info.factor == IOMT_FACTOR_OUTCOME_LOCKED_OUT);
    EXPECT(st, iomt_rbac_decide(&p->policy, &auth, OP_CLEAR_AUDIT_LOG),
           IOMT_RESULT_AUTHZ_LOCKED_OUT);
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);
    EXPECT(st, handshake(st, p, tech, GOOD_PIN, &auth, now + 2), IOMT_RESULT_FACTOR_LOCKED_OUT);
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);

    /* Another failure after the lockout doubles it; the right PIN after that resets. */
    EXPECT(st, handshake(st, p, tech, BAD_PIN, &auth, now + LOCK_SECS),
           IOMT_RESULT_FACTOR_MISMATCH);
    EXPECT(st, iomt_factor_verifier_state(&p->factor, tech->subject, &fs), IOMT_RESULT_OK);
    CHECK(st, fs.failures == 2 && fs.locked_until == now + 3 * LOCK_SECS);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_LOCKOUT, OUTCOME_DENIED, tech->subject));
    EXPECT(st, iomt_audit_log_read(&p->log, rec.seq - 1, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_FACTOR_FAILED, OUTCOME_FAILURE, tech->subject));
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);
    EXPECT(st, handshake(st, p, tech, GOOD_PIN, &auth, now + 3 * LOCK_SECS), IOMT_RESULT_OK);
    EXPECT(st, iomt_factor_verifier_state(&p->factor, tech->subject, &fs), IOMT_RESULT_OK);
    CHECK(st, fs.failures == 0 && fs.locked_until == 0);
    EXPECT(st, iomt_rbac_decide(&p->policy, &auth, OP_FIRMWARE_UPDATE), IOMT_RESULT_OK);
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);
}

/* ---- 5: consent enforcement with break-glass ------------------------------------------ */

static void consent(demo_stats *st, pump *p, app *nurse, uint64_t now) {
    iomt_session_auth auth;
    iomt_session_auth_info info;
    iomt_consent_tag tag;
    iomt_access_request req;
    iomt_consent_access access;
    iomt_audit_record rec;
    iomt_permit permit;
    uint32_t seq;

    /* No PIN from this app: no factor, which ordinary access does not need. */
    EXPECT(st, handshake(st, p, nurse, NULL, &auth, now), IOMT_RESULT_FACTOR_ABSENT);
    EXPECT(st, iomt_session_auth_get_info(&auth, &info), IOMT_RESULT_OK);
    CHECK(st, info.roles == ((1u << ROLE_NURSE) | (1u << ROLE_EMERGENCY)));
    CHECK(st, info.factor == IOMT_FACTOR_OUTCOME_ABSENT);
    EXPECT(st, iomt_rbac_decide(&p->policy, &auth, OP_READ_VITALS), IOMT_RESULT_OK);
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, &auth, OP_FIRMWARE_UPDATE,
                                   now, &permit),
           IOMT_RESULT_AUTHZ_NOT_PERMITTED);

    /* The patient's consent: nurses may access vitals for treatment; emergency override
     * allowed. */
    memset(&tag, 0, sizeof tag);
    tag.version = 1;
    tag.permit = 1;
    tag.break_glass = 1;
    tag.confidentiality = CONFIDENTIALITY_RESTRICTED;
    memset(tag.consent_ref, 0xc7, sizeof tag.consent_ref);
    tag.revision = 2;
    tag.purposes = 1u << PURPOSE_TREATMENT;
    tag.valid_from = now - 86400;
    tag.valid_until = now + 86400;
    tag.roles = 1u << ROLE_NURSE;
    tag.actions = 1u << ACTION_ACCESS;
    tag.classes = 1u << CLASS_VITALS;
    memset(&req, 0, sizeof req);
    req.role = ROLE_NURSE;
    req.purpose = PURPOSE_TREATMENT;
    req.action = ACTION_ACCESS;
    req.data_class = CLASS_VITALS;
    req.now = now;

    /* Permit: no audit record needed. */
    seq = next_seq(p);
    EXPECT(st, iomt_consent_enforce(&tag, &req, &p->crypto, &p->log, &auth, 900, &access),
           IOMT_RESULT_OK);
    CHECK(st, access.kind == IOMT_DECISION_KIND_PERMIT && access.expires == 0 &&
                  access.audit_seq == 0);
    CHECK(st, next_seq(p) == seq);

    /* Denied (research is not a consented purpose): refused and audited. */
    req.purpose = PURPOSE_RESEARCH;
    EXPECT(st, iomt_consent_enforce(&tag, &req, &p->crypto, &p->log, &auth, 900, &access),
           IOMT_RESULT_CONSENT_DENIED);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_CONSENT_DENIED, OUTCOME_DENIED, nurse->subject));
    CHECK(st, rec.seq == seq);

    /* A role the credential does not hold cannot be claimed: refused, and the attempt is
     * on record (an escalation attempt leaves a trace). */
    req.role = ROLE_CLINICIAN;
    req.purpose = PURPOSE_TREATMENT;
    EXPECT(st, iomt_consent_enforce(&tag, &req, &p->crypto, &p->log, &auth, 900, &access),
           IOMT_RESULT_AUTHZ_NOT_PERMITTED);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, is_record(&rec, EVENT_OPERATION_DENIED, OUTCOME_DENIED, nurse->subject));
    CHECK(st, rec.seq == seq + 1 && rec.detail[2] == ROLE_CLINICIAN);

    /* Break-glass: the emergency role is not in the consent, but the tag allows override
     * for emergency treatment: time-limited access, recorded before it is granted. */
    req.role = ROLE_EMERGENCY;
    req.purpose = PURPOSE_EMERGENCY_TREATMENT;
    EXPECT(st, iomt_consent_enforce(&tag, &req, &p->crypto, &p->log, &auth, 900, &access),
           IOMT_RESULT_OK);
    CHECK(st, access.kind == IOMT_DECISION_KIND_BREAK_GLASS && access.expires == now + 900);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, rec.seq == access.audit_seq);
    CHECK(st, is_record(&rec, EVENT_BREAK_GLASS, OUTCOME_SUCCESS, nurse->subject));
    /* A longer window than 4 h is capped. */
    EXPECT(st, iomt_consent_enforce(&tag, &req, &p->crypto, &p->log, &auth, 86400, &access),
           IOMT_RESULT_OK);
    CHECK(st, access.kind == IOMT_DECISION_KIND_BREAK_GLASS &&
                  access.expires == now + IOMT_BREAK_GLASS_MAX_TTL_SECS);
    /* Without the tag's override flag, the same request is a denial. */
    tag.break_glass = 0;
    EXPECT(st, iomt_consent_enforce(&tag, &req, &p->crypto, &p->log, &auth, 900, &access),
           IOMT_RESULT_CONSENT_DENIED);
    /* A malformed request is an error, never access. */
    req.action = 9;
    EXPECT(st, iomt_consent_enforce(&tag, &req, &p->crypto, &p->log, &auth, 900, &access),
           IOMT_RESULT_INVALID_CODE);
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);
}

/* ---- 7: firmware update ---------------------------------------------------------------- */

/* The anti-rollback counter (OTP / secure element on a real device): the installed
 * firmware version. It never goes down. */
static uint32_t g_rollback;

static int32_t rollback_current(void *userdata, uint32_t *value) {
    *value = *(const uint32_t *)userdata;
    return 0;
}

static int32_t rollback_advance(void *userdata, uint32_t to) {
    uint32_t *v = userdata;
    if (to < *v) {
        return -1;
    }
    *v = to;
    return 0;
}

/* Streams the image in 64-byte chunks (each would go to the staging slot), with the byte
 * at `corrupt` flipped (none if out of range). */
static iomt_result stream_image(iomt_update *up, size_t corrupt) {
    uint8_t chunk[64];
    size_t off, i;
    for (off = 0; off < AAA_IMAGE_LEN; off += sizeof chunk) {
        size_t n = AAA_IMAGE_LEN - off < sizeof chunk ? AAA_IMAGE_LEN - off : sizeof chunk;
        iomt_result r;
        for (i = 0; i < n; i++) {
            chunk[i] = (uint8_t)(7u * (off + i) + 3u);
            if (off + i == corrupt) {
                chunk[i] ^= 0x20;
            }
        }
        r = iomt_update_write(up, chunk, n);
        if (r != IOMT_RESULT_OK) {
            return r;
        }
    }
    return IOMT_RESULT_OK;
}

/* A fresh firmware-update permit of `auth` (permits are single-use: each update needs one). */
static iomt_permit *fw_permit(demo_stats *st, pump *p, iomt_session_auth *auth, uint64_t now,
                              iomt_permit *permit) {
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, auth, OP_FIRMWARE_UPDATE, now,
                                   permit),
           IOMT_RESULT_OK);
    return permit;
}

static void firmware_update(demo_stats *st, pump *p, app *tech, uint64_t now) {
    iomt_session_auth auth;
    iomt_permit permit, read_permit;
    iomt_vendor_anchor anchor;
    iomt_rollback_counter_ops counter;
    iomt_update up;
    iomt_update_info info;
    iomt_audit_record rec;
    uint8_t forged[sizeof AAA_UPDATE_V2];

    g_rollback = 1; /* version 1 installed */
    counter.userdata = &g_rollback;
    counter.current = rollback_current;
    counter.advance = rollback_advance;
    anchor.vendor_id = AAA_VENDOR_ID;
    anchor.device_class = AAA_DEVICE_CLASS;
    memcpy(anchor.public_key, AAA_VENDOR_PUBLIC_KEY, sizeof anchor.public_key);

    EXPECT(st, handshake(st, p, tech, GOOD_PIN, &auth, now), IOMT_RESULT_OK);
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, &auth, OP_FIRMWARE_UPDATE,
                                   now, &permit),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_rbac_authorize(&p->policy, &p->crypto, &p->log, &auth, OP_READ_AUDIT_LOG,
                                   now, &read_permit),
           IOMT_RESULT_OK);

    /* Another operation's permit does not start an update. */
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, &read_permit, &anchor, AAA_UPDATE_V2,
                                 sizeof AAA_UPDATE_V2, &counter, now),
           IOMT_RESULT_AUTHZ_WRONG_PERMIT);
    /* A manifest whose signature was tampered with, or for another device class. */
    memcpy(forged, AAA_UPDATE_V2, sizeof forged);
    forged[sizeof forged - 1] ^= 0x01;
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, fw_permit(st, p, &auth, now, &permit), &anchor, forged,
                                 sizeof forged, &counter, now),
           IOMT_RESULT_UPDATE_BAD_SIGNATURE);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, rec.event == EVENT_UPDATE_REJECTED);
    anchor.device_class = AAA_DEVICE_CLASS + 1;
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, fw_permit(st, p, &auth, now, &permit), &anchor, AAA_UPDATE_V2,
                                 sizeof AAA_UPDATE_V2, &counter, now),
           IOMT_RESULT_UPDATE_WRONG_DEVICE_CLASS);
    anchor.device_class = AAA_DEVICE_CLASS;

    /* A corrupted image: rejected at finish, audited, the counter does not move. */
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, fw_permit(st, p, &auth, now, &permit), &anchor, AAA_UPDATE_V2,
                                 sizeof AAA_UPDATE_V2, &counter, now),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_update_manifest(&up, &info), IOMT_RESULT_OK);
    CHECK(st, info.version == 2 && info.previous_version == 1 && info.image_size == AAA_IMAGE_LEN);
    EXPECT(st, stream_image(&up, 123), IOMT_RESULT_OK);
    EXPECT(st, iomt_update_finish(&up, &p->crypto, &p->log, &counter, now, &info),
           IOMT_RESULT_UPDATE_DIGEST_MISMATCH);
    CHECK(st, g_rollback == 1);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, rec.event == EVENT_UPDATE_REJECTED);
    EXPECT(st, iomt_update_write(&up, forged, 1), IOMT_RESULT_OBJECT_FAILED);
    EXPECT(st, iomt_update_deinit(&up), IOMT_RESULT_OK);

    /* The genuine image: accepted, audited, then the counter moves to 2. */
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, fw_permit(st, p, &auth, now, &permit), &anchor, AAA_UPDATE_V2,
                                 sizeof AAA_UPDATE_V2, &counter, now),
           IOMT_RESULT_OK);
    EXPECT(st, stream_image(&up, AAA_IMAGE_LEN), IOMT_RESULT_OK);
    EXPECT(st, iomt_update_write(&up, forged, 1), IOMT_RESULT_UPDATE_IMAGE_TOO_LONG);
    EXPECT(st, iomt_update_deinit(&up), IOMT_RESULT_OK);
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, fw_permit(st, p, &auth, now, &permit), &anchor, AAA_UPDATE_V2,
                                 sizeof AAA_UPDATE_V2, &counter, now),
           IOMT_RESULT_OK);
    EXPECT(st, stream_image(&up, AAA_IMAGE_LEN), IOMT_RESULT_OK);
    EXPECT(st, iomt_update_finish(&up, &p->crypto, &p->log, &counter, now, &info), IOMT_RESULT_OK);
    CHECK(st, info.accepted == 1 && info.version == 2 && info.received == AAA_IMAGE_LEN);
    CHECK(st, g_rollback == 2);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, rec.seq == info.audit_seq &&
                  is_record(&rec, EVENT_UPDATE_ACCEPTED, OUTCOME_SUCCESS, tech->subject));
    EXPECT(st, iomt_update_write(&up, forged, 1), IOMT_RESULT_WRONG_STATE);
    EXPECT(st, iomt_update_deinit(&up), IOMT_RESULT_OK);

    /* Now version 2 runs: version 1 is a downgrade, version 2 again is no update. */
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, fw_permit(st, p, &auth, now, &permit), &anchor, AAA_UPDATE_V1,
                                 sizeof AAA_UPDATE_V1, &counter, now),
           IOMT_RESULT_UPDATE_DOWNGRADE);
    EXPECT(st, last_record(p, &rec), IOMT_RESULT_OK);
    CHECK(st, rec.event == EVENT_UPDATE_REJECTED);
    EXPECT(st, iomt_update_begin(&up, &p->crypto, &p->log, &auth, fw_permit(st, p, &auth, now, &permit), &anchor, AAA_UPDATE_V2,
                                 sizeof AAA_UPDATE_V2, &counter, now),
           IOMT_RESULT_UPDATE_SAME_VERSION);
    CHECK(st, g_rollback == 2);

    EXPECT(st, iomt_permit_deinit(&permit), IOMT_RESULT_OK);
    EXPECT(st, iomt_permit_deinit(&read_permit), IOMT_RESULT_OK);
    EXPECT(st, iomt_session_auth_deinit(&auth), IOMT_RESULT_OK);
}

/* ---- 6: signed export, verified by a gateway ------------------------------------------ */

typedef struct exported {
    uint8_t challenge[IOMT_AUDIT_CHALLENGE_LEN];
    uint8_t summary[IOMT_AUDIT_SUMMARY_LEN];
    uint8_t chunks[MAX_CHUNKS][CHUNK_CAP];
    size_t chunk_len[MAX_CHUNKS];
    size_t n_chunks;
    uint32_t first_seq, count;
} exported;

/* The pump answers an export request carrying `challenge`. */
static void export_log(demo_stats *st, pump *p, const uint8_t *challenge, uint64_t now,
                       exported *ex) {
    iomt_audit_meta meta;
    size_t len = 0;
    uint32_t from, next = 0;
    uint8_t tiny[IOMT_AUDIT_RECORDS_HEADER_LEN + 1];

    memset(ex, 0, sizeof *ex);
    memcpy(ex->challenge, challenge, IOMT_AUDIT_CHALLENGE_LEN);
    EXPECT(st, iomt_audit_log_meta(&p->log, &meta), IOMT_RESULT_OK);
    ex->first_seq = meta.next_seq - meta.count;
    ex->count = meta.count;
    EXPECT(st, iomt_audit_log_export_summary(&p->log, &p->crypto, &p->cred, challenge, now,
                                             ex->summary, sizeof ex->summary, &len),
           IOMT_RESULT_OK);
    CHECK(st, len == IOMT_AUDIT_SUMMARY_LEN);
    EXPECT(st, iomt_audit_log_export_records(&p->log, ex->first_seq, meta.next_seq, 8, tiny,
                                             sizeof tiny, &len, &next),
           IOMT_RESULT_BUFFER_TOO_SMALL);
    CHECK(st, len == IOMT_AUDIT_RECORDS_HEADER_LEN + IOMT_AUDIT_RECORD_LEN);
    for (from = ex->first_seq; from < meta.next_seq && ex->n_chunks < MAX_CHUNKS; from = next) {
        EXPECT(st, iomt_audit_log_export_records(&p->log, from, meta.next_seq, RECORDS_PER_CHUNK,
                                                 ex->chunks[ex->n_chunks], CHUNK_CAP,
                                                 &ex->chunk_len[ex->n_chunks], &next),
               IOMT_RESULT_OK);
        if (next <= from) {
            break;
        }
        ex->n_chunks++;
    }
    CHECK(st, from == meta.next_seq);
}

/* The gateway: verify `ex` with `chunks` (indexes into ex->chunks, -1 ends). Returns the
 * first non-OK result (init, feed or finish), or OK with `*info` filled. */
static iomt_result gateway_verify(iomt_crypto *gw, const uint8_t *pump_key, const uint8_t *last,
                                  const uint8_t *pump_id,
                                  const uint8_t *challenge, const uint8_t *summary,
                                  const uint8_t (*chunks)[CHUNK_CAP], const size_t *lens,
                                  const int *order, iomt_audit_export_info *info) {
    iomt_audit_export_verifier v;
    iomt_result r;
    size_t i;

    r = iomt_audit_export_verifier_init(&v, gw, summary, IOMT_AUDIT_SUMMARY_LEN, pump_key,
                                        IOMT_PUBLIC_KEY_LEN, pump_id, last, challenge);
    if (r != IOMT_RESULT_OK) {
        return r;
    }
    for (i = 0; order[i] >= 0 && r == IOMT_RESULT_OK; i++) {
        r = iomt_audit_export_verifier_feed(&v, gw, chunks[order[i]], lens[order[i]]);
    }
    if (r == IOMT_RESULT_OK) {
        r = iomt_audit_export_verifier_finish(&v, info);
    } else if (iomt_audit_export_verifier_finish(&v, info) == IOMT_RESULT_OK) {
        r = IOMT_RESULT_PANIC; /* a failed verifier must never finish OK */
    }
    (void)iomt_audit_export_verifier_deinit(&v);
    return r;
}

static void audit_export(demo_stats *st, pump *p, uint64_t now) {
    static exported ex, replay;
    static uint8_t tampered[MAX_CHUNKS][CHUNK_CAP];
    iomt_crypto gw;
    iomt_audit_export_info info;
    iomt_audit_meta meta;
    iomt_audit_record rec;
    uint8_t pump_key[IOMT_PUBLIC_KEY_LEN], challenge[IOMT_AUDIT_CHALLENGE_LEN];
    uint8_t other[IOMT_AUDIT_CHALLENGE_LEN], checkpoint[IOMT_AUDIT_CHECKPOINT_LEN];
    int all[MAX_CHUNKS + 1], dropped_middle[MAX_CHUNKS + 1], dropped_last[MAX_CHUNKS + 1];
    size_t i, count = 0;
    uint32_t expect_seq;

    EXPECT(st, iomt_crypto_init(&gw, demo_rng, NULL), IOMT_RESULT_OK);
    /* The gateway knows the pump's public key (from its credential) and id. */
    EXPECT(st, iomt_credential_public_key(&p->cred, pump_key, sizeof pump_key), IOMT_RESULT_OK);
    EXPECT(st, iomt_crypto_random(&gw, challenge, sizeof challenge), IOMT_RESULT_OK);
    export_log(st, p, challenge, now, &ex);
    EXPECT(st, iomt_audit_log_meta(&p->log, &meta), IOMT_RESULT_OK);
    CHECK(st, meta.count == AUDIT_CAPACITY && meta.overwritten > 0 && meta.cleared > 0);
    CHECK(st, ex.n_chunks >= 3 && ex.n_chunks <= MAX_CHUNKS);

    /* The records as a gateway would show them (authentic once finish says OK). */
    expect_seq = ex.first_seq;
    for (i = 0; i < ex.n_chunks; i++) {
        size_t j, n = 0;
        EXPECT(st, iomt_audit_chunk_record(ex.chunks[i], ex.chunk_len[i], 0, &rec, &n),
               IOMT_RESULT_OK);
        for (j = 0; j < n; j++) {
            EXPECT(st, iomt_audit_chunk_record(ex.chunks[i], ex.chunk_len[i], j, &rec, &n),
                   IOMT_RESULT_OK);
            CHECK(st, rec.seq == expect_seq);
            expect_seq++;
        }
        EXPECT(st, iomt_audit_chunk_record(ex.chunks[i], ex.chunk_len[i], n, &rec, &n),
               IOMT_RESULT_NOT_FOUND);
        count += n;
    }
    CHECK(st, count == ex.count);
    EXPECT(st, iomt_audit_chunk_record(ex.summary, sizeof ex.summary, 0, &rec, &count),
           IOMT_RESULT_AUDIT_MALFORMED);

    for (i = 0; i < ex.n_chunks; i++) {
        all[i] = (int)i;
    }
    all[ex.n_chunks] = -1;
    /* All of it: authentic and complete. */
    memset(&info, 0, sizeof info);
    EXPECT(st, gateway_verify(&gw, pump_key, NULL, p->id, challenge, ex.summary,
                              (const uint8_t(*)[CHUNK_CAP])ex.chunks, ex.chunk_len, all, &info),
           IOMT_RESULT_OK);
    CHECK(st, same(info.device, p->id, IOMT_SUBJECT_LEN) && info.exported_at == now);
    CHECK(st, info.first_seq == ex.first_seq && info.count == ex.count);
    CHECK(st, info.overwritten == meta.overwritten && info.cleared == meta.cleared);
    CHECK(st, same(info.head, meta.head, sizeof meta.head));
    /* The gateway keeps info.checkpoint: the next export must continue it. The same log
     * verifies against it; a log that ends earlier (newest records erased) does not. */
    memcpy(checkpoint, info.checkpoint, sizeof checkpoint);
    EXPECT(st, gateway_verify(&gw, pump_key, checkpoint, p->id, challenge, ex.summary,
                              (const uint8_t(*)[CHUNK_CAP])ex.chunks, ex.chunk_len, all, &info),
           IOMT_RESULT_OK);
    memset(checkpoint + IOMT_SUBJECT_LEN, 0xff, 4); /* the gateway had seen more records */
    EXPECT(st, gateway_verify(&gw, pump_key, checkpoint, p->id, challenge, ex.summary,
                              (const uint8_t(*)[CHUNK_CAP])ex.chunks, ex.chunk_len, all, &info),
           IOMT_RESULT_AUDIT_CHECKPOINT_REGRESSION);

    /* One byte of one record edited in transit: the chain does not reach the signed head. */
    memcpy(tampered, ex.chunks, sizeof tampered);
    tampered[1][IOMT_AUDIT_RECORDS_HEADER_LEN + IOMT_AUDIT_RECORD_LEN - 1] ^= 0x01;
    EXPECT(st, gateway_verify(&gw, pump_key, NULL, p->id, challenge, ex.summary,
                              (const uint8_t(*)[CHUNK_CAP])tampered, ex.chunk_len, all, &info),
           IOMT_RESULT_AUDIT_CHAIN_MISMATCH);

    /* A chunk dropped in the middle is a gap; the last one dropped leaves it incomplete. */
    memcpy(dropped_middle, all, sizeof all);
    memmove(&dropped_middle[1], &dropped_middle[2], (ex.n_chunks - 1) * sizeof(int));
    EXPECT(st, gateway_verify(&gw, pump_key, NULL, p->id, challenge, ex.summary,
                              (const uint8_t(*)[CHUNK_CAP])ex.chunks, ex.chunk_len,
                              dropped_middle, &info),
           IOMT_RESULT_AUDIT_SEQUENCE_GAP);
    memcpy(dropped_last, all, sizeof all);
    dropped_last[ex.n_chunks - 1] = -1;
    EXPECT(st, gateway_verify(&gw, pump_key, NULL, p->id, challenge, ex.summary,
                              (const uint8_t(*)[CHUNK_CAP])ex.chunks, ex.chunk_len, dropped_last,
                              &info),
           IOMT_RESULT_AUDIT_INCOMPLETE);

    /* The old export replayed to a new request (another challenge) is refused. */
    EXPECT(st, iomt_crypto_random(&gw, other, sizeof other), IOMT_RESULT_OK);
    EXPECT(st, gateway_verify(&gw, pump_key, NULL, p->id, other, ex.summary,
                              (const uint8_t(*)[CHUNK_CAP])ex.chunks, ex.chunk_len, all, &info),
           IOMT_RESULT_AUDIT_CHALLENGE_MISMATCH);
    /* A fresh export for that challenge verifies. */
    export_log(st, p, other, now + 5, &replay);
    for (i = 0; i < replay.n_chunks; i++) {
        all[i] = (int)i;
    }
    all[replay.n_chunks] = -1;
    EXPECT(st, gateway_verify(&gw, pump_key, NULL, p->id, other, replay.summary,
                              (const uint8_t(*)[CHUNK_CAP])replay.chunks, replay.chunk_len, all,
                              &info),
           IOMT_RESULT_OK);
    /* A summary with a flipped signature byte, or from another device id, is refused. */
    replay.summary[IOMT_AUDIT_SUMMARY_LEN - 1] ^= 0x80;
    EXPECT(st, gateway_verify(&gw, pump_key, NULL, p->id, other, replay.summary,
                              (const uint8_t(*)[CHUNK_CAP])replay.chunks, replay.chunk_len, all,
                              &info),
           IOMT_RESULT_AUDIT_SIGNATURE_INVALID);
    replay.summary[IOMT_AUDIT_SUMMARY_LEN - 1] ^= 0x80;
    {
        uint8_t someone_else[IOMT_SUBJECT_LEN];
        memcpy(someone_else, p->id, sizeof someone_else);
        someone_else[0] ^= 0xff;
        EXPECT(st, gateway_verify(&gw, pump_key, NULL, someone_else, other, replay.summary,
                                  (const uint8_t(*)[CHUNK_CAP])replay.chunks, replay.chunk_len,
                                  all, &info),
               IOMT_RESULT_AUDIT_DEVICE_MISMATCH);
    }

    /* On the pump: the stored chain verifies; a flipped bit in one flash slot does not. */
    EXPECT(st, iomt_audit_log_verify(&p->log, &p->crypto), IOMT_RESULT_OK);
    g_audit_flash.slots[3][20] ^= 0x04;
    EXPECT(st, iomt_audit_log_verify(&p->log, &p->crypto), IOMT_RESULT_AUDIT_CORRUPT);
    g_audit_flash.slots[3][20] ^= 0x04;
    EXPECT(st, iomt_audit_log_verify(&p->log, &p->crypto), IOMT_RESULT_OK);

    EXPECT(st, iomt_crypto_deinit(&gw), IOMT_RESULT_OK);
}

/* ---- 8: revocation of a stolen credential ------------------------------------------------ */

static void revocation(demo_stats *st, pump *p, app *nurse, uint64_t now) {
    static uint8_t forged[sizeof AAA_REVOCATION_LIST_1];
    iomt_handshake ini, resp;
    iomt_audit_record rec;
    uint8_t m[IOMT_MAX_MESSAGE_LEN];
    size_t n = 0;
    uint32_t number = 0, floor = 0, seq = 0;

    /* The authority's list (number 1) is installed; the same list again is refused, and so
     * is a list with one flipped signature bit. The floor to persist is now 1. */
    EXPECT(st,
           iomt_trust_store_install_revocations(
               &p->trust, &p->crypto, AAA_REVOCATION_LIST_1, sizeof AAA_REVOCATION_LIST_1,
               AAA_AUTHORITY_PUBLIC_KEY, sizeof AAA_AUTHORITY_PUBLIC_KEY, &number),
           IOMT_RESULT_OK);
    CHECK(st, number == 1);
    EXPECT(st,
           iomt_trust_store_install_revocations(
               &p->trust, &p->crypto, AAA_REVOCATION_LIST_1, sizeof AAA_REVOCATION_LIST_1,
               AAA_AUTHORITY_PUBLIC_KEY, sizeof AAA_AUTHORITY_PUBLIC_KEY, &number),
           IOMT_RESULT_REVOCATION_SAME_NUMBER);
    memcpy(forged, AAA_REVOCATION_LIST_1, sizeof forged);
    forged[sizeof forged - 1] ^= 0x01;
    EXPECT(st,
           iomt_trust_store_install_revocations(&p->trust, &p->crypto, forged, sizeof forged,
                                                AAA_AUTHORITY_PUBLIC_KEY,
                                                sizeof AAA_AUTHORITY_PUBLIC_KEY, &number),
           IOMT_RESULT_REVOCATION_BAD_SIGNATURE);
    EXPECT(st, iomt_trust_store_revocation_floor(&p->trust, &floor), IOMT_RESULT_OK);
    CHECK(st, floor == 1);

    /* The stolen app tries: the pump refuses her credential at message_3. */
    init_pair(st, &ini, &resp);
    EXPECT(st, iomt_handshake_write_message_1(&ini, &nurse->crypto, NULL, 0, m, sizeof m, &n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_read_message_1(&resp, &p->crypto, m, n), IOMT_RESULT_OK);
    EXPECT(st,
           iomt_handshake_write_message_2(&resp, &p->crypto, &p->cred, NULL, 0, m, sizeof m, &n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_read_message_2(&ini, &nurse->crypto, &nurse->trust, m, n),
           IOMT_RESULT_OK);
    EXPECT(st,
           iomt_handshake_write_message_3(&ini, &nurse->crypto, &nurse->cred, NULL, 0, m,
                                          sizeof m, &n),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_read_message_3(&resp, &p->crypto, &p->trust, m, n),
           IOMT_RESULT_CREDENTIAL_REVOKED);
    /* The app is told "unknown credential" (ERR_CODE 3), nothing more. */
    EXPECT(st, iomt_handshake_error_message(&resp, m, sizeof m, &n), IOMT_RESULT_OK);
    CHECK(st, n >= 1 && m[0] == 0x03);
    /* The pump's audit trail has the refusal with its code (560, big-endian). */
    EXPECT(st, iomt_audit_log_record_handshake(&p->log, &p->crypto, &resp, now, &seq),
           IOMT_RESULT_OK);
    EXPECT(st, iomt_audit_log_read(&p->log, seq, &rec), IOMT_RESULT_OK);
    CHECK(st, rec.event == EVENT_HANDSHAKE_FAILED && rec.outcome == OUTCOME_FAILURE);
    CHECK(st, rec.detail[2] == 0x02 && rec.detail[3] == 0x30);
    EXPECT(st, iomt_handshake_deinit(&ini), IOMT_RESULT_OK);
    EXPECT(st, iomt_handshake_deinit(&resp), IOMT_RESULT_OK);
}

int main(void) {
    static pump p;
    static app tech, nurse;
    demo_stats st = {0, 0};
    const uint64_t now = 1850000000u;
    unsigned before;

    pump_setup(&st, &p);
    app_setup(&st, &tech, DEMO_SK_I, DEMO_CRED_I, sizeof DEMO_CRED_I, DEMO_KID_I, "tech-alice");
    app_setup(&st, &nurse, AAA_SK_NURSE, AAA_CRED_NURSE, sizeof AAA_CRED_NURSE, AAA_KID_NURSE,
              "er-nurse-7");

    before = st.failed;
    authorized_operator(&st, &p, &tech, now);
    demo_log(st.failed == before ? "operator factor + RBAC: ok" : "operator factor + RBAC: FAILED");
    before = st.failed;
    wrong_pin(&st, &p, &tech, now + 60);
    demo_log(st.failed == before ? "wrong PIN + lockout: ok" : "wrong PIN + lockout: FAILED");
    before = st.failed;
    firmware_update(&st, &p, &tech, now + 400);
    demo_log(st.failed == before ? "firmware update: ok" : "firmware update: FAILED");
    before = st.failed;
    consent(&st, &p, &nurse, now + 600);
    demo_log(st.failed == before ? "consent + break-glass: ok" : "consent + break-glass: FAILED");
    before = st.failed;
    audit_export(&st, &p, now + 900);
    demo_log(st.failed == before ? "audit export: ok" : "audit export: FAILED");
    before = st.failed;
    revocation(&st, &p, &nurse, now + 1000);
    demo_log(st.failed == before ? "revocation: ok" : "revocation: FAILED");

    app_teardown(&st, &tech);
    app_teardown(&st, &nurse);
    pump_teardown(&st, &p);
    printf("c-aaa: %u passed, %u failed\n", st.passed, st.failed);
    return st.failed == 0 ? 0 : 1;
}
