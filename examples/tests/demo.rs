//! Runs the demo in-process (short) and checks its FHIR output and its counters.
#![cfg(test)] // lets clippy's allow-unwrap-in-tests cover the helper functions

mod fhir_output;

use core::time::Duration;
use std::collections::HashMap;

use fhir_output::run_demo;
use iomt_auth::edhoc::Method;
use iomt_core::{EcgLead, MdcCode, Unit, VitalKind};
use iomt_examples::demo::{Config, NARROWED_ROW, WITHDRAWN_ROW};
use iomt_examples::fhir::{ACT_REASON_SYSTEM, Destination, LOINC_SYSTEM, MDC_SYSTEM, UCUM_SYSTEM};
use serde_json::Value;

/// Row 0's research consent was withdrawn mid-run by a newer revision (treatment only):
/// research output stopped from the first frame after it while treatment continued, and
/// the device re-bound its data to the newer tag the gateway sent it.
fn assert_narrowed(summary: &iomt_examples::demo::Summary) {
    assert!(summary.consent.narrowed_applied);
    let r = &summary.rows[NARROWED_ROW];
    let [before, after] = r.gateway.released;
    let (ward, research) = (0, 1);
    assert!(before[ward] > 0 && before[research] > 0, "{before:?}");
    assert!(after[ward] > 0, "treatment continues: {after:?}");
    assert_eq!(after[research], 0, "research stopped at once: {after:?}");
    assert_eq!(r.gateway.consent.as_ref().map(|t| t.revision), Some(2));
    assert_eq!(r.gateway.consent_updates_sent, 1);
    assert_eq!(r.device.consent_updates, 1, "{:?}", r.device);
    assert!(!r.gateway.consent_required_sent && !r.device.consent_required);
}

fn coding<'a>(obs: &'a Value, system: &str) -> Option<&'a Value> {
    obs["code"]["coding"]
        .as_array()?
        .iter()
        .find(|c| c["system"] == system)
}

fn security_codes(obs: &Value) -> Vec<String> {
    obs["meta"]["security"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["system"] == ACT_REASON_SYSTEM)
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn demo_with_tampering_exports_only_permitted_fhir_and_rejects_every_injected_frame() {
    let (summary, out) = run_demo(
        "tamper",
        Config {
            devices: 6,
            duration: Duration::from_millis(2600),
            tamper: true,
            ..Config::default()
        },
    );
    print!("{}", summary.table());
    assert!(summary.all_ok(), "{}", summary.table());
    // --tamper adds dev-006 (self-made tag) and dev-007 (dev-000's signed tag, copied).
    assert_eq!(summary.rows.len(), 8);
    assert_eq!(summary.consent.forged_rows, vec![6, 7]);
    let code = |i: usize| summary.rows[i].gateway.consent_refusal_code;
    assert_eq!(
        (code(6), code(7)),
        (533, 535),
        "unknown authority, other device"
    );
    for i in [6, 7] {
        assert_eq!(summary.rows[i].gateway.observations, 0, "nothing released");
        assert_eq!(summary.rows[i].gateway.consent_refused, 1);
    }
    // The expired profile is refused at install (538); the genuine others verify.
    assert_eq!(code(2), 538);
    for i in [0, 1, 3, 4, 5] {
        assert_eq!(code(i), 0, "{i}");
    }
    // Mid-run withdrawal of dev-001's consent: applied, the next frame refused, none
    // released after it; the gateway closed the session with ConsentRequired and the
    // device stopped on it.
    assert!(summary.consent.withdrawal_applied);
    let w = &summary.rows[WITHDRAWN_ROW];
    assert_eq!(
        w.gateway.withdrawn_frames, 1,
        "refused within one frame, then closed"
    );
    assert_eq!(w.gateway.released_after_withdrawal, 0);
    assert!(w.gateway.consent_required_sent && w.device.consent_required);
    assert_narrowed(&summary);

    // Tampering: injected on every device, every one rejected, no genuine frame lost.
    for r in &summary.rows {
        if r.gateway.consent_required_sent {
            // Closed at half-run (the withdrawal): how many injections it reached before
            // the close depends on how long its handshake took (debug build, loaded
            // machine), so at least one of each; its in-flight frames are dropped
            // (checked by all_ok).
            assert!(
                r.device.replays_injected >= 1 && r.device.modified_injected >= 1,
                "{r:?}"
            );
            continue;
        }
        assert!(
            r.device.replays_injected >= 2 && r.device.modified_injected >= 2,
            "{r:?}"
        );
        assert_eq!(r.gateway.replays_rejected, r.device.replays_injected);
        assert_eq!(r.gateway.tamper_rejected, r.device.modified_injected);
        assert_eq!(r.gateway.frames, r.device.frames_sent);
        assert_eq!(r.gateway.method_suite, Some((3, 2)));
    }

    // Accounting: every handshake, denial, break-glass grant and rejected frame is in the
    // gateway's hash-chained audit log, and the chain verifies.
    let a = summary.audit;
    assert!(a.chain_verified);
    assert_eq!(a.overwritten, 0, "the ring is large enough for this run");
    let total = |f: fn(&iomt_examples::gateway::ConnReport) -> u64| -> u64 {
        summary.rows.iter().map(|r| f(&r.gateway)).sum()
    };
    assert_eq!(u64::from(a.handshakes), 8);
    // denials per use, refused tags, and the one withdrawal record
    assert_eq!(
        u64::from(a.consent_denied),
        total(|g| g.denials) + total(|g| g.consent_refused) + 1
    );
    assert_eq!(u64::from(a.break_glass), total(|g| g.break_glass));
    assert_eq!(
        u64::from(a.replay_or_forgery),
        total(|g| g.replays_rejected + g.tamper_rejected)
    );
    assert!(
        summary
            .rows
            .iter()
            .filter(|r| !r.gateway.consent_required_sent)
            .all(|r| r.device.modified_injected >= 3),
        "all tamper kinds ran"
    );

    // Every Observation's codes agree with iomt-core's table.
    let obs: Vec<&Value> = out.observations().collect();
    assert!(!obs.is_empty());
    let mut per_device: HashMap<String, Vec<&Value>> = HashMap::new();
    for o in obs.iter().copied() {
        assert_eq!(o["resourceType"], "Observation");
        assert_eq!(o["status"], "final");
        let mdc: u32 = coding(o, MDC_SYSTEM).unwrap()["code"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let mdc = MdcCode::from_code32(mdc);
        if mdc.code32() == 150_020 {
            // The blood-pressure panel: components carry the NIBP kinds.
            assert_eq!(coding(o, LOINC_SYSTEM).unwrap()["code"], "85354-9");
            assert!(o["component"].as_array().unwrap().len() >= 2);
        } else if let Some(kind) = VitalKind::from_mdc(mdc) {
            let loinc = coding(o, LOINC_SYSTEM).expect("numerics carry LOINC");
            assert_eq!(loinc["code"].as_str(), kind.loinc());
            let q = &o["valueQuantity"];
            assert_eq!(q["system"], UCUM_SYSTEM);
            let ucum = q["code"].as_str().unwrap();
            assert!(
                Unit::ALL
                    .iter()
                    .any(|u| u.ucum() == ucum && kind.accepts(*u)),
                "{kind:?} in {ucum}"
            );
            assert!(q["value"].is_number());
        } else {
            assert_eq!(EcgLead::from_mdc(mdc), Some(EcgLead::II));
            assert_eq!(o["valueSampledData"]["origin"]["code"], "mV");
            assert!(
                o["valueSampledData"]["data"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .count()
                    >= 20
            );
        }
    }
    // Identified destinations: subject and device agree; research: pseudonyms only.
    for dest in [Destination::Ehr, Destination::Emergency] {
        for o in out.get(dest) {
            let device = o["device"]["reference"]
                .as_str()
                .unwrap()
                .trim_start_matches("Device/")
                .to_owned();
            let patient = o["subject"]["reference"].as_str().unwrap();
            assert_eq!(patient, format!("Patient/p-{}", &device[4..]));
            per_device.entry(device).or_default().push(o);
        }
    }
    for o in out.get(Destination::Research) {
        let text = o.to_string();
        assert!(
            !text.contains("Patient/p-") && !text.contains("dev-0"),
            "{text}"
        );
        assert!(security_codes(o).iter().all(|c| c == "HRESCH"));
    }
    // Research data came from exactly the two research-consenting devices (dev-000, dev-004).
    let research_devices: std::collections::HashSet<&str> = out
        .get(Destination::Research)
        .iter()
        .map(|o| o["device"]["reference"].as_str().unwrap())
        .collect();
    assert_eq!(research_devices.len(), 2);

    // The expired consent (dev-002) was refused at install (CONSENT_EXPIRED) and
    // released nothing.
    assert!(!per_device.contains_key("dev-002"));
    assert_eq!(summary.rows[2].gateway.consent_refusal_code, 538);
    assert!(summary.rows[2].gateway.unconsented > 0);
    assert_eq!(summary.rows[2].gateway.observations, 0);

    // Purposes released per device match the consent: research only where consented,
    // ETREAT only by break-glass (and then labelled BTG), never on other devices.
    for (device, list) in &per_device {
        let purposes: Vec<Vec<String>> = list.iter().map(|o| security_codes(o)).collect();
        let has = |p: &str| purposes.iter().any(|s| s.iter().any(|c| c == p));
        match device.as_str() {
            "dev-000" | "dev-004" => {
                assert!(has("TREAT") && !has("ETREAT") && !has("BTG"));
            }
            "dev-001" | "dev-005" => {
                assert!(has("TREAT") && !has("HRESCH") && !has("ETREAT") && !has("BTG"));
            }
            "dev-003" => {
                assert!(has("TREAT") && !has("HRESCH") && has("ETREAT") && has("BTG"));
                for s in &purposes {
                    assert_eq!(
                        s.contains(&"ETREAT".to_owned()),
                        s.contains(&"BTG".to_owned())
                    );
                }
            }
            other => panic!("unexpected device {other}"),
        }
    }
    // Denials are counted: treatment-only devices are refused research and emergency use
    // (dev-005: dev-001's last frame was refused as withdrawn, released to nobody).
    assert!(summary.rows[5].gateway.denials >= 2 * summary.rows[5].gateway.data_frames);
    assert_eq!(
        summary.rows[1].gateway.unconsented, 3,
        "the withdrawn frame, per use"
    );
    assert_eq!(
        summary.rows[3].gateway.break_glass,
        summary.rows[3].gateway.data_frames
    );
}

/// Decimal places of a JSON number as written.
fn decimals(v: &Value) -> usize {
    let text = v.to_string();
    text.split_once('.').map_or(0, |(_, f)| f.len())
}

fn parse_ms(instant: &str) -> u64 {
    // "YYYY-MM-DDTHH:MM:SS.mmmZ": only differences within one run matter here.
    let t = &instant[11..23];
    let (h, m, s, ms) = (&t[0..2], &t[3..5], &t[6..8], &t[9..12]);
    let [h, m, s, ms]: [u64; 4] = [h, m, s, ms].map(|x| x.parse().unwrap());
    ((h * 60 + m) * 60 + s) * 1000 + ms
}

#[test]
fn demo_fhir_output_is_profiled_routed_timed_and_passes_the_validators() {
    use iomt_examples::fhir::TIME_SOURCE_SYSTEM;
    use iomt_examples::sim;

    let (summary, out) = run_demo(
        "fhir",
        Config {
            devices: 4,
            duration: Duration::from_millis(1600),
            ..Config::default()
        },
    );
    assert!(summary.all_ok(), "{}", summary.table());
    print!("{}", summary.table());
    // One Consent per tag the gateway verified and released data under: one per patient
    // (dev-002's expired tag is refused at install) plus dev-000's newer revision after its
    // research withdrawal; every Observation destination has data.
    assert_eq!(out.get(Destination::ConsentRegistry).len(), 4);
    assert_narrowed(&summary);
    for d in [
        Destination::Ehr,
        Destination::Research,
        Destination::Emergency,
    ] {
        assert!(!out.get(d).is_empty(), "{d:?}");
    }

    // Precision: every value has exactly the decimals of the device's exponent.
    for o in out.observations() {
        let quantities: Vec<&Value> = match o["component"].as_array() {
            Some(c) => c.iter().collect(),
            None => vec![o],
        };
        for q in quantities {
            let Some(mdc) = coding(q, MDC_SYSTEM) else {
                continue;
            };
            let code: u32 = mdc["code"].as_str().unwrap().parse().unwrap();
            if let Some(kind) = VitalKind::from_mdc(MdcCode::from_code32(code)) {
                let v = &q["valueQuantity"]["value"];
                assert_eq!(
                    decimals(v),
                    usize::from(sim::decimals(kind)),
                    "{kind:?} {v}"
                );
            }
        }
    }

    // Time: device clocks, labelled; ECG chunks exactly 100 ms apart (the device's tick).
    let mut ecg: HashMap<String, Vec<u64>> = HashMap::new();
    for o in out.get(Destination::Ehr) {
        let device = o["device"]["reference"].as_str().unwrap().to_owned();
        let source = o["meta"]["tag"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["system"] == TIME_SOURCE_SYSTEM)
            .unwrap()["code"]
            .as_str()
            .unwrap();
        let expected = if device == "Device/dev-001" {
            "gateway-anchored-uptime"
        } else {
            "device-rtc"
        };
        assert_eq!(source, expected, "{device}");
        if o.get("valueSampledData").is_some() {
            ecg.entry(device)
                .or_default()
                .push(parse_ms(o["effectiveDateTime"].as_str().unwrap()));
        }
    }
    assert_eq!(ecg.len(), 3, "dev-000, dev-001, dev-003");
    for (device, mut t) in ecg {
        t.sort_unstable();
        assert!(t.len() >= 10, "{device}");
        assert!(t.windows(2).all(|w| w[1] - w[0] == 100), "{device}: {t:?}");
    }
    assert!(summary.rows[1].gateway.clock.anchor_ms.is_some());

    // The independent validators (structure: fhir.resources; profiles: fhir_check.py).
    fhir_output::validate(&out.dir);
}

#[test]
fn demo_runs_with_signatures_and_chacha() {
    let (summary, out) = run_demo(
        "sig-chacha",
        Config {
            devices: 2,
            duration: Duration::from_millis(600),
            method: Method::SigSig,
            suite: 5,
            ..Config::default()
        },
    );
    assert!(summary.all_ok(), "{}", summary.table());
    for r in &summary.rows {
        assert_eq!(r.gateway.method_suite, Some((0, 5)));
        assert_eq!(
            (
                r.device.replays_injected,
                r.gateway.replays_rejected,
                r.gateway.tamper_rejected
            ),
            (0, 0, 0)
        );
    }
    assert!(out.observations().next().is_some());
}

#[test]
fn flags_parse_and_reject() {
    let c = Config::from_args(
        [
            "--devices",
            "3",
            "--duration",
            "0.5",
            "--method",
            "1",
            "--suite",
            "5",
            "--tamper",
            "--out",
            "x",
        ]
        .map(String::from),
    )
    .unwrap();
    assert_eq!(
        (c.devices, c.duration, c.method, c.suite, c.tamper),
        (3, Duration::from_millis(500), Method::SigStat, 5, true)
    );
    assert!(Config::from_args(["--suite", "3"].map(String::from)).is_err());
    assert!(Config::from_args(["--devices", "0"].map(String::from)).is_err());
    assert!(Config::from_args(["--method", "4"].map(String::from)).is_err());
    assert!(Config::from_args(["--bogus"].map(String::from)).is_err());
}

#[test]
fn an_unregistered_device_is_refused_and_audited() {
    use iomt_examples::creds::{DemoCredential, Registry};
    use iomt_examples::device::{ConsentProfile, DeviceConfig, run_device};
    use iomt_examples::gateway::{Gateway, serve};
    use iomt_examples::io::TcpIo;
    use std::net::{TcpListener, TcpStream};

    // The gateway knows device 1 only; device 0 connects.
    let mut registry = Registry::default();
    registry.register(&DemoCredential::device(1).unwrap(), "p-001".into());
    let gw = Gateway::new(
        DemoCredential::gateway().unwrap(),
        registry,
        vec![2, 5],
        Box::new(std::io::sink()),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let device = std::thread::spawn(move || {
        let cfg = DeviceConfig {
            index: 0,
            profile: ConsentProfile::Research,
            method: Method::StatStat,
            suites: vec![2],
            duration: Duration::from_millis(200),
            tamper: false,
            consent: Vec::new(),
            consent_copies: 1,
        };
        let sock = TcpStream::connect(addr).unwrap();
        run_device(TcpIo(sock), &cfg, &DemoCredential::gateway().unwrap())
    });
    let (sock, _) = listener.accept().unwrap();
    let g = serve(TcpIo(sock), &gw, 1);
    let d = device.join().unwrap();
    assert!(
        g.error.as_deref().unwrap().starts_with("handshake"),
        "{g:?}"
    );
    assert!(d.error.is_some() && d.frames_sent == 0, "{d:?}");
    assert_eq!((g.frames, g.observations), (0, 0));
    let a = gw.audit_report().unwrap();
    assert!(a.chain_verified);
    assert_eq!((a.handshakes, a.handshakes_failed), (0, 1));
}

/// The gateway's default refuses a legacy (version-1, unsigned) tag and releases nothing;
/// the explicit local policy the QEMU gateway sets lets it govern the data, while the
/// refusal (CONSENT_UNBOUND, 531) is still counted and audited.
#[test]
fn legacy_unbound_tag_is_refused_unless_the_local_policy_allows_it() {
    use iomt_examples::creds::{DemoCredential, Registry};
    use iomt_examples::device::{ConsentProfile, DeviceConfig, run_device};
    use iomt_examples::gateway::{Gateway, serve};
    use iomt_examples::io::TcpIo;
    use std::net::{TcpListener, TcpStream};

    for allow in [false, true] {
        let mut registry = Registry::default();
        registry.register(&DemoCredential::device(0).unwrap(), "p-000".into());
        let mut gw = Gateway::new(
            DemoCredential::gateway().unwrap(),
            registry,
            vec![2, 5],
            Box::new(std::io::sink()),
        )
        .unwrap();
        gw.accept_legacy_unbound = allow;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut buf = [0u8; iomt_core::MAX_CONSENT_TAG_LEN];
        let n = ConsentProfile::Research
            .tag(now, 0)
            .encode(&mut buf)
            .unwrap();
        let consent = buf[..n].to_vec();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let device = std::thread::spawn(move || {
            let cfg = DeviceConfig {
                index: 0,
                profile: ConsentProfile::Research,
                method: Method::StatStat,
                suites: vec![2],
                duration: Duration::from_millis(300),
                tamper: false,
                consent,
                consent_copies: 1,
            };
            let sock = TcpStream::connect(addr).unwrap();
            run_device(TcpIo(sock), &cfg, &DemoCredential::gateway().unwrap())
        });
        let (sock, _) = listener.accept().unwrap();
        let g = serve(TcpIo(sock), &gw, 1);
        let d = device.join().unwrap();
        assert!(d.error.is_none() && g.error.is_none(), "{d:?} {g:?}");
        assert_eq!((g.consent_refused, g.consent_refusal_code), (1, 531));
        assert_eq!(g.observations > 0, allow, "{g:?}");
        assert_eq!(g.consent.is_some(), allow);
        assert!(gw.audit_report().unwrap().consent_denied >= 1);
    }
}
