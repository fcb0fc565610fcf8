//! Stateful handshake drivers for the robustness proptest in `handshake.rs`: random bytes
//! fed to a responder or initiator as length-prefixed messages. They use only the public
//! API (the `ResponderState`/`InitiatorState` wrappers), so they live with their test
//! rather than in the library.

use iomt_auth::cred::{
    IdCred, LocalCredential, PeerIdentity, RoleSet, StaticTrustStore, TrustEntry,
};
use iomt_auth::edhoc::{
    ConnId, EadLabels, ErrorMessage, InitiatorConfig, InitiatorState, Method, ResponderConfig,
    ResponderState,
};

/// Parses an error message; `true` if accepted. Never panics.
pub(crate) fn parse_error(data: &[u8]) -> bool {
    ErrorMessage::parse(data).is_ok()
}

/// Splits `data` into chunks `len ‖ bytes` (one length byte each).
fn chunks(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    core::iter::from_fn(move || {
        let (&len, rest) = data.split_first()?;
        let (c, rest) = rest
            .split_at_checked(usize::from(len))
            .unwrap_or((rest, &[]));
        data = rest;
        Some(c)
    })
}

/// Feeds each chunk of `data` (see [`chunks`]), copied into a mutable buffer of at most
/// 256 bytes, to `feed` with its index.
fn feed_chunks(data: &[u8], mut feed: impl FnMut(usize, &mut [u8])) {
    let mut scratch = [0u8; 256];
    for (i, c) in chunks(data).enumerate() {
        let n = c.len().min(scratch.len());
        let (m, _) = scratch.split_at_mut(n);
        m.copy_from_slice(c.get(..n).unwrap_or(&[]));
        feed(i, m);
    }
}

/// Our credential `cred` under `own_kid`, and a store trusting the same `cred` under
/// `peer_kid` (both sides hold one credential: the drivers only need it to parse).
fn credentials<'a, K>(
    key: &'a K,
    cred: &'a [u8],
    own_kid: &'a [u8],
    peer_kid: &'a [u8],
) -> (LocalCredential<'a, K>, StaticTrustStore<'a, 1>) {
    let own = LocalCredential {
        key,
        cred,
        id_cred: IdCred::Kid(own_kid),
    };
    let store = StaticTrustStore::new([TrustEntry {
        kid: peer_kid,
        cred,
        identity: PeerIdentity::default(),
        roles: RoleSet::EMPTY,
    }]);
    (own, store)
}

/// Stateful fuzz driver: a responder (all methods, suites 2 and 5, credential `cred`
/// with kid 0x32, trusting only `cred` under kid 0x2b) fed length-prefixed chunks as
/// message_1, message_3. Returns `false` if the responder completed (random input must
/// never authenticate). Never panics.
pub(crate) fn drive_responder<C: iomt_crypto::CryptoProvider>(
    crypto: &mut C,
    key: &C::KeyHandle,
    cred: &[u8],
    data: &[u8],
) -> bool {
    let (own, store) = credentials(key, cred, &[0x32], &[0x2b]);
    let Ok(mut rs) = ResponderState::<C>::new(&ResponderConfig {
        suites: &[2, 5],
        methods: &Method::ALL,
        c_r: ConnId::default(),
        send_message_4: true,
        ead_labels: EadLabels::NONE,
    }) else {
        return true;
    };
    let mut out = [0u8; 512];
    feed_chunks(data, |i, m| {
        let _ = if i == 0 {
            rs.handle_message_1(crypto, m, &own, &[], &mut out)
        } else {
            rs.handle_message_3(crypto, m, &store, &[], &mut out)
        };
        let _ = rs.error_message(&mut out);
    });
    rs.completed().is_none()
}

/// Stateful fuzz driver for the initiator (method from the first data byte, suite 2
/// or 5 from the second): message_1 is written, then chunks are fed as message_2 and
/// message_4. Returns `false` if the initiator completed. Never panics.
pub(crate) fn drive_initiator<C: iomt_crypto::CryptoProvider>(
    crypto: &mut C,
    key: &C::KeyHandle,
    cred: &[u8],
    data: &[u8],
) -> bool {
    let (Some(&mb), Some(&sb)) = (data.first(), data.get(1)) else {
        return true;
    };
    let method = Method::ALL
        .get(usize::from(mb & 3))
        .copied()
        .unwrap_or(Method::StatStat);
    let suite = if sb & 1 == 0 { 2 } else { 5 };
    let (own, store) = credentials(key, cred, &[0x2b], &[0x32]);
    let suites = [suite];
    let Ok(mut is) = InitiatorState::<C>::new(&InitiatorConfig {
        method,
        suites: &suites,
        c_i: ConnId::default(),
        expect_message_4: true,
        ead_labels: EadLabels::NONE,
    }) else {
        return true;
    };
    let mut out = [0u8; 512];
    if is.write_message_1(crypto, &[], &mut out).is_err() {
        return true;
    }
    feed_chunks(data.get(2..).unwrap_or(&[]), |i, m| {
        let _ = if i == 0 {
            is.handle_message_2(crypto, m, &store, &own, &[], &mut out)
        } else {
            is.handle_message_4(crypto, m).map(|()| 0)
        };
        let _ = is.error_message(&mut out);
    });
    is.completed().is_none()
}
