/*
 * A device (EDHOC initiator) and a gateway (EDHOC responder) in one process. Every
 * object lives in caller-allocated storage: no malloc.
 */
#include <string.h>

#include "demo.h"
#include "demo_creds.h"

/* Codes come from iomt.h (IOMT_ROLE_*, IOMT_PURPOSE_*, IOMT_UNIT_*, ...). */
enum { EAD_LABEL = 42 };

void demo_check(demo_stats *stats, int cond, const char *what) {
    if (cond) {
        stats->passed++;
    } else {
        stats->failed++;
        demo_log("FAILED:");
        demo_log(what);
    }
}

#define CHECK(stats, cond) demo_check((stats), (cond), #cond)
#define OK(stats, call) demo_check((stats), (call) == IOMT_RESULT_OK, #call)

static int same(const uint8_t *a, const uint8_t *b, size_t n) {
    return memcmp(a, b, n) == 0;
}

static void consent_tag(iomt_consent_tag *tag) {
    memset(tag, 0, sizeof *tag);
    tag->version = 1;
    tag->permit = 1;
    tag->confidentiality = IOMT_CONFIDENTIALITY_NORMAL;
    memset(tag->consent_ref, 0x5a, sizeof tag->consent_ref);
    tag->revision = 3;
    tag->purposes = 1u << IOMT_PURPOSE_TREATMENT;
    tag->valid_from = 1800000000u;
    tag->valid_until = 1900000000u;
    tag->roles = (1u << IOMT_ROLE_CLINICIAN) | (1u << IOMT_ROLE_NURSE);
    tag->actions = (1u << IOMT_ACTION_COLLECT) | (1u << IOMT_ACTION_ACCESS);
    tag->classes = 1u << IOMT_DATA_CLASS_VITALS;
}

/* Frames both ways over two established sessions. */
static void exchange_frames(demo_stats *st, iomt_session *dev_s, iomt_crypto *dev_c,
                            iomt_session *gw_s, iomt_crypto *gw_c) {
    uint8_t tag_bytes[IOMT_MAX_CONSENT_TAG_LEN];
    uint8_t frame[IOMT_MAX_FRAME_LEN];
    uint8_t copy[IOMT_MAX_FRAME_LEN];
    uint8_t payload[IOMT_MAX_VITALS_LEN];
    size_t tag_len = 0, frame_len = 0, payload_len = 0, count = 0;
    iomt_consent_tag tag, governing;
    iomt_opened opened;
    iomt_reading out[IOMT_MAX_READINGS];
    iomt_reading readings[2];
    iomt_access_request request;
    iomt_decision decision;
    iomt_session_info info;

    /* The device installs its patient's consent in slot 0. */
    consent_tag(&tag);
    OK(st, iomt_consent_tag_encode(&tag, tag_bytes, sizeof tag_bytes, &tag_len));
    OK(st, iomt_session_send_consent(dev_s, dev_c, 0, tag_bytes, tag_len, frame, sizeof frame,
                                     &frame_len));
    OK(st, iomt_session_open(gw_s, gw_c, frame, frame_len, &opened));
    CHECK(st, opened.frame_type == IOMT_FRAME_TYPE_CONSENT && opened.consent_slot == 0);

    /* Vital signs bound to that consent. */
    memset(readings, 0, sizeof readings);
    readings[0].kind = IOMT_VITAL_KIND_HEART_RATE;
    readings[0].unit = IOMT_UNIT_BEATS_PER_MINUTE;
    readings[0].mantissa = 72;
    readings[0].timestamp_ms = 1850000000000ull;
    readings[0].sequence = 1;
    readings[1].kind = IOMT_VITAL_KIND_SPO2;
    readings[1].unit = IOMT_UNIT_PERCENT;
    readings[1].mantissa = 975;
    readings[1].exponent = -1;
    readings[1].timestamp_ms = 1850000000500ull;
    readings[1].sequence = 2;
    OK(st, iomt_vitals_encode(readings, 2, payload, sizeof payload, &payload_len));
    OK(st, iomt_session_seal(dev_s, dev_c, 0, payload, payload_len, frame, sizeof frame,
                             &frame_len));
    memcpy(copy, frame, frame_len);
    OK(st, iomt_session_open(gw_s, gw_c, frame, frame_len, &opened));
    CHECK(st, opened.frame_type == IOMT_FRAME_TYPE_DATA && opened.consent_slot == 0);
    CHECK(st, opened.consent_tag != NULL && opened.consent_tag_len == tag_len);
    OK(st, iomt_vitals_decode(opened.payload, opened.payload_len, out, IOMT_MAX_READINGS,
                              &count));
    CHECK(st, count == 2 && out[0].mantissa == 72 && out[1].kind == IOMT_VITAL_KIND_SPO2);

    /* The gateway enforces the consent that came with the data. */
    OK(st, iomt_consent_tag_decode(opened.consent_tag, opened.consent_tag_len, &governing));
    memset(&request, 0, sizeof request);
    request.role = IOMT_ROLE_NURSE;
    request.purpose = IOMT_PURPOSE_TREATMENT;
    request.action = IOMT_ACTION_ACCESS;
    request.data_class = IOMT_DATA_CLASS_VITALS;
    request.now = 1850000000u;
    OK(st, iomt_consent_evaluate(&governing, &request, &decision));
    CHECK(st, decision.kind == IOMT_DECISION_KIND_PERMIT);
    request.role = IOMT_ROLE_RESEARCHER;
    OK(st, iomt_consent_evaluate(&governing, &request, &decision));
    CHECK(st, decision.kind == IOMT_DECISION_KIND_DENY && decision.deny_reason == IOMT_DENY_REASON_ROLE_NOT_COVERED);

    /* A replayed frame is rejected; a tampered one too, and the session goes on. */
    CHECK(st, iomt_session_open(gw_s, gw_c, copy, frame_len, &opened) ==
                  IOMT_RESULT_FRAME_REPLAYED);
    OK(st, iomt_session_seal(dev_s, dev_c, IOMT_NO_CONSENT_SLOT, payload, payload_len, frame,
                             sizeof frame, &frame_len));
    memcpy(copy, frame, frame_len);
    copy[frame_len - 1] ^= 0x01;
    CHECK(st, iomt_session_open(gw_s, gw_c, copy, frame_len, &opened) ==
                  IOMT_RESULT_FRAME_AUTHENTICATION_FAILED);
    OK(st, iomt_session_open(gw_s, gw_c, frame, frame_len, &opened));
    CHECK(st, opened.consent_slot == IOMT_NO_CONSENT_SLOT && opened.consent_tag == NULL);

    /* Gateway to device. */
    OK(st, iomt_session_seal(gw_s, gw_c, IOMT_NO_CONSENT_SLOT, (const uint8_t *)"ack", 3, frame,
                             sizeof frame, &frame_len));
    OK(st, iomt_session_open(dev_s, dev_c, frame, frame_len, &opened));
    CHECK(st, opened.payload_len == 3 && same(opened.payload, (const uint8_t *)"ack", 3));

    /* Key update: the device ratchets, the gateway follows. */
    OK(st, iomt_session_update_send_key(dev_s, dev_c));
    OK(st, iomt_session_seal(dev_s, dev_c, 0, payload, payload_len, frame, sizeof frame,
                             &frame_len));
    OK(st, iomt_session_open(gw_s, gw_c, frame, frame_len, &opened));
    CHECK(st, opened.epoch == 1 && opened.seq == 0);

    /* Close. */
    OK(st, iomt_session_close(dev_s, dev_c, 0, frame, sizeof frame, &frame_len));
    OK(st, iomt_session_open(gw_s, gw_c, frame, frame_len, &opened));
    CHECK(st, opened.frame_type == IOMT_FRAME_TYPE_CLOSE);
    OK(st, iomt_session_get_info(gw_s, &info));
    CHECK(st, info.closed == 1);
    CHECK(st, iomt_session_seal(gw_s, gw_c, IOMT_NO_CONSENT_SLOT, payload, 1, frame, sizeof frame,
                                &frame_len) == IOMT_RESULT_SESSION_CLOSED);
}

/* Misuse as an attacker (or a hurried integrator) would: no second session from one
 * handshake, no reset of a replay window by re-initialising, no live copies, no session
 * keys through the exporter. Runs on fresh, open sessions. */
static void nonce_reuse_is_impossible(demo_stats *st, iomt_handshake *dev, iomt_crypto *dev_c,
                                      iomt_session *dev_s, iomt_handshake *gw,
                                      iomt_crypto *gw_c, iomt_session *gw_s) {
    iomt_session second, copy;
    iomt_handshake hs_copy;
    iomt_opened opened;
    iomt_session_info info;
    uint8_t frame[64], replay[64], key[16];
    size_t n = 0;
    const uint8_t payload[3] = {1, 2, 3};

    memset(&second, 0, sizeof second);
    /* A second session from one handshake would seal with the first one's key and nonce. */
    CHECK(st, iomt_session_init(&second, dev, dev_c) ==
                  IOMT_RESULT_HANDSHAKE_CHANNEL_ALREADY_STARTED);
    CHECK(st, iomt_session_init(&second, gw, gw_c) ==
                  IOMT_RESULT_HANDSHAKE_CHANNEL_ALREADY_STARTED);
    CHECK(st, iomt_session_get_info(&second, &info) == IOMT_RESULT_NOT_INITIALIZED);
    /* Re-initialising the live session (a "reconnect") cannot empty its replay window. */
    OK(st, iomt_session_seal(dev_s, dev_c, IOMT_NO_CONSENT_SLOT, payload, sizeof payload, frame,
                             sizeof frame, &n));
    memcpy(replay, frame, n);
    OK(st, iomt_session_open(gw_s, gw_c, frame, n, &opened));
    CHECK(st, iomt_session_init(gw_s, gw, gw_c) ==
                  IOMT_RESULT_HANDSHAKE_CHANNEL_ALREADY_STARTED);
    CHECK(st, iomt_session_open(gw_s, gw_c, replay, n, &opened) == IOMT_RESULT_FRAME_REPLAYED);
    /* A struct copy of a live session or handshake is not live. */
    copy = *dev_s;
    CHECK(st, iomt_session_seal(&copy, dev_c, IOMT_NO_CONSENT_SLOT, payload, sizeof payload,
                                frame, sizeof frame, &n) == IOMT_RESULT_NOT_INITIALIZED);
    CHECK(st, iomt_session_get_info(&copy, &info) == IOMT_RESULT_NOT_INITIALIZED);
    hs_copy = *dev;
    CHECK(st, iomt_session_init(&second, &hs_copy, dev_c) == IOMT_RESULT_NOT_INITIALIZED);
    /* The session's exporter labels are the library's alone. */
    CHECK(st, iomt_handshake_export(dev, dev_c, 32768, NULL, 0, key, sizeof key) ==
                  IOMT_RESULT_HANDSHAKE_RESERVED_EXPORTER_LABEL);
    /* The original session still works. */
    OK(st, iomt_session_get_info(dev_s, &info));
}

int demo_run(demo_stats *st, uint8_t method, uint8_t suite, int message_4) {
    iomt_crypto dev_c, gw_c;
    iomt_credential dev_cred, gw_cred;
    iomt_trust_store dev_trust, gw_trust;
    iomt_handshake dev;
    iomt_handshake gw;
    iomt_session dev_s, gw_s;
    uint8_t m1[IOMT_MAX_MESSAGE_LEN], m2[IOMT_MAX_MESSAGE_LEN], m3[IOMT_MAX_MESSAGE_LEN];
    uint8_t m4[IOMT_MAX_MESSAGE_LEN];
    size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
    uint8_t k_dev[16], k_gw[16];
    const uint8_t suites_i[1] = {suite};
    const uint8_t suites_r[2] = {2, 5};
    const uint8_t c_i[1] = {0x37};
    const uint8_t c_r[1] = {0x27};
    const uint16_t labels[1] = {EAD_LABEL};
    const uint8_t v1[] = "ead-1", v2[] = "ead-2", v3[] = "ead-3";
    iomt_ead_item ead1, ead2, ead3, got;
    iomt_initiator_config icfg;
    iomt_responder_config rcfg;
    iomt_handshake_state state;
    iomt_peer_info peer;
    unsigned failed_before = st->failed;

    OK(st, iomt_crypto_init(&dev_c, demo_rng, NULL));
    OK(st, iomt_crypto_init(&gw_c, demo_rng, NULL));
    OK(st, iomt_credential_init(&dev_cred, DEMO_SK_I, sizeof DEMO_SK_I, DEMO_CRED_I,
                                sizeof DEMO_CRED_I, DEMO_KID_I, sizeof DEMO_KID_I));
    OK(st, iomt_credential_init(&gw_cred, DEMO_SK_R, sizeof DEMO_SK_R, DEMO_CRED_R,
                                sizeof DEMO_CRED_R, DEMO_KID_R, sizeof DEMO_KID_R));
    OK(st, iomt_trust_store_init(&dev_trust));
    OK(st, iomt_trust_store_add(&dev_trust, DEMO_CRED_R, sizeof DEMO_CRED_R, DEMO_KID_R,
                                sizeof DEMO_KID_R, (const uint8_t *)"gateway-01", 10,
                                1u << IOMT_ROLE_GATEWAY));
    OK(st, iomt_trust_store_init(&gw_trust));
    OK(st, iomt_trust_store_add(&gw_trust, DEMO_CRED_I, sizeof DEMO_CRED_I, DEMO_KID_I,
                                sizeof DEMO_KID_I, (const uint8_t *)"pump-0042", 9,
                                1u << IOMT_ROLE_DEVICE));

    memset(&icfg, 0, sizeof icfg);
    icfg.method = method;
    icfg.expect_message_4 = (uint8_t)(message_4 != 0);
    icfg.suites = suites_i;
    icfg.suites_len = 1;
    icfg.c_i = c_i;
    icfg.c_i_len = 1;
    icfg.ead_labels = labels;
    icfg.ead_labels_len = 1;
    memset(&rcfg, 0, sizeof rcfg);
    rcfg.methods = 0x0F;
    rcfg.send_message_4 = (uint8_t)(message_4 != 0);
    rcfg.suites = suites_r;
    rcfg.suites_len = 2;
    rcfg.c_r = c_r;
    rcfg.c_r_len = 1;
    rcfg.ead_labels = labels;
    rcfg.ead_labels_len = 1;
    OK(st, iomt_handshake_init_initiator(&dev, &icfg));
    OK(st, iomt_handshake_init_responder(&gw, &rcfg));

    /* message_1 with a critical EAD item the gateway understands. */
    ead1.label = -EAD_LABEL;
    ead1.value = v1;
    ead1.value_len = 5;
    OK(st, iomt_handshake_write_message_1(&dev, &dev_c, &ead1, 1, m1, sizeof m1, &n1));
    OK(st, iomt_handshake_read_message_1(&gw, &gw_c, m1, n1));
    OK(st, iomt_handshake_received_ead(&gw, 0, &got));
    CHECK(st, got.label == -EAD_LABEL && got.value_len == 5 && same(got.value, v1, 5));
    CHECK(st, iomt_handshake_received_ead(&gw, 1, &got) == IOMT_RESULT_NOT_FOUND);

    ead2.label = EAD_LABEL;
    ead2.value = v2;
    ead2.value_len = 5;
    OK(st, iomt_handshake_write_message_2(&gw, &gw_c, &gw_cred, &ead2, 1, m2, sizeof m2, &n2));
    OK(st, iomt_handshake_read_message_2(&dev, &dev_c, &dev_trust, m2, n2));
    OK(st, iomt_handshake_received_ead(&dev, 0, &got));
    CHECK(st, got.label == EAD_LABEL && same(got.value, v2, 5));

    ead3.label = EAD_LABEL;
    ead3.value = v3;
    ead3.value_len = 5;
    OK(st, iomt_handshake_write_message_3(&dev, &dev_c, &dev_cred, &ead3, 1, m3, sizeof m3, &n3));
    OK(st, iomt_handshake_read_message_3(&gw, &gw_c, &gw_trust, m3, n3));
    OK(st, iomt_handshake_received_ead(&gw, 0, &got));
    CHECK(st, got.label == EAD_LABEL && same(got.value, v3, 5));
    if (message_4) {
        OK(st, iomt_handshake_write_message_4(&gw, &gw_c, NULL, 0, m4, sizeof m4, &n4));
        OK(st, iomt_handshake_read_message_4(&dev, &dev_c, m4, n4));
    }
    OK(st, iomt_handshake_get_state(&dev, &state));
    CHECK(st, state == IOMT_HANDSHAKE_STATE_COMPLETE);
    OK(st, iomt_handshake_get_state(&gw, &state));
    CHECK(st, state == IOMT_HANDSHAKE_STATE_COMPLETE);

    /* Who is on the other side, as each trust store says. */
    OK(st, iomt_handshake_peer(&dev, &peer));
    CHECK(st, same(peer.identity, (const uint8_t *)"gateway-01", 10) &&
                  peer.roles == (1u << IOMT_ROLE_GATEWAY) && peer.suite == suite &&
                  peer.method == method);
    OK(st, iomt_handshake_peer(&gw, &peer));
    CHECK(st, same(peer.identity, (const uint8_t *)"pump-0042", 9) &&
                  peer.roles == (1u << IOMT_ROLE_DEVICE) && peer.c_r_len == 1 && peer.c_r[0] == 0x27);

    /* Both sides export the same key material. */
    OK(st, iomt_handshake_export(&dev, &dev_c, 0x9000, (const uint8_t *)"demo", 4, k_dev,
                                 sizeof k_dev));
    OK(st, iomt_handshake_export(&gw, &gw_c, 0x9000, (const uint8_t *)"demo", 4, k_gw,
                                 sizeof k_gw));
    CHECK(st, same(k_dev, k_gw, sizeof k_dev));

    /* Sessions, then frames. */
    OK(st, iomt_session_init(&dev_s, &dev, &dev_c));
    OK(st, iomt_session_init(&gw_s, &gw, &gw_c));
    nonce_reuse_is_impossible(st, &dev, &dev_c, &dev_s, &gw, &gw_c, &gw_s);
    exchange_frames(st, &dev_s, &dev_c, &gw_s, &gw_c);

    /* EDHOC KeyUpdate on both sides keeps the exporters in step. */
    OK(st, iomt_handshake_key_update(&dev, &dev_c, (const uint8_t *)"ku", 2));
    OK(st, iomt_handshake_key_update(&gw, &gw_c, (const uint8_t *)"ku", 2));
    OK(st, iomt_handshake_export(&dev, &dev_c, 0x9000, NULL, 0, k_dev, sizeof k_dev));
    OK(st, iomt_handshake_export(&gw, &gw_c, 0x9000, NULL, 0, k_gw, sizeof k_gw));
    CHECK(st, same(k_dev, k_gw, sizeof k_dev));
    /* ... and begins a new key epoch: exactly one new session per side. */
    OK(st, iomt_session_deinit(&dev_s));
    OK(st, iomt_session_deinit(&gw_s));
    OK(st, iomt_session_init(&dev_s, &dev, &dev_c));
    OK(st, iomt_session_init(&gw_s, &gw, &gw_c));
    CHECK(st, iomt_session_init(&dev_s, &dev, &dev_c) ==
                  IOMT_RESULT_HANDSHAKE_CHANNEL_ALREADY_STARTED);
    exchange_frames(st, &dev_s, &dev_c, &gw_s, &gw_c);

    OK(st, iomt_session_deinit(&dev_s));
    OK(st, iomt_session_deinit(&gw_s));
    OK(st, iomt_handshake_deinit(&dev));
    OK(st, iomt_handshake_deinit(&gw));
    OK(st, iomt_trust_store_deinit(&dev_trust));
    OK(st, iomt_trust_store_deinit(&gw_trust));
    OK(st, iomt_credential_deinit(&dev_cred));
    OK(st, iomt_credential_deinit(&gw_cred));
    OK(st, iomt_crypto_deinit(&dev_c));
    OK(st, iomt_crypto_deinit(&gw_c));
    return st->failed != failed_before;
}
