//! Provisioning end to end: the `provision` command's files read back into a trust store
//! that authenticates a real EDHOC handshake between two freshly provisioned parties.

use iomt_auth::cred::{IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore};
use iomt_auth::edhoc::{
    AfterMessage3, ConnId, EadLabels, Initiator, InitiatorConfig, Method, Responder,
    ResponderConfig,
};
use iomt_core::Role;
use iomt_crypto::{RustCryptoProvider, StaticKey};
use iomt_examples::provision::{ProvisionError, TrustRecord, provision};

type Provider = RustCryptoProvider<iomt_crypto::rustcrypto::OsRng>;

#[test]
fn provisioned_parties_authenticate_each_other_from_the_written_records() {
    let device = provision("pump-0042", &[0x11], RoleSet::EMPTY.with(Role::Device)).unwrap();
    let gateway = provision("ward-7-gw", &[0x22], RoleSet::EMPTY.with(Role::Gateway)).unwrap();
    assert_ne!(device.private_key, gateway.private_key);
    // what the factory writes, read back as the gateway and the device would
    let dev_rec = TrustRecord::parse(&device.record.to_line()).unwrap();
    let gw_rec = TrustRecord::parse(&gateway.record.to_line()).unwrap();
    assert_eq!(dev_rec, device.record);
    let store_at_gateway = StaticTrustStore::new([dev_rec.entry()]);
    let store_at_device = StaticTrustStore::new([gw_rec.entry()]);

    let sk_dev = StaticKey::from_bytes(&device.private_key).unwrap();
    let sk_gw = StaticKey::from_bytes(&gateway.private_key).unwrap();
    let me_dev = LocalCredential {
        key: &sk_dev,
        cred: &device.record.ccs,
        id_cred: IdCred::Kid(&device.record.kid),
    };
    let me_gw = LocalCredential {
        key: &sk_gw,
        cred: &gateway.record.ccs,
        id_cred: IdCred::Kid(&gateway.record.kid),
    };
    let mut c = RustCryptoProvider::with_os_rng();
    let icfg = InitiatorConfig {
        method: Method::StatStat,
        suites: &[2],
        c_i: ConnId::new(&[0x37]).unwrap(),
        expect_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let rcfg = ResponderConfig {
        suites: &[2],
        methods: &[Method::StatStat],
        c_r: ConnId::new(&[0x27]).unwrap(),
        send_message_4: false,
        ead_labels: EadLabels::NONE,
    };
    let mut buf = [0u8; 512];
    let (i, n) = Initiator::<Provider>::new(&icfg)
        .unwrap()
        .prepare_message_1(&mut c, &[], &mut buf)
        .unwrap();
    let m1 = buf[..n].to_vec();
    let r = Responder::<Provider>::new(&rcfg)
        .unwrap()
        .process_message_1(&mut c, &m1)
        .unwrap();
    let (r, n) = r.prepare_message_2(&mut c, &me_gw, &[], &mut buf).unwrap();
    let mut m2 = buf[..n].to_vec();
    let i = i
        .parse_message_2(&mut c, &mut m2)
        .unwrap()
        .verify_with_store(&mut c, &store_at_device)
        .unwrap();
    assert_eq!(i.peer_identity(), PeerIdentity::from_slice(b"ward-7-gw"));
    let (after, n) = i.prepare_message_3(&mut c, &me_dev, &[], &mut buf).unwrap();
    assert!(matches!(after, AfterMessage3::Completed(_)));
    let mut m3 = buf[..n].to_vec();
    let done = r
        .parse_message_3(&mut c, &mut m3)
        .unwrap()
        .verify_with_store(&mut c, &store_at_gateway)
        .unwrap()
        .complete(&mut c)
        .unwrap();
    assert_eq!(done.peer_identity(), PeerIdentity::from_slice(b"pump-0042"));
    assert_eq!(done.peer_roles(), RoleSet::EMPTY.with(Role::Device));
}

#[test]
fn malformed_records_are_refused_with_the_reason() {
    let p = provision("pump-0042", &[0x11], RoleSet::EMPTY.with(Role::Device)).unwrap();
    let line = p.record.to_line();
    let bad = |l: &str| match TrustRecord::parse(l) {
        Err(ProvisionError::BadRecord(why)) => why,
        other => panic!("{l:?} gave {other:?}"),
    };
    assert!(bad(&line.replacen("11\t", "12\t", 1)).contains("kid"));
    assert!(bad(&line.replace("\tdevice\t", "\tsuperuser\t")).contains("role"));
    assert!(bad(&line.replacen('\t', " ", 1)).contains("fields"));
    let truncated = &line[..line.len() - 2];
    assert!(bad(truncated).contains("credential"));
    assert!(bad(&format!("{line}0")).contains("hex"));
    // and inputs that cannot become a credential
    assert!(provision("", &[1], RoleSet::EMPTY).is_err());
    assert!(provision("seventeen-bytes-x", &[1], RoleSet::EMPTY).is_err());
    assert!(provision("pump", &[], RoleSet::EMPTY).is_err());
}

#[test]
fn the_command_writes_key_credential_and_trust_record_and_never_overwrites_a_key() {
    let dir = std::env::temp_dir().join(format!("iomt-provision-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |identity: &str, kid: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_provision"))
            .args([
                "--identity",
                identity,
                "--kid",
                kid,
                "--roles",
                "device,technician",
            ])
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap()
    };
    assert!(run("pump-1", "01").status.success());
    assert!(run("pump-2", "02").status.success());
    let again = run("pump-1", "03");
    assert!(
        !again.status.success(),
        "a second key for pump-1 must be refused"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
    let trust = std::fs::read_to_string(dir.join("trust-store.tsv")).unwrap();
    let records: Vec<TrustRecord> = trust
        .lines()
        .map(|l| TrustRecord::parse(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0].roles,
        RoleSet::EMPTY.with(Role::Device).with(Role::Technician)
    );
    let key_hex = std::fs::read_to_string(dir.join("pump-1.key")).unwrap();
    assert_eq!(key_hex.trim().len(), 64);
    let ccs_hex = std::fs::read_to_string(dir.join("pump-2.ccs")).unwrap();
    assert!(trust.contains(ccs_hex.trim()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("pump-1.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
